"""Reads for buying tickets."""

from __future__ import annotations

import re
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Lower

from piquetickets.producers.models import Producer, ProducerFinancial
from piquetickets.shows.models import Show, Ticket

from .models import Order, Refund, TicketAttendee, TicketOrder
from .tickets import ticket_code_range


def _catalogue_key(show_slug: str) -> str:
    return f"checkout:catalogue:{show_slug}"


def checkout_ticket_types(*, show_slug: str, ticket_ids: list[int]) -> tuple[Show | None, dict[int, Ticket]]:
    """The published show ``show_slug`` and those of ``ticket_ids`` that are its ticket types, by id.

    Reads the show's *checkout catalogue*: the show with its producer's fee settings and all its
    ticket types. With ``CHECKOUT_CATALOGUE_SECONDS`` set it is kept in the cache, so an on-sale's
    checkouts don't each read the same rows. What it serves is what pricing and the on-sale checks
    need; capacity is never read from it (checkout takes capacity with a conditional UPDATE of the
    row, which checks ``is_active`` too). The show is ``None`` when there is no published show by
    that slug.
    """
    seconds = settings.CHECKOUT_CATALOGUE_SECONDS
    key = _catalogue_key(show_slug)
    catalogue = cache.get(key) if seconds else None
    if catalogue is None:
        show = Show.objects.published().select_related("producer__financial").filter(slug=show_slug).first()
        catalogue = (show, {} if show is None else {ticket.pk: ticket for ticket in show.tickets.all()})
        if seconds:
            cache.set(key, catalogue, seconds)
    show, tickets = catalogue
    return show, {pk: tickets[pk] for pk in ticket_ids if pk in tickets}


def checkout_catalogue_keys(instance) -> list[str]:
    """The cache keys of the checkout catalogues that ``instance`` (a show, ticket type, producer or
    producer's fee settings) is part of, as it is in memory and as it is in the database now."""
    if isinstance(instance, Show):
        slugs = {instance.slug}
    elif isinstance(instance, Ticket):
        shows = Show.all_objects.filter(pk=instance.show_id) | Show.all_objects.filter(tickets__pk=instance.pk)
        slugs = set(shows.values_list("slug", flat=True))
    elif isinstance(instance, Producer | ProducerFinancial):
        producer_id = instance.pk if isinstance(instance, Producer) else instance.producer_id
        slugs = set(Show.all_objects.filter(producer_id=producer_id).values_list("slug", flat=True))
    else:
        raise TypeError(f"No checkout catalogue holds a {type(instance).__name__}.")
    return [_catalogue_key(slug) for slug in sorted(slugs) if slug]


def checkout_catalogue_forget(instance) -> None:
    """Forget the cached checkout catalogues ``instance`` is part of, now and again when the
    transaction commits: a checkout reading the old rows before the commit may have cached them
    again meanwhile.

    Connected to the ``post_save`` and ``post_delete`` of shows, ticket types, producers and fee
    settings, and to a ticket type's ``pre_save`` (one moved to another show leaves the old show's
    catalogue). Does nothing while the catalogue isn't cached (``CHECKOUT_CATALOGUE_SECONDS=0``).
    """
    if not settings.CHECKOUT_CATALOGUE_SECONDS or instance.pk is None:
        return
    keys = checkout_catalogue_keys(instance)
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(partial(cache.delete_many, keys))


# --- a producer's orders and attendees (the portal's lists and exports) ----------------------------------

# The statuses a producer filters orders by; "completed" (the default) is every order that was paid,
# refunded ones included: checkouts that were never paid are left out unless asked for.
ORDER_STATUS_FILTERS = (
    ("completed", "Paid (refunds included)"),
    ("paid", "Paid"),
    ("partially_refunded", "Partially refunded"),
    ("refunded", "Refunded"),
    ("pending", "Waiting for payment"),
    ("unpaid", "Never paid (expired or cancelled)"),
    ("all", "All orders"),
)


