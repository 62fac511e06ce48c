"""Reads for the door: counts, attendee search and the recent scans of a session."""

from __future__ import annotations

from django.db.models import Count, Q

from piquetickets.orders.models import TicketAttendee

from .models import CheckInScan, CheckInSession

SEARCH_LIMIT = 20
RECENT_SCANS = 20


def checkin_counts(*, show_id: int) -> dict:
    """``{"checked_in", "total"}`` over the show's valid tickets (one aggregate on an indexed pair)."""
    row = TicketAttendee.objects.filter(show_id=show_id, status=TicketAttendee.Status.VALID).aggregate(
        total=Count("pk"), checked_in=Count("pk", filter=Q(is_checked_in=True))
    )
    return {"checked_in": row["checked_in"], "total": row["total"]}


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
