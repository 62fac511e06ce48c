"""Selling through the local Stripe-compatible server: the steps the payments tests share."""

import pytest

from piquetickets.orders.models import Order
from piquetickets.producers.models import ProducerFinancial
from tests.api.conftest import client_for
from tests.selling import cart
from tests.stripe_server import signed_event

SECRET = "whsec_test_secret"
WEBHOOK = "/api/v1/stripe/webhook/"
CHECKOUT = "/api/v1/checkout/create-session/"


@pytest.fixture
def stripe_on(settings, stripe_server, eager):
    """The ``stripe`` provider, talking to the local Stripe-compatible server."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_pique"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return stripe_server


def deliver(client, event, secret=SECRET):
    body, headers = signed_event(event, secret)
    return client.post(WEBHOOK, body, content_type="application/json", **headers)


def onboard(client, sale, server) -> str:
    """The producer onboards through the API; Stripe reports the account ready by webhook."""
    owner = client_for(sale.owner)
    response = owner.post(
        f"/api/v1/producers/{sale.show.producer.slug}/payouts/onboarding/",
        {"return_url": "https://tickets.example/portal/payouts/", "refresh_url": "https://tickets.example/retry/"},
        format="json",
    )
    assert response.status_code == 200, response.content
    account = ProducerFinancial.objects.get(producer=sale.show.producer).stripe_account_id
    assert response.json() == {"url": f"{server.url}/connect/onboard/{account}"}
    assert deliver(client, server.complete_onboarding(account)).json() == {"result": "processed"}
    return account


def checkout(api, sale, *lines, **overrides) -> Order:
    response = api.post(CHECKOUT, cart(sale, *lines, **overrides), format="json")
    assert response.status_code == 201, response.content
    return Order.objects.get(uuid=response.json()["order"])
