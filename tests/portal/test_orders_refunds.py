"""Refunds from the portal's order page: choose (the whole order, some tickets, an amount), review what
``refund_quote`` says and give the reason, confirm; the refusals of the rules and of the payment provider
by the field or at the top; a double submit refunds once. The Stripe cases go through the local
Stripe-compatible server (``tests/stripe_server.py``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.shows.models import Ticket
from tests.factories import OrderFactory, ShowFactory, TicketFactory
from tests.payments.flow import checkout, deliver, onboard
from tests.portal.test_orders import paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(producer):
    return ShowFactory(producer=producer, title="Friday Laughs")


@pytest.fixture
def order(show):
    """A paid order of three $20 tickets through the test provider (their capacity counted as sold)."""
    ticket = TicketFactory(show=show, name="General admission", price=Decimal("20.00"), quantity_sold=3)
    return paid_order(show, ticket=ticket, tickets=3, first_name="Ada", last_name="Lovelace")


def _url(order) -> str:
    return f"/dashboard/orders/{order.uuid}/refund/"


def _tickets(order) -> list[str]:
    return [
        str(u)
        for u in TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk").values_list("uuid", flat=True)
    ]


def _confirm(client, order, **data):
    """Review ``data``, then post the confirmation page's form back as it came, with a reason."""
    review = client.post(_url(order), {"step": "review", **data})
    assert review.status_code == 200, review.content.decode()
    form = review.context["form"]
    posted = {"step": "confirm", "reason": "Show moved"}
    for field in form.hidden_fields():
        value = field.value()
        if value is None:
            continue
        posted[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return review, client.post(_url(order), posted)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_refund_page_offers_the_three_kinds(owner_client, order):
    response = owner_client.get(_url(order))

    html = response.content.decode()
    assert response.status_code == 200
    assert "At most <strong>$60.00</strong> can still be refunded." in html
    assert [value for value, _ in response.context["form"].fields["kind"].choices] == ["whole", "tickets", "amount"]
    assert len(response.context["form"].fields["attendees"].choices) == 3


def test_the_review_writes_nothing(owner_client, order):
    response = owner_client.post(_url(order), {"step": "review", "kind": "whole"})

    assert response.status_code == 200
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("0.00")


def test_the_whole_order_is_refunded_after_the_confirmation(owner_client, owner, order):
    review, done = _confirm(owner_client, order, kind="whole")

    quote = review.context["quote"]
    assert quote["amount"] == "$60.00"
    assert len(quote["stopping"]) == 3
    assert quote["staying"] == []
    assert "Refund $60.00" in review.content.decode()

    assert done.status_code == 303
    assert done["Location"] == f"/dashboard/orders/{order.uuid}/"
    assert _messages(done) == ["Refunded $60.00 to Ada Lovelace."]
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.reason, refund.created_by) == (
        Decimal("60.00"), "succeeded", "Show moved", owner,
    )  # fmt: skip
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("refunded", Decimal("60.00"))
    assert not TicketAttendee.objects.filter(ticket_order__order=order, status="valid").exists()
    assert Ticket.objects.get().quantity_sold == 0


def test_one_ticket_is_refunded_for_its_price(owner_client, order):
    first = _tickets(order)[0]

    review, done = _confirm(owner_client, order, kind="tickets", attendees=[first])

    assert review.context["quote"]["amount"] == "$20.00"
    assert len(review.context["quote"]["staying"]) == 2
    assert done.status_code == 303
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("20.00"))
    assert TicketAttendee.objects.get(uuid=first).status == "refunded"
    assert TicketAttendee.objects.filter(ticket_order__order=order, status="valid").count() == 2
    assert [str(a.uuid) for a in Refund.objects.get().attendees.all()] == [first]


