"""Writes for performer profiles. Callers check that the acting user manages ``producer``."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from piquetickets.core.errors import InUse
from piquetickets.core.updates import assign_fields

from .models import Performer

PERFORMER_FIELDS = {"name", "bio", "city", "website", "facebook", "twitter", "instagram", "youtube", "tiktok"}


@transaction.atomic
def performer_create(*, producer, data: dict[str, Any]) -> Performer:
    performer = Performer(producer=producer)
    assign_fields(performer, data, PERFORMER_FIELDS)
    performer.full_clean(exclude=["slug"])
    performer.save()
    return performer


@transaction.atomic
def performer_update(*, performer: Performer, data: dict[str, Any]) -> Performer:
    assign_fields(performer, data, PERFORMER_FIELDS)
    performer.full_clean(exclude=["slug"])
    performer.save()
    return performer


@transaction.atomic
def performer_delete(*, performer: Performer) -> None:
    """Delete a performer who is on no show's bill; raises :class:`InUse` otherwise."""
    from piquetickets.shows.models import Show

    count = Show.all_objects.filter(performers=performer).count()
    if count:
        raise InUse(
            f"This performer is on the bill of {count} show(s); they can't be deleted.", extra={"show_count": count}
        )
    performer.delete()
