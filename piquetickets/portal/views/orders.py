"""The Orders pages under ``/dashboard/orders/``: every order of the producer's shows (filter by show and
status, search by buyer or reference, totals, newest first, paginated), an order's page (buyer, lines,
tickets with their check-in, money, payments and refunds, the emails sent and what became of them),
sending the confirmation again, refunds with a confirmation step, the attendees list, the CSV exports of
both lists (the same filters, streamed) and a printable door list per show.

Every order, show and ticket is looked up through the current producer (another producer's answers
404). The rules are the domain's: the lists are ``orders.selectors``; a refund is ``refund_quote`` (what
the confirmation shows) then ``order_refund(expected_refunded=…, expected_amount=…)``, so a double
submit, or a refund made by someone else meanwhile, refunds once and never other than what was shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Coalesce, Lower
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from piquetickets.core.errors import ApplicationError
from piquetickets.core.money import format_money
from piquetickets.emails.models import EmailTracking
from piquetickets.orders.emails import order_confirmation_resend_queue
from piquetickets.orders.errors import RefundChanged, RefundInvalid
from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.orders.selectors import (
    ORDER_STATUS_FILTERS,
    order_detail_for_producer,
    orders_totals,
    producer_attendees,
    producer_orders,
    producer_orders_page,
)
from piquetickets.orders.services import order_refund, refund_quote
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time, order_reference, show_local
from piquetickets.shows.models import Show

from ..access import producer_object_or_404, producer_required
from ..exports import CHUNK_SIZE, csv_filename, csv_response
from ..forms.orders import AttendeeFilterForm, OrderFilterForm, RefundConfirmForm, RefundForm
from ..responses import see_other

PAGE_SIZE = 25
RESENDS_PER_HOUR = 3  # per order: enough for "it went to spam", too few to mail-bomb a buyer
RESEND_CATEGORY_PREFIX = "order-confirmation-resend:"
_ORDER_URL_SAMPLE = "00000000-0000-0000-0000-000000000000"

ORDER_TONES = {
    Order.Status.PAID: "success",
    Order.Status.PARTIALLY_REFUNDED: "warning",
    Order.Status.REFUNDED: "neutral",
    Order.Status.PENDING: "warning",
    Order.Status.EXPIRED: "neutral",
    Order.Status.CANCELLED: "neutral",
}
EMAIL_TONES = {
    EmailTracking.Status.DELIVERED: "success",
    EmailTracking.Status.SENT: "success",
    EmailTracking.Status.QUEUED: "neutral",
    EmailTracking.Status.SENDING: "neutral",
    EmailTracking.Status.BOUNCED: "danger",
    EmailTracking.Status.COMPLAINED: "danger",
    EmailTracking.Status.FAILED: "danger",
}
ATTENDEE_TONES = {
    TicketAttendee.Status.VALID: "success",
    TicketAttendee.Status.REFUNDED: "neutral",
    TicketAttendee.Status.CANCELLED: "neutral",
}


# --- helpers -------------------------------------------------------------------------------------------


def _local(show: Show, value: datetime | None) -> str:
    """``Fri 6 Mar 2026 · 7:30 PM CST`` on the show's own clock ("" for no time)."""
    if value is None:
        return ""
    local = show_local(show, value)
    return f"{local:%a} {local.day} {local:%b} {local.year} · {clock_time(local)} {zone_abbreviation(local)}"


def _order(request, uuid) -> Order:
    return producer_object_or_404(request, Order.objects.select_related("show"), field="show__producer", uuid=uuid)


def _order_url(order: Order) -> str:
    return reverse("portal:order", args=[str(order.uuid)])


def _order_url_pattern() -> str:
    """An order's URL with a placeholder for its UUID: a list's rows fill it in instead of each reversing."""
    return reverse("portal:order", args=[_ORDER_URL_SAMPLE])


def _page_numbers(page) -> list:
    """The page links to show: the first, the last and two either side of the current (``None``: a gap)."""
    return [
        None if number == page.paginator.ELLIPSIS else number
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]


