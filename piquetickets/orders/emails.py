"""The emails a buyer gets about an order: confirmation (with tickets), refund, late-payment refund.

Each ``*_queue`` function renders a plain-text and an HTML body from the templates under
``orders/email/`` and hands them to :func:`piquetickets.emails.services.email_queue`, which records
the message and sends it after the surrounding transaction commits. Each has an idempotency key, so
calling it again (a retried webhook, a re-run task) sends nothing twice.

The confirmation's attachments (PDF tickets and a calendar file) are not stored with the message:
:func:`confirmation_attachments` rebuilds them from the order when the message is sent, so a
retry after a partial refund sends only the tickets still valid. Importing this module registers
that builder (``OrdersConfig.ready`` does so).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.template.loader import render_to_string

from piquetickets.core.money import format_money
from piquetickets.emails.services import Attachment, email_queue, register_attachments

from .models import Order, TicketAttendee
from .tickets import (
    order_ics,
    order_page_url,
    order_reference,
    show_date,
    show_local,
    show_times,
    ticket_pdf,
    valid_attendees,
    venue_lines,
)

CONFIRMATION = "order_confirmation"
REFUND = "order_refund"
LATE_REFUND = "order_late_refund"


def _subject_date(show) -> str:
    """The show's local date, short for a subject line: ``Fri 12 Dec 2026``."""
    start = show_local(show, show.start_time)
    return f"{start:%a} {start.day} {start:%b} {start.year}"


def _one_line(text: str) -> str:
    """Subjects are headers: no line breaks, however the show title was typed."""
    return re.sub(r"\s+", " ", text).strip()


def _attendee_rows(attendees: list[TicketAttendee]) -> list[dict]:
    return [
        {
            "name": f"{a.first_name} {a.last_name}".strip(),
            "ticket": a.ticket_order.ticket.name,
            "code": str(a.uuid)[:8].upper(),
        }
        for a in attendees
    ]


def order_context(order: Order) -> dict:
    """Everything the order templates show, with money already formatted in the order's currency.

    Also the base of the buyer's order page and the test payment page. Keys: ``reference``,
    ``show_title``, ``show_date``, ``show_times``, ``venue_name``, ``venue_address``, ``lines``
    (``name``, ``quantity``, ``unit_price``, ``amount``), ``subtotal``, ``discount`` and ``fees``
    (empty when zero), ``promo_code``, ``total``, ``order_url``, ``producer_name``,
    ``support_email``, ``buyer_first_name``, ``has_venue`` and ``order``.
    """
    show = order.show
    currency = order.currency
    lines = [
        {
            "name": line.ticket.name,
            "quantity": line.quantity,
            "unit_price": format_money(line.price_per_ticket, currency),
            "amount": format_money(line.price_per_ticket * line.quantity, currency),
        }
        for line in order.ticket_orders.select_related("ticket").order_by("id")
    ]
    fees = order.payment_processing_fees + order.platform_fees if order.fees_passed_to_buyer else Decimal(0)
    venue_name, address = venue_lines(show)
    promo = order.promo_code.code if order.promo_code_id else ""
    return {
        "order": order,
        "reference": order_reference(order),
        "buyer_first_name": order.first_name,
        "show_title": show.title,
        "show_date": show_date(show),
        "show_times": show_times(show),
        "venue_name": venue_name,
        "venue_address": address,
        "has_venue": show.venue_id is not None,
        "lines": lines,
        "subtotal": format_money(order.subtotal, currency),
        "discount": format_money(-order.promo_code_discount, currency) if order.promo_code_discount else "",
        "promo_code": promo,
        "fees": format_money(fees, currency) if fees else "",
        "total": format_money(order.total, currency),
        "order_url": order_page_url(order),
        "producer_name": show.producer.name,
        "support_email": show.producer.support_email,
    }


def _render(template: str, context: dict) -> tuple[str, str]:
    """``(text, html)`` from ``orders/email/<template>.txt`` and ``.html``; blank-line runs squeezed."""
    text = render_to_string(f"orders/email/{template}.txt", context)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string(f"orders/email/{template}.html", context)
    return text, html


def _load(order: Order) -> Order:
    return Order.objects.select_related("show__venue", "show__producer", "promo_code").get(pk=order.pk)


