"""Outages (a database or broker that does not answer) answer a retryable 503; real bugs stay 500."""

import pytest
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError

from piquetickets.core.outages import Breaker, is_outage
from tests.core.outage_urls import database_error


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (database_error("08006"), True),  # connection failure
        (database_error("08001"), True),  # could not connect
        (database_error("57014"), True),  # statement timeout
        (database_error("57P01"), True),  # the server is shutting down
        (database_error("53300"), True),  # too many connections
        (database_error("55P03"), True),  # lock timeout
        (database_error("40001"), True),  # serialization failure
        (database_error("40P01"), True),  # deadlock
        (database_error("42P01"), False),  # undefined table: a bug
        (database_error("22P02"), False),  # invalid text representation: a bug
        (OperationalError("database is locked"), True),  # SQLite
        (OperationalError("no such table: shows_show"), False),  # SQLite: a bug
        (OperationalError("disk I/O error"), False),
        (InterfaceError("connection already closed"), True),
        (BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused."), True),
        (RedisConnectionError("Connection refused"), True),
        (ValueError("a bug"), False),
        (None, False),
    ],
)
def test_what_counts_as_an_outage(error, outage):
    assert is_outage(error) is outage


def test_a_real_psycopg_error_without_sqlstate_is_an_outage():
    psycopg = pytest.importorskip("psycopg")
    error = OperationalError("connection refused")
    error.__cause__ = psycopg.OperationalError("connection failed: Connection refused")
    assert is_outage(error)


@pytest.mark.urls("tests.core.outage_urls")
@pytest.mark.django_db
def test_an_api_outage_answers_503_with_retry_after(client, caplog):
    for _ in range(3):
        response = client.get("/api/v1/outage/")
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert response.json() == {
            "detail": "We can't reach part of our system right now. Please try again in a moment.",
            "code": "service_unavailable",
            "extra": {"retry_after_seconds": 10},
        }
    # Logged once a minute, not once per request (nor by Django's request logger).
    assert sum("Database unavailable" in record.getMessage() for record in caplog.records) == 1
    assert not [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.urls("tests.core.outage_urls")
@pytest.mark.django_db
def test_a_page_outage_answers_the_try_again_page(client):
    response = client.get("/page/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<h1 id="error-title">We\'ll be right back</h1>' in html
    assert "Try again" in html


@pytest.mark.urls("tests.core.outage_urls")
@pytest.mark.django_db
def test_real_bugs_stay_500(client):
    client.raise_request_exception = False
    api = client.get("/api/v1/bug/")
    page = client.get("/page/bug/")
    assert (api.status_code, api.json()["code"]) == (500, "server_error")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()


@pytest.mark.django_db
def test_a_database_outage_in_a_drf_view_answers_503(client, monkeypatch):
    from piquetickets.shows import api as shows_api
    from tests.core.outage_urls import database_error

    def down(*args, **kwargs):
        raise database_error("57P03")  # the server is starting up

    monkeypatch.setattr(shows_api.ShowViewSet, "get_queryset", down)
    response = client.get("/api/v1/shows/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json()["code"] == "service_unavailable"


def test_an_outage_outside_any_view_answers_503_from_handler500(rf):
    """A middleware (the session store, say) that meets the outage before a view: Django calls handler500
    while handling it, and that answers 503 for an outage, 500 for anything else."""
    from piquetickets.core.views import server_error

    try:
        raise database_error("08006")
    except OperationalError:
        page, api = server_error(rf.get("/checkin/")), server_error(rf.get("/api/v1/shows/"))
    assert (page.status_code, page["Retry-After"]) == (503, "10")
    assert "We'll be right back" in page.content.decode()
    assert (api.status_code, api["Retry-After"]) == (503, "10")
    try:
        raise KeyError("bug")
    except KeyError:
        assert server_error(rf.get("/checkin/")).status_code == 500


def test_the_breaker_skips_a_service_for_a_while_and_logs_once_a_minute(caplog):
    clock = {"now": 1000.0}
    breaker = Breaker("Thing", retry_after=5, clock=lambda: clock["now"])
    assert not breaker.is_open()
    breaker.failed(RuntimeError("down"))
    assert breaker.is_open()
    clock["now"] += 6
    assert not breaker.is_open()  # time to try again: this caller probes...
    assert breaker.is_open()  # ...and the others keep skipping while it does
    breaker.failed(RuntimeError("still down"))
    clock["now"] += 61
    breaker.failed(RuntimeError("down for long"))
    messages = [r.getMessage() for r in caplog.records if r.name == "piquetickets.core.outages"]
    assert messages == [
        "Thing unavailable, serving without it (0 calls skipped since the last report): RuntimeError: down",
        "Thing unavailable, serving without it (2 calls skipped since the last report): RuntimeError: down for long",
    ]
    breaker.succeeded()
    assert not breaker.is_open()
    assert caplog.records[-1].getMessage() == "Thing is back after 67 s"


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_sites_own_page():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.post("/sell/", {"name": "x"})
    assert page.status_code == 403
    html = page.content.decode()
    assert "This form has expired" in html
    assert "<style" not in html
    api = client.post("/api/v1/nothing/", {})  # the API's catch-all needs no token: JSON 404
    assert api.status_code == 404
