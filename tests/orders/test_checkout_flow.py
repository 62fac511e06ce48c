"""Checkout from the API to tickets, with the embedded test provider and free orders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from piquetickets.orders.models import Order, Refund, TicketAttendee, TicketHold, TicketOrder
from piquetickets.orders.services import orders_expire_pending
from piquetickets.shows.models import Ticket, TicketPromoCode
from tests.api.conftest import assert_error
from tests.factories import TicketFactory
from tests.selling import cart

URL = "/api/v1/checkout/create-session/"


def create(api, body):
    return api.post(URL, body, format="json")


def approve(client, order, decision="approve"):
    return client.post(f"/pay/test/{order.public_token}/", {"decision": decision})


def test_create_session_holds_tickets_and_answers_with_the_payment_page(api, sale):
    body = cart(
        sale,
        {"ticket": sale.general.pk, "quantity": 2, "attendees": [{"first_name": "Sam", "last_name": "Lee"}]},
        promo_code="laugh10",
        phone="+1 312 555 0100",
    )
    response = create(api, body)

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    data = response.json()
    assert data == {
        "order": str(order.uuid),
        "status": "pending",
        "provider": "test",
        "checkout_url": f"http://localhost:8080/pay/test/{order.public_token}/",
        "order_url": f"http://localhost:8080/orders/{order.public_token}/",
        "expires_at": data["expires_at"],
        "currency": "USD",
        "subtotal": "40.00",
        "discount": "4.00",
        # platform: 3% of 36.00 + 2 × 0.99 = 3.06; processing: 2.9% of 39.06 + 0.30 = 1.43
        "platform_fee": "3.06",
        "processing_fee": "1.43",
        "fees_passed_to_buyer": True,
        "total": "40.49",
        "lines": [
            {
                "ticket": sale.general.pk,
                "name": "General admission",
                "quantity": 2,
                "price_per_ticket": "20.00",
                "discount": "4.00",
                "total": "36.00",
            }
        ],
    }
    hold = TicketHold.objects.get()
    assert (hold.ticket, hold.quantity, hold.status) == (sale.general, 2, "active")
    assert abs((hold.expires_at - timezone.now()) - timedelta(minutes=sale.show.hold_minutes)) < timedelta(seconds=5)
    assert order.phone == "+1 312 555 0100"
    assert order.promo_code == sale.promo
    assert TicketOrder.objects.get().attendee_names == [{"first_name": "Sam", "last_name": "Lee"}]
    assert order.session_id.startswith("test_")


def test_an_order_counts_its_tickets_over_every_line(api, sale):
    body = cart(sale, {"ticket": sale.general.pk, "quantity": 2}, {"ticket": sale.vip.pk, "quantity": 3})

    response = create(api, body)

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert sorted(order.ticket_orders.values_list("quantity", flat=True)) == [2, 3]
    assert order.ticket_count == 5


def test_the_migration_counts_the_tickets_of_orders_placed_before_it(sale):
    """``orders`` 0006 fills ``ticket_count`` from the lines, on SQLite and on PostgreSQL alike."""
    import importlib

    from django.db import connection

    from tests.factories import OrderFactory, TicketOrderFactory

    two_lines, no_lines = OrderFactory(show=sale.show), OrderFactory(show=sale.show)
    TicketOrderFactory(order=two_lines, ticket=sale.general, quantity=2)
    TicketOrderFactory(order=two_lines, ticket=sale.vip, quantity=1)
    Order.objects.update(ticket_count=7)  # as if never counted
    migration = importlib.import_module("piquetickets.orders.migrations.0006_order_ticket_count").Migration
    backfill = migration.operations[1]

    with connection.cursor() as cursor:
        cursor.execute(backfill.sql)

    counts = dict(Order.objects.values_list("pk", "ticket_count"))
    assert counts == {two_lines.pk: 3, no_lines.pk: 0}


def test_approving_on_the_test_page_fulfils_the_order_and_emails_the_tickets(
    api, client, sale, eager, django_capture_on_commit_callbacks
):
    body = cart(
        sale,
        {"ticket": sale.general.pk, "quantity": 2, "attendees": [{"first_name": "Sam", "last_name": "Lee"}]},
        {"ticket": sale.donation.pk, "quantity": 1, "amount": "12.50"},
        promo_code="LAUGH10",
    )
    order = Order.objects.get(uuid=create(api, body).json()["order"])

    page = client.get(f"/pay/test/{order.public_token}/")
    assert page.status_code == 200
    assert b"Approve payment" in page.content
    assert b"Friday Laughs" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(client, order)

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.public_token}/?paid=1"
    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)
    assert order.time_of_purchase is not None
    sale.general.refresh_from_db()
    sale.donation.refresh_from_db()
    assert (sale.general.quantity_sold, sale.donation.quantity_sold) == (2, 1)
    assert TicketPromoCode.objects.get(pk=sale.promo.pk).times_used == 1
    assert set(TicketHold.objects.values_list("status", flat=True)) == {"converted"}
    names = sorted(
        (a.first_name, a.last_name, a.ticket_order.ticket.name, a.email, a.show_id)
        for a in TicketAttendee.objects.select_related("ticket_order__ticket")
    )
    assert names == [
        ("Alex", "Morgan", "General admission", "alex@example.com", sale.show.pk),
        ("Alex", "Morgan", "Pay what you can", "alex@example.com", sale.show.pk),
        ("Sam", "Lee", "General admission", "alex@example.com", sale.show.pk),
    ]
    assert len({a.uuid for a in TicketAttendee.objects.all()}) == 3
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@example.com"]
    assert "Friday Laughs" in message.subject
    assert next(name for name, _, _ in message.attachments).endswith(".pdf")
    assert EmailTracking.objects.get().status == "sent"

    # a second approval (double click, back button) changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(client, order).status_code == 302
    assert TicketAttendee.objects.count() == 3
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2
    assert len(mail.outbox) == 1


def test_declining_cancels_the_order_and_puts_the_tickets_back(api, client, sale):
    order = Order.objects.get(uuid=create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 10})).json()["order"])
    assert_error(create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 1})), 409, "sold_out")

    response = approve(client, order, "decline")

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.success) == ("cancelled", False)
    assert TicketHold.objects.get(order=order).status == "released"
    assert create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 10})).status_code == 201
    assert not TicketAttendee.objects.exists()


def test_the_test_page_rejects_an_unknown_decision_and_a_decided_order(api, client, sale):
    order = Order.objects.get(uuid=create(api, cart(sale)).json()["order"])
    response = approve(client, order, "maybe")
    assert response.status_code == 400
    assert b"Choose Approve or Decline." in response.content
    assert Order.objects.get(pk=order.pk).status == "pending"

    approve(client, order, "decline")
    page = client.get(f"/pay/test/{order.public_token}/")
    assert b"no longer waiting for payment" in page.content
    assert b"Approve payment" not in page.content


def test_the_test_page_is_off_unless_test_payments_are_allowed(api, client, sale, settings):
    order = Order.objects.get(uuid=create(api, cart(sale)).json()["order"])
    settings.ALLOW_TEST_PAYMENTS = False

    assert client.get(f"/pay/test/{order.public_token}/").status_code == 404
    assert approve(client, order).status_code == 404
    assert Order.objects.get(pk=order.pk).status == "pending"
    # and no new test payment can start
    assert_error(create(api, cart(sale)), 502, "payment_provider_error", "Test payments are switched off on this site.")
    assert Order.objects.count() == 1


def test_unknown_tokens_find_nothing(client, sale):
    assert client.get("/pay/test/" + "x" * 43 + "/").status_code == 404
    assert client.get("/orders/" + "x" * 43 + "/").status_code == 404
    assert client.get("/pay/cancel/" + "x" * 43 + "/").status_code == 404


def test_a_free_order_is_complete_at_once(api, sale, eager, django_capture_on_commit_callbacks):
    free = TicketFactory(show=sale.show, name="Comp", price=Decimal("0.00"), quantity=5)

    with django_capture_on_commit_callbacks(execute=True):
        response = create(api, cart(sale, {"ticket": free.pk, "quantity": 2}))

    assert response.status_code == 201
    data = response.json()
    order = Order.objects.get()
    assert (data["status"], data["provider"], data["total"]) == ("paid", "free", "0.00")
    assert data["checkout_url"] == data["order_url"] == f"http://localhost:8080/orders/{order.public_token}/"
    assert (order.success, order.status) == (True, "paid")
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 2
    assert Ticket.objects.get(pk=free.pk).quantity_sold == 2
    assert len(mail.outbox) == 1


def test_a_pay_what_you_can_ticket_at_its_zero_minimum_is_free(api, sale, eager):
    sale.donation.price = Decimal("0.00")
    sale.donation.save()
    response = create(api, cart(sale, {"ticket": sale.donation.pk, "quantity": 1, "amount": "0"}))
    assert response.json()["provider"] == "free"
    paid = create(api, cart(sale, {"ticket": sale.donation.pk, "quantity": 1, "amount": "3.00"}))
    assert (paid.json()["provider"], paid.json()["subtotal"]) == ("test", "3.00")


def test_payment_after_the_hold_expired_is_honoured_while_tickets_remain(api, client, sale, eager):
    order = Order.objects.get(uuid=create(api, cart(sale)).json()["order"])
    TicketHold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    Order.objects.update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert orders_expire_pending() == 1

    approve(client, order)

    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 2
    assert not Refund.objects.exists()


def test_payment_after_the_hold_expired_is_refunded_when_the_tickets_are_gone(
    api, client, sale, eager, django_capture_on_commit_callbacks
):
    late = Order.objects.get(uuid=create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 4})).json()["order"])
    TicketHold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    Order.objects.update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    # meanwhile someone else buys 7 of the 10 VIP tickets
    other = Order.objects.get(uuid=create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 7})).json()["order"])
    approve(client, other)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = approve(client, late)

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{late.public_token}/"
    late.refresh_from_db()
    assert (late.status, late.success, late.refunded_amount) == ("refunded", False, late.total)
    refund = Refund.objects.get(order=late)
    assert (refund.amount, refund.status) == (late.total, "succeeded")
    assert refund.provider_refund_id.startswith("test_re_")
    assert "sold out" in refund.reason
    assert Ticket.objects.get(pk=sale.vip.pk).quantity_sold == 7
    assert not TicketAttendee.objects.filter(ticket_order__order=late).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@example.com"]
    assert "refund" in mail.outbox[0].subject.lower()
    # approving again changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, late)
    assert Refund.objects.filter(order=late).count() == 1
    assert len(mail.outbox) == 1


def test_expiring_pending_orders_releases_their_tickets(api, sale):
    response = create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 10}))
    Order.objects.update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    TicketHold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert orders_expire_pending() == 1
    assert orders_expire_pending() == 0

    order = Order.objects.get(uuid=response.json()["order"])
    assert order.status == "expired"
    assert TicketHold.objects.get(order=order).status == "released"
    assert create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 10})).status_code == 201


# --- bad input: a clear 4xx and nothing written ---------------------------------------------------


def _bad_cases(sale):
    general, vip, donation = sale.general.pk, sale.vip.pk, sale.donation.pk
    return [
        ({"show": None}, 400, "invalid", "show"),
        ({"show": "no-such-show"}, 400, "invalid", "show"),
        ({"tickets": []}, 400, "invalid", "tickets"),
        ({"tickets": "two please"}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": 999999, "quantity": 1}]}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": general, "quantity": 0}]}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": general, "quantity": 101}]}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": general, "quantity": "many"}]}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": donation, "quantity": 1, "amount": "-1"}]}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": donation, "quantity": 1, "amount": "1.234"}]}, 400, "invalid", "tickets"),
        ({"tickets": [{"ticket": general, "quantity": 1, "attendees": [{"first_name": "A"}] * 2}]}, 400, "invalid",
         "tickets"),
        ({"tickets": [{"ticket": general, "quantity": 1, "attendees": [{"last_name": "B"}]}]}, 400, "invalid",
         "tickets"),
        ({"first_name": ""}, 400, "invalid", "first_name"),
        ({"last_name": "x" * 101}, 400, "invalid", "last_name"),
        ({"email": "not-an-email"}, 400, "invalid", "email"),
        ({"email": None}, 400, "invalid", "email"),
        ({"phone": "1" * 41}, 400, "invalid", "phone"),
        ({"promo_code": "x" * 41}, 400, "invalid", "promo_code"),
        ({"promo_code": "NOPE"}, 400, "promo_code_invalid", None),
        ({"tickets": [{"ticket": donation, "quantity": 1, "amount": "4.99"}]}, 400, "donation_too_low", None),
        ({"tickets": [{"ticket": vip, "quantity": 6}]}, 409, "sold_out", None),
        ({"tickets": [{"ticket": general, "quantity": 11}]}, 400, "too_many_tickets", None),
        ({"tickets": [{"ticket": general, "quantity": 1}, {"ticket": general, "quantity": 1}]}, 400, "not_on_sale",
         None),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(23))
def test_bad_input_gets_a_clear_error_and_writes_nothing(api, sale, index):
    Ticket.objects.filter(pk=sale.vip.pk).update(quantity_sold=5)
    change, status, code, field = _bad_cases(sale)[index]
    body = cart(sale)
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value

    response = create(api, body)

    error = assert_error(response, status, code)
    if field is not None:
        assert field in error["extra"]["fields"], error
    assert not Order.objects.exists()
    assert not TicketOrder.objects.exists()
    assert not TicketHold.objects.exists()


def test_a_draft_show_answers_like_a_missing_one(api, sale):
    sale.show.published = False
    sale.show.save()
    error = assert_error(create(api, cart(sale)), 400, "invalid")
    assert error["extra"]["fields"]["show"] == ["There is no show on sale called “friday-laughs”."]
    assert not Order.objects.exists()


def test_a_ticket_of_another_show_is_named_by_its_position(api, sale):
    stranger = TicketFactory()
    body = cart(sale, {"ticket": sale.general.pk, "quantity": 1}, {"ticket": stranger.pk, "quantity": 1})
    error = assert_error(create(api, body), 400, "invalid")
    assert error["extra"]["fields"]["tickets"] == [{}, {"ticket": ["Not a ticket type of this show."]}]


def test_a_non_json_body_is_refused(api, sale):
    response = api.post(URL, "show=friday-laughs", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")
    assert not Order.objects.exists()
