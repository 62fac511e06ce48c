"""Writes for shows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Show


@transaction.atomic
def show_soft_delete(*, show: Show) -> Show:
    """Hide a show everywhere but the admin. Its orders and tickets stay intact.

    A deleted show is also unpublished, so restoring it never makes it public by surprise.
    """
    if show.is_deleted:
        return show
    show.is_deleted = True
    show.deleted_at = timezone.now()
    show.published = False
    show.save(update_fields=["is_deleted", "deleted_at", "published", "updated_at"])
    return show


@transaction.atomic
def show_restore(*, show: Show) -> Show:
    """Bring a soft-deleted show back as a draft."""
    if not show.is_deleted:
        return show
    show.is_deleted = False
    show.deleted_at = None
    show.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    return show
