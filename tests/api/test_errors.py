"""The one error shape, for every kind of failure the API can meet."""

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, OperationalError
from django.http import Http404
from django.test import RequestFactory

from piquetickets.api.exceptions import api_exception_handler
from piquetickets.core.views import not_found, server_error
from tests.api.conftest import assert_error


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (Http404(), 404, {"detail": "Not found.", "code": "not_found", "extra": {}}),
        (
            DjangoPermissionDenied(),
            403,
            {"detail": "You do not have permission to perform this action.", "code": "permission_denied", "extra": {}},
        ),
        (
            DjangoValidationError("Bad thing."),
            400,
            {
                "detail": "Some fields are not valid.",
                "code": "invalid",
                "extra": {"fields": {"non_field_errors": ["Bad thing."]}},
            },
        ),
        (
            DjangoValidationError({"__all__": ["Clash."], "name": ["Too long."]}),
            400,
            {
                "detail": "Some fields are not valid.",
                "code": "invalid",
                "extra": {"fields": {"non_field_errors": ["Clash."], "name": ["Too long."]}},
            },
        ),
        (
            DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
            400,
            {"detail": "The request contains characters or values we can't store.", "code": "invalid", "extra": {}},
        ),
        (
            OperationalError("canceling statement due to lock timeout"),
            503,
            {
                "detail": "We can't reach part of our system right now. Please try again in a moment.",
                "code": "service_unavailable",
                "extra": {"retry_after_seconds": 10},
            },
        ),
    ],
)
def test_handler_maps_django_errors(exc, status, body):
    response = api_exception_handler(exc, {})
    assert (response.status_code, response.data) == (status, body)


def test_other_database_errors_are_not_hidden():
    assert api_exception_handler(OperationalError("disk I/O error"), {}) is None


def test_nested_field_errors_are_flattened_to_lists():
    from rest_framework.exceptions import ValidationError

    response = api_exception_handler(ValidationError({"tickets": [{"price": ["Bad."]}], "x": "Oops"}), {})
    assert response.data["extra"]["fields"] == {"tickets": [{"price": ["Bad."]}], "x": ["Oops"]}
    response = api_exception_handler(ValidationError(["Top-level problem."]), {})
    assert response.data["extra"]["fields"] == {"non_field_errors": ["Top-level problem."]}


@pytest.mark.django_db
def test_unrouted_api_urls_answer_json_and_pages_answer_html(client):
    assert_error(client.get("/api/v1/promo-codes/1.5/"), 404, "not_found", "Not found.")
    assert_error(client.get("/api/v1/nothing-here/"), 404, "not_found")
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_server_errors_under_the_api_are_json():
    request = RequestFactory().get("/api/v1/shows/")
    response = server_error(request)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b'"code": "server_error"' in response.content
    assert server_error(RequestFactory().get("/admin/")).status_code == 500
    assert not_found(RequestFactory().get("/api/x"), Http404()).status_code == 404


@pytest.mark.django_db
def test_method_not_allowed_has_the_shape(client):
    body = assert_error(client.get("/api/v1/subscribers/"), 405, "method_not_allowed")
    assert body["detail"] == 'Method "GET" not allowed.'


@pytest.mark.django_db
def test_nul_characters_are_refused_not_crashed_on(client, world):
    from tests.api.conftest import client_for

    owner = client_for(world.owner)
    response = owner.post(
        "/api/v1/tickets/", {"show": "fri\x00day", "name": "X", "quantity": 1, "price": "1"}, format="json"
    )
    assert_error(response, 400, "invalid")
    from django.db import connection

    postgres = connection.vendor == "postgresql"  # PostgreSQL can't take NUL at all: a clear 400
    for url, sqlite_status in (
        ("/api/v1/shows/fri%00day/", 404),
        ("/api/v1/tickets/?show=fri%00day", 200),
        ("/api/v1/shows/?q=a%00b", 400),  # the filter form refuses NUL itself
    ):
        response = client.get(url)
        assert response.status_code == (400 if postgres else sqlite_status), url
        assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_unrouted_api_urls_answer_json_with_debug_on_too(client, settings):
    settings.DEBUG = True
    for url in ("/api/v1/nothing-here/", "/api/v2/shows/", "/api/v1/shows/x/y/z/"):
        assert_error(client.get(url), 404, "not_found", "Not found.")
    assert_error(client.post("/api/v1/nothing-here/"), 404, "not_found")


@pytest.mark.django_db
def test_unrouted_api_writes_with_a_session_cookie_answer_json_not_a_csrf_page():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "not-a-session"
    assert_error(client.post("/api/v1/checkin-sessions/%C2%84/revoke/"), 404, "not_found")
    assert_error(client.delete("/api/v1/shows/.%C3%91/"), 404, "not_found")


@pytest.mark.django_db
def test_an_api_url_without_its_slash_is_sent_to_the_one_with_it(client):
    response = client.get("/api/v1/shows?city=Chicago")
    assert (response.status_code, response["Location"]) == (308, "/api/v1/shows/?city=Chicago")
    response = client.post("/api/v1/checkout/create-session", {}, content_type="application/json")
    assert (response.status_code, response["Location"]) == (308, "/api/v1/checkout/create-session/")
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
