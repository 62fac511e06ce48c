"""Reads for shows and ticket types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import DecimalField, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from piquetickets.orders.models import TicketHold
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.venues.models import Venue

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


_TICKETS_LEFT_SQL: str | None = None


def _tickets_left_sql() -> str:
    """:func:`tickets_with_availability` for one show's active ticket types, written out once: the page
    that reads it on every render skips building the same query each time."""
    global _TICKETS_LEFT_SQL  # built once per process
    if _TICKETS_LEFT_SQL is None:
        quote = connection.ops.quote_name
        ticket, hold = Ticket._meta, TicketHold._meta

        def column(meta, name: str) -> str:
            return quote(meta.get_field(name).column)

        # Only quoted table and column names of our own models go in; the values are parameters.
        t_id, t_quantity, t_sold = (f"t.{column(ticket, name)}" for name in ("id", "quantity", "quantity_sold"))
        held = (
            f"(SELECT SUM(h.{column(hold, 'quantity')}) FROM {quote(hold.db_table)} h "  # noqa: S608
            f"WHERE h.{column(hold, 'ticket')} = {t_id} AND h.{column(hold, 'status')} = %s "
            f"AND h.{column(hold, 'expires_at')} > %s)"
        )
        where = f"t.{column(ticket, 'show')} = %s AND t.{column(ticket, 'is_active')}"
        _TICKETS_LEFT_SQL = (
            f"SELECT {t_id}, {t_quantity}, {t_sold}, {held} FROM {quote(ticket.db_table)} t WHERE {where}"  # noqa: S608
        )
    return _TICKETS_LEFT_SQL


def tickets_left(*, show_id: int, now: datetime | None = None) -> dict[int, tuple[int, int, int]]:
    """``{ticket id: (quantity_sold, held, remaining)}`` for the show's active ticket types, read now in
    one query: the same figures as :func:`tickets_with_availability` (``tests/storefront/test_page_rows.py``
    compares them)."""
    params = [TicketHold.Status.ACTIVE.value, now or timezone.now(), show_id]
    with connection.cursor() as cursor:
        cursor.execute(_tickets_left_sql(), params)
        rows = cursor.fetchall()
    return {
        pk: (sold or 0, held or 0, max(0, (quantity or 0) - (sold or 0) - (held or 0)))
        for pk, quantity, sold, held in rows
    }


def show_over_room(*, show: Show, tickets: list[Ticket]) -> tuple[int, int] | None:
    """``(tickets on sale, the room's capacity)`` when ``tickets`` (the show's types) on sale add up to
    more people than its venue holds, else ``None`` (no venue, no capacity given, or it fits). A room's
    capacity is a safety and licensing limit: selling past it is the producer's call, never silent."""
    room = show.venue.capacity if show.venue_id else None
    selling = sum(ticket.quantity for ticket in tickets if ticket.is_active)
    return (selling, room) if room and selling > room else None


def ticket_availability(*, ticket: Ticket) -> tuple[int, int]:
    """``(held, remaining)`` for one ticket type, read now."""
    row = tickets_with_availability(Ticket.objects.filter(pk=ticket.pk)).values("held", "remaining").get()
    return row["held"], row["remaining"]


def _price_from() -> Min:
    """The cheapest active ticket type's price (``None`` without one)."""
    return Min(
        "tickets__price",
        filter=Q(tickets__is_active=True),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )


def _with_listing_data(queryset: QuerySet[Show], *, with_price_from: bool = True) -> QuerySet[Show]:
    queryset = queryset.select_related("venue", "producer").prefetch_related("performers")
    if not with_price_from:
        return queryset
    return queryset.annotate(price_from=_price_from())


def show_list_public(*, include_past: bool = False, with_price_from: bool = True) -> QuerySet[Show]:
    """Published, not deleted shows for anyone; upcoming only (not yet ended) unless ``include_past``.
    ``price_from``: the cheapest active price, unless ``with_price_from`` is false (that aggregate groups
    every row, and makes counting them a subquery: pages that don't show it are cheaper without)."""
    queryset = Show.objects.published()
    if not include_past:
        queryset = queryset.upcoming()
    return _with_listing_data(queryset, with_price_from=with_price_from).order_by("start_time", "pk")


def show_list_for_producers(*, scope) -> QuerySet[Show]:
    """Every live (not deleted) show, drafts included, of the producers in ``scope``."""
    return _with_listing_data(scope.filter(Show.objects.all())).order_by("start_time", "pk")


