"""The OpenAPI schema, its offline docs page, and a property-based run of every operation against it."""

import os

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from piquetickets.accounts.services import api_token_create
from tests.factories import MembershipFactory, PerformerFactory, PromoCodeFactory, ShowFactory, TicketFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_schema_is_served_and_documents_errors(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/shows/", "/api/v1/shows/{slug}/", "/api/v1/tickets/", "/api/v1/promo-codes/",
                 "/api/v1/venues/", "/api/v1/performers/", "/api/v1/producers/", "/api/v1/featured/",
                 "/api/v1/subscribers/", "/api/v1/producer-interest/", "/api/v1/tokens/",
                 "/api/v1/knowledge/articles/", "/api/v1/shows/{slug}/images/{field}/"):  # fmt: skip
        assert path in paths, path
    create_show = paths["/api/v1/shows/"]["post"]
    assert {"201", "400", "401", "403", "429"} <= set(create_show["responses"])
    assert create_show["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "apiToken" in schema["components"]["securitySchemes"]


def test_schema_tells_the_truth_about_answers_and_inputs(client, db):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    paths = schema["paths"]
    # An order without a promo code shows null there.
    assert schema["components"]["schemas"]["Order"]["properties"]["promo_code"]["nullable"] is True
    # The operations that call the payment provider may answer 502 payment_provider_error.
    for path, method in [
        ("/api/v1/orders/{uuid}/refund/", "post"),
        ("/api/v1/producers/{slug}/payouts/", "get"),
        ("/api/v1/producers/{slug}/payouts/onboarding/", "post"),
        ("/api/v1/checkout/create-session/", "post"),
    ]:
        assert "payment_provider_error" in paths[path][method]["responses"]["502"]["description"], path
    # Every operation may meet an outage.
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert "503" in operation["responses"], (method, path)
    # Checkout takes JSON only: a form can't carry its list of tickets.
    assert list(paths["/api/v1/checkout/create-session/"]["post"]["requestBody"]["content"]) == ["application/json"]
    field = next(p for p in paths["/api/v1/shows/{slug}/images/{field}/"]["post"]["parameters"] if p["name"] == "field")
    assert set(field["schema"]["enum"]) == {"image", "banner_image", "square_image", "background_image"}
    venue_field = next(
        p for p in paths["/api/v1/venues/{slug}/images/{field}/"]["post"]["parameters"] if p["name"] == "field"
    )
    assert venue_field["schema"]["enum"] == ["venue_image"]
    query = next(p for p in paths["/api/v1/checkin/search/"]["get"]["parameters"] if p["name"] == "q")
    assert query["schema"]["minLength"] == 2


def test_checkout_refuses_a_form_body(client, db):
    response = client.post("/api/v1/checkout/create-session/", {"show": "x", "tickets": "1"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_docs_page_needs_no_internet(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html.replace("https://swagger.io", "")
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def load_schema():
    """The schema, read from the app itself (no database needed); requests go straight to the WSGI app."""
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


api_schema = load_schema()


@pytest.fixture
def keep_test_connection():
    """Like Django's test client, keep the test's database connection open between requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owner_key(db):
    """Some data to find, and a key for its producer's member."""
    membership = MembershipFactory(user__username="fuzz-owner")
    show = ShowFactory(producer=membership.producer, title="Fuzz Show")
    TicketFactory(show=show)
    PromoCodeFactory(show=show, code="FUZZ")
    show.performers.add(PerformerFactory(producer=membership.producer))
    _, key = api_token_create(user=membership.user, producer=membership.producer, name="fuzz")
    return key


@api_schema.parametrize()
# `make test` tries 4 examples per operation; CI's PostgreSQL pass sets SCHEMATHESIS_EXAMPLES=50.
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_within_its_schema(case, owner_key, keep_test_connection):
    """Anonymous and with a producer's key: no 5xx, and every answer matches the documented shape."""
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {owner_key}"})
