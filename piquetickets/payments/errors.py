"""Errors of the payments domain."""

from piquetickets.core.errors import ApplicationError


class PaymentProviderError(ApplicationError):
    """The payment provider refused or could not be reached; nothing was charged by this request."""

    code = "payment_provider_error"
    default_message = "The payment provider could not be reached. Please try again in a moment."
    status = 502


class PaymentsNotReady(ApplicationError):
    """The producer can't take card payments yet (no connected account, or it isn't enabled)."""

    code = "payments_not_ready"
    default_message = "This producer can't take card payments yet."
    status = 409


class WebhookSignatureInvalid(ApplicationError):
    code = "invalid_signature"
    default_message = "The webhook signature is missing or not valid."
    status = 400
