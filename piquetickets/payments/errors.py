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


class WebhookEventInvalid(ApplicationError):
    """A correctly signed webhook body that is not shaped like the provider's event."""

    code = "invalid_event"
    default_message = "The webhook body is not a valid event."
    status = 400


class PaymentDoesNotMatch(ApplicationError):
    """The payment the provider reports is not the order's: another checkout session, amount or currency.

    Nothing was fulfilled; a person must settle it (the message says what differs).
    """

    code = "payment_mismatch"
    default_message = "The payment does not match the order."
    status = 409
