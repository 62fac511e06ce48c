"""One application error type, mapped to HTTP by one handler.

Every domain error has a stable machine-readable ``code``, a human ``message`` (translatable),
optional ``extra`` data and the HTTP status the API answers with.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """Base of every error the domain raises on purpose."""

    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = _("Something went wrong.")
    status: ClassVar[int] = 400

    def __init__(self, message: str | None = None, *, extra: dict[str, Any] | None = None):
        self.message = str(message if message is not None else self.default_message)
        self.extra = extra or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, "extra": self.extra}


class NotFound(ApplicationError):
    code = "not_found"
    default_message = _("Not found.")
    status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    default_message = _("You do not have permission to do that.")
    status = 403


class Busy(ApplicationError):
    """A lock could not be taken in time; the client should retry."""

    code = "busy"
    default_message = _("We are busy right now, please try again in a moment.")
    status = 409


class ServiceUnavailable(ApplicationError):
    """The database or the task broker did not answer in time (see ``core.outages.is_outage``): retry.

    Answered with ``Retry-After``; never a 500, which would say the request itself was at fault.
    """

    code = "service_unavailable"
    default_message = _("We can't reach part of our system right now. Please try again in a moment.")
    status = 503
    retry_after_seconds = 10


class InvalidInput(ApplicationError):
    """Field-level problems found by a service; ``extra.fields`` maps field names to messages."""

    code = "invalid"
    default_message = _("Some fields are not valid.")
    status = 400


class InUse(ApplicationError):
    code = "in_use"
    default_message = _("This is still in use and can't be deleted.")
    status = 409
