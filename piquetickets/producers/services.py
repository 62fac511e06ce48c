"""Writes for producers and producer leads."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from piquetickets.core.updates import assign_fields

from .models import Producer, ProducerInterest

PRODUCER_FIELDS = {
    "name", "country", "website", "bio", "support_email", "instagram", "facebook", "twitter", "youtube", "ticktock",
}  # fmt: skip
INTEREST_FIELDS = {
    "name", "email", "phone", "company_name", "city", "state", "events_per_year", "show_types", "show_types_other",
    "current_platform", "current_platform_other", "platform_challenges", "desired_features",
    "interested_in_marketing", "additional_info",
}  # fmt: skip


@transaction.atomic
def producer_update(*, producer: Producer, data: dict[str, Any]) -> Producer:
    """Change a producer's public profile (the slug stays)."""
    assign_fields(producer, data, PRODUCER_FIELDS)
    producer.full_clean(exclude=["slug"])
    producer.save()
    return producer


def producer_interest_submit(*, data: dict[str, Any], ip_address: str | None, user_agent: str) -> ProducerInterest:
    """Record a prospective producer's "sell with us" form for the team to follow up."""
    interest = ProducerInterest(ip_address=ip_address, user_agent=user_agent[:1000])
    assign_fields(interest, data, INTEREST_FIELDS)
    interest.full_clean()
    interest.save()
    return interest