class _CountedPaginator(Paginator):
    """A paginator told the number of rows (the totals' query counted them already: one query fewer)
    that reads a page's rows with ``read(start, stop)`` (``producer_orders_page``) instead of slicing a
    queryset."""

    def __init__(self, read, per_page, *, count: int):
        super().__init__((), per_page)
        self._read = read
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = min(start + self.per_page, self.count)
        return self._get_page(self._read(start, stop), number, self)


_SUMS = ("total", "refunded", "net")


def _query(**values) -> str:
    return urlencode({key: value for key, value in values.items() if value})


def _order_filters(request) -> tuple[OrderFilterForm, dict]:
    form = OrderFilterForm(request.GET or None, producer=request.producer)
    values = {"show": form.value("show"), "status": form.value("status", "completed"), "search": form.value("q", "")}
    return form, values


def _attendee_filters(request, show: Show | None = None) -> tuple[AttendeeFilterForm, dict]:
    form = AttendeeFilterForm(request.GET or None, producer=request.producer)
    values = {"show": show or form.value("show"), "state": form.value("state", "valid"), "search": form.value("q", "")}
    return form, values


# --- the orders list -----------------------------------------------------------------------------------


def _order_row(order: Order, url_pattern: str) -> dict:
    return {
        "url": url_pattern.replace(_ORDER_URL_SAMPLE, str(order.uuid)),
        "reference": order_reference(order),
        "buyer": f"{order.first_name} {order.last_name}".strip(),
        "email": order.email,
        "show": order.show.title,
        "when": _local(order.show, order.time_of_purchase or order.created_at),
        "when_iso": (order.time_of_purchase or order.created_at).isoformat(),
        "tickets": str(order.tickets),  # a str: the template doesn't localize it (number_format per row)
        "total": format_money(order.total, order.currency),
        "refunded": format_money(order.refunded_amount, order.currency) if order.refunded_amount else "",
        "status": order.get_status_display(),
        "tone": ORDER_TONES.get(order.status, "neutral"),
    }


@require_GET
@producer_required
def order_list(request):
    form, values = _order_filters(request)
    totals = orders_totals(producer=request.producer, **values)

    def read(start: int, stop: int) -> list[Order]:
        return producer_orders_page(producer=request.producer, **values, start=start, stop=stop, count=totals["count"])

    page = _CountedPaginator(read, PAGE_SIZE, count=totals["count"]).get_page(request.GET.get("page"))
    url_pattern = _order_url_pattern()
    show = values["show"]
    money = totals["money"] or [{"currency": show.currency if show else "USD", **dict.fromkeys(_SUMS, 0)}]
    query = _query(q=values["search"], show=show.slug if show else "", status=request.GET.get("status", ""))
    context = {
        "form": form,
        "rows": [_order_row(order, url_pattern) for order in page.object_list],
        "page": page,
        "pages": _page_numbers(page),
        "page_query": query,
        "show": show,
        "search": values["search"],
        "status_label": dict(ORDER_STATUS_FILTERS)[values["status"]],
        "totals": {
            "count": totals["count"],
            "tickets": totals["tickets"],
            # one figure per currency (each on its line), never a sum of dollars and euros
            **{name: [format_money(row[name], row["currency"]) for row in money] for name in _SUMS},
        },
        "export_url": f"{reverse('portal:order-export')}{'?' + query if query else ''}",
        "filtered": bool(values["search"] or show or request.GET.get("status")),
    }
    return render(request, "portal/orders/list.html", context)


# --- an order's page -----------------------------------------------------------------------------------


def _attendee_row(attendee: TicketAttendee, show: Show) -> dict:
    return {
        "attendee": attendee,
        "name": f"{attendee.first_name} {attendee.last_name}".strip(),
        "code": str(attendee.uuid)[:8].upper(),
        "status": attendee.get_status_display(),
        "tone": ATTENDEE_TONES.get(attendee.status, "neutral"),
        "checked_in": _local(show, attendee.checked_in_at) if attendee.is_checked_in else "",
    }