def _order_search(term: str) -> Q:
    """Buyer name (given, family or both), email, or the order's reference (the start of its UUID)."""
    term = term.strip()
    query = Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
    given, _, family = term.partition(" ")
    if family.strip():
        query |= Q(first_name__icontains=given, last_name__icontains=family.strip())
    reference = term.lower().lstrip("#")
    if re.fullmatch(r"[0-9a-f-]{4,36}", reference):
        query |= Q(uuid__startswith=reference)
    ticket = ticket_code_range(reference)
    if ticket is not None:  # a ticket's code (as the email and door list show it) finds its order
        # Its orders' ids first (a range of the attendees' UUID index): an EXISTS in this OR would keep
        # PostgreSQL from combining the other terms' indexes, and scan every order.
        attendees = TicketAttendee.objects.filter(uuid__range=ticket).order_by()
        ids = list(attendees.values_list("ticket_order__order_id", flat=True)[:_TICKET_CODE_ORDERS])
        if ids:
            query |= Q(pk__in=ids)
    return query


_TICKET_CODE_ORDERS = 20  # a short code names one ticket of a show, seldom more across a producer's shows


def producer_orders(
    *, producer: Producer, show: Show | None = None, status: str = "completed", search: str = ""
) -> QuerySet[Order]:
    """The producer's orders, newest first, with ``show`` joined and ``tickets`` (how many tickets the
    order holds) annotated: one query however many rows. ``status`` is one of
    :data:`ORDER_STATUS_FILTERS`; ``search`` as :func:`_order_search`. The CSV export reads this
    queryset, the portal's list a page of it (:func:`producer_orders_page`); :func:`orders_totals` the
    same filter."""
    orders = _orders_filtered(producer=producer, show=show, status=status, search=search)
    return orders.annotate(tickets=F("ticket_count")).select_related("show").order_by("-created_at", "-pk")


# What a row of the portal's orders list shows (``producer_orders_page``): the rest of an order, and its
# show's description, images and eight datetimes, is never read there.
_ORDER_ROW_FIELDS = (
    "uuid", "show", "status", "first_name", "last_name", "email", "currency", "total", "refunded_amount",
    "ticket_count", "time_of_purchase", "created_at", "show__title", "show__slug", "show__time_zone", "show__currency",
)  # fmt: skip


def producer_orders_page(
    *,
    producer: Producer,
    show: Show | None = None,
    status: str = "completed",
    search: str = "",
    start: int,
    stop: int,
    count: int,
) -> list[Order]:
    """Rows ``start:stop`` of what :func:`producer_orders` lists for the same arguments (``count`` rows in
    all, as :func:`orders_totals` counted them), in one query; each order has ``tickets`` and its show's
    title, slug, time zone and currency (other fields are loaded when read).

    The page's ids are picked by a subquery over the orders alone (so the ticket count is worked out for
    the page's orders, not for every order skipped before them), and a page in the older half is
    counted from the oldest end: the last of 400 pages skips 0 orders instead of 9,975. Newest first,
    like :func:`producer_orders`."""
    if stop <= start:
        return []
    orders = _orders_filtered(producer=producer, show=show, status=status, search=search)
    if start == 0 and stop >= count:
        # Every match fits in the page (a reference, a rare name): no LIMIT, or PostgreSQL walks the whole
        # date index hoping to meet 25 matches early instead of taking the search's few rows and sorting.
        ids = orders
    elif start > count - stop:  # nearer the oldest end: read the page backwards from there
        ids = orders.order_by("created_at", "pk")[max(count - stop, 0) : count - start]
    else:
        ids = orders.order_by("-created_at", "-pk")[start:stop]
    return list(
        Order.objects.filter(pk__in=ids.values("pk"))
        .annotate(tickets=F("ticket_count"))
        .select_related("show")
        .only(*_ORDER_ROW_FIELDS)
        .order_by("-created_at", "-pk")
    )


def _orders_filtered(*, producer: Producer, show: Show | None, status: str, search: str) -> QuerySet[Order]:
    orders = Order.objects.filter(show__producer=producer)
    if show is not None:
        orders = orders.filter(show=show)
    if status == "completed":
        orders = orders.filter(success=True)
    elif status == "unpaid":
        orders = orders.filter(status__in=[Order.Status.EXPIRED, Order.Status.CANCELLED])
    elif status in {"paid", "partially_refunded", "refunded", "pending"}:
        orders = orders.filter(status=status)
    if search.strip():
        orders = orders.filter(_order_search(search))
    return orders


