"""The Check-in pages: door links and live counts.

- ``/dashboard/checkin/``: the shows not over yet (a link works until some hours after its show), each
  with checked in of valid tickets and how many links work now.
- ``/dashboard/shows/<slug>/checkin/``: the show's live counts (overall and by ticket type) and latest
  scans, which htmx asks the same URL for every 5 seconds (a fragment when ``HX-Request`` is set); its
  door links with their state, scans and last use; a form to make one.
- ``…/checkin/<id>/``: one link: the full link to copy (a read-only field; a button copies it with
  ``copy.js``), its QR code (``…/qr.svg``, never cached), *Open the door app*, the label and expiry to
  change, and *Revoke* behind a confirmation.

The link's token is the key to the door: portal URLs name a link by its ``session_id``, never the token,
and the page that shows it sends no referrer. The rules are ``piquetickets.checkin.services``'.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from piquetickets.checkin.api import door_link
from piquetickets.checkin.models import CheckInScan, CheckInSession
from piquetickets.checkin.selectors import (
    checkin_counts_by_ticket,
    checkin_progress_for_shows,
    checkin_recent_scans_for_show,
    checkin_sessions_for_show,
)
from piquetickets.checkin.services import (
    SESSION_MARGIN,
    checkin_session_create,
    checkin_session_default_expiry,
    checkin_session_revoke,
    checkin_session_update,
)
from piquetickets.core.errors import ApplicationError
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time, qr_svg, show_local
from piquetickets.shows.models import Show

from ..access import producer_object_or_404, producer_required
from ..forms import apply_error
from ..forms.checkin import DoorLinkForm
from ..forms.shows import local_initial
from ..responses import see_other

OVERVIEW_LIMIT = 50
POLL_SECONDS = 5


def _when(show: Show, value: datetime | None) -> str:
    """``Fri 6 Mar 2026 · 7:30 PM CST`` on the show's own clock (``""`` when unset)."""
    if value is None:
        return ""
    local = show_local(show, value)
    return f"{local:%a} {local.day} {local:%b} {local.year} · {clock_time(local)} {zone_abbreviation(local)}"


def _percent(part: int, whole: int) -> int:
    return min(100, round(100 * part / whole)) if whole else 0


def _show(request, slug: str) -> Show:
    return producer_object_or_404(request, Show.objects.select_related("venue"), slug=slug)


def _link(request, show: Show, session_id) -> CheckInSession:
    sessions = CheckInSession.objects.select_related("show", "created_by")
    return producer_object_or_404(request, sessions, field="show__producer", show=show, session_id=session_id)


def _state(session: CheckInSession, now: datetime) -> tuple[str, str]:
    if session.revoked_at is not None:
        return "Revoked", "danger"
    if session.expires_at <= now:
        return "Expired", "neutral"
    return "Active", "success"


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "PiqueTickets staff"


def _link_row(show: Show, session: CheckInSession, now: datetime) -> dict:
    state, tone = _state(session, now)
    return {
        "session": session,
        "label": session.label or "Door link",
        "state": state,
        "tone": tone,
        "usable": tone == "success",
        "created": _when(show, session.created_at),
        "created_by": _person(session.created_by),
        "expires": _when(show, session.expires_at),
        "revoked": _when(show, session.revoked_at),
        "last_used": _when(show, getattr(session, "last_used", None)),
        "scans": getattr(session, "scan_count", 0),
    }


def _door_app_url(session: CheckInSession) -> str:
    return f"{reverse('checkin_app:app')}?{urlencode({'token': session.token})}"


def _private(response: HttpResponse) -> HttpResponse:
    """A page with a door link on it: nothing it links to learns the address (the token) it came from."""
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- across shows --------------------------------------------------------------------------------------


@require_GET
@producer_required
def checkin_overview(request):
    now = timezone.now()
    shows = list(
        Show.objects.filter(producer=request.producer, end_time__gt=now - SESSION_MARGIN)
        .select_related("venue")
        .order_by("start_time", "pk")[:OVERVIEW_LIMIT]
    )
    progress = checkin_progress_for_shows(show_ids=[show.pk for show in shows])
    rows = []
    for show in shows:
        counts = progress[show.pk]
        rows.append(
            {
                "show": show,
                "when": _when(show, show.start_time),
                "is_on": show.start_time <= now,
                "percent": _percent(counts["checked_in"], counts["total"]),
                **counts,
            }
        )
    return render(request, "portal/checkin/overview.html", {"rows": rows, "limit": OVERVIEW_LIMIT})


# --- one show ------------------------------------------------------------------------------------------