def _money_rows(order: Order) -> list[tuple[str, str]]:
    currency = order.currency
    rows = [("Subtotal", format_money(order.subtotal, currency))]
    if order.promo_code_discount:
        code = f" ({order.promo_code.code})" if order.promo_code_id else ""
        rows.append((f"Promo code discount{code}", format_money(-order.promo_code_discount, currency)))
    fees = order.platform_fees + order.payment_processing_fees
    if fees:
        who = "paid by the buyer" if order.fees_passed_to_buyer else "taken from your share"
        rows.append((f"Booking and processing fees ({who})", format_money(fees, currency)))
    rows.append(("Total paid" if order.success else "Total", format_money(order.total, currency)))
    if order.refunded_amount:
        rows.append(("Refunded", format_money(-order.refunded_amount, currency)))
        rows.append(("Kept", format_money(order.total - order.refunded_amount, currency)))
    return rows


def _resends_last_hour(order: Order, now: datetime) -> int:
    return EmailTracking.objects.filter(
        order=order,
        idempotency_key__startswith=f"{RESEND_CATEGORY_PREFIX}{order.uuid}:",
        created_at__gte=now - timedelta(hours=1),
    ).count()


def _can_resend(order: Order) -> bool:
    return order.success and order.status in (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED)


def _refund_problem(order: Order) -> str:
    """Why this order can't be refunded at all ("" when it can), from the refund rules themselves."""
    try:
        refund_quote(order=order)
    except RefundInvalid as error:
        return error.message
    return ""


def _order_page(request, order: Order, *, refusal: str = "", status: int = 200):
    show = order.show
    lines = list(order.ticket_orders.all())
    attendees = [_attendee_row(attendee, show) for line in lines for attendee in line.attendees.all()]
    for row in attendees:
        row["ticket"] = next(line.ticket.name for line in lines if line.pk == row["attendee"].ticket_order_id)
    refunds = [
        {
            "refund": refund,
            "amount": format_money(refund.amount, order.currency),
            "when": _local(show, refund.created_at),
            "when_iso": refund.created_at.isoformat(),
            "by": refund.created_by.display_name if refund.created_by else "The payment provider",
            "tickets": ", ".join(
                f"{a.ticket_order.ticket.name} {str(a.uuid)[:8].upper()}" for a in refund.attendees.all()
            ),
            "tone": {"succeeded": "success", "failed": "danger"}.get(refund.status, "warning"),
        }
        for refund in order.refunds.all()
    ]
    emails = [
        {
            "email": email,
            "when": _local(show, email.created_at),
            "when_iso": email.created_at.isoformat(),
            "status": email.get_status_display(),
            "tone": EMAIL_TONES.get(email.status, "neutral"),
            "resend": (email.idempotency_key or "").startswith(RESEND_CATEGORY_PREFIX),
        }
        for email in order.emails.all()
    ]
    context = {
        "order": order,
        "show": show,
        "reference": order_reference(order),
        "status": order.get_status_display(),
        "tone": ORDER_TONES.get(order.status, "neutral"),
        "created": _local(show, order.created_at),
        "purchased": _local(show, order.time_of_purchase),
        "show_when": _local(show, show.start_time),
        "lines": [
            {
                "name": line.ticket.name,
                "quantity": line.quantity,
                "unit": format_money(line.price_per_ticket, order.currency),
                "discount": format_money(-line.discount_amount, order.currency) if line.discount_amount else "",
                "total": format_money(line.total_price, order.currency),
            }
            for line in lines
        ],
        "attendees": attendees,
        "checked_in": sum(1 for row in attendees if row["attendee"].is_checked_in),
        "money": _money_rows(order),
        "refunds": refunds,
        "emails": emails,
        "events": list(order.webhook_events.all()),
        "can_resend": _can_resend(order),
        "refund_problem": _refund_problem(order) if order.success else _unpaid_state(order),
        "refusal": refusal,
    }
    return render(request, "portal/orders/detail.html", context, status=status)