def orders_totals(*, producer: Producer, show: Show | None = None, status: str = "completed", search: str = "") -> dict:
    """``count``, ``tickets`` and, per currency (``money``: ``currency``, ``total`` what buyers paid,
    ``refunded``, ``net``; one row per currency, by currency code), the orders :func:`producer_orders`
    lists for the same arguments, in one query however many orders. Sums of different currencies are
    never added together. ``count`` is every order listed; the tickets and the money are those of the
    paid ones (success): a pending checkout or an expired hold paid nothing."""
    orders = _orders_filtered(producer=producer, show=show, status=status, search=search)
    money = DecimalField(max_digits=14, decimal_places=2)
    paid = Q(success=True)  # a pending, expired or cancelled order is counted, but no money nor ticket of it
    by_currency = list(
        orders.order_by()
        .values("currency")
        .annotate(
            count=Count("pk"),
            total=Coalesce(Sum("total", filter=paid), Value(0), output_field=money),
            refunded=Coalesce(Sum("refunded_amount", filter=paid), Value(0), output_field=money),
            tickets=Coalesce(Sum("ticket_count", filter=paid), 0),
        )
        .order_by("currency")
    )
    return {
        "count": sum(row["count"] for row in by_currency),
        "tickets": sum(row["tickets"] for row in by_currency),
        "money": [
            {
                "currency": row["currency"],
                "total": row["total"],
                "refunded": row["refunded"],
                "net": row["total"] - row["refunded"],
            }
            for row in by_currency
        ],
    }


def producer_attendees(
    *, producer: Producer, show: Show | None = None, search: str = "", state: str = "valid"
) -> QuerySet[TicketAttendee]:
    """The producer's tickets (one row per admission) with their order, ticket type and show joined,
    by show then surname. ``state``: ``valid`` (the default: tickets that admit), ``checked_in``,
    ``not_checked_in`` (valid ones only) or ``all`` (refunded and cancelled too). ``search`` matches the
    attendee's or buyer's name or email, the order's reference or the ticket's code."""
    attendees = TicketAttendee.objects.filter(show__producer=producer)
    if show is not None:
        attendees = attendees.filter(show=show)
    if state != "all":
        attendees = attendees.filter(status=TicketAttendee.Status.VALID)
    if state == "checked_in":
        attendees = attendees.filter(is_checked_in=True)
    elif state == "not_checked_in":
        attendees = attendees.filter(is_checked_in=False)
    term = search.strip()
    if term:
        query = (
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(ticket_order__order__email__icontains=term)
            | Q(ticket_order__order__last_name__icontains=term)
        )
        given, _, family = term.partition(" ")
        if family.strip():
            query |= Q(first_name__icontains=given, last_name__icontains=family.strip())
        code = term.lower().lstrip("#")
        if re.fullmatch(r"[0-9a-f-]{4,36}", code):
            query |= Q(uuid__startswith=code) | Q(ticket_order__order__uuid__startswith=code)
        attendees = attendees.filter(query)
    # One show: by surname alone (the same order: its start time and id are the same on every row), which
    # the index ``attendee_show_surname_idx`` gives without sorting the show's tickets.
    by_show = () if show is not None else ("show__start_time", "show_id")
    return attendees.select_related("ticket_order__order", "ticket_order__ticket", "show").order_by(
        *by_show, Lower("last_name"), Lower("first_name"), "pk"
    )


def order_detail_for_producer(*, producer: Producer, uuid) -> Order | None:
    """One of the producer's orders with what its page shows: show and venue, promo code, lines with
    their ticket types and tickets, refunds with who made them and their tickets, emails and webhook
    events; ``None`` when it is not theirs (or does not exist)."""
    from piquetickets.emails.models import EmailTracking
    from piquetickets.payments.models import WebhookEvent

    attendees = TicketAttendee.objects.order_by("pk")
    lines = TicketOrder.objects.select_related("ticket").order_by("pk")
    return (
        Order.objects.filter(show__producer=producer, uuid=uuid)
        .select_related("show__venue", "promo_code")
        .prefetch_related(
            Prefetch("ticket_orders", queryset=lines.prefetch_related(Prefetch("attendees", queryset=attendees))),
            Prefetch(
                "refunds",
                queryset=Refund.objects.select_related("created_by")
                .prefetch_related(Prefetch("attendees", queryset=attendees.select_related("ticket_order__ticket")))
                .order_by("created_at", "pk"),
            ),
            Prefetch(
                "emails",
                queryset=EmailTracking.objects.defer("body", "html_body").order_by("-created_at", "-pk"),
            ),
            Prefetch("webhook_events", queryset=WebhookEvent.objects.defer("payload").order_by("received_at", "pk")),
        )
        .first()
    )
