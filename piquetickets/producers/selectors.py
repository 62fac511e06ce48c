"""Reads for producers and who may act for them."""

from __future__ import annotations

from .models import Producer, UserProducerAssociation


def producer_ids_managed_by(*, user) -> set[int]:
    """Producers the user is a member of (any role)."""
    if not user.is_authenticated:
        return set()
    return set(UserProducerAssociation.objects.filter(user=user).values_list("producer_id", flat=True))


def producer_list_public():
    return Producer.objects.filter(is_active=True)