def _unpaid_state(order: Order) -> str:
    """What an order without payment is waiting for, if anything."""
    if order.status == Order.Status.PENDING and order.hold_expires_at and order.hold_expires_at > timezone.now():
        until = show_local(order.show, order.hold_expires_at)
        return f"Waiting for payment: the tickets are held until {clock_time(until)} {zone_abbreviation(until)}."
    if order.status == Order.Status.PENDING:
        return "Waiting for payment: the hold has run out, so the tickets are back on sale."
    return "This order was never paid."


def _order_for_page(request, uuid) -> Order:
    order = order_detail_for_producer(producer=request.producer, uuid=uuid)
    if order is None:
        raise Http404("Not found.")
    return order


@require_GET
@producer_required
def order_detail(request, uuid):
    return _order_page(request, _order_for_page(request, uuid))


@require_POST
@producer_required
def order_resend(request, uuid):
    """Send the confirmation (tickets attached, as they are now) to the buyer again, through the email
    queue; at most :data:`RESENDS_PER_HOUR` an hour per order (429 beyond)."""
    order = _order(request, uuid)
    if not _can_resend(order):
        return _order_page(
            request,
            _order_for_page(request, uuid),
            refusal="Only a paid order with valid tickets has a confirmation to send again.",
            status=409,
        )
    now = timezone.now()
    if _resends_last_hour(order, now) >= RESENDS_PER_HOUR:
        return _order_page(
            request,
            _order_for_page(request, uuid),
            refusal=f"The confirmation was sent again {RESENDS_PER_HOUR} times in the last hour. "
            "Ask the buyer to check their spam folder, or try again later.",
            status=429,
        )
    nth = EmailTracking.objects.filter(order=order, idempotency_key__startswith=RESEND_CATEGORY_PREFIX).count() + 1
    order_confirmation_resend_queue(order=order, nth=nth)
    messages.success(request, f"The confirmation is on its way to {order.email} again.")
    return see_other(_order_url(order))


# --- refunds -------------------------------------------------------------------------------------------


def _ticket_choices(order: Order) -> list[tuple[str, str]]:
    valid = TicketAttendee.objects.filter(ticket_order__order=order, status=TicketAttendee.Status.VALID)
    valid = valid.select_related("ticket_order__ticket").order_by("ticket_order_id", "pk")
    return [
        (
            str(a.uuid),
            f"{a.ticket_order.ticket.name}, {a.first_name} {a.last_name} ({str(a.uuid)[:8].upper()})"
            + (" — checked in" if a.is_checked_in else ""),
        )
        for a in valid
    ]


def _refund_error(form: RefundForm, error: ApplicationError) -> None:
    """A refusal of the refund rules, by the field it is about (the amount, the tickets), else at the top."""
    if ("remaining" in error.extra or "amount" in error.extra) and form.data.get("kind") != RefundForm.WHOLE:
        form.add_error("amount", error.message)
    elif "attendees" in error.extra:
        form.add_error("attendees", error.message)
    else:
        form.add_error(None, error.message)


def _quote_rows(order: Order, quote) -> dict:
    currency = order.currency

    def tickets(attendees):
        return [
            f"{a.ticket_order.ticket.name}: {a.first_name} {a.last_name} ({str(a.uuid)[:8].upper()})" for a in attendees
        ]

    return {
        "amount": format_money(quote.amount, currency),
        "stopping": tickets(quote.attendees),
        "staying": tickets(quote.staying),
        "remaining_after": format_money(quote.remaining_after, currency),
        "refunded_before": format_money(order.refunded_amount, currency),
        "total": format_money(order.total, currency),
    }


def _refund_page(request, order: Order, form: RefundForm, *, status: int = 200, problem: str = ""):
    context = {
        "order": order,
        "reference": order_reference(order),
        "form": form,
        "problem": problem,
        "total": format_money(order.total, order.currency),
        "refunded": format_money(order.refunded_amount, order.currency),
        "remaining": format_money(order.total - order.refunded_amount, order.currency),
    }
    return render(request, "portal/orders/refund.html", context, status=status)


