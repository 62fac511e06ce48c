"""``refund_quote``: the refund ``order_refund`` makes, worked out without making it, by the same rules.

A page that shows a refund before it is made (the admin's) shows the quote; the refund then made is
the same, and ``order_refund`` refuses (``refund_changed``) when it would differ from what was shown.
"""

from decimal import Decimal

import pytest

from piquetickets.orders.errors import RefundChanged, RefundInvalid
from piquetickets.orders.models import Refund, TicketAttendee
from piquetickets.orders.services import order_refund, refund_quote, ticket_refund_share
from piquetickets.shows.models import Ticket
from tests.admin.refunding import attendees_of, paid_order
from tests.factories import OrderFactory


def assert_nothing_written(order, *, refunds=0, refunded=Decimal("0.00")):
    order.refresh_from_db()
    assert order.refunded_amount == refunded
    assert Refund.objects.count() == refunds


def test_the_whole_order(api, client, sale):
    order = paid_order(api, client, sale)  # three general admissions: $66.95 with fees

    quote = refund_quote(order=order)

    assert (quote.amount, quote.attendees, quote.staying, quote.remaining_after) == (
        Decimal("66.95"),
        attendees_of(order),
        [],
        Decimal("0.00"),
    )
    assert_nothing_written(order)
    refund = order_refund(order=order, expected_amount=quote.amount)
    assert (refund.amount, sorted(refund.attendees.values_list("pk", flat=True))) == (
        quote.amount,
        [a.pk for a in quote.attendees],
    )


def test_chosen_tickets_in_the_orders_order_whatever_order_they_are_named_in(api, client, sale):
    order = paid_order(api, client, sale)
    first, second, third = attendees_of(order)

    quote = refund_quote(order=order, attendee_uuids=[str(second.uuid), str(first.uuid), str(first.uuid)])

    assert (quote.amount, quote.attendees, quote.staying, quote.remaining_after) == (
        Decimal("40.00"),
        [first, second],
        [third],
        Decimal("26.95"),
    )
    assert ticket_refund_share(first, "USD") == Decimal("20.00")
    assert quote.attendees[0].ticket_order.ticket.name == "General admission"  # shown without another query
    refund = order_refund(order=order, attendee_uuids=[str(second.uuid), str(first.uuid)])
    assert refund.amount == quote.amount


def test_every_remaining_ticket_gives_back_everything_left(api, client, sale):
    order = paid_order(api, client, sale)
    first, second, third = attendees_of(order)
    order_refund(order=order, attendee_uuids=[str(first.uuid)])
    order.refresh_from_db()

    quote = refund_quote(order=order, attendee_uuids=[str(second.uuid), str(third.uuid)])

    assert (quote.amount, quote.attendees, quote.remaining_after) == (Decimal("46.95"), [second, third], Decimal("0"))


def test_an_amount_alone_keeps_every_ticket(api, client, sale):
    order = paid_order(api, client, sale)

    quote = refund_quote(order=order, amount=Decimal("5.5"))

    assert (quote.amount, quote.attendees, quote.staying, quote.remaining_after) == (
        Decimal("5.50"),
        [],
        attendees_of(order),
        Decimal("61.45"),
    )


@pytest.mark.parametrize(
    ("arguments", "message", "extra"),
    [
        ({"amount": Decimal("66.96")}, "At most $66.95 can still be refunded.", {"remaining": "66.95"}),
        ({"amount": Decimal("0")}, "The amount to refund must be more than zero.", {"amount": "0.00"}),
        (
            {"attendee_uuids": ["00000000-0000-0000-0000-000000000000"]},
            "Some of these tickets are not valid tickets of this order.",
            {"attendees": ["00000000-0000-0000-0000-000000000000"]},
        ),
    ],
)
def test_the_quote_and_the_refund_refuse_alike(api, client, sale, arguments, message, extra):
    order = paid_order(api, client, sale)

    with pytest.raises(RefundInvalid) as quoted:
        refund_quote(order=order, **arguments)
    with pytest.raises(RefundInvalid) as refunded:
        order_refund(order=order, **arguments)

    assert (
        (quoted.value.message, quoted.value.extra)
        == (refunded.value.message, refunded.value.extra)
        == (
            message,
            extra,
        )
    )
    assert_nothing_written(order)
    assert not TicketAttendee.objects.exclude(status="valid").exists()


def test_an_order_never_paid_or_refunded_in_full_is_refused_alike(api, client, sale):
    order = paid_order(api, client, sale, quantity=1)
    order_refund(order=order)
    order.refresh_from_db()
    unpaid = OrderFactory(show=sale.show, total=Decimal("10.00"))

    for which, expected in (
        (order, "This order has already been refunded in full."),
        (unpaid, "This order was never paid, so there is nothing to refund."),
    ):
        with pytest.raises(RefundInvalid, match=expected):
            refund_quote(order=which)
        with pytest.raises(RefundInvalid, match=expected):
            order_refund(order=which)
    assert Refund.objects.count() == 1


def test_a_refund_that_would_differ_from_the_amount_shown_is_refused_and_writes_nothing(api, client, sale):
    order = paid_order(api, client, sale)
    first = attendees_of(order)[0]

    with pytest.raises(RefundChanged) as changed:
        order_refund(order=order, attendee_uuids=[str(first.uuid)], expected_amount=Decimal("19.99"))

    assert (changed.value.code, changed.value.status) == ("refund_changed", 409)
    assert changed.value.extra == {"refunded_amount": "0.00", "amount": "20.00"}
    assert_nothing_written(order)
    assert not TicketAttendee.objects.exclude(status="valid").exists()
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 3