def test_an_amount_is_refunded_and_every_ticket_stays(owner_client, order, manager):
    owner_client.force_login(manager)  # managers may refund too

    review, done = _confirm(owner_client, order, kind="amount", amount="12.50")

    assert review.context["quote"]["stopping"] == []
    assert done.status_code == 303
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("12.50")
    assert TicketAttendee.objects.filter(ticket_order__order=order, status="valid").count() == 3


def test_a_double_submit_refunds_once(owner_client, order):
    review, done = _confirm(owner_client, order, kind="tickets", attendees=[_tickets(order)[0]])
    assert done.status_code == 303
    posted = {"step": "confirm", "reason": "Show moved"}
    for field in review.context["form"].hidden_fields():
        if field.value() is not None:
            posted[field.html_name] = field.value()

    again = owner_client.post(_url(order), posted)

    assert again.status_code == 409
    assert "This order changed while the refund was being reviewed. Review it again." in again.content.decode()
    assert Refund.objects.count() == 1
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("20.00")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "kind", "Choose what to refund."),
        ({"kind": "tickets"}, "attendees", "Choose the tickets to refund."),
        ({"kind": "amount"}, "amount", "Enter the amount to give back."),
        ({"kind": "amount", "amount": "abc"}, "amount", "Enter an amount like 12.50."),
        ({"kind": "amount", "amount": "0"}, "amount", "The amount to refund must be more than zero."),
        ({"kind": "amount", "amount": "60.01"}, "amount", "At most $60.00 can still be refunded."),
        ({"kind": "tickets", "attendees": ["not-a-ticket"]}, "attendees", None),
    ],
)
def test_a_refund_that_cant_be_made_is_shown_by_its_field(owner_client, order, data, field, message):
    response = owner_client.post(_url(order), {"step": "review", **data})

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert "Error: Refund order" in response.content.decode()
    assert response.context["form"]["amount"].value() == data.get("amount")  # the input is kept
    assert not Refund.objects.exists()


def test_the_confirmation_asks_for_the_reason(owner_client, order):
    review = owner_client.post(_url(order), {"step": "review", "kind": "whole"})
    posted = {f.html_name: f.value() for f in review.context["form"].hidden_fields() if f.value() is not None}

    response = owner_client.post(_url(order), {**posted, "step": "confirm", "reason": ""})

    assert response.status_code == 422
    assert response.context["form"].errors == {"reason": ["Say why this order is refunded."]}
    assert response.context["quote"]["amount"] == "$60.00"
    assert not Refund.objects.exists()


def test_a_tampered_confirmation_goes_back_to_the_first_step(owner_client, order):
    response = owner_client.post(
        _url(order), {"step": "confirm", "kind": "whole", "reason": "x", "expected_refunded": "zero"}
    )

    assert response.status_code == 422
    assert "Review the refund" in response.content.decode()
    assert not Refund.objects.exists()


def test_a_refunded_order_says_why_it_cant_be_refunded(owner_client, order):
    Order.objects.filter(pk=order.pk).update(refunded_amount=order.total, status="refunded")

    response = owner_client.get(_url(order))

    assert response.status_code == 200
    assert "This order has already been refunded in full." in response.content.decode()
    assert "Review the refund" not in response.content.decode()


def test_an_unpaid_order_cant_be_refunded(owner_client, show):
    pending = OrderFactory(show=show, status="pending")

    response = owner_client.post(_url(pending), {"step": "review", "kind": "amount", "amount": "5"})

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["This order was never paid, so there is nothing to refund."]


def test_another_producers_order_cant_be_refunded(owner_client):
    theirs = paid_order(ShowFactory())

    assert owner_client.get(_url(theirs)).status_code == 404
    assert owner_client.post(_url(theirs), {"step": "confirm", "kind": "whole", "reason": "x"}).status_code == 404
    assert not Refund.objects.exists()


# --- through Stripe (the local test server) ------------------------------------------------------------


@pytest.fixture
def stripe_sale(sale, client, stripe_on):
    onboard(client, sale, stripe_on)  # the sale's owner is a member of its producer already
    return sale