def _live(show: Show) -> dict:
    by_ticket = checkin_counts_by_ticket(show_id=show.pk)
    checked_in = sum(row["checked_in"] for row in by_ticket)
    total = sum(row["total"] for row in by_ticket)
    for row in by_ticket:
        row["percent"] = _percent(row["checked_in"], row["total"])
    scans = [
        {
            "scan": scan,
            "at": clock_time(show_local(show, scan.created_at)),
            "admitted": scan.result == CheckInScan.Result.CHECKED_IN,
            "name": f"{scan.attendee.first_name} {scan.attendee.last_name}".strip() if scan.attendee else "",
            "ticket": scan.attendee.ticket_order.ticket.name if scan.attendee else "",
            "door": scan.session.label or "Door link",
        }
        for scan in checkin_recent_scans_for_show(show_id=show.pk)
    ]
    return {
        "checked_in": checked_in,
        "total": total,
        "percent": _percent(checked_in, total),
        "by_ticket": by_ticket,
        "scans": scans,
        "updated": clock_time(show_local(show, timezone.now())),
        "poll_seconds": POLL_SECONDS,
    }


def _default_expiry(show: Show) -> str:
    return _when(show, checkin_session_default_expiry(show))


def _new_link_form(show: Show, data=None) -> DoorLinkForm:
    return DoorLinkForm(data, time_zone=show.time_zone, default_expiry=_default_expiry(show), prefix="new")


def _show_page(request, show: Show, *, form: DoorLinkForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    context = {
        "show": show,
        "when": _when(show, show.start_time),
        "live": _live(show),
        "links": [_link_row(show, session, now) for session in checkin_sessions_for_show(show_id=show.pk)],
        "form": form or _new_link_form(show),
    }
    return render(request, "portal/checkin/show.html", context, status=status)


@require_GET
@producer_required
def checkin_show(request, slug: str):
    show = _show(request, slug)
    if request.htmx:
        response = render(request, "portal/checkin/_live.html", {"show": show, "live": _live(show)})
    else:
        response = _show_page(request, show)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
@producer_required
def checkin_create(request, slug: str):
    show = _show(request, slug)
    if request.method == "GET":  # the address of a form sent back with errors, reloaded or bookmarked
        return redirect("portal:checkin-show", show.slug)
    form = _new_link_form(show, request.POST)
    if form.is_valid():
        try:
            session = checkin_session_create(
                show=show,
                label=form.cleaned_data["label"].strip(),
                expires_at=form.cleaned_data["expires_at"],
                by=request.user,
            )
        except ApplicationError as refusal:
            apply_error(form, refusal)
        else:
            name = f"“{session.label}”" if session.label else "A door link"
            messages.success(request, f"{name} made. Give door staff the link below, or let them scan its QR code.")
            return see_other(reverse("portal:checkin-link", args=[show.slug, session.session_id]))
    return _show_page(request, show, form=form, status=422)


# --- one door link -------------------------------------------------------------------------------------


def _link_page(request, show: Show, session: CheckInSession, *, form=None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    if form is None:
        initial = {"label": session.label, "expires_at": local_initial(session.expires_at, show.time_zone)}
        form = DoorLinkForm(initial=initial, time_zone=show.time_zone, require_expiry=True)
    row = _link_row(show, session, now)
    context = {
        "show": show,
        "row": row,
        "session": session,
        "link": door_link(session),
        "door_app_url": _door_app_url(session),
        "form": form,
    }
    return _private(render(request, "portal/checkin/link.html", context, status=status))


@require_http_methods(["GET", "POST"])
@producer_required
def checkin_link(request, slug: str, session_id):
    show = _show(request, slug)
    session = _link(request, show, session_id)
    if request.method == "GET":
        return _link_page(request, show, session)
    form = DoorLinkForm(request.POST, time_zone=show.time_zone, require_expiry=True)
    if form.is_valid():
        try:
            checkin_session_update(
                session=session, label=form.cleaned_data["label"].strip(), expires_at=form.cleaned_data["expires_at"]
            )
        except ApplicationError as refusal:
            session.refresh_from_db()
            apply_error(form, refusal)
        else:
            messages.success(request, "Door link saved.")
            return see_other(reverse("portal:checkin-link", args=[show.slug, session.session_id]))
    return _link_page(request, show, session, form=form, status=422)


@require_POST
@producer_required
def checkin_link_revoke(request, slug: str, session_id):
    show = _show(request, slug)
    session = checkin_session_revoke(session=_link(request, show, session_id))
    name = f"“{session.label}”" if session.label else "The door link"
    messages.success(request, f"{name} is switched off: the door app refuses it from now on.")
    return see_other(reverse("portal:checkin-show", args=[show.slug]))


@require_GET
@producer_required
def checkin_link_qr(request, slug: str, session_id):
    show = _show(request, slug)
    session = _link(request, show, session_id)
    svg = qr_svg(door_link(session), label=f"Check-in link for {session.label or 'the door'}", scale=8)
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)  # a file of its own, not inline
    response = HttpResponse(f'<?xml version="1.0" encoding="utf-8"?>\n{svg}', content_type="image/svg+xml")
    response["Content-Disposition"] = 'inline; filename="door-link.svg"'
    return _private(response)
