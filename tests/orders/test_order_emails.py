"""The order emails, sent for real through the emails service, a Celery task (eager) and locmem mail."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail

from config.celery import app as celery_app
from piquetickets.core.money import format_money
from piquetickets.emails.models import EmailTracking
from piquetickets.orders.emails import (
    late_payment_refunded_queue,
    order_confirmation_queue,
    order_refunded_queue,
)
from piquetickets.orders.models import Refund, TicketAttendee
from tests.factories import (
    AttendeeFactory,
    OrderFactory,
    ProducerFactory,
    PromoCodeFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks(settings):
    """Celery runs ``emails.send`` in-process (the app's conf is read once, so set it there too)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def order(settings):
    """A paid USD order for a show in Chicago: 2 × General admission, 1 × VIP, a promo code, fees."""
    settings.SITE_URL = "https://tickets.example.com"
    show = ShowFactory(
        title="Comedy Night",
        time_zone="America/Chicago",
        door_time=datetime(2026, 12, 12, 1, 0, tzinfo=UTC),  # Friday 11 December, 7:00 PM CST
        start_time=datetime(2026, 12, 12, 1, 30, tzinfo=UTC),
        end_time=datetime(2026, 12, 12, 3, 30, tzinfo=UTC),
        venue=VenueFactory(name="The Lantern", address="1 Main St", city="Chicago", state="IL", zip_code="60601"),
        producer=ProducerFactory(name="Pique Comedy", support_email="help@piquecomedy.example"),
    )
    order = OrderFactory(
        show=show,
        first_name="Alex",
        last_name="O'Brien",
        email="alex@example.com",
        status="paid",
        subtotal=Decimal("50.00"),
        promo_code=PromoCodeFactory(show=show, code="SAVE10"),
        promo_code_discount=Decimal("5.00"),
        payment_processing_fees=Decimal("1.60"),
        platform_fees=Decimal("3.10"),
        total=Decimal("49.70"),
    )
    general = TicketOrderFactory(
        order=order,
        ticket=TicketFactory(show=show, name="General admission"),
        quantity=2,
        price_per_ticket=Decimal("20.00"),
        total_price=Decimal("36.00"),
    )
    vip = TicketOrderFactory(
        order=order,
        ticket=TicketFactory(show=show, name="VIP", price=Decimal("10.00")),
        quantity=1,
        price_per_ticket=Decimal("10.00"),
        total_price=Decimal("9.00"),
    )
    AttendeeFactory(ticket_order=general, first_name="Alex", last_name="O'Brien")
    AttendeeFactory(ticket_order=general, first_name="Sam", last_name="Lee")
    AttendeeFactory(ticket_order=vip, first_name="Zoë", last_name="Ødegård")
    return order


def _body(content) -> str:
    return content if isinstance(content, str) else content.decode()


def test_format_money():
    assert format_money(Decimal("25"), "USD") == "$25.00"
    assert format_money(Decimal("1250.5"), "usd") == "$1,250.50"
    assert format_money(Decimal("-5"), "USD") == "-$5.00"
    assert format_money(Decimal("25"), "EUR") == "25.00 EUR"
    assert format_money(Decimal("1999.995"), "GBP") == "2,000.00 GBP"
    assert format_money(Decimal("2500"), "JPY") == "2,500 JPY"


def test_confirmation_is_sent_once_with_summary_link_html_and_attachments(
    order, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = order_confirmation_queue(order=order)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@example.com"]
    assert message.subject == "Your tickets for Comedy Night — Fri 11 Dec 2026"
    url = f"https://tickets.example.com/orders/{order.public_token}/"
    reference = str(order.uuid)[:8].upper()
    for fact in (
        "You're going, Alex!",
        "Comedy Night\nFriday 11 December 2026\nDoors 7:00 PM · Show 7:30 PM CST\n"
        "The Lantern\n1 Main St, Chicago, IL 60601",
        f"View your tickets: {url}",
        "2 × General admission at $20.00: $40.00\n1 × VIP at $10.00: $10.00",
        "Subtotal: $50.00\nDiscount (SAVE10): -$5.00\nFees: $4.70\nTotal paid: $49.70",
        "- Alex O'Brien, General admission",
        "- Zoë Ødegård, VIP",
        "Contact Pique Comedy at help@piquecomedy.example.",
        f"Order {reference}",
    ):
        assert fact in message.body
    (html, mimetype), *_ = message.alternatives
    assert (len(message.alternatives), mimetype) == (1, "text/html")
    assert f'href="{url}"' in html
    assert ">View your tickets</a>" in html
    assert "$49.70" in html
    assert "Discount (SAVE10)" in html
    assert "Alex O&#x27;Brien" in html
    assert 'href="mailto:help@piquecomedy.example"' in html
    assert [(name, mimetype) for name, _, mimetype in message.attachments] == [
        (f"tickets-{reference}.pdf", "application/pdf"),
        (f"{order.show.slug}.ics", "text/calendar"),
    ]
    pdf, ics = (content for _, content, _ in message.attachments)
    assert pdf.startswith(b"%PDF-")
    assert f"UID:order-{order.uuid}@tickets.example.com" in _body(ics)
    email.refresh_from_db()
    assert (email.status, email.category, email.idempotency_key, email.order_id) == (
        EmailTracking.Status.SENT,
        "order_confirmation",
        f"order-confirmation:{order.uuid}",
        order.pk,
    )


def test_confirmation_queued_twice_is_sent_once(order, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = order_confirmation_queue(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        second = order_confirmation_queue(order=order)

    assert second.pk == first.pk
    assert len(mail.outbox) == 1
    assert EmailTracking.objects.filter(category="order_confirmation").count() == 1


def test_confirmation_is_not_sent_if_the_transaction_does_not_commit(
    order, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_confirmation_queue(order=order)

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_buyer_provided_names_are_escaped_in_html_and_plain_in_text(
    order, eager_tasks, django_capture_on_commit_callbacks
):
    order.first_name = "<script>alert(1)</script>"
    order.save()
    order.ticket_orders.first().attendees.update(first_name="<b>Bold</b>")

    with django_capture_on_commit_callbacks(execute=True):
        order_confirmation_queue(order=order)

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "<b>Bold</b>" not in html
    assert "You’re going, &lt;script&gt;alert(1)&lt;/script&gt;!" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; O&#x27;Brien" in html
    assert "You're going, <script>alert(1)</script>!" in message.body
    assert "<b>Bold</b> O'Brien" in message.body


def test_confirmation_without_venue_fees_or_discount(eager_tasks, django_capture_on_commit_callbacks):
    show = ShowFactory(title="Pop-up", venue=None, published=False, currency="EUR", producer=ProducerFactory())
    order = OrderFactory(show=show, currency="EUR", subtotal=Decimal("25.00"), total=Decimal("25.00"))
    AttendeeFactory(
        ticket_order=TicketOrderFactory(order=order, price_per_ticket=Decimal("25.00"), total_price=Decimal("25.00"))
    )

    with django_capture_on_commit_callbacks(execute=True):
        order_confirmation_queue(order=order)

    (message,) = mail.outbox
    assert "Venue to be announced" in message.body
    assert "1 × General admission at 25.00 EUR: 25.00 EUR\nTotal paid: 25.00 EUR" in message.body
    assert "Subtotal" not in message.body
    assert "Fees" not in message.body
    assert "Questions about the show" not in message.body
    assert f"Pop-up is presented by {show.producer.name}." in message.body
    assert [name for name, _, _ in message.attachments] == [
        f"tickets-{str(order.uuid)[:8].upper()}.pdf",
        f"{show.slug}.ics",
    ]


def test_partial_refund_lists_the_tickets_no_longer_valid(order, eager_tasks, django_capture_on_commit_callbacks):
    sam = TicketAttendee.objects.get(first_name="Sam")
    sam.status = TicketAttendee.Status.REFUNDED
    sam.save()
    refund = Refund.objects.create(
        order=order, amount=Decimal("18.00"), status=Refund.Status.SUCCEEDED, reason="Can't make it"
    )
    refund.attendees.add(sam)

    with django_capture_on_commit_callbacks(execute=True):
        email = order_refunded_queue(order=order, refund=refund)
    with django_capture_on_commit_callbacks(execute=True):
        order_refunded_queue(order=order, refund=refund)

    (message,) = mail.outbox
    assert message.to == ["alex@example.com"]
    assert message.subject == "Refund of $18.00 issued — Comedy Night"
    assert message.body.startswith("Your refund of $18.00 has been issued.\n")
    assert "Reason: Can't make it" in message.body
    code = str(sam.uuid)[:8].upper()
    assert (
        "NO LONGER VALID\nThese tickets were refunded and their QR codes will not be accepted at the door.\n\n"
        f"- Sam Lee, General admission ({code})\n"
    ) in message.body
    assert "STILL VALID" in message.body
    assert "- Alex O'Brien, General admission" in message.body.split("STILL VALID")[1]
    assert "- Zoë Ødegård, VIP" in message.body.split("STILL VALID")[1]
    assert f"View your tickets: https://tickets.example.com/orders/{order.public_token}/" in message.body
    html = message.alternatives[0][0]
    assert "Your refund of <strong>$18.00</strong> has been issued." in html
    assert "No longer valid" in html
    assert message.attachments == []
    assert (email.category, email.idempotency_key) == ("order_refund", f"order-refund:{refund.pk}")


def test_full_refund_says_no_ticket_is_valid(order, eager_tasks, django_capture_on_commit_callbacks):
    attendees = list(TicketAttendee.objects.filter(ticket_order__order=order))
    TicketAttendee.objects.filter(ticket_order__order=order).update(status=TicketAttendee.Status.REFUNDED)
    refund = Refund.objects.create(order=order, amount=Decimal("49.70"), status=Refund.Status.SUCCEEDED)
    refund.attendees.set(attendees)

    with django_capture_on_commit_callbacks(execute=True):
        order_refunded_queue(order=order, refund=refund)

    (message,) = mail.outbox
    assert "Your refund of $49.70 has been issued." in message.body
    assert "This order has no valid tickets left: none of its QR codes will be accepted at the door." in message.body
    assert "STILL VALID" not in message.body
    assert "View your tickets" not in message.body
    assert "Reason:" not in message.body
    assert message.body.count("\n- ") == 3


def test_each_refund_of_an_order_gets_its_own_email(order, eager_tasks, django_capture_on_commit_callbacks):
    first = Refund.objects.create(order=order, amount=Decimal("5.00"), status=Refund.Status.SUCCEEDED)
    second = Refund.objects.create(order=order, amount=Decimal("7.00"), status=Refund.Status.SUCCEEDED)

    with django_capture_on_commit_callbacks(execute=True):
        order_refunded_queue(order=order, refund=first)
        order_refunded_queue(order=order, refund=second)

    assert [m.subject for m in mail.outbox] == [
        "Refund of $5.00 issued — Comedy Night",
        "Refund of $7.00 issued — Comedy Night",
    ]


def test_late_payment_refund_apologises_and_states_the_full_amount(
    order, eager_tasks, django_capture_on_commit_callbacks
):
    TicketAttendee.objects.filter(ticket_order__order=order).delete()

    with django_capture_on_commit_callbacks(execute=True):
        email = late_payment_refunded_queue(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        late_payment_refunded_queue(order=order)

    (message,) = mail.outbox
    assert message.to == ["alex@example.com"]
    assert message.subject == "Your payment for Comedy Night has been refunded"
    assert message.body.startswith(
        "We're sorry, Alex: we couldn't issue your tickets for Comedy Night (Friday 11 December 2026).\n"
    )
    assert "after your reservation had expired, and by then the show had sold out" in message.body
    assert "Refunded in full: $49.70" in message.body
    assert "You don't need to do anything." in message.body
    assert "Contact Pique Comedy at help@piquecomedy.example." in message.body
    assert "Refunded in full: <strong>$49.70</strong>" in message.alternatives[0][0]
    assert message.attachments == []
    assert (email.category, email.idempotency_key) == ("order_late_refund", f"order-late-refund:{order.uuid}")
