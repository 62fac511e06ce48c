"""The held counter on each ticket type: checkout takes capacity with one conditional UPDATE of
``Ticket.quantity_held``, so every way a hold ends must take it off the counter exactly once, and
the counter must always equal the tickets in active holds, also under concurrency."""

import contextlib
import importlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from piquetickets.orders.errors import SoldOut
from piquetickets.orders.models import Order, TicketHold
from piquetickets.orders.pricing import CartLine
from piquetickets.orders.services import (
    Buyer,
    checkout_hold,
    held_counters_recount,
    holds_release_expired,
    order_cancel_pending,
    order_fulfil,
    orders_expire_pending,
)
from piquetickets.payments.providers import Payment
from piquetickets.shows.models import Show, Ticket
from piquetickets.shows.selectors import ticket_availability
from tests.factories import HoldFactory, ShowFactory, TicketFactory
from tests.orders.test_holds import race

BUYER = Buyer(first_name="Alex", last_name="Morgan", email="alex@example.com")


def hold(show, *lines, now=None):
    return checkout_hold(show=show, lines=list(lines), buyer=BUYER, provider="test", now=now)


def counters():
    """``{ticket: (quantity_held, tickets in active holds)}`` for every ticket type."""
    active = dict(
        TicketHold.objects.filter(status=TicketHold.Status.ACTIVE)
        .values("ticket")
        .annotate(n=Sum("quantity"))
        .values_list("ticket", "n")
    )
    return {pk: (held, active.get(pk, 0)) for pk, held in Ticket.objects.values_list("pk", "quantity_held")}


def assert_counters_match():
    mismatched = {pk: pair for pk, pair in counters().items() if pair[0] != pair[1]}
    assert not mismatched, f"held counter ≠ active holds (counter, holds): {mismatched}"


def held(ticket):
    return Ticket.objects.values_list("quantity_held", flat=True).get(pk=ticket.pk)


@pytest.fixture
def show(db):
    return ShowFactory(hold_minutes=15)


@pytest.mark.django_db
def test_a_hold_counts_its_tickets_and_a_refused_one_counts_nothing(show):
    ga = TicketFactory(show=show, quantity=5)
    vip = TicketFactory(show=show, name="VIP", quantity=2)
    hold(show, CartLine(ga, 3), CartLine(vip, 1))
    assert (held(ga), held(vip)) == (3, 1)

    with pytest.raises(SoldOut) as excinfo:  # ga is fine, vip is short: the whole order rolls back
        hold(show, CartLine(ga, 1), CartLine(vip, 2))
    assert excinfo.value.extra == {"ticket": vip.pk, "remaining": 1}
    assert (held(ga), held(vip)) == (3, 1)
    assert Order.objects.count() == 1
    assert_counters_match()


@pytest.mark.django_db
def test_an_inactive_ticket_type_is_sold_out_whatever_the_counter_says(show):
    ga = TicketFactory(show=show, quantity=5)
    line = CartLine(ga, 1)
    Ticket.objects.filter(pk=ga.pk).update(is_active=False)  # after the cart was checked
    with pytest.raises(SoldOut, match=r"General admission is sold out\."):
        hold(show, line)
    assert held(ga) == 0
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_checkout_releases_expired_holds_only_when_it_needs_their_tickets(show):
    ga = TicketFactory(show=show, quantity=3)
    stale = hold(show, CartLine(ga, 2), now=timezone.now() - timedelta(minutes=20))  # expired 5 minutes ago
    hold(show, CartLine(ga, 1))  # the counter still has room: the expired hold is left alone
    assert TicketHold.objects.get(order=stale).status == "active"
    assert held(ga) == 3

    hold(show, CartLine(ga, 2))  # now it needs them
    assert TicketHold.objects.get(order=stale).status == "released"
    assert held(ga) == 3
    assert ticket_availability(ticket=ga) == (3, 0)
    with pytest.raises(SoldOut, match=r"General admission is sold out\."):
        hold(show, CartLine(ga, 1))
    assert_counters_match()


