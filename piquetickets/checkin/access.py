"""Finding a door link's session from a request, for the check-in API and the check-in page alike.

Unknown tokens are counted per client address; past ``THROTTLE_CHECKIN_BAD_TOKENS`` further unknown
tokens from that address are answered 429, while known ones keep working.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from piquetickets.core.cache import window_hits
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
    :class:`SessionRevoked` or :class:`SessionExpired`.

    A known token always works, whatever the address did before: a venue's phones share one address,
    and one bad QR code or a scanner's typo storm must not lock the door out. Only unknown tokens
    count, and past the budget they are answered 429 instead of 401, so guessing gets nowhere (the
    tokens are 256 random bits anyway). The counter is one atomic INCR; without the cache, guesses
    are not counted (the lookup itself is one indexed read).
    """
    try:
        return checkin_session_for_token(token=token)
    except InvalidSession:
        limit, period = _budget()
        counted = window_hits(cache, [(f"checkin-bad-token:{client_ip(request)}", None, period)])
        if counted is not None and counted[0][0] > limit:
            raise TooManyBadTokens(extra={"retry_after_seconds": period + 1}) from None
        raise
