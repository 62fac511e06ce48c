import pytest

from piquetickets.producers.models import ProducerInterest
from piquetickets.subscribers.models import Subscriber, SubscriberMetaData
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_subscribe_stores_where_the_signup_came_from(api):
    response = api.post(
        "/api/v1/subscribers/",
        {"email": "Fan@Example.com", "first_name": "Robin"},
        format="json",
        HTTP_USER_AGENT="Mozilla/5.0 Test",
        HTTP_REFERER="https://piquetickets.example/shows/friday",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 202
    assert response.json() == {"detail": "Thanks! You're on the list."}
    meta = SubscriberMetaData.objects.get()
    assert (meta.ip_address, meta.user_agent, meta.url_referer) == (
        "203.0.113.7",
        "Mozilla/5.0 Test",
        "https://piquetickets.example/shows/friday",
    )


def test_subscribing_twice_is_fine_writes_nothing_and_reveals_nothing(api):
    first = api.post("/api/v1/subscribers/", {"email": "fan@example.com"}, format="json")
    again = api.post("/api/v1/subscribers/", {"email": "FAN@example.com", "first_name": "Other"}, format="json")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Subscriber.objects.count() == 1
    assert SubscriberMetaData.objects.count() == 1
    assert Subscriber.objects.get().first_name == ""


def test_signing_up_again_after_unsubscribing_resubscribes(api):
    api.post("/api/v1/subscribers/", {"email": "back@example.com"}, format="json")
    Subscriber.objects.update(is_active=False)
    assert api.post("/api/v1/subscribers/", {"email": "back@example.com"}, format="json").status_code == 202
    assert Subscriber.objects.get().is_active is True
    assert Subscriber.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "email"), ({"email": "not-an-email"}, "email"), ({"email": "a@b.co", "first_name": "x" * 101}, "first_name")],
)
def test_bad_subscriptions_are_refused(api, payload, field):
    body = assert_error(api.post("/api/v1/subscribers/", payload, format="json"), 400, "invalid")
    assert field in body["extra"]["fields"]
    assert not Subscriber.objects.exists()


def test_referer_that_is_not_a_web_address_is_dropped(api):
    api.post("/api/v1/subscribers/", {"email": "x@example.com"}, format="json", HTTP_REFERER="javascript:alert(1)")
    assert SubscriberMetaData.objects.get().url_referer == ""


def test_producer_interest_form(api):
    response = api.post(
        "/api/v1/producer-interest/",
        {
            "name": "Lee Park",
            "email": "lee@comedy.example",
            "company_name": "Park Comedy",
            "events_per_year": "6-20",
            "show_types": ["stand-up", "improv"],
            "interested_in_marketing": True,
        },
        format="json",
        HTTP_USER_AGENT="Browser",
    )
    assert response.status_code == 201
    interest = ProducerInterest.objects.get()
    assert (interest.status, interest.show_types, interest.user_agent) == ("new", ["stand-up", "improv"], "Browser")


def test_producer_interest_bad_input(api):
    body = assert_error(
        api.post("/api/v1/producer-interest/", {"name": "", "email": "x", "events_per_year": "lots"}, format="json"),
        400,
        "invalid",
    )
    assert set(body["extra"]["fields"]) == {"name", "email", "events_per_year"}
    assert not ProducerInterest.objects.exists()


def test_client_address_behind_a_trusted_proxy(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api.post(
        "/api/v1/subscribers/",
        {"email": "proxied@example.com"},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.50",
        REMOTE_ADDR="10.0.0.2",
    )
    assert SubscriberMetaData.objects.get().ip_address == "203.0.113.50"
