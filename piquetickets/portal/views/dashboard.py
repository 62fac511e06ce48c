"""The dashboard ``/dashboard/``: the setup checklist until it is done, the last 30 days' sales (a chart
and the same numbers as a table), today's shows with check-in progress, upcoming shows with sold /
capacity and revenue, and the latest orders. A fixed number of queries however many shows and orders
the producer has."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from piquetickets.core.money import format_money
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time, order_reference, show_local
from piquetickets.producers.selectors import (
    producer_dashboard_shows,
    producer_recent_orders,
    producer_sales_by_day,
    producer_setup_status,
)

from ..access import producer_required
from ..charts import bar_chart

SALES_DAYS = 30
UPCOMING_LIMIT = 6
# A show that ended this long ago still counts as today's (the check-in figures of last night's late show).
TODAY_GRACE = timedelta(hours=6)
# A show starting this soon is tonight's even when its clock has passed midnight (the 00:30 late show).
TONIGHT_AHEAD = timedelta(hours=6)


def _when(show) -> str:
    """``Fri 6 Mar · 7:30 PM CST`` on the show's own clock."""
    start = show_local(show, show.start_time)
    return f"{start:%a} {start.day} {start:%b} · {clock_time(start)} {zone_abbreviation(start)}"


def is_todays(show, now) -> bool:
    """On the dashboard's Today list: the show is on now or ended less than ``TODAY_GRACE`` ago, starts
    within ``TONIGHT_AHEAD`` (past midnight included), or starts later on today's date on its own clock."""
    if show.start_time <= now < show.end_time + TODAY_GRACE:
        return True
    if now < show.start_time < now + TONIGHT_AHEAD:
        return True
    return show_local(show, show.start_time).date() == now.astimezone(ZoneInfo(show.time_zone)).date()


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _show_row(show) -> dict:
    return {
        "title": show.title,
        "when": _when(show),
        "when_iso": show_local(show, show.start_time).isoformat(),
        "venue": show.venue.name if show.venue else "",
        "published": show.published,
        "capacity": show.capacity,
        "sold": show.sold,
        "sold_percent": _percent(show.sold, show.capacity),
        "revenue": format_money(show.revenue, show.currency),
        "admissions": show.admissions,
        "checked_in": show.checked_in,
        "checked_in_percent": _percent(show.checked_in, show.admissions),
        "url": reverse("portal:show", args=[show.slug]),
        "checkin_url": reverse("portal:checkin-show", args=[show.slug]),
    }


def _checklist(setup) -> list[dict]:
    return [
        {
            "title": "Complete your public profile",
            "text": "A short bio, an image and a support email buyers can write to.",
            "done": setup.profile_complete,
            "action": "Edit profile",
            "url": reverse("portal:profile"),
        },
        {
            "title": "Connect payouts",
            "text": "Connect a Stripe account so ticket money reaches your bank.",
            "done": setup.payouts_connected,
            "action": "Set up payouts",
            "url": reverse("portal:payouts"),
        },
        {
            "title": "Create your first show",
            "text": "Add the date, venue and ticket types.",
            "done": setup.has_show,
            "action": "Create a show",
            "url": reverse("portal:show-create"),
        },
        {
            "title": "Publish a show",
            "text": "Put it on sale: buyers can find it and buy tickets.",
            "done": setup.has_published_show,
            "action": "Go to your shows",
            "url": reverse("portal:show-list"),
        },
    ]


def _sales(days, currency: str) -> dict:
    values = [day.revenue for day in days]
    titles = [
        f"{day.day:%a} {day.day.day} {day.day:%b}: {format_money(day.revenue, currency)}, "
        f"{day.tickets} ticket{'s' if day.tickets != 1 else ''}"
        for day in days
    ]
    last = len(days) - 1
    # A date under every week's first bar, and "Today" under the last (none so close that they touch).
    labels = {index: f"{day.day.day} {day.day:%b}" for index, day in enumerate(days) if index % 7 == 0}
    labels = {index: label for index, label in labels.items() if last - index >= 4}
    labels[last] = "Today"
    chart = bar_chart(
        values,
        titles=titles,
        x_labels=labels,
        format_value=lambda amount: format_money(amount, currency).removesuffix(".00"),
    )
    return {
        "chart": chart,
        "rows": [
            {
                "iso": day.day.isoformat(),
                "label": f"{day.day:%a} {day.day.day} {day.day:%b}",
                "orders": day.orders,
                "tickets": day.tickets,
                "revenue": format_money(day.revenue, currency),
            }
            for day in reversed(days)
        ],
        "total_revenue": format_money(sum(values, Decimal(0)), currency),
        "total_tickets": sum(day.tickets for day in days),
        "total_orders": sum(day.orders for day in days),
        "any": any(day.orders for day in days),
    }


@require_GET
@producer_required
def dashboard(request):
    producer = request.producer
    now = timezone.now()
    setup = producer_setup_status(producer=producer)
    shows = producer_dashboard_shows(producer=producer, since=now - TODAY_GRACE)
    orders = producer_recent_orders(producer=producer)
    # One clock for the producer-wide figures: their next show's, else the platform's.
    zone = ZoneInfo(shows[0].time_zone) if shows else timezone.get_default_timezone()
    currency = shows[0].currency if shows else orders[0].currency if orders else settings.DEFAULT_CURRENCY
    days = producer_sales_by_day(producer=producer, days=SALES_DAYS, zone=zone, today=now.astimezone(zone).date())
    today = [_show_row(show) for show in shows if is_todays(show, now)]
    upcoming = [_show_row(show) for show in shows if show.start_time > now][:UPCOMING_LIMIT]
    checklist = _checklist(setup)
    context = {
        "setup": setup,
        "checklist": checklist,
        "checklist_done": sum(step["done"] for step in checklist),
        "today": today,
        "upcoming": upcoming,
        "sales": _sales(days, currency),
        "zone_name": str(zone),
        "orders": [
            {
                "reference": order_reference(order),
                "buyer": f"{order.first_name} {order.last_name}".strip(),
                "show": order.show.title,
                "tickets": order.tickets,
                "total": format_money(order.total, order.currency),
                "status": order.get_status_display(),
                "status_kind": {"paid": "success", "refunded": "danger", "partially_refunded": "warning"}.get(
                    order.status, "neutral"
                ),
                "when": order.time_of_purchase,
                "url": reverse("portal:order", args=[str(order.uuid)]),
            }
            for order in orders
        ],
        "orders_url": reverse("portal:order-list"),
        "shows_url": reverse("portal:show-list"),
        "new_show_url": reverse("portal:show-create"),
    }
    return render(request, "portal/dashboard/index.html", context)