@pytest.mark.django_db
def test_sold_out_after_releasing_says_what_is_really_left(show):
    ga = TicketFactory(show=show, quantity=4)
    hold(show, CartLine(ga, 1), now=timezone.now() - timedelta(minutes=20))
    hold(show, CartLine(ga, 2))
    with pytest.raises(SoldOut) as excinfo:
        hold(show, CartLine(ga, 3))
    assert (excinfo.value.message, excinfo.value.extra) == (
        "Only 2 left of General admission.",
        {"ticket": ga.pk, "remaining": 2},
    )
    # The refusal rolls back everything it did, the expired hold's release too: the task does that.
    assert held(ga) == 3
    assert list(TicketHold.objects.values_list("status", flat=True).order_by("pk")) == ["active", "active"]
    assert holds_release_expired() == 1
    assert held(ga) == 2
    assert_counters_match()


@pytest.mark.django_db
def test_every_way_a_hold_ends_takes_it_off_the_counter_once(show):
    ga = TicketFactory(show=show, quantity=20)
    paid = hold(show, CartLine(ga, 2))
    cancelled = hold(show, CartLine(ga, 3))
    expiring = hold(show, CartLine(ga, 4), now=timezone.now() - timedelta(minutes=20))
    lapsing = HoldFactory(ticket=ga, order__show=show, quantity=5, expires_at=timezone.now() - timedelta(seconds=1))
    assert held(ga) == 14

    order_fulfil(order=paid, payment=Payment(provider="test"))
    order_fulfil(order=paid, payment=Payment(provider="test"))  # a duplicate changes nothing
    assert (held(ga), Ticket.objects.get(pk=ga.pk).quantity_sold) == (12, 2)
    order_cancel_pending(order=cancelled)
    order_cancel_pending(order=cancelled)
    assert held(ga) == 9
    assert orders_expire_pending() == 1  # the order whose hold ran out; its hold is released with it
    assert held(ga) == 5
    assert TicketHold.objects.get(order=expiring).status == "released"
    assert holds_release_expired() == 1  # the hold without an expired order
    assert holds_release_expired() == 0
    assert held(ga) == 0
    assert TicketHold.objects.get(pk=lapsing.pk).status == "released"
    assert_counters_match()


@pytest.mark.django_db
def test_a_late_payment_converts_a_hold_that_ran_out_but_was_not_released_yet(show):
    ga = TicketFactory(show=show, quantity=5)
    late = hold(show, CartLine(ga, 2), now=timezone.now() - timedelta(minutes=20))
    assert held(ga) == 2

    order_fulfil(order=late, payment=Payment(provider="test"))

    late.refresh_from_db()
    assert (late.status, TicketHold.objects.get(order=late).status) == ("paid", "converted")
    assert (held(ga), Ticket.objects.get(pk=ga.pk).quantity_sold) == (0, 2)
    assert_counters_match()


@pytest.mark.django_db
def test_a_late_payment_after_the_hold_was_released_is_not_taken_off_twice(show):
    ga = TicketFactory(show=show, quantity=5)
    late = hold(show, CartLine(ga, 2), now=timezone.now() - timedelta(minutes=20))
    hold(show, CartLine(ga, 1))
    assert holds_release_expired() == 1
    assert held(ga) == 1

    order_fulfil(order=late, payment=Payment(provider="test"))

    assert TicketHold.objects.get(order=late).status == "converted"
    assert (held(ga), Ticket.objects.get(pk=ga.pk).quantity_sold) == (1, 2)
    assert_counters_match()


@pytest.mark.django_db
def test_the_migration_starts_each_counter_at_its_active_holds(show):
    ga = TicketFactory(show=show, quantity=50)
    other = TicketFactory(show=show, quantity=50, name="Other")
    hold(show, CartLine(ga, 3), CartLine(other, 1))
    hold(show, CartLine(ga, 2), now=timezone.now() - timedelta(minutes=20))  # expired, not released: counts
    converted = hold(show, CartLine(ga, 4))
    order_fulfil(order=converted, payment=Payment(provider="test"))
    Ticket.objects.update(quantity_held=0)

    migration = importlib.import_module("piquetickets.shows.migrations.0002_ticket_quantity_held")
    migration.count_active_holds(apps, connection.schema_editor())

    assert (held(ga), held(other)) == (5, 1)
    assert_counters_match()


