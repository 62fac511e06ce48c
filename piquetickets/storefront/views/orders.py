"""The buyer's order page: found by its unguessable token, no account needed.

The page says in words where the order stands: waiting for payment, paid (the tickets and their QR
codes), partly or fully refunded (how much went back, when, why, and which tickets still get in),
or never paid (cancelled or expired). While payment is pending it checks by itself:
``storefront/order-status.js`` asks the same URL with an ``HX-Request`` header and gets back only
the status region (``storefront/_order_status.html``), so the page never reloads under the buyer;
a plain "Check again" link does the same without JavaScript.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from piquetickets.core.money import format_money
from piquetickets.orders.emails import calendar_file, order_context, tickets_pdf_file
from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time, qr_svg, show_local

# How the page checks a pending payment: seconds between checks (the last one repeats), and for
# how long before it stops and says so. A payment is normally confirmed within seconds of the
# buyer coming back from the payment page.
POLL_DELAYS = (3, 3, 3, 5, 5, 5, 5, 5, 5, 10)
POLL_FOR_SECONDS = 300


def _order(token: str) -> Order:
    order = (
        Order.objects.select_related("show__venue", "show__producer", "promo_code").filter(public_token=token).first()
    )
    if order is None:
        raise Http404("No such order.")
    return order


def _no_index(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the URL is the key to the tickets
    return response


def _local_date(show, value) -> str:
    """``Saturday 28 February 2026``: the date of ``value`` where the show takes place."""
    local = show_local(show, value)
    return f"{local:%A} {local.day} {local:%B} {local.year}"


def _ticket_label(attendee: TicketAttendee) -> str:
    """``Sam Lee, General admission (1A2B3C4D)``: the ticket as the refund email lists it."""
    name = f"{attendee.first_name} {attendee.last_name}".strip() or "—"
    return f"{name}, {attendee.ticket_order.ticket.name} ({str(attendee.uuid)[:8].upper()})"


def _refunds(order: Order) -> list[dict]:
    """The order's refunds that went through or are going through (failed ones gave nothing back),
    oldest first: amount, local date, whether still in progress, reason, and the tickets it voided."""
    refunds = (
        order.refunds.exclude(status=Refund.Status.FAILED)
        .prefetch_related("attendees__ticket_order__ticket")
        .order_by("created_at", "pk")
    )
    return [
        {
            "amount": format_money(refund.amount, order.currency),
            "date": _local_date(order.show, refund.created_at),
            "in_progress": refund.status == Refund.Status.PENDING,
            "reason": refund.reason,
            "tickets": [
                _ticket_label(a) for a in sorted(refund.attendees.all(), key=lambda a: (a.ticket_order_id, a.pk))
            ],
        }
        for refund in refunds
    ]


def _hold_until(order: Order) -> str:
    """``7:42 PM CDT``: when a pending order's reservation ends, on the show's clock (it is minutes away)."""
    if order.hold_expires_at is None:
        return ""
    local = show_local(order.show, order.hold_expires_at)
    return f"{clock_time(local)} {zone_abbreviation(local)}"


def _ticket_counts(order: Order) -> dict:
    """``valid_count``, ``void_count`` and ``ticket_count`` of the order's tickets, in one query."""
    counts = TicketAttendee.objects.filter(ticket_order__order=order).aggregate(
        ticket_count=Count("pk"), valid_count=Count("pk", filter=Q(status=TicketAttendee.Status.VALID))
    )
    return counts | {"void_count": counts["ticket_count"] - counts["valid_count"]}


def _status_context(request, order: Order) -> dict:
    """What the status region shows; all it reads beyond the order is its refunds, when it has any."""
    producer = order.show.producer
    return {
        "order": order,
        "just_paid": request.GET.get("paid") == "1",
        "check_url": request.get_full_path(),
        "hold_until": _hold_until(order) if order.status == Order.Status.PENDING else "",
        "refunds": _refunds(order) if order.refunded_amount > 0 else [],
        "refunded_amount": format_money(order.refunded_amount, order.currency),
        "producer_name": producer.name,
        "producer_website": producer.website,
        "support_email": producer.support_email,
    }


def _tickets(order: Order) -> tuple[list[dict], list[dict]]:
    """``(valid, void)``: the tickets that get in, each with its QR code, and those that no longer do."""
    attendees = (
        TicketAttendee.objects.filter(ticket_order__order=order)
        .select_related("ticket_order__ticket")
        .order_by("ticket_order_id", "pk")
    )
    valid, void = [], []
    for attendee in attendees:
        if attendee.status == TicketAttendee.Status.VALID:
            label = f"Ticket code for {attendee.first_name} {attendee.last_name}"
            valid.append({"attendee": attendee, "qr": qr_svg(str(attendee.uuid), label=label)})
        else:
            void.append({"attendee": attendee, "code": str(attendee.uuid)[:8].upper()})
    return valid, void


@never_cache
@require_GET
def order_page(request, token: str):
    """The order page, or with ``HX-Request`` only its status region (what the page's script polls)."""
    order = _order(token)
    context = _status_context(request, order)
    if request.htmx:
        if order.status == Order.Status.PARTIALLY_REFUNDED:
            context |= _ticket_counts(order)
        response = render(request, "storefront/_order_status.html", context)
    else:
        valid, void = _tickets(order)
        context |= order_context(order) | {
            "valid_tickets": valid,
            "void_tickets": void,
            "valid_count": len(valid),
            "void_count": len(void),
            "ticket_count": len(valid) + len(void),
            "all_void_refunded": all(t["attendee"].status == TicketAttendee.Status.REFUNDED for t in void),
            "poll_delays": " ".join(str(seconds) for seconds in POLL_DELAYS),
            "poll_for": POLL_FOR_SECONDS,
        }
        response = render(request, "storefront/order.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return _no_index(response)


def _paid_order(token: str) -> Order:
    order = _order(token)
    if not order.success:
        raise Http404("This order has no tickets.")
    return order


def _download(attachment) -> HttpResponse:
    response = HttpResponse(attachment.content, content_type=attachment.mimetype)
    response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    return _no_index(response)


@never_cache
@require_GET
def order_tickets_pdf(request, token: str):
    return _download(tickets_pdf_file(_paid_order(token)))


@never_cache
@require_GET
def order_calendar(request, token: str):
    return _download(calendar_file(_paid_order(token)))
