"""The one place that builds the Stripe client. Every Stripe call goes through :func:`stripe_client`.

``STRIPE_API_BASE`` points the official SDK at another address (the tests' local Stripe-compatible
server); unset, the SDK talks to Stripe.
"""

from __future__ import annotations

from functools import lru_cache

import stripe
from django.conf import settings

from .errors import PaymentProviderError


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, retries: int) -> stripe.StripeClient:
    base = {"api": api_base} if api_base else None
    return stripe.StripeClient(api_key, base_addresses=base, max_network_retries=retries)


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentProviderError("Card payments are not configured (STRIPE_SECRET_KEY is missing).")
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_MAX_NETWORK_RETRIES)


def provider_error(error: stripe.StripeError) -> PaymentProviderError:
    """A Stripe error as the API's ``payment_provider_error`` (Stripe's message, never a stack trace)."""
    message = getattr(error, "user_message", None) or "The payment provider refused the request."
    return PaymentProviderError(message, extra={"provider_code": getattr(error, "code", None) or ""})
