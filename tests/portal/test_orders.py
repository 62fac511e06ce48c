"""The portal's Orders pages: the list (filters, search, totals, pagination, constant queries), an order's
page, resending the confirmation, the attendees list and the door list (refunds are in
``test_orders_refunds.py``, the CSV exports in ``test_orders_exports.py``; authorization of every URL is
in the matrix)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from piquetickets.orders.emails import order_confirmation_queue
from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.payments.models import WebhookEvent
from piquetickets.portal.forms.analytics import AnalyticsFilterForm
from piquetickets.portal.views.orders import RESENDS_PER_HOUR
from tests.factories import AttendeeFactory, OrderFactory, ShowFactory, TicketFactory, TicketOrderFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/dashboard/orders/"


def paid_order(show, *, tickets: int = 1, price: str = "20.00", ticket=None, when=None, **fields) -> Order:
    """A paid order of ``tickets`` tickets of ``ticket`` (or a new General admission) at ``price`` each."""
    price = Decimal(price)
    total = price * tickets
    fields.setdefault("status", Order.Status.PAID)
    order = OrderFactory(
        show=show,
        success=True,
        time_of_purchase=when or timezone.now(),
        subtotal=total,
        total=total,
        **fields,
    )
    ticket = ticket or TicketFactory(show=show, price=price)
    line = TicketOrderFactory(order=order, ticket=ticket, quantity=tickets, price_per_ticket=price, total_price=total)
    for n in range(tickets):
        AttendeeFactory(
            ticket_order=line, first_name=order.first_name, last_name=f"{order.last_name}{n or ''}", email=order.email
        )
    return order


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def show(producer):
    return ShowFactory(producer=producer, title="Friday Laughs")


@pytest.fixture
def ticket(show):
    return TicketFactory(show=show, name="General admission", price=Decimal("20.00"))


# --- the list ------------------------------------------------------------------------------------------


def test_list_without_orders(owner_client):
    response = owner_client.get(LIST)

    assert response.status_code == 200
    assert "No orders yet" in response.content.decode()


def test_list_totals_in_several_currencies_are_never_added_together(owner_client, producer, show, ticket):
    paid_order(show, ticket=ticket, tickets=2)  # $40.00
    euros = ShowFactory(producer=producer, title="Berlin", currency="EUR")
    refunded = paid_order(euros, tickets=1, price="15.00", currency="EUR", status=Order.Status.PARTIALLY_REFUNDED)
    Order.objects.filter(pk=refunded.pk).update(refunded_amount=Decimal("5.00"))

    totals = owner_client.get(LIST).context["totals"]

    assert totals == {
        "count": 2,
        "tickets": 3,
        "total": ["15.00 EUR", "$40.00"],
        "refunded": ["5.00 EUR", "$0.00"],
        "net": ["10.00 EUR", "$40.00"],
    }
    euro_totals = owner_client.get(LIST, {"show": euros.slug}).context["totals"]
    assert (euro_totals["total"], euro_totals["net"]) == (["15.00 EUR"], ["10.00 EUR"])
    empty = owner_client.get(LIST, {"show": euros.slug, "status": "refunded"}).context["totals"]
    assert (empty["count"], empty["total"]) == (0, ["0.00 EUR"])


def test_list_shows_paid_orders_newest_first_with_totals(owner_client, producer, show, ticket):
    older = paid_order(show, ticket=ticket, first_name="Ada", last_name="Older", tickets=2)
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    newer = paid_order(show, ticket=ticket, first_name="Bea", last_name="Newer", status=Order.Status.PARTIALLY_REFUNDED)
    Order.objects.filter(pk=newer.pk).update(refunded_amount=Decimal("5.00"))
    OrderFactory(show=show, status=Order.Status.EXPIRED, first_name="Never", last_name="Paid")
    other_show = ShowFactory(title="Someone else's")  # another producer's
    paid_order(other_show, first_name="Out", last_name="Sider")

    response = owner_client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Bea Newer") < html.index("Ada Older")
    assert "Never Paid" not in html
    assert "Out Sider" not in html
    assert f'href="/dashboard/orders/{newer.uuid}/"' in html
    totals = response.context["totals"]
    assert totals == {"count": 2, "tickets": 3, "total": ["$60.00"], "refunded": ["$5.00"], "net": ["$55.00"]}
    assert "−$5.00 refunded" in html


def test_list_totals_count_no_money_nor_tickets_of_unpaid_orders(owner_client, show, ticket):
    paid_order(show, ticket=ticket, first_name="Ada", last_name="Paid", tickets=2)
    OrderFactory(show=show, status=Order.Status.PENDING, total=Decimal("54.23"), ticket_count=2)
    OrderFactory(show=show, status=Order.Status.EXPIRED, total=Decimal("30.00"), ticket_count=1)

    every = owner_client.get(LIST, {"status": "all"}).context["totals"]
    pending = owner_client.get(LIST, {"status": "pending"}).context["totals"]

    assert every == {"count": 3, "tickets": 2, "total": ["$40.00"], "refunded": ["$0.00"], "net": ["$40.00"]}
    assert pending == {"count": 1, "tickets": 0, "total": ["$0.00"], "refunded": ["$0.00"], "net": ["$0.00"]}


def test_the_show_filter_dates_each_show_on_its_own_clock(owner_client, producer):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime(2026, 12, 31, 23, 0, tzinfo=ZoneInfo("America/Chicago"))  # 1 Jan 2027 in UTC
    ShowFactory(producer=producer, title="Late Draft", start_time=start, end_time=start + timedelta(hours=2),
                time_zone="America/Chicago")  # fmt: skip

    orders = owner_client.get(LIST).content.decode()
    analytics_form = AnalyticsFilterForm(producer=producer, today=start.date())

    assert ">Late Draft (31 Dec 2026)</option>" in orders
    assert "Late Draft (31 Dec 2026)" in str(analytics_form["show"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "bea"}, ["Bea Newer"]),
        ({"q": "Bea Newer"}, ["Bea Newer"]),
        ({"q": "ada@example"}, ["Ada Older"]),
        ({"status": "pending"}, ["Pen Ding"]),
        ({"status": "unpaid"}, ["Never Paid"]),
        ({"status": "all"}, ["Ada Older", "Bea Newer", "Never Paid", "Pen Ding"]),
        ({"status": "bogus"}, ["Ada Older", "Bea Newer"]),  # an invalid filter is no filter
    ],
)
def test_list_filters_and_search(owner_client, show, ticket, query, expected):
    paid_order(show, ticket=ticket, first_name="Ada", last_name="Older", email="ada@example.com")
    paid_order(show, ticket=ticket, first_name="Bea", last_name="Newer", email="bea@example.com")
    OrderFactory(show=show, status=Order.Status.EXPIRED, first_name="Never", last_name="Paid")
    OrderFactory(show=show, status=Order.Status.PENDING, first_name="Pen", last_name="Ding")

    response = owner_client.get(LIST, query)

    buyers = sorted(row["buyer"] for row in response.context["rows"])
    assert buyers == expected


def test_list_finds_an_order_by_its_reference_and_filters_by_show(owner_client, producer, show, ticket):
    wanted = paid_order(show, ticket=ticket, first_name="Ref", last_name="Erence")
    paid_order(show, ticket=ticket)
    second_show = ShowFactory(producer=producer, title="Saturday Laughs")
    elsewhere = paid_order(second_show, first_name="Sat", last_name="Urday")

    by_reference = owner_client.get(LIST, {"q": str(wanted.uuid)[:8].upper()})
    by_show = owner_client.get(LIST, {"show": second_show.slug})

    assert [row["buyer"] for row in by_reference.context["rows"]] == ["Ref Erence"]
    assert [row["reference"] for row in by_show.context["rows"]] == [str(elsewhere.uuid)[:8].upper()]
    html = by_show.content.decode()
    assert f'href="/dashboard/orders/shows/{second_show.slug}/door-list/"' in html
    assert f'href="/dashboard/orders/export/?show={second_show.slug}"' in html


def test_list_finds_an_order_by_one_of_its_ticket_codes(owner_client, show, ticket):
    wanted = paid_order(show, ticket=ticket, first_name="Code", last_name="Holder", tickets=2)
    paid_order(show, ticket=ticket, first_name="Some", last_name="One")
    second = TicketAttendee.objects.filter(ticket_order__order=wanted).order_by("pk").last()

    short = owner_client.get(LIST, {"q": str(second.uuid)[:8].upper()})
    whole = owner_client.get(LIST, {"q": str(second.uuid)})
    other = owner_client.get(LIST, {"q": "00000000"})

    assert [row["buyer"] for row in short.context["rows"]] == ["Code Holder"]
    assert [row["buyer"] for row in whole.context["rows"]] == ["Code Holder"]
    assert [row["buyer"] for row in other.context["rows"]] == []


def test_list_paginates_and_keeps_the_filters(owner_client, show, ticket):
    for n in range(30):
        paid_order(show, ticket=ticket, first_name="Buyer", last_name=f"N{n:02d}")

    first = owner_client.get(LIST, {"q": "buyer"})
    second = owner_client.get(LIST, {"q": "buyer", "page": 2})

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
    assert 'href="?q=buyer&amp;page=2"' in first.content.decode()


def test_every_page_lists_its_own_orders_newest_first_whichever_end_it_is_read_from(owner_client, show, ticket):
    # 60 orders on 3 pages: page 1 is read from the newest end, pages 2 and 3 from the oldest.
    now = timezone.now()
    for n in range(60):
        order = paid_order(show, ticket=ticket, tickets=1 + n % 3, first_name="Buyer", last_name=f"N{n:02d}")
        Order.objects.filter(pk=order.pk).update(created_at=now - timedelta(minutes=n // 2))  # ties: by id
    newest_first = [
        (f"{first} {last}".strip(), str(sum(line.quantity for line in Order.objects.get(pk=pk).ticket_orders.all())))
        for pk, first, last in Order.objects.order_by("-created_at", "-pk").values_list("pk", "first_name", "last_name")
    ]

    pages = [owner_client.get(LIST, {"page": number}).context["rows"] for number in (1, 2, 3)]

    assert [len(rows) for rows in pages] == [25, 25, 10]
    assert [(row["buyer"], row["tickets"]) for rows in pages for row in rows] == newest_first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search indexes")
def test_the_order_search_has_its_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'orders_order'")
        names = {row[0] for row in cursor.fetchall()}

    assert {
        "order_email_trgm_idx",
        "order_first_name_trgm_idx",
        "order_last_name_trgm_idx",
        "order_uuid_text_idx",
    } <= names


def test_list_takes_the_same_queries_for_1_and_25_orders(owner_client, producer, show, ticket):
    paid_order(show, ticket=ticket)
    owner_client.get(LIST)  # warm the session and the site
    with CaptureQueriesContext(connection) as one:
        owner_client.get(LIST)
    for n in range(40):
        paid_order(ShowFactory(producer=producer) if n % 5 == 0 else show, tickets=1 + n % 3)
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(LIST)

    assert len(response.context["rows"]) == 25
    assert len(many) == len(one)
    assert len(one) <= 12


# --- an order's page -----------------------------------------------------------------------------------


def test_order_page_shows_buyer_tickets_money_refunds_and_emails(owner_client, owner, show, ticket, settings):
    order = paid_order(show, ticket=ticket, tickets=2, first_name="Ada", last_name="Lovelace", phone="+1 555 0100")
    first, second = TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk")
    TicketAttendee.objects.filter(pk=first.pk).update(is_checked_in=True, checked_in_at=timezone.now())
    refund = Refund.objects.create(
        order=order, amount=Decimal("20.00"), status="succeeded", reason="Could not come", created_by=owner
    )
    refund.attendees.set([second])
    TicketAttendee.objects.filter(pk=second.pk).update(status="refunded")
    Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("20.00"), status="partially_refunded")
    email = order_confirmation_queue(order=order)
    EmailTracking.objects.filter(pk=email.pk).update(status="bounced")
    WebhookEvent.objects.create(event_id="evt_1", type="checkout.session.completed", payload={}, order=order)

    response = owner_client.get(f"/dashboard/orders/{order.uuid}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Order " + str(order.uuid)[:8].upper() + "</h1>" in html
    assert "Ada Lovelace" in html
    assert "+1 555 0100" in html
    assert "1 of 2 checked in" in html
    assert "Refund of $20.00" in html
    assert "Reason: Could not come" in html
    assert f"by {owner.display_name}" in html
    assert "Bounced" in html
    assert "Your tickets for Friday Laughs" in html
    assert "checkout.session.completed" in html
    assert ("Refunded", "-$20.00") in response.context["money"]
    assert ("Kept", "$20.00") in response.context["money"]
    assert "Resend confirmation" in html
    assert f'href="/dashboard/orders/{order.uuid}/refund/"' in html


def test_order_page_of_an_unpaid_order_offers_no_refund_nor_resend(owner_client, show):
    order = OrderFactory(show=show, status=Order.Status.EXPIRED)

    html = owner_client.get(f"/dashboard/orders/{order.uuid}/").content.decode()

    assert "Resend confirmation" not in html
    assert "/refund/" not in html
    assert "This order was never paid." in html


def test_order_page_of_a_pending_order_says_until_when_its_tickets_are_held(owner_client, show):
    from zoneinfo import ZoneInfo

    show.time_zone = "America/Chicago"
    show.save()
    until = timezone.now() + timedelta(minutes=9)
    held = OrderFactory(show=show, status=Order.Status.PENDING, hold_expires_at=until)
    lapsed = OrderFactory(show=show, status=Order.Status.PENDING, hold_expires_at=timezone.now() - timedelta(minutes=1))

    html = owner_client.get(f"/dashboard/orders/{held.uuid}/").content.decode()
    late = owner_client.get(f"/dashboard/orders/{lapsed.uuid}/").content.decode()

    local = until.astimezone(ZoneInfo("America/Chicago"))
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    assert f"Waiting for payment: the tickets are held until {clock} {local.tzname()}." in html
    assert "never paid" not in html
    assert "Waiting for payment: the hold has run out, so the tickets are back on sale." in late


def test_another_producers_order_is_not_found(owner_client):
    order = paid_order(ShowFactory())

    assert owner_client.get(f"/dashboard/orders/{order.uuid}/").status_code == 404
    assert owner_client.post(f"/dashboard/orders/{order.uuid}/resend/").status_code == 404
    assert not EmailTracking.objects.exists()


# --- resending the confirmation ------------------------------------------------------------------------


def test_resend_queues_the_confirmation_again(owner_client, show, ticket, django_capture_on_commit_callbacks):
    order = paid_order(show, ticket=ticket, email="ada@example.com")
    original = order_confirmation_queue(order=order)

    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(f"/dashboard/orders/{order.uuid}/resend/")

    assert response.status_code == 303
    assert response["Location"] == f"/dashboard/orders/{order.uuid}/"
    assert _messages(response) == ["The confirmation is on its way to ada@example.com again."]
    resent = EmailTracking.objects.exclude(pk=original.pk).get()
    assert resent.recipient == "ada@example.com"
    assert resent.category == "order_confirmation"
    assert resent.idempotency_key == f"order-confirmation-resend:{order.uuid}:1"
    assert resent.order == order
    assert len(callbacks) == 1  # the send task, after commit


def test_resend_is_limited_per_order_and_hour(owner_client, show, ticket):
    order = paid_order(show, ticket=ticket)
    for _ in range(RESENDS_PER_HOUR):
        assert owner_client.post(f"/dashboard/orders/{order.uuid}/resend/").status_code == 303

    refused = owner_client.post(f"/dashboard/orders/{order.uuid}/resend/")

    assert refused.status_code == 429
    assert "sent again 3 times in the last hour" in refused.content.decode()
    assert EmailTracking.objects.filter(order=order).count() == RESENDS_PER_HOUR
    # an hour later it may go again
    EmailTracking.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert owner_client.post(f"/dashboard/orders/{order.uuid}/resend/").status_code == 303
    assert EmailTracking.objects.filter(idempotency_key=f"order-confirmation-resend:{order.uuid}:4").exists()


def test_resend_of_a_refunded_order_is_refused(owner_client, show, ticket):
    order = paid_order(show, ticket=ticket, status=Order.Status.REFUNDED)

    response = owner_client.post(f"/dashboard/orders/{order.uuid}/resend/")

    assert response.status_code == 409
    assert "Only a paid order with valid tickets" in response.content.decode()
    assert not EmailTracking.objects.exists()


# --- attendees and the door list -----------------------------------------------------------------------


def test_attendees_list_filters_by_show_search_and_check_in(owner_client, producer, show, ticket):
    ada = paid_order(show, ticket=ticket, first_name="Ada", last_name="Lovelace")
    paid_order(show, ticket=ticket, first_name="Bob", last_name="Babbage")
    TicketAttendee.objects.filter(ticket_order__order=ada).update(is_checked_in=True, checked_in_at=timezone.now())
    paid_order(ShowFactory(producer=producer, title="Other night"), first_name="Cy", last_name="Other")
    refunded = paid_order(show, ticket=ticket, first_name="Ref", last_name="Unded")
    TicketAttendee.objects.filter(ticket_order__order=refunded).update(status="refunded")
    paid_order(ShowFactory(), first_name="Not", last_name="Ours")

    def names(**query):
        response = owner_client.get("/dashboard/orders/attendees/", query)
        assert response.status_code == 200
        return [row["name"] for row in response.context["rows"]]

    assert names() == ["Bob Babbage", "Ada Lovelace", "Cy Other"]  # by show (date) then surname
    assert names(show=show.slug) == ["Bob Babbage", "Ada Lovelace"]
    assert names(state="checked_in") == ["Ada Lovelace"]
    assert names(state="not_checked_in", show=show.slug) == ["Bob Babbage"]
    assert names(state="all", show=show.slug) == ["Bob Babbage", "Ada Lovelace", "Ref Unded"]
    assert names(q="love") == ["Ada Lovelace"]
    assert names(q=str(ada.uuid)[:8]) == ["Ada Lovelace"]


def test_attendees_list_takes_the_same_queries_for_1_and_many(owner_client, producer, show, ticket):
    paid_order(show, ticket=ticket)
    owner_client.get("/dashboard/orders/attendees/")
    with CaptureQueriesContext(connection) as one:
        owner_client.get("/dashboard/orders/attendees/")
    for n in range(20):
        paid_order(ShowFactory(producer=producer) if n % 4 == 0 else show, tickets=3)
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get("/dashboard/orders/attendees/")

    assert len(response.context["rows"]) == 50
    assert len(many) == len(one)


def test_door_list_is_sorted_by_surname_with_valid_tickets_only(owner_client, show, ticket):
    vip = TicketFactory(show=show, name="VIP", price=Decimal("50.00"))
    paid_order(show, ticket=ticket, first_name="zoë", last_name="adams")
    paid_order(show, ticket=vip, first_name="Carl", last_name="Zed")
    bea = paid_order(show, ticket=ticket, first_name="Bea", last_name="Brown")
    TicketAttendee.objects.filter(ticket_order__order=bea).update(is_checked_in=True, checked_in_at=timezone.now())
    gone = paid_order(show, ticket=ticket, first_name="Gone", last_name="Aaron")
    TicketAttendee.objects.filter(ticket_order__order=gone).update(status="refunded")

    response = owner_client.get(f"/dashboard/orders/shows/{show.slug}/door-list/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["name"], r["ticket"], r["checked_in"]) for r in rows] == [
        ("adams, zoë", "General admission", False),
        ("Brown, Bea", "General admission", True),
        ("Zed, Carl", "VIP", False),
    ]
    html = response.content.decode()
    assert "3 tickets, 1 checked in" in html
    assert "orders-door__box" in html
    zed = TicketAttendee.objects.get(last_name="Zed")
    assert rows[2]["code"] == str(zed.uuid)[:8].upper()
    assert f'<td class="orders-code">{rows[2]["code"]}</td>' in html
    assert '<button class="btn btn--primary" type="button" data-print hidden>Print</button>' in html
    assert "portal/orders/print" in html


def test_door_list_of_another_producers_show_is_not_found(owner_client):
    assert owner_client.get(f"/dashboard/orders/shows/{ShowFactory().slug}/door-list/").status_code == 404


def test_staff_see_the_orders_of_the_producer_they_act_for(client, producer, show, ticket):
    order = paid_order(show, ticket=ticket, first_name="Ada")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    session = client.session
    session["portal_producer_id"] = producer.pk
    session.save()

    response = client.get(LIST)

    assert [row["reference"] for row in response.context["rows"]] == [str(order.uuid)[:8].upper()]


def test_order_page_money_shows_the_promo_code_and_who_paid_the_fees(owner_client, show, ticket):
    from tests.factories import PromoCodeFactory

    promo = PromoCodeFactory(show=show, code="LAUGH10")
    order = paid_order(show, ticket=ticket, tickets=2)
    Order.objects.filter(pk=order.pk).update(
        promo_code=promo,
        promo_code_discount=Decimal("4.00"),
        platform_fees=Decimal("1.50"),
        payment_processing_fees=Decimal("1.20"),
        fees_passed_to_buyer=False,
        total=Decimal("36.00"),
    )

    response = owner_client.get(f"/dashboard/orders/{order.uuid}/")

    assert response.context["money"] == [
        ("Subtotal", "$40.00"),
        ("Promo code discount (LAUGH10)", "-$4.00"),
        ("Booking and processing fees (taken from your share)", "$2.70"),
        ("Total paid", "$36.00"),
    ]


def test_attendees_search_by_given_and_family_name(owner_client, show, ticket):
    paid_order(show, ticket=ticket, first_name="Ada", last_name="Lovelace")
    paid_order(show, ticket=ticket, first_name="Ada", last_name="Byron")

    response = owner_client.get("/dashboard/orders/attendees/", {"q": "ada love"})

    assert [row["name"] for row in response.context["rows"]] == ["Ada Lovelace"]