# --- concurrency ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_checkouts_racing_the_release_task_and_fulfilment_keep_the_counter_exact():
    """40 buyers race for 20 tickets, while 10 of them sit in holds that have expired (released by
    the periodic task and by checkout at the same time) and 4 paid orders are being fulfilled."""
    show = ShowFactory(hold_minutes=15)
    ga = TicketFactory(show=show, quantity=30, price=Decimal("10.00"))
    for _ in range(5):
        hold(show, CartLine(ga, 2), now=timezone.now() - timedelta(minutes=20))  # 10 tickets, expired
    paying = [hold(show, CartLine(ga, 1)) for _ in range(4)]  # 4 tickets, live, about to be paid
    assert held(ga) == 14

    def attempt(index):
        if index < 4:
            return order_fulfil(order=Order.objects.get(pk=paying[index].pk), payment=Payment(provider="test"))
        if index < 8:
            return holds_release_expired()
        return hold(Show.objects.get(pk=show.pk), CartLine(Ticket.objects.get(pk=ga.pk), 1))

    counter = iter(range(44))
    lock = threading.Lock()

    def next_attempt():
        with lock:
            index = next(counter)
        return attempt(index)

    results = race(44, next_attempt)

    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, SoldOut)]
    assert not errors, errors
    new_holds = [r for r in results if isinstance(r, Order) and r.status == "pending"]
    sold_out = [r for r in results if isinstance(r, SoldOut)]
    assert (len(new_holds), len(sold_out)) == (26, 10)  # 30 − 4 paid = 26 for the 36 buyers
    ticket = Ticket.objects.get(pk=ga.pk)
    assert (ticket.quantity_sold, ticket.quantity_held) == (4, 26)
    assert ticket_availability(ticket=ga) == (26, 0)
    assert TicketHold.objects.filter(ticket=ga, status="released").count() == 5
    assert_counters_match()


@pytest.mark.django_db
def test_saving_a_ticket_type_or_promo_code_read_earlier_keeps_the_counters(show):
    """An admin edit loads the row, then saves it whole: sales and holds made meanwhile stay counted."""
    from piquetickets.shows.models import TicketPromoCode
    from tests.factories import PromoCodeFactory

    ga = TicketFactory(show=show, quantity=3)
    promo = PromoCodeFactory(show=show, code="FRIENDS", max_uses=5)
    edited, edited_promo = Ticket.objects.get(pk=ga.pk), TicketPromoCode.objects.get(pk=promo.pk)
    paid = checkout_hold(show=show, lines=[CartLine(ga, 3)], buyer=BUYER, promo_code="friends", provider="test")
    order_fulfil(order=Order.objects.get(pk=paid.pk), payment=Payment(provider="test"))

    edited.name = "Standing"
    edited.save()
    edited_promo.discount = Decimal("20")
    edited_promo.save()

    ticket = Ticket.objects.get(pk=ga.pk)
    assert (ticket.name, ticket.quantity_sold, ticket.quantity_held) == ("Standing", 3, 0)
    assert TicketPromoCode.objects.values_list("discount", "times_used").get(pk=promo.pk) == (Decimal("20"), 1)
    with pytest.raises(SoldOut):
        hold(show, CartLine(ticket, 1))
    edited.quantity_sold = 0
    edited.save(update_fields=["quantity_sold"])  # only when named
    assert Ticket.objects.get(pk=ga.pk).quantity_sold == 0


