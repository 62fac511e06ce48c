"""Finding a door link's session from a request, for the check-in API and the check-in page alike.

Unknown tokens are counted per client address; past ``THROTTLE_CHECKIN_BAD_TOKENS`` the address is
refused before any lookup, so tokens can't be guessed (they are 256 random bits anyway).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from piquetickets.core.errors import ApplicationError
from piquetickets.core.http import client_ip

from .errors import InvalidSession
from .models import CheckInSession
from .services import checkin_session_for_token

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TooManyBadTokens(ApplicationError):
    code = "throttled"
    default_message = "Too many unknown check-in links from this address. Try again later."
    status = 429


def _budget() -> tuple[int, int]:
    count, per = settings.THROTTLE_CHECKIN_BAD_TOKENS.split("/")
    return int(count), PERIODS[per[0]]


def door_session_for(request, token: str) -> CheckInSession:
    """The usable session of ``token``. Raises :class:`TooManyBadTokens`, :class:`InvalidSession`,
    :class:`SessionRevoked` or :class:`SessionExpired`."""
    limit, period = _budget()
    key = f"checkin-bad-token:{client_ip(request)}"
    if cache.get(key, 0) >= limit:
        raise TooManyBadTokens(extra={"retry_after_seconds": period + 1})
    try:
        return checkin_session_for_token(token=token)
    except InvalidSession:
        if not cache.add(key, 1, timeout=period):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=period)
        raise
