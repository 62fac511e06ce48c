"""The buyer's order page: found by its unguessable token, no account needed."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from piquetickets.orders.emails import calendar_file, order_context, tickets_pdf_file
from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.orders.tickets import qr_svg

PENDING_REFRESH_SECONDS = 5


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


@never_cache
@require_GET
def order_page(request, token: str):
    order = _order(token)
    attendees = list(
        TicketAttendee.objects.filter(ticket_order__order=order)
        .select_related("ticket_order__ticket")
        .order_by("ticket_order_id", "pk")
    )
    tickets = [
        {
            "attendee": attendee,
            "valid": attendee.status == TicketAttendee.Status.VALID,
            "qr": qr_svg(str(attendee.uuid), label=f"Ticket code for {attendee.first_name} {attendee.last_name}")
            if attendee.status == TicketAttendee.Status.VALID
            else "",
        }
        for attendee in attendees
    ]
    context = order_context(order) | {
        "tickets": tickets,
        "valid_count": sum(1 for t in tickets if t["valid"]),
        "just_paid": request.GET.get("paid") == "1",
        "refresh_seconds": PENDING_REFRESH_SECONDS if order.status == Order.Status.PENDING else None,
    }
    return _no_index(render(request, "storefront/order.html", context))


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
