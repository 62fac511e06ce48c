"""Errors of the selling domain, each with a stable code the API and pages show."""

from piquetickets.core.errors import ApplicationError


class SoldOut(ApplicationError):
    code = "sold_out"
    default_message = "Sorry, there aren't enough tickets left."
    status = 409


class PromoCodeInvalid(ApplicationError):
    code = "promo_code_invalid"
    default_message = "This promo code can't be used."
    status = 400


class DonationTooLow(ApplicationError):
    code = "donation_too_low"
    default_message = "The amount is below the minimum for this ticket."
    status = 400


class NotOnSale(ApplicationError):
    code = "not_on_sale"
    default_message = "These tickets are not on sale."
    status = 400


class TooManyTickets(ApplicationError):
    code = "too_many_tickets"
    default_message = "That's more tickets than one order may hold."
    status = 400


class RefundInvalid(ApplicationError):
    """The refund asked for can't be made (nothing paid, already refunded, too much, wrong tickets)."""

    code = "refund_invalid"
    default_message = "This refund can't be made."
    status = 400


class RefundChanged(ApplicationError):
    """The order was refunded meanwhile: what the person reviewed is not what a refund would do now."""

    code = "refund_changed"
    default_message = "This order changed while the refund was being reviewed. Review it again."
    status = 409


class OrderNotPending(ApplicationError):
    """The order is no longer waiting for payment (paid, expired or cancelled)."""

    code = "order_not_pending"
    default_message = "This order is no longer waiting for payment."
    status = 409