def _confirm_page(request, order: Order, form: RefundConfirmForm, quote, *, status: int = 200):
    context = {"order": order, "reference": order_reference(order), "form": form, "quote": _quote_rows(order, quote)}
    return render(request, "portal/orders/refund_confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
@producer_required
def order_refund_view(request, uuid):
    """Refund in two steps. GET: what to refund. POST ``step=review``: ``refund_quote`` for it, shown
    with the reason to give (nothing written). POST ``step=confirm``: ``order_refund`` with what was
    shown (``expected_refunded``, ``expected_amount``): a second submit, or a refund made meanwhile,
    is refused (409) and nothing more is refunded."""
    order = _order(request, uuid)
    tickets = _ticket_choices(order)
    if request.method == "GET":
        return _refund_page(request, order, RefundForm(tickets=tickets), problem=_refund_problem(order))
    if request.POST.get("step") == "confirm":
        return _refund_confirm(request, order, tickets)
    form = RefundForm(request.POST, tickets=tickets)
    if not form.is_valid():
        return _refund_page(request, order, form, status=422)
    try:
        quote = refund_quote(order=order, **form.service_arguments())
    except RefundInvalid as error:
        _refund_error(form, error)
        return _refund_page(request, order, form, status=422)
    confirm = RefundConfirmForm(
        tickets=tickets,
        initial={
            **form.cleaned_data,
            "expected_refunded": order.refunded_amount,
            "expected_amount": quote.amount,
        },
    )
    return _confirm_page(request, order, confirm, quote)


def _refund_confirm(request, order: Order, tickets):
    # Any ticket of the order may be named here: one refunded meanwhile is for order_refund to refuse
    # (RefundChanged, under the order's lock), not a reason to send the person back to the first step.
    every = [
        (str(u), str(u))
        for u in TicketAttendee.objects.filter(ticket_order__order=order).values_list("uuid", flat=True)
    ]
    form = RefundConfirmForm(request.POST, tickets=every)
    if not form.is_valid():
        hidden_errors = [name for name in form.errors if name not in ("reason", "__all__")]
        if hidden_errors:  # a tampered or stale confirmation: start again
            return _refund_page(request, order, RefundForm(request.POST, tickets=tickets), status=422)
        try:
            quote = refund_quote(order=order, **form.service_arguments())
        except RefundInvalid as error:
            first = RefundForm(request.POST, tickets=tickets)
            first.is_valid()
            _refund_error(first, error)
            return _refund_page(request, order, first, status=422)
        return _confirm_page(request, order, form, quote, status=422)
    try:
        refund = order_refund(
            order=order,
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_refunded=form.cleaned_data["expected_refunded"],
            expected_amount=form.cleaned_data["expected_amount"],
            **form.service_arguments(),
        )
    except RefundChanged as error:
        order.refresh_from_db()
        first = RefundForm(request.POST, tickets=_ticket_choices(order))
        first.is_valid()
        first.errors.clear()
        first.add_error(None, error.message)
        return _refund_page(request, order, first, status=error.status, problem=_refund_problem(order))
    except ApplicationError as error:  # the refund rules (422) or the payment provider (502): nothing refunded
        order.refresh_from_db()
        first = RefundForm(request.POST, tickets=_ticket_choices(order))
        first.is_valid()
        _refund_error(first, error)
        return _refund_page(request, order, first, status=422 if isinstance(error, RefundInvalid) else error.status)
    messages.success(
        request, f"Refunded {format_money(refund.amount, order.currency)} to {order.first_name} {order.last_name}."
    )
    return see_other(_order_url(order))


# --- attendees and the door list -----------------------------------------------------------------------


# What a row of the attendees list shows: the rest of the ticket, its order, type and show isn't read there.
_ATTENDEE_ROW_FIELDS = (
    "uuid", "first_name", "last_name", "email", "status", "is_checked_in", "checked_in_at", "show",
    "ticket_order", "ticket_order__order", "ticket_order__ticket", "ticket_order__order__uuid",
    "ticket_order__order__first_name", "ticket_order__order__last_name", "ticket_order__ticket__name",
    "show__title", "show__time_zone",
)  # fmt: skip


@require_GET
@producer_required
def attendee_list(request):
    form, values = _attendee_filters(request)
    # Page through the ids first (sorted with the show alone joined), then read that page's rows with
    # their order and ticket type: sorting 20,000 fully joined rows to show 50 costs ten times more.
    attendees = producer_attendees(producer=request.producer, **values)
    page = Paginator(attendees.select_related(None).values_list("pk", flat=True), PAGE_SIZE * 2).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    found = {a.pk: a for a in attendees.filter(pk__in=ids).only(*_ATTENDEE_ROW_FIELDS).order_by()}
    page.object_list = [found[pk] for pk in ids if pk in found]
    show = values["show"]
    query = _query(q=values["search"], show=show.slug if show else "", state=request.GET.get("state", ""))
    rows = []
    url_pattern = _order_url_pattern()
    for attendee in page.object_list:
        row = _attendee_row(attendee, attendee.show)
        order = attendee.ticket_order.order
        row.update(
            ticket=attendee.ticket_order.ticket.name,
            show=attendee.show.title,
            order_url=url_pattern.replace(_ORDER_URL_SAMPLE, str(order.uuid)),
            reference=order_reference(order),
            buyer=f"{order.first_name} {order.last_name}".strip(),
        )
        rows.append(row)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "pages": _page_numbers(page),
        "page_query": query,
        "show": show,
        "search": values["search"],
        "export_url": f"{reverse('portal:order-attendee-export')}{'?' + query if query else ''}",
        "filtered": bool(values["search"] or show or request.GET.get("state")),
    }
    return render(request, "portal/orders/attendees.html", context)


