"""Writes for venues. Callers check that the acting user manages ``producer``."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from piquetickets.core.updates import assign_fields, deactivate_or_delete

from .models import Venue

VENUE_FIELDS = {
    "name", "description", "address", "city", "state", "zip_code", "country", "phone", "website", "capacity",
    "time_zone", "is_active",
}  # fmt: skip


@transaction.atomic
def venue_create(*, producer, data: dict[str, Any]) -> Venue:
    """Add a venue owned (editable) by ``producer``; every producer may book it."""
    venue = Venue(producer=producer)
    assign_fields(venue, data, VENUE_FIELDS)
    venue.full_clean(exclude=["slug"])
    venue.save()
    return venue


@transaction.atomic
def venue_update(*, venue: Venue, data: dict[str, Any]) -> Venue:
    assign_fields(venue, data, VENUE_FIELDS)
    venue.full_clean(exclude=["slug"])
    venue.save()
    return venue


@transaction.atomic
def venue_remove(*, venue: Venue) -> str:
    """Delete a venue no show uses; deactivate one that has shows (they keep their venue)."""
    from piquetickets.shows.models import Show

    return deactivate_or_delete(venue, in_use=Show.all_objects.filter(venue=venue).exists())
