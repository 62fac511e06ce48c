"""Analytics ``/dashboard/analytics/`` (behind the feature flag ``portal_analytics``): for one show or
all of them, over a range of days, the tickets and revenue by day (two charts drawn on the server, the
numbers in a table), sales by ticket type and by promo code, refunds, and check-in per show. Each table
downloads as CSV (``?chart=<name>&format=csv`` with the same filters).

Days are local days on the show's clock (all shows: the producer's clock, as on the dashboard). Every
figure is one aggregate query in ``piquetickets.orders.analytics``, so the page takes the same number
of queries however many orders there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from piquetickets.core.money import format_money
from piquetickets.orders.analytics import (
    Period,
    analytics_check_in,
    analytics_clock,
    analytics_first_sale_day,
    analytics_refunds_by_show,
    analytics_sales_by_day,
    analytics_sales_by_promo_code,
    analytics_sales_by_ticket_type,
)
from piquetickets.orders.tickets import show_local

from ..access import producer_required
from ..charts import bar_chart, day_labels
from ..exports import csv_filename, csv_response
from ..flags import ANALYTICS, flag_required
from ..forms.analytics import AnalyticsFilterForm


@dataclass(frozen=True)
class Filters:
    """What the page is about once the filter form is valid."""

    show: object | None  # a Show, or None for all the producer's shows
    period: Period
    currency: str


@dataclass(frozen=True)
class Table:
    """One downloadable table: its CSV name, header and rows (plain values)."""

    name: str
    header: list[str]
    rows: Callable[[Filters, object], list[list]]  # (filters, request) -> rows


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _by_day_rows(filters: Filters, request) -> list[list]:
    days = analytics_sales_by_day(producer=request.producer, show=filters.show, period=filters.period)
    return [
        [
            d.day.isoformat(),
            d.orders,
            d.tickets,
            _money(d.gross),
            _money(d.discount),
            _money(d.refunded),
            _money(d.revenue),
        ]
        for d in days
    ]


def _ticket_type_rows(filters: Filters, request) -> list[list]:
    types = analytics_sales_by_ticket_type(producer=request.producer, show=filters.show, period=filters.period)
    return [
        [t.show, t.name, t.orders, t.tickets, t.refunded_tickets, _money(t.discount), _money(t.sales)] for t in types
    ]


def _promo_rows(filters: Filters, request) -> list[list]:
    promos = analytics_sales_by_promo_code(producer=request.producer, show=filters.show, period=filters.period)
    return [[p.show, p.code, p.uses, p.tickets, _money(p.discount), _money(p.revenue)] for p in promos]


def _refund_rows(filters: Filters, request) -> list[list]:
    refunds = analytics_refunds_by_show(producer=request.producer, show=filters.show, period=filters.period)
    return [[r.show, r.refunds, r.tickets, _money(r.amount)] for r in refunds]


def _check_in_rows(filters: Filters, request) -> list[list]:
    shows = analytics_check_in(producer=request.producer, show=filters.show, period=filters.period, now=timezone.now())
    return [[s.show, show_local(s, s.start_time).isoformat(), s.admissions, s.checked_in, s.rate] for s in shows]


TABLES = {
    table.name: table
    for table in [
        Table("by_day", ["Day", "Orders", "Tickets", "Paid", "Discounts", "Refunded", "Revenue"], _by_day_rows),
        Table(
            "ticket_types",
            ["Show", "Ticket type", "Orders", "Tickets", "Refunded tickets", "Discounts", "Sales"],
            _ticket_type_rows,
        ),
        Table("promo_codes", ["Show", "Code", "Uses", "Tickets", "Discount given", "Revenue"], _promo_rows),
        Table("refunds", ["Show", "Refunds", "Tickets refunded", "Amount"], _refund_rows),
        Table("check_in", ["Show", "Starts", "Valid tickets", "Checked in", "Check-in rate (%)"], _check_in_rows),
    ]
}


def _filters(form: AnalyticsFilterForm, request, *, zone: ZoneInfo, currency: str, now) -> Filters:
    show = form.cleaned_data.get("show")
    if show is not None:
        zone, currency = ZoneInfo(show.time_zone), show.currency
    today = now.astimezone(zone).date()
    typed = form.cleaned_data.get("start") or form.cleaned_data.get("end")
    first_sale = (
        analytics_first_sale_day(producer=request.producer, show=show, zone=zone)
        if show is not None and not typed
        else None
    )
    first, last = form.days(today=today, first_sale=first_sale)
    return Filters(show=show, period=Period(first, last, zone), currency=currency)


def _day_title(day, *parts: str) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}: " + ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _sales_context(filters: Filters, request) -> dict:
    currency = filters.currency
    money = lambda amount: format_money(amount, currency)  # noqa: E731
    days = analytics_sales_by_day(producer=request.producer, show=filters.show, period=filters.period)
    dates = [d.day for d in days]
    today = timezone.now().astimezone(filters.period.zone).date()
    labels = day_labels(dates, last="Today" if dates and dates[-1] == today else None)
    revenue_chart = bar_chart(
        [d.revenue for d in days],
        titles=[_day_title(d.day, money(d.revenue), _plural(d.tickets, "ticket")) for d in days],
        x_labels=labels,
        format_value=lambda amount: money(amount).removesuffix(".00"),
    )
    tickets_chart = bar_chart(
        [Decimal(d.tickets) for d in days],
        titles=[_day_title(d.day, _plural(d.tickets, "ticket"), _plural(d.orders, "order")) for d in days],
        x_labels=labels,
        format_value=lambda amount: f"{amount.to_integral():f}",
        whole=True,
    )
    totals = {
        "orders": sum(d.orders for d in days),
        "tickets": sum(d.tickets for d in days),
        "gross": money(sum((d.gross for d in days), Decimal(0))),
        "discount": money(sum((d.discount for d in days), Decimal(0))),
        "refunded": money(sum((d.refunded for d in days), Decimal(0))),
        "revenue": money(sum((d.revenue for d in days), Decimal(0))),
    }
    rows = [
        {
            "day": d.day,
            "orders": d.orders,
            "tickets": d.tickets,
            "gross": money(d.gross),
            "discount": money(d.discount),
            "refunded": money(d.refunded),
            "revenue": money(d.revenue),
        }
        for d in reversed(days)
    ]
    return {"revenue_chart": revenue_chart, "tickets_chart": tickets_chart, "rows": rows, "totals": totals}


def _figures(filters: Filters, request) -> dict:
    producer, show, period, currency = request.producer, filters.show, filters.period, filters.currency
    ticket_types = analytics_sales_by_ticket_type(producer=producer, show=show, period=period)
    promos = analytics_sales_by_promo_code(producer=producer, show=show, period=period)
    refunds = analytics_refunds_by_show(producer=producer, show=show, period=period)
    check_in = analytics_check_in(producer=producer, show=show, period=period, now=timezone.now())
    most_tickets = max((t.tickets for t in ticket_types), default=0)
    admissions = sum(s.admissions for s in check_in)
    checked_in = sum(s.checked_in for s in check_in)
    return {
        "sales": _sales_context(filters, request),
        "ticket_types": [
            {
                "name": t.name,
                "show": t.show,
                "orders": t.orders,
                "tickets": t.tickets,
                "refunded_tickets": t.refunded_tickets,
                "discount": format_money(t.discount, currency),
                "sales": format_money(t.sales, currency),
                "bar_max": most_tickets or 1,
            }
            for t in ticket_types
        ],
        "promos": [
            {
                "code": p.code,
                "show": p.show,
                "uses": p.uses,
                "tickets": p.tickets,
                "discount": format_money(p.discount, currency),
                "revenue": format_money(p.revenue, currency),
            }
            for p in promos
        ],
        "refunds": [
            {"show": r.show, "refunds": r.refunds, "tickets": r.tickets, "amount": format_money(r.amount, currency)}
            for r in refunds
        ],
        "refund_totals": {
            "refunds": sum(r.refunds for r in refunds),
            "tickets": sum(r.tickets for r in refunds),
            "amount": format_money(sum((r.amount for r in refunds), Decimal(0)), currency),
        },
        "check_in": [
            {
                "show": s.show,
                "url": reverse("portal:show", args=[s.slug]),
                "when": show_local(s, s.start_time),
                "admissions": s.admissions,
                "checked_in": s.checked_in,
                "rate": s.rate,
            }
            for s in check_in
        ],
        "check_in_rate": round(100 * checked_in / admissions) if admissions else None,
    }


def _csv_url(request, name: str) -> str:
    query = {key: value for key, value in request.GET.items() if key in ("show", "start", "end") and value}
    return f"{reverse('portal:analytics')}?{urlencode({**query, 'chart': name, 'format': 'csv'})}"


@require_GET
@producer_required
@flag_required(ANALYTICS)
def analytics(request):
    producer = request.producer
    now = timezone.now()
    clock = analytics_clock(producer=producer, now=now)
    zone = ZoneInfo(clock[0]) if clock else timezone.get_default_timezone()
    currency = clock[1] if clock else settings.DEFAULT_CURRENCY
    form = AnalyticsFilterForm(request.GET, producer=producer, today=now.astimezone(zone).date())
    wants_csv = request.GET.get("format") == "csv"
    if wants_csv and request.GET.get("chart") not in TABLES:
        raise Http404("No such table.")
    if not form.is_valid():
        return render(request, "portal/analytics/index.html", {"form": form}, status=422)
    filters = _filters(form, request, zone=zone, currency=currency, now=now)
    if wants_csv:
        table = TABLES[request.GET["chart"]]
        subject = filters.show.slug if filters.show else producer.slug
        name = csv_filename("analytics", table.name.replace("_", "-"), subject, now=now)
        return csv_response(name, table.header, table.rows(filters, request))
    context = {
        "form": form,
        "filters": filters,
        "zone_name": str(filters.period.zone),
        "filtered": any(request.GET.get(key) for key in ("show", "start", "end")),
        "csv": {name: _csv_url(request, name) for name in TABLES},
        **_figures(filters, request),
    }
    return render(request, "portal/analytics/index.html", context)
