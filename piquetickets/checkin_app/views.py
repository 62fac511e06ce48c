"""The check-in page door staff open from their link. It only finds the link's session and renders
the app; every scan, search and count goes through the check-in API (``/api/v1/checkin/…``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from piquetickets.checkin.access import TooManyBadTokens, door_session_for
from piquetickets.checkin.errors import InvalidSession, SessionExpired, SessionRevoked
from piquetickets.checkin.models import CheckInSession

API_BASE = "/api/v1/checkin/"
EXPIRY_FORMAT = r"g:i A \o\n D, M j"  # "11:30 PM on Fri, Nov 28"


def _private(response: HttpResponse) -> HttpResponse:
    """The token in the URL is the key to the door: never cached, sent on, or indexed."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    return response


def _error(request, *, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message}
    return _private(render(request, "checkin_app/error.html", context, status=status))


def _when(value, zone: ZoneInfo, pattern: str) -> str:
    """``value`` in the show's own time zone, e.g. ``8:00 PM`` (``""`` when unset)."""
    return dateformat.format(timezone.localtime(value, zone), pattern) if value else ""


@never_cache
@require_GET
def checkin_page(request):
    token = request.GET.get("token", "").strip()
    try:
        session = door_session_for(request, token)
    except TooManyBadTokens as error:
        return _error(request, status=429, title="Too many wrong check-in links", message=error.message)
    except InvalidSession:
        return _error(
            request,
            status=404,
            title="This check-in link isn't valid",
            message="Check that you opened the whole link, or ask the show's producer for a new one.",
        )
    except SessionRevoked:
        return _error(
            request,
            status=403,
            title="This check-in link was switched off",
            message="The producer turned this link off. Ask them for a new one.",
        )
    except SessionExpired:
        session = CheckInSession.objects.select_related("show").get(token=token)
        expired = _when(session.expires_at, ZoneInfo(session.show.time_zone), EXPIRY_FORMAT)
        return _error(
            request,
            status=403,
            title=f"This check-in link expired at {expired}",
            message="Ask the show's producer for a new link.",
        )
    show = session.show
    zone = ZoneInfo(show.time_zone)
    context = {
        "session": session,
        "show": show,
        "date": _when(show.start_time, zone, "D, M j"),
        "start": _when(show.start_time, zone, "g:i A"),
        "doors": _when(show.door_time, zone, "g:i A"),
        "expires": _when(session.expires_at, zone, EXPIRY_FORMAT),
        "api_base": API_BASE,
        "csrf": get_token(request),
    }
    return _private(render(request, "checkin_app/app.html", context))