@require_GET
@producer_required
def door_list(request, slug: str):
    """Everyone with a valid ticket for the show, by surname: to tick off at the door, printed or on screen."""
    show = producer_object_or_404(request, Show.all_objects.select_related("venue"), slug=slug)
    attendees = producer_attendees(producer=request.producer, show=show).order_by(
        Lower("last_name"), Lower("first_name"), "ticket_order__ticket__name", "pk"
    )
    rows = [
        {
            "name": f"{a.last_name}, {a.first_name}".strip(", "),
            "ticket": a.ticket_order.ticket.name,
            "reference": order_reference(a.ticket_order.order),
            "code": str(a.uuid)[:8].upper(),
            "checked_in": a.is_checked_in,
        }
        for a in attendees
    ]
    context = {
        "show": show,
        "when": _local(show, show.start_time),
        "rows": rows,
        "checked_in": sum(1 for row in rows if row["checked_in"]),
        "printed": _local(show, timezone.now()),
    }
    return render(request, "portal/orders/door_list.html", context)


# --- CSV exports ---------------------------------------------------------------------------------------

ORDER_COLUMNS = (
    "Reference", "Order ID", "Show", "Show date", "Status", "Ordered at", "First name", "Last name", "Email", "Phone",
    "Tickets", "Currency", "Tickets price", "Promo code", "Discount", "Fees", "Fees paid by buyer", "Total",
    "Refunded", "Net",
)  # fmt: skip
ATTENDEE_COLUMNS = (
    "Ticket code", "Ticket ID", "First name", "Last name", "Email", "Ticket type", "Status", "Checked in",
    "Checked in at", "Show", "Show date", "Order reference", "Buyer", "Buyer email",
)  # fmt: skip


