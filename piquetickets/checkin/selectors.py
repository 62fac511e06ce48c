"""Reads for the door: counts, attendee search and the recent scans of a session."""

from __future__ import annotations

import contextlib

from django.core.cache import cache
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from piquetickets.orders.models import TicketAttendee

from .models import CheckInScan, CheckInSession

SEARCH_LIMIT = 20
RECENT_SCANS = 20


COUNTS_SECONDS = 10


def _count_keys(show_id: int) -> tuple[str, str]:
    return f"checkin:{show_id}:in", f"checkin:{show_id}:total"


def checkin_counts(*, show_id: int) -> dict:
    """``{"checked_in", "total"}`` over the show's valid tickets.

    Counting a big show on every scan costs more than the scan itself, so the figures are kept in the
    cache for :data:`COUNTS_SECONDS` and moved by :func:`checkin_counts_moved` as each check-in or undo
    happens; a sale, a refund or a racing recount shows within those seconds.
    """
    in_key, total_key = _count_keys(show_id)
    cached = cache.get_many([in_key, total_key])
    if len(cached) == 2:
        return {"checked_in": cached[in_key], "total": cached[total_key]}
    row = TicketAttendee.objects.filter(show_id=show_id, status=TicketAttendee.Status.VALID).aggregate(
        total=Count("pk"), checked_in=Count("pk", filter=Q(is_checked_in=True))
    )
    cache.set_many({in_key: row["checked_in"], total_key: row["total"]}, timeout=COUNTS_SECONDS)
    return {"checked_in": row["checked_in"], "total": row["total"]}


def checkin_counts_moved(*, show_id: int, by: int) -> None:
    """One more (``by=1``) or one fewer (``by=-1``) checked in; a count not in the cache is left to be
    recounted."""
    in_key, _ = _count_keys(show_id)
    with contextlib.suppress(ValueError):
        cache.incr(in_key, by)


def attendee_search(*, session: CheckInSession, query: str) -> list[TicketAttendee]:
    """The show's attendees matching every word of ``query`` in their name, email or order reference."""
    attendees = TicketAttendee.objects.filter(show_id=session.show_id)
    for word in query.split()[:5]:
        attendees = attendees.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(ticket_order__order__uuid__startswith=word.lower())
        )
    return list(
        attendees.select_related("ticket_order__ticket", "ticket_order__order").order_by(
            "last_name", "first_name", "pk"
        )[:SEARCH_LIMIT]
    )


def recent_scans(*, session: CheckInSession) -> list[CheckInScan]:
    return list(
        CheckInScan.objects.filter(session=session)
        .select_related("attendee__ticket_order__ticket")
        .order_by("-created_at", "-pk")[:RECENT_SCANS]
    )


# --- the producer portal's door-link pages -----------------------------------------------------------


def checkin_sessions_for_show(*, show_id: int):
    """The show's door links, newest first, each with ``scan_count`` and ``last_used`` (its latest scan)
    and who made it: one query however many links."""
    return (
        CheckInSession.objects.filter(show_id=show_id)
        .select_related("created_by")
        .annotate(scan_count=Count("scans"), last_used=Max("scans__created_at"))
        .order_by("-created_at", "-pk")
    )


def checkin_counts_by_ticket(*, show_id: int) -> list[dict]:
    """Checked in of the show's valid tickets per ticket type: ``{"ticket", "checked_in", "total"}`` by
    the ticket types' order on the page. Counted now (not from the cache): a page polls it, not a door."""
    return list(
        TicketAttendee.objects.filter(show_id=show_id, status=TicketAttendee.Status.VALID)
        .values("ticket_order__ticket_id")
        .annotate(
            ticket=F("ticket_order__ticket__name"),
            position=F("ticket_order__ticket__sort_order"),
            total=Count("pk"),
            checked_in=Count("pk", filter=Q(is_checked_in=True)),
        )
        .values("ticket", "checked_in", "total")
        .order_by("position", "ticket_order__ticket_id")
    )


def checkin_recent_scans_for_show(*, show_id: int, limit: int = 10) -> list[CheckInScan]:
    """The show's latest scans over all its door links, with the link and the ticket scanned."""
    return list(
        CheckInScan.objects.filter(session__show_id=show_id)
        .select_related("session", "attendee__ticket_order__ticket")
        .order_by("-created_at", "-pk")[:limit]
    )


def checkin_progress_for_shows(*, show_ids) -> dict[int, dict]:
    """``{show_id: {"checked_in", "total", "links"}}`` for several shows (valid tickets; usable door
    links), in two queries however many shows."""
    progress = {pk: {"checked_in": 0, "total": 0, "links": 0} for pk in show_ids}
    rows = (
        TicketAttendee.objects.filter(show_id__in=show_ids, status=TicketAttendee.Status.VALID)
        .values("show_id")
        .annotate(total=Count("pk"), checked_in=Count("pk", filter=Q(is_checked_in=True)))
        .order_by()
    )
    for row in rows:
        progress[row["show_id"]].update(total=row["total"], checked_in=row["checked_in"])
    links = (
        CheckInSession.objects.filter(show_id__in=show_ids, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .values("show_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in links:
        progress[row["show_id"]]["links"] = row["n"]
    return progress