@pytest.mark.django_db
def test_a_counter_that_drifted_is_recounted_and_logged(show, caplog):
    ga = TicketFactory(show=show, quantity=10)
    other = TicketFactory(show=show, quantity=10, name="Other")
    idle = TicketFactory(show=show, quantity=10, name="Idle")
    hold(show, CartLine(ga, 2), CartLine(other, 1))
    Ticket.objects.filter(pk=ga.pk).update(quantity_held=7)  # too high: 5 tickets could never be sold
    Ticket.objects.filter(pk=other.pk).update(quantity_held=0)  # too low: could oversell

    assert held_counters_recount() == 2
    assert held_counters_recount() == 0

    assert (held(ga), held(other), held(idle)) == (2, 1, 0)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"Ticket type {ga.pk}: held counter was 7, active holds 2; recounted.",
        f"Ticket type {other.pk}: held counter was 0, active holds 1; recounted.",
    ]


@pytest.mark.django_db
def test_a_counter_that_drifted_low_never_stops_a_payment_being_fulfilled(show):
    ga = TicketFactory(show=show, quantity=10)
    order = hold(show, CartLine(ga, 3))
    Ticket.objects.filter(pk=ga.pk).update(quantity_held=1)

    order_fulfil(order=order, payment=Payment(provider="test"))

    assert Order.objects.get(pk=order.pk).status == "paid"
    assert (held(ga), Ticket.objects.get(pk=ga.pk).quantity_sold) == (0, 3)


@pytest.mark.django_db
def test_the_periodic_task_recounts_too(show):
    from piquetickets.orders.tasks import release_expired_holds

    ga = TicketFactory(show=show, quantity=10)
    hold(show, CartLine(ga, 2))
    Ticket.objects.filter(pk=ga.pk).update(quantity_held=9)
    assert release_expired_holds() == {"orders_expired": 0, "holds_released": 0, "held_counters_recounted": 1}
    assert held(ga) == 2


# --- a sold-out ticket type ---------------------------------------------------------------------------


def _statements(run):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, contextlib.suppress(SoldOut):
        run()
    return [
        " ".join(q["sql"].split()[:2])
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]


@pytest.mark.django_db
def test_once_sold_out_buyers_are_refused_before_anything_is_written(show):
    ga = TicketFactory(show=show, quantity=2)
    hold(show, CartLine(ga, 2))
    first = _statements(lambda: hold(show, CartLine(ga, 1)))  # finds it sold out the usual way
    assert first[:3] == ["INSERT INTO", "INSERT INTO", "INSERT INTO"]

    again = _statements(lambda: hold(show, CartLine(ga, 1)))

    assert not any(statement.startswith("INSERT") for statement in again), again
    assert again[0] == "UPDATE shows_ticket"
    with pytest.raises(SoldOut, match=r"General admission is sold out\."):
        hold(show, CartLine(ga, 1))
    assert Order.objects.count() == 1
    assert_counters_match()


@pytest.mark.django_db
def test_a_ticket_freed_after_a_sell_out_is_sold_and_the_show_is_back_to_normal(show):
    ga = TicketFactory(show=show, quantity=2)
    first = hold(show, CartLine(ga, 2))
    with pytest.raises(SoldOut):
        hold(show, CartLine(ga, 1))
    order_cancel_pending(order=first)

    freed = _statements(lambda: hold(show, CartLine(ga, 1)))  # capacity first, then the rows
    assert freed[0] == "UPDATE shows_ticket"
    assert freed[1:4] == ["INSERT INTO", "INSERT INTO", "INSERT INTO"]
    assert _statements(lambda: hold(show, CartLine(ga, 1)))[0] == "INSERT INTO"  # not sold out any more
    assert held(ga) == 2
    assert_counters_match()


@pytest.mark.django_db
def test_only_some_left_is_not_sold_out(show):
    ga = TicketFactory(show=show, quantity=3)
    hold(show, CartLine(ga, 2))
    with pytest.raises(SoldOut, match=r"Only 1 left of General admission\."):
        hold(show, CartLine(ga, 2))
    assert _statements(lambda: hold(show, CartLine(ga, 1)))[0] == "INSERT INTO"
    assert held(ga) == 3
