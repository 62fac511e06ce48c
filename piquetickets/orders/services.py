"""Writes for orders and holds."""

from __future__ import annotations

from django.utils import timezone

from .models import TicketHold


def holds_release_expired(*, now=None) -> int:
    """Mark every active hold whose time is up as released; returns how many.

    Expired holds already stop counting against availability the moment they expire (availability
    only counts holds with ``expires_at`` in the future); this keeps the table honest for reports.
    One UPDATE, so it is safe to run while checkouts are taking new holds.
    """
    now = now or timezone.now()
    return TicketHold.objects.filter(status=TicketHold.Status.ACTIVE, expires_at__lte=now).update(
        status=TicketHold.Status.RELEASED
    )
