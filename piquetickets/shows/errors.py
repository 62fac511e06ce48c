from piquetickets.core.errors import ApplicationError


class PublishingNotAllowed(ApplicationError):
    code = "publishing_not_allowed"
    default_message = "Your account can't publish shows yet. Ask the PiqueTickets team to enable publishing."
    status = 403


class ShowNotReady(ApplicationError):
    code = "show_not_ready"
    default_message = "This show can't be published yet."
    status = 400


class QuantityBelowCommitted(ApplicationError):
    code = "quantity_below_committed"
    default_message = "Quantity can't be lower than the tickets already sold or held."
    status = 400
