"""Producers' orders: list, read and refund, only their own; and the buyer's order page."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.shows.models import Ticket
from tests.api.conftest import assert_error, client_for
from tests.factories import MembershipFactory, ShowFactory, TicketFactory, UserFactory
from tests.selling import cart

CHECKOUT = "/api/v1/checkout/create-session/"


def paid_order(api, client, sale, *lines, **overrides) -> Order:
    order = Order.objects.get(uuid=api.post(CHECKOUT, cart(sale, *lines, **overrides), format="json").json()["order"])
    client.post(f"/pay/test/{order.public_token}/", {"decision": "approve"})
    order.refresh_from_db()
    assert order.success
    return order


def test_a_producer_lists_and_reads_only_its_own_orders(api, client, sale):
    mine = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2}, email="sam@example.com")
    other_show = ShowFactory(title="Elsewhere")
    other_ticket = TicketFactory(show=other_show, price=Decimal("10.00"))
    theirs = Order.objects.get(
        uuid=api.post(
            CHECKOUT, {**cart(sale), "show": other_show.slug, "tickets": [{"ticket": other_ticket.pk, "quantity": 1}]},
            format="json",
        ).json()["order"]
    )  # fmt: skip
    owner = client_for(sale.owner)

    listing = owner.get("/api/v1/orders/")

    assert listing.status_code == 200
    assert [row["uuid"] for row in listing.json()["results"]] == [str(mine.uuid)]
    row = listing.json()["results"][0]
    assert (row["show"], row["status"], row["total"], row["email"]) == (
        "friday-laughs",
        "paid",
        "44.73",
        "sam@example.com",
    )
    assert row["lines"][0]["ticket_name"] == "General admission"
    detail = owner.get(f"/api/v1/orders/{mine.uuid}/").json()
    assert len(detail["attendees"]) == 2
    assert {a["status"] for a in detail["attendees"]} == {"valid"}
    assert_error(owner.get(f"/api/v1/orders/{theirs.uuid}/"), 404, "not_found")
    assert_error(owner.post(f"/api/v1/orders/{theirs.uuid}/refund/", {}, format="json"), 404, "not_found")
    assert_error(client_for(None).get("/api/v1/orders/"), 401, "not_authenticated")
    outsider = client_for(MembershipFactory().user)
    assert outsider.get("/api/v1/orders/").json()["results"] == []
    staff = client_for(UserFactory(is_staff=True))
    assert {row["uuid"] for row in staff.get("/api/v1/orders/").json()["results"]} == {str(mine.uuid), str(theirs.uuid)}


def test_orders_filter_by_show_status_and_search(api, client, sale):
    paid = paid_order(api, client, sale, email="zoe@example.com", first_name="Zoë")
    pending = Order.objects.get(uuid=api.post(CHECKOUT, cart(sale), format="json").json()["order"])
    owner = client_for(sale.owner)

    def uuids(query):
        return [row["uuid"] for row in owner.get(f"/api/v1/orders/?{query}").json()["results"]]

    assert uuids("status=paid") == [str(paid.uuid)]
    assert uuids("status=pending") == [str(pending.uuid)]
    assert uuids("search=zoe@") == [str(paid.uuid)]
    assert uuids("search=Zoë") == [str(paid.uuid)]
    assert uuids(f"search={str(pending.uuid)[:8]}") == [str(pending.uuid)]
    assert uuids("show=friday-laughs") == [str(pending.uuid), str(paid.uuid)]
    assert uuids("show=nothing") == []


def test_listing_orders_takes_a_fixed_number_of_queries(api, client, sale, django_assert_num_queries):
    owner = client_for(sale.owner)
    paid_order(api, client, sale)
    with CaptureQueriesContext(connection) as first:
        owner.get("/api/v1/orders/")
    count = len(first.captured_queries)
    assert 0 < count <= 5
    for _ in range(3):
        paid_order(
            api, client, sale, {"ticket": sale.vip.pk, "quantity": 1}, {"ticket": sale.general.pk, "quantity": 1}
        )
    with django_assert_num_queries(count):
        assert len(owner.get("/api/v1/orders/").json()["results"]) == 4


def test_refunding_some_tickets_by_api(api, client, sale, django_capture_on_commit_callbacks, eager):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 3})
    attendees = list(TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk"))
    owner = client_for(sale.owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            f"/api/v1/orders/{order.uuid}/refund/",
            {"attendees": [str(attendees[0].uuid), str(attendees[1].uuid)], "reason": "Can't make it"},
            format="json",
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["status"], body["reason"]) == ("40.00", "succeeded", "Can't make it")
    assert sorted(body["attendees"]) == sorted([str(attendees[0].uuid), str(attendees[1].uuid)])
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("40.00"))
    assert [a.status for a in TicketAttendee.objects.filter(pk__in=[a.pk for a in attendees]).order_by("pk")] == [
        "refunded",
        "refunded",
        "valid",
    ]
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 1
    assert Refund.objects.get().created_by == sale.owner
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@example.com"]
    detail = owner.get(f"/api/v1/orders/{order.uuid}/").json()
    assert detail["refunds"][0]["amount"] == "40.00"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"attendees": ["not-a-uuid"]}, "invalid", "attendees"),
        ({"attendees": ["00000000-0000-0000-0000-000000000000"]}, "refund_invalid", None),
        ({"amount": "-5"}, "invalid", "amount"),
        ({"amount": "0"}, "refund_invalid", None),
        ({"amount": "1000.00"}, "refund_invalid", None),
        ({"amount": "1.001"}, "invalid", "amount"),
        ({"reason": "x" * 256}, "invalid", "reason"),
    ],
)
def test_bad_refunds_are_refused_and_change_nothing(api, client, sale, body, code, field):
    order = paid_order(api, client, sale)

    response = client_for(sale.owner).post(f"/api/v1/orders/{order.uuid}/refund/", body, format="json")

    error = assert_error(response, 400, code)
    if field:
        assert field in error["extra"]["fields"]
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", Decimal("0.00"))
    assert not Refund.objects.exists()
    assert not TicketAttendee.objects.exclude(status="valid").exists()


def test_a_refunded_ticket_cannot_be_refunded_again(api, client, sale):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})
    first = TicketAttendee.objects.filter(ticket_order__order=order).first()
    owner = client_for(sale.owner)
    url = f"/api/v1/orders/{order.uuid}/refund/"
    assert owner.post(url, {"attendees": [str(first.uuid)]}, format="json").status_code == 201

    error = assert_error(owner.post(url, {"attendees": [str(first.uuid)]}, format="json"), 400, "refund_invalid")

    assert error["extra"] == {"attendees": [str(first.uuid)]}
    assert Refund.objects.count() == 1


def test_a_refund_reviewed_against_an_older_state_is_refused_under_the_lock(api, client, sale):
    """A confirmation page passes what it showed as refunded; a double submit or a refund made meanwhile
    makes the order differ, and the service refuses before writing anything."""
    from piquetickets.orders.errors import RefundChanged
    from piquetickets.orders.services import order_refund

    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})
    first = order_refund(order=order, amount=Decimal("5.00"), expected_refunded=Decimal("0.00"))
    assert first.amount == Decimal("5.00")

    with pytest.raises(RefundChanged) as refused:
        order_refund(order=order, amount=Decimal("5.00"), expected_refunded=Decimal("0.00"))

    assert refused.value.status == 409
    assert refused.value.extra == {"refunded_amount": "5.00"}
    assert Refund.objects.count() == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == Decimal("5.00")
    assert not TicketAttendee.objects.exclude(status="valid").exists()


# --- the buyer's order page -----------------------------------------------------------------------


def test_the_order_page_shows_each_ticket_with_its_qr_code(api, client, sale):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})
    attendees = list(TicketAttendee.objects.filter(ticket_order__order=order))

    page = client.get(f"/orders/{order.public_token}/?paid=1")

    assert page.status_code == 200
    html = page.content.decode()
    assert "You're in!" in html
    assert html.count("<svg") >= 2
    for attendee in attendees:
        assert str(attendee.uuid) in html
    assert "$44.73" in html
    assert page["Cache-Control"].startswith("max-age=0")
    assert page["Referrer-Policy"] == "no-referrer"
    pdf = client.get(f"/orders/{order.public_token}/tickets.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    ics = client.get(f"/orders/{order.public_token}/calendar.ics")
    assert ics.status_code == 200
    assert b"BEGIN:VCALENDAR" in ics.content


def test_a_pending_order_page_waits_and_has_no_tickets_to_download(api, client, sale):
    order = Order.objects.get(uuid=api.post(CHECKOUT, cart(sale), format="json").json()["order"])

    page = client.get(f"/orders/{order.public_token}/")

    assert page.status_code == 200
    assert b"Waiting for your payment to be confirmed" in page.content
    assert b'http-equiv="refresh"' not in page.content  # it checks in place, politely (see tests/storefront)
    assert client.get(f"/orders/{order.public_token}/tickets.pdf").status_code == 404
    assert client.get(f"/orders/{order.public_token}/calendar.ics").status_code == 404


def test_leaving_the_payment_page_cancels_the_order(api, client, sale):
    order = Order.objects.get(uuid=api.post(CHECKOUT, cart(sale), format="json").json()["order"])

    response = client.get(f"/pay/cancel/{order.public_token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.public_token}/"
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert b"This order was cancelled" in client.get(response["Location"]).content
