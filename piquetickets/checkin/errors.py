"""Errors of check-in: the door link itself, and scans that can't be undone."""

from piquetickets.core.errors import ApplicationError


class InvalidSession(ApplicationError):
    code = "invalid_session"
    default_message = "This check-in link isn't valid."
    status = 401


class SessionExpired(ApplicationError):
    code = "session_expired"
    default_message = "This check-in link has expired. Ask the producer for a new one."
    status = 403


class SessionRevoked(ApplicationError):
    code = "session_revoked"
    default_message = "This check-in link was switched off by the producer."
    status = 403


class NotCheckedIn(ApplicationError):
    code = "not_checked_in"
    default_message = "This ticket isn't checked in."
    status = 409