class _Shows(dict):
    """The producer's shows by id, read once for an export: ``(title, start on its own clock, zone)``.
    Each row then carries only its ``show_id``, and the start time is parsed and formatted once per
    show, not once per row (datetimes are the dearest values to read and write)."""

    def __init__(self, producer):
        super().__init__()
        for pk, title, start, zone_name in Show.all_objects.filter(producer=producer).values_list(
            "pk", "title", "start_time", "time_zone"
        ):
            zone = ZoneInfo(zone_name)
            self[pk] = (title, start.astimezone(zone).isoformat(timespec="seconds"), zone)


def _order_csv_rows(orders, shows: _Shows):
    """One row per order from a ``values_list`` read in chunks: no model instances, constant memory."""
    fields = (
        "uuid", "show_id", "status", "ordered_at", "first_name", "last_name", "email", "phone", "tickets", "currency",
        "subtotal", "promo_code__code", "promo_code_discount", "platform_fees", "payment_processing_fees",
        "fees_passed_to_buyer", "total", "refunded_amount",
    )  # fmt: skip
    labels = dict(Order.Status.choices)
    rows = orders.annotate(ordered_at=Coalesce("time_of_purchase", "created_at")).values_list(*fields)
    for (
        uuid, show_id, status, ordered, first, last, email, phone, tickets, currency, subtotal, promo, discount,
        platform, processing, passed, total, refunded,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):  # fmt: skip
        title, start, zone = shows[show_id]
        uuid = str(uuid)
        yield (
            uuid[:8].upper(), uuid, title, start, labels.get(status, status),
            ordered.astimezone(zone).isoformat(timespec="seconds"), first, last, email, phone, tickets, currency,
            subtotal, promo, discount, platform + processing, passed, total, refunded, total - refunded,
        )  # fmt: skip


def _attendee_csv_rows(attendees, shows: _Shows):
    fields = (
        "uuid", "first_name", "last_name", "email", "ticket_order__ticket__name", "status", "is_checked_in",
        "checked_in_at", "show_id", "ticket_order__order__uuid", "ticket_order__order__first_name",
        "ticket_order__order__last_name", "ticket_order__order__email",
    )  # fmt: skip
    labels = dict(TicketAttendee.Status.choices)
    for (
        uuid, first, last, email, ticket, status, checked_in, checked_at, show_id, order_uuid, buyer_first, buyer_last,
        buyer_email,
    ) in attendees.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):  # fmt: skip
        title, start, zone = shows[show_id]
        uuid = str(uuid)
        yield (
            uuid[:8].upper(), uuid, first, last, email, ticket, labels.get(status, status), checked_in,
            checked_at.astimezone(zone).isoformat(timespec="seconds") if checked_at else "", title, start,
            str(order_uuid)[:8].upper(), f"{buyer_first} {buyer_last}".strip(), buyer_email,
        )  # fmt: skip


def _refuse_unknown_show(form) -> None:
    """An export of a show that is not one of the producer's is not found: the list page shows every
    order for a stale link, but a file of every order named after another show would be a wrong file."""
    if form.is_bound and form.data.get("show") and form.value("show") is None:
        raise Http404("No such show.")


@require_GET
@producer_required
def order_export(request) -> HttpResponse:
    """The orders list as CSV: the same filters, every page, streamed."""
    form, values = _order_filters(request)
    _refuse_unknown_show(form)
    orders = producer_orders(producer=request.producer, **values).select_related(None)
    show = values["show"]
    name = csv_filename(request.producer.slug, "orders", show.slug if show else "")
    return csv_response(name, ORDER_COLUMNS, _order_csv_rows(orders, _Shows(request.producer)))


@require_GET
@producer_required
def attendee_export(request) -> HttpResponse:
    """The attendees list as CSV: the same filters, every page, streamed."""
    form, values = _attendee_filters(request)
    _refuse_unknown_show(form)
    attendees = producer_attendees(producer=request.producer, **values).select_related(None)
    show = values["show"]
    name = csv_filename(request.producer.slug, "attendees", show.slug if show else "")
    return csv_response(name, ATTENDEE_COLUMNS, _attendee_csv_rows(attendees, _Shows(request.producer)))
