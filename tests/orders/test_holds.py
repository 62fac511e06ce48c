"""Holding tickets at checkout: the rules, nothing half-written, and zero oversell under concurrency."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from piquetickets.orders.errors import NotOnSale, PromoCodeInvalid, SoldOut, TooManyTickets
from piquetickets.orders.models import Order, TicketHold, TicketOrder
from piquetickets.orders.pricing import CartLine
from piquetickets.orders.services import Buyer, checkout_hold
from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from piquetickets.shows.selectors import ticket_availability
from tests.factories import PromoCodeFactory, ShowFactory, TicketFactory

BUYER = Buyer(first_name="Alex", last_name="Morgan", email="alex@example.com")


def hold(show, *lines, promo="", now=None):
    return checkout_hold(show=show, lines=list(lines), buyer=BUYER, promo_code=promo, provider="test", now=now)


def nothing_written():
    return (Order.objects.count(), TicketOrder.objects.count(), TicketHold.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_hold_creates_a_pending_priced_order_with_lines_and_holds():
    show = ShowFactory(hold_minutes=10)
    ga = TicketFactory(show=show, quantity=10, price=Decimal("20.00"))
    before = timezone.now()
    order = hold(show, CartLine(ga, 3))

    assert (order.status, order.success, order.provider) == ("pending", False, "test")
    assert order.subtotal == Decimal("60.00")
    assert order.total == order.subtotal + order.platform_fees + order.payment_processing_fees
    assert before + timedelta(minutes=10) <= order.hold_expires_at <= timezone.now() + timedelta(minutes=10)
    line = order.ticket_orders.get()
    assert (line.ticket, line.quantity, line.price_per_ticket, line.total_price) == (
        ga,
        3,
        Decimal("20.00"),
        Decimal("60.00"),
    )
    assert list(order.holds.values_list("ticket_id", "quantity", "status")) == [(ga.pk, 3, "active")]
    assert ticket_availability(ticket=ga) == (3, 7)


@pytest.mark.django_db
def test_sold_out_says_how_many_are_left_and_writes_nothing():
    show = ShowFactory()
    ga = TicketFactory(show=show, quantity=5)
    Ticket.objects.filter(pk=ga.pk).update(quantity_sold=3)
    with pytest.raises(SoldOut) as excinfo:
        hold(show, CartLine(ga, 3))
    assert excinfo.value.message == "Only 2 left of General admission."
    assert excinfo.value.extra == {"ticket": ga.pk, "remaining": 2}
    assert nothing_written()


@pytest.mark.django_db
def test_expired_holds_stop_counting_at_once():
    show = ShowFactory(hold_minutes=15)
    ga = TicketFactory(show=show, quantity=2)
    long_ago = timezone.now() - timedelta(minutes=20)
    hold(show, CartLine(ga, 2), now=long_ago)  # expired 5 minutes ago
    assert ticket_availability(ticket=ga) == (0, 2)
    assert hold(show, CartLine(ga, 2)).holds.get().quantity == 2
    with pytest.raises(SoldOut):
        hold(show, CartLine(ga, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda show, t: Show.objects.filter(pk=show.pk).update(published=False), "This show is not on sale."),
        (lambda show, t: Ticket.objects.filter(pk=t.pk).update(is_active=False), "General admission is not on sale."),
        (
            lambda show, t: Ticket.objects.filter(pk=t.pk).update(sales_start=timezone.now() + timedelta(days=1)),
            "General admission is not on sale.",
        ),
        (
            lambda show, t: Ticket.objects.filter(pk=t.pk).update(
                sales_start=timezone.now() - timedelta(days=2), sales_end=timezone.now() - timedelta(days=1)
            ),
            "General admission is not on sale.",
        ),
    ],
)
def test_not_on_sale(setup, message):
    show = ShowFactory()
    ga = TicketFactory(show=show)
    setup(show, ga)
    show.refresh_from_db()
    ga.refresh_from_db()
    with pytest.raises(NotOnSale) as excinfo:
        hold(show, CartLine(ga, 1))
    assert excinfo.value.message == message
    assert nothing_written()


@pytest.mark.django_db
def test_bad_carts_are_refused():
    show = ShowFactory(max_tickets_per_order=4)
    ga = TicketFactory(show=show, max_per_order=2)
    other = TicketFactory()
    with pytest.raises(NotOnSale, match=re.escape("Choose at least one ticket.")):
        hold(show)
    with pytest.raises(NotOnSale, match=re.escape("Choose at least one ticket.")):
        hold(show, CartLine(ga, 0))
    with pytest.raises(NotOnSale, match=re.escape("Each ticket type may appear once.")):
        hold(show, CartLine(ga, 1), CartLine(ga, 1))
    with pytest.raises(NotOnSale, match=re.escape("General admission is not on sale.")):
        hold(show, CartLine(other, 1))
    with pytest.raises(TooManyTickets, match=re.escape("At most 2 × General admission per order.")):
        hold(show, CartLine(ga, 3))
    vip = TicketFactory(show=show, name="VIP")
    with pytest.raises(TooManyTickets, match=re.escape("At most 4 tickets per order.")):
        hold(show, CartLine(ga, 2), CartLine(vip, 3))
    assert nothing_written()


@pytest.mark.django_db
def test_promo_codes_match_ignoring_case_and_count_held_uses():
    show = ShowFactory()
    ga = TicketFactory(show=show, price=Decimal("10.00"))
    PromoCodeFactory(show=show, code="Friends", discount=Decimal("50"), max_uses=1)
    first = hold(show, CartLine(ga, 1), promo="friends")
    assert (first.promo_code.code, first.promo_code_discount) == ("Friends", Decimal("5.00"))
    assert first.ticket_orders.get().promo_code == "Friends"
    with pytest.raises(PromoCodeInvalid, match=re.escape("This promo code has been used up.")):
        hold(show, CartLine(ga, 1), promo="FRIENDS")  # the first order's hold still counts
    with pytest.raises(PromoCodeInvalid, match=re.escape("We don't know this promo code.")):
        hold(show, CartLine(ga, 1), promo="NOPE")
    assert Order.objects.count() == 1


# --- concurrency ------------------------------------------------------------------------------------


def race(n, attempt):
    """Run ``attempt`` in ``n`` threads released at the same moment; collect what each returned or raised."""
    barrier = threading.Barrier(n)
    results = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = attempt()
        except Exception as exc:  # collected and asserted on by the test
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_racing_for_the_last_ten_tickets():
    show = ShowFactory()
    ga = TicketFactory(show=show, quantity=100)
    Ticket.objects.filter(pk=ga.pk).update(quantity_sold=90)

    results = race(50, lambda: hold(Show.objects.get(pk=show.pk), CartLine(Ticket.objects.get(pk=ga.pk), 1)))

    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, SoldOut)]
    assert len(results) == 50
    assert (len(orders), len(refused)) == (10, 40), [r for r in results if not isinstance(r, Order | SoldOut)]
    assert all(r.code == "sold_out" for r in refused)
    assert TicketHold.objects.filter(ticket=ga).count() == 10
    assert ticket_availability(ticket=ga) == (10, 0)


@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_racing_for_a_promo_codes_last_use():
    show = ShowFactory()
    ga = TicketFactory(show=show, quantity=100)
    promo = PromoCodeFactory(show=show, code="LAST", max_uses=5)
    TicketPromoCode.objects.filter(pk=promo.pk).update(times_used=4)

    results = race(
        20, lambda: hold(Show.objects.get(pk=show.pk), CartLine(Ticket.objects.get(pk=ga.pk), 1), promo="last")
    )

    orders = [r for r in results if isinstance(r, Order)]
    assert len(orders) == 1
    assert all(isinstance(r, PromoCodeInvalid) for r in results if r not in orders)
    assert Order.objects.filter(promo_code=promo).count() == 1
