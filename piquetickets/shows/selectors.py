"""Reads for shows and ticket types."""

from __future__ import annotations

from django.db.models import DecimalField, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from piquetickets.orders.models import TicketHold

from .models import FeaturedShow, Show, Ticket


def held_subquery(*, live: bool = True):
    """Tickets of the outer ticket type in active holds: only those not expired yet when ``live``
    (what availability counts), else expired ones too (what the held counter counts)."""
    holds = TicketHold.objects.filter(ticket=OuterRef("pk"), status=TicketHold.Status.ACTIVE)
    if live:
        holds = holds.filter(expires_at__gt=timezone.now())
    held = holds.order_by().values("ticket").annotate(total=Sum("quantity")).values("total")
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def tickets_with_availability(queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """Ticket types annotated with ``held`` and ``remaining = quantity − sold − live holds`` (never < 0)."""
    queryset = Ticket.objects.all() if queryset is None else queryset
    return queryset.annotate(held=held_subquery()).annotate(
        remaining=Greatest(Value(0), Coalesce("quantity", 0) - Coalesce("quantity_sold", 0) - Coalesce("held", 0))
    )


def ticket_availability(*, ticket: Ticket) -> tuple[int, int]:
    """``(held, remaining)`` for one ticket type, read now."""
    row = tickets_with_availability(Ticket.objects.filter(pk=ticket.pk)).values("held", "remaining").get()
    return row["held"], row["remaining"]


def _with_listing_data(queryset: QuerySet[Show]) -> QuerySet[Show]:
    return (
        queryset.select_related("venue", "producer")
        .prefetch_related("performers")
        .annotate(
            price_from=Min(
                "tickets__price",
                filter=Q(tickets__is_active=True),
                output_field=DecimalField(max_digits=10, decimal_places=2),
            )
        )
    )


def show_list_public(*, include_past: bool = False) -> QuerySet[Show]:
    """Published, not deleted shows for anyone; upcoming only (not yet ended) unless ``include_past``."""
    queryset = Show.objects.published()
    if not include_past:
        queryset = queryset.upcoming()
    return _with_listing_data(queryset).order_by("start_time", "pk")


def show_list_for_producers(*, scope) -> QuerySet[Show]:
    """Every live (not deleted) show, drafts included, of the producers in ``scope``."""
    return _with_listing_data(scope.filter(Show.objects.all())).order_by("start_time", "pk")


def show_detail_queryset(*, active_tickets_only: bool) -> QuerySet[Show]:
    tickets = tickets_with_availability(Ticket.objects.order_by("sort_order", "pk"))
    if active_tickets_only:
        tickets = tickets.filter(is_active=True)
    return (
        Show.objects.select_related("venue", "producer", "page_design")
        .prefetch_related("performers", Prefetch("tickets", queryset=tickets, to_attr="ticket_types"))
        .annotate(
            price_from=Min(
                "tickets__price",
                filter=Q(tickets__is_active=True),
                output_field=DecimalField(max_digits=10, decimal_places=2),
            )
        )
    )


def featured_list_public() -> QuerySet[Show]:
    """Public, upcoming shows with an active featured placement, in placement order."""
    placements = FeaturedShow.objects.filter(show=OuterRef("pk"), is_active=True).order_by("order").values("order")
    featured = Show.objects.published().upcoming().filter(featured_placements__is_active=True).distinct()
    return _with_listing_data(featured).annotate(feature_order=Subquery(placements[:1])).order_by("feature_order", "pk")