@pytest.mark.django_db(transaction=True)
def test_a_ticket_refunded_through_stripe(api, client, stripe_sale, stripe_on):
    order = checkout(api, stripe_sale, {"ticket": stripe_sale.general.pk, "quantity": 2})
    deliver(client, stripe_on.complete_session(order.session_id))
    client.force_login(stripe_sale.owner)

    _review, done = _confirm(client, order, kind="tickets", attendees=[_tickets(order)[1]])

    assert done.status_code == 303
    call = [r for r in stripe_on.requests if r.path == "/v1/refunds"][-1]
    assert call.params["amount"] == "2000"
    refund = Refund.objects.get(order=order)
    assert refund.status == "succeeded"
    assert refund.provider_refund_id.startswith("re_")
    assert Ticket.objects.get(pk=stripe_sale.general.pk).quantity_sold == 1


@pytest.mark.django_db(transaction=True)
def test_a_refund_stripe_refuses_is_shown_and_undone(api, client, stripe_sale, stripe_on):
    order = checkout(api, stripe_sale, {"ticket": stripe_sale.general.pk, "quantity": 2})
    deliver(client, stripe_on.complete_session(order.session_id))
    client.force_login(stripe_sale.owner)
    stripe_on.fail_next("POST", "/v1/refunds", status=402, error_type="invalid_request_error")

    _review, response = _confirm(client, order, kind="whole")

    assert response.status_code == 502
    html = response.content.decode()
    assert "This refund can't be made" in html
    # Stripe's message, at the top of the page (it is about no field). Read from the page, not from
    # ``response.context["form"]``: the test client's first context holding a "form" was, once in a while,
    # not the one the page rendered its errors from.
    summary = html.split("This refund can't be made", 1)[1].split("</ul>", 1)[0]
    assert "Injected failure from the test Stripe server." in summary
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", Decimal("0.00"))
    assert Refund.objects.get(order=order).status == "failed"
    assert TicketAttendee.objects.filter(ticket_order__order=order, status="valid").count() == 2


def test_a_confirmation_without_reason_for_an_order_refunded_meanwhile_goes_back_to_the_first_step(owner_client, order):
    review = owner_client.post(_url(order), {"step": "review", "kind": "amount", "amount": "50.00"})
    posted = {f.html_name: f.value() for f in review.context["form"].hidden_fields() if f.value() is not None}
    Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("20.00"), status="partially_refunded")

    response = owner_client.post(_url(order), {**posted, "step": "confirm", "reason": ""})

    assert response.status_code == 422
    assert response.context["form"].errors["amount"] == ["At most $40.00 can still be refunded."]
    assert not Refund.objects.exists()


# --- two people confirming at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_refund_once(owner, show):
    """Real threads on PostgreSQL (row locks): the same confirmation posted twice at the same moment, from
    two browsers, refunds once; the other is told the order changed, and nothing more is written."""
    from django.db import connection
    from django.test import Client

    from tests.emails.test_concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    ticket = TicketFactory(show=show, price=Decimal("20.00"), quantity_sold=3)
    order = paid_order(show, ticket=ticket, tickets=3, first_name="Ada", last_name="Lovelace")
    first, second = Client(), Client()
    first.force_login(owner)
    second.force_login(owner)
    review = first.post(_url(order), {"step": "review", "kind": "amount", "amount": "15.00"})
    posted = {"step": "confirm", "reason": "Show moved"}
    for field in review.context["form"].hidden_fields():
        if field.value() not in (None, []):
            value = field.value()
            posted[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    clients = [first, second]

    def confirm():
        return clients.pop().post(_url(order), posted).status_code  # each thread its own browser

    statuses = run_together(confirm, count=2)

    assert sorted(statuses) == [303, 409], statuses
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("15.00")
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert list(Refund.objects.filter(order=order).values_list("amount", "status")) == [
        (Decimal("15.00"), Refund.Status.SUCCEEDED)
    ]