def _queue(order: Order, *, template: str, context: dict, subject: str, category: str, key: str):
    """Render ``orders/email/<template>`` with ``context`` and queue it to the buyer, once per ``key``."""
    text, html = _render(template, context)
    return email_queue(
        to=order.email,
        subject=_one_line(subject),
        text=text,
        html=html,
        category=category,
        idempotency_key=key,
        order=order,
    )


def order_confirmation_queue(*, order: Order):
    """Queue the "here are your tickets" email to the buyer: summary, order-page link, PDF and .ics.

    Call it inside the transaction that fulfils the order; it is sent after commit. Idempotent per
    order: a second call returns the first call's :class:`~piquetickets.emails.models.EmailTracking`
    row and sends nothing more.
    """
    return _confirmation_queue(order, key=f"order-confirmation:{order.uuid}")


def order_confirmation_resend_queue(*, order: Order, nth: int):
    """Queue the confirmation again, as it reads now (the tickets still valid): a producer's *resend*.
    ``nth`` counts this order's resends; one email per ``nth``, so two clicks that race send once.
    Limiting how often is the caller's business."""
    return _confirmation_queue(order, key=f"order-confirmation-resend:{order.uuid}:{nth}")


def _confirmation_queue(order: Order, *, key: str):
    order = _load(order)
    context = order_context(order)
    context["attendees"] = _attendee_rows(valid_attendees(order))
    return _queue(
        order,
        template="confirmation",
        context=context,
        subject=f"Your tickets for {order.show.title} — {_subject_date(order.show)}",
        category=CONFIRMATION,
        key=key,
    )


def tickets_pdf_file(order: Order) -> Attachment:
    """``tickets-<REF>.pdf``: one page per valid ticket (attached to the confirmation, downloadable)."""
    return Attachment(
        filename=f"tickets-{order_reference(order)}.pdf", content=ticket_pdf(order=order), mimetype="application/pdf"
    )


def calendar_file(order: Order) -> Attachment:
    """``<show-slug>.ics``: the show as a calendar event."""
    return Attachment(
        filename=f"{order.show.slug or 'show'}.ics", content=order_ics(order=order), mimetype="text/calendar"
    )


def confirmation_attachments(email) -> list[Attachment]:
    """The confirmation's attachments, built from ``email.order`` when it is sent: the PDF tickets and
    the calendar file. An email whose order has gone (the row keeps ``order=None``) gets none rather
    than failing to send.
    """
    order = email.order
    if order is None:
        return []
    return [tickets_pdf_file(order), calendar_file(order)]


def order_refunded_queue(*, order: Order, refund):
    """Queue "your refund of X has been issued" to the buyer, once per refund.

    ``refund`` is an :class:`~piquetickets.orders.models.Refund` of ``order`` (``amount``,
    ``attendees``, ``reason``). For a partial refund the email lists the tickets that are no longer
    valid and says the others still are; when none are left it says the whole order is cancelled.
    Call it once the refund has gone through; it is sent after commit.
    """
    order = _load(order)
    context = order_context(order)
    refunded = list(refund.attendees.select_related("ticket_order__ticket").order_by("ticket_order_id", "id"))
    remaining = valid_attendees(order)
    context.update(
        refund_amount=format_money(refund.amount, order.currency),
        refund_reason=refund.reason,
        refunded_attendees=_attendee_rows(refunded),
        attendees=_attendee_rows(remaining),
        partial=bool(remaining),
    )
    return _queue(
        order,
        template="refund",
        context=context,
        subject=f"Refund of {context['refund_amount']} issued — {order.show.title}",
        category=REFUND,
        key=f"order-refund:{refund.pk}",
    )


def late_payment_refunded_queue(*, order: Order):
    """Queue the apology for a payment that came after the hold expired and the show sold out.

    The full amount (``order.total``) has already been refunded automatically; the email says so,
    says the buyer need do nothing, and gives the producer's contact. Once per order.
    """
    order = _load(order)
    return _queue(
        order,
        template="late_refund",
        context=order_context(order),
        subject=f"Your payment for {order.show.title} has been refunded",
        category=LATE_REFUND,
        key=f"order-late-refund:{order.uuid}",
    )


register_attachments(CONFIRMATION, confirmation_attachments)