def show_detail_queryset(*, active_tickets_only: bool, with_price_from: bool = True) -> QuerySet[Show]:
    """Shows with their venue, producer, page design, performers and ticket types (``show.ticket_types``,
    with live availability); with ``price_from`` (the cheapest active price) unless ``with_price_from``
    is false: that aggregate groups the whole row, a page that doesn't show it is cheaper without."""
    tickets = tickets_with_availability(Ticket.objects.order_by("sort_order", "pk"))
    if active_tickets_only:
        tickets = tickets.filter(is_active=True)
    queryset = Show.objects.select_related("venue", "producer", "page_design").prefetch_related(
        "performers", Prefetch("tickets", queryset=tickets, to_attr="ticket_types")
    )
    if not with_price_from:
        return queryset
    return queryset.annotate(price_from=_price_from())


def featured_list_public(*, with_price_from: bool = True) -> QuerySet[Show]:
    """Public, upcoming shows with an active featured placement, in placement order (``price_from`` as
    in :func:`show_list_public`)."""
    placements = FeaturedShow.objects.filter(show=OuterRef("pk"), is_active=True).order_by("order").values("order")
    featured = Show.objects.published().upcoming().filter(featured_placements__is_active=True).distinct()
    return (
        _with_listing_data(featured, with_price_from=with_price_from)
        .annotate(feature_order=Subquery(placements[:1]))
        .order_by("feature_order", "pk")
    )


# --- the storefront's show cards --------------------------------------------------------------


def with_card_data(queryset: QuerySet[Show]) -> QuerySet[Show]:
    """``queryset`` with what a show card needs beyond the listing data, in two queries however many
    shows: every active ticket type with live availability (``show.listed_tickets``, see
    :func:`show_sale_state`) and the producer's fee settings (for the all-in price)."""
    tickets = tickets_with_availability(Ticket.objects.filter(is_active=True)).order_by("sort_order", "pk")
    return queryset.select_related("venue", "producer__financial").prefetch_related(
        Prefetch("tickets", queryset=tickets, to_attr="listed_tickets")
    )


@dataclass(frozen=True)
class SaleState:
    """Where a show's ticket sales stand, from its active ticket types.

    ``status``: ``on_sale`` (something can be bought now), ``sold_out`` (every ticket type is gone),
    ``not_yet`` (sales open later: ``opens_at``), ``ended`` (sales closed before the show) or ``none``
    (no ticket type yet). ``remaining``: tickets still for sale now. ``cheapest``: the cheapest ticket
    type a buyer can get now (or once sales open); ``price_varies``: whether others cost more or the
    buyer chooses the amount.
    """

    status: str
    remaining: int = 0
    cheapest: Ticket | None = None
    price_varies: bool = False
    opens_at: datetime | None = None


def show_sale_state(show: Show, *, now: datetime | None = None) -> SaleState:
    """The :class:`SaleState` of ``show``, from ``show.listed_tickets`` (see :func:`with_card_data`)."""
    now = now or timezone.now()
    tickets = show.listed_tickets
    if not tickets:
        return SaleState("none")
    open_now = [
        t
        for t in tickets
        if (t.sales_start is None or t.sales_start <= now) and (t.sales_end is None or t.sales_end > now)
    ]
    available = [t for t in open_now if t.remaining > 0]
    if available:
        cheapest = min(available, key=lambda t: (t.price, t.sort_order, t.pk))
        varies = len({t.price for t in available}) > 1 or any(t.is_donation_based for t in available)
        return SaleState("on_sale", sum(t.remaining for t in available), cheapest, varies)
    later = [t for t in tickets if t.sales_start is not None and t.sales_start > now and t.remaining > 0]
    if later:
        cheapest = min(later, key=lambda t: (t.price, t.sort_order, t.pk))
        varies = len({t.price for t in later}) > 1 or any(t.is_donation_based for t in later)
        return SaleState("not_yet", 0, cheapest, varies, min(t.sales_start for t in later))
    if open_now or all(t.remaining <= 0 for t in tickets):
        return SaleState("sold_out")
    return SaleState("ended")


def show_filter_options() -> dict[str, list[tuple[str, str]]]:
    """``(value, label)`` choices for the show list's filters: the cities, venues, performers and
    producers that have a public upcoming show, by name."""
    public = Show.objects.published().upcoming()
    venues = Venue.objects.filter(shows__in=public).distinct().order_by("name", "pk")
    return {
        "city": [(city, city) for city in show_cities_public()],
        "venue": [(v.slug, f"{v.name}, {v.city}") for v in venues.only("slug", "name", "city")],
        "performer": list(
            Performer.objects.filter(shows__in=public).distinct().order_by("name", "pk").values_list("slug", "name")
        ),
        "producer": list(
            Producer.objects.filter(shows__in=public, is_active=True)
            .distinct()
            .order_by("name", "pk")
            .values_list("slug", "name")
        ),
    }


def show_cities_public() -> list[str]:
    """The cities (as venues spell them) that have a public upcoming show, in alphabetical order."""
    cities = (
        Venue.objects.filter(shows__in=Show.objects.published().upcoming())
        .values_list("city", flat=True)
        .distinct()
        .order_by("city")
    )
    return [city for city in cities if city]
