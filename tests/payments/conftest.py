import pytest

from tests.payments.flow import SECRET


@pytest.fixture
def stripe_on(settings, stripe_server, eager):
    """The ``stripe`` provider, talking to the local Stripe-compatible server."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_pique"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return stripe_server
