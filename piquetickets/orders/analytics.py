"""Selectors for a producer's sales analytics (the portal's Analytics page): sales by day, by ticket
type and by promo code, refunds and check-in rates, each one aggregate query in SQL.

Every figure is of the producer's own shows (``show__producer``), optionally one show, for paid orders
(``success``) *bought* in a period ``[start, end)`` of aware datetimes (the page makes them from local
days on the show's or producer's clock). The money rules are the dashboard's
(:func:`piquetickets.producers.selectors.producer_sales_by_day`): **revenue** is what buyers paid less
what was refunded (``total − refunded_amount``); a refund counts as soon as it is made (the order's
``refunded_amount`` includes refunds still with the payment provider; a failed one is taken back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, F, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show

from .models import Order, Refund, TicketAttendee, TicketOrder

MONEY = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last`` (both included) on the clock ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        """The start of the day after ``last`` (the period ends before it)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class DayFigures:
    day: date
    orders: int
    tickets: int
    gross: Decimal  # what buyers paid
    discount: Decimal  # promo code discounts given
    refunded: Decimal
    revenue: Decimal  # gross less refunded


@dataclass(frozen=True)
class TicketTypeFigures:
    ticket_id: int
    name: str
    show: str
    orders: int
    tickets: int
    refunded_tickets: int
    discount: Decimal
    sales: Decimal  # the order lines' totals: after discounts, before fees and refunds


@dataclass(frozen=True)
class PromoFigures:
    promo_id: int
    code: str
    show: str
    uses: int  # paid orders that used it
    tickets: int
    discount: Decimal
    revenue: Decimal  # those orders' payments less their refunds


@dataclass(frozen=True)
class RefundFigures:
    show_id: int
    show: str
    refunds: int
    tickets: int  # admissions the refunds cancelled (none for a refund of an amount)
    amount: Decimal


@dataclass(frozen=True)
class CheckInFigures:
    show_id: int
    show: str
    slug: str
    start_time: datetime
    time_zone: str
    admissions: int  # valid tickets
    checked_in: int

    @property
    def rate(self) -> int:
        """Checked in of valid tickets, in whole percent (0 with no tickets)."""
        return round(100 * self.checked_in / self.admissions) if self.admissions else 0


def _paid_orders(*, producer: Producer, show: Show | None, period: Period) -> QuerySet[Order]:
    orders = Order.objects.filter(
        show__producer=producer, success=True, time_of_purchase__gte=period.start, time_of_purchase__lt=period.end
    )
    return orders.filter(show=show) if show is not None else orders


def analytics_first_sale_day(*, producer: Producer, show: Show, zone: ZoneInfo) -> date | None:
    """The local day of ``show``'s first paid order, or ``None`` before its first sale."""
    first = Order.objects.filter(show__producer=producer, show=show, success=True).aggregate(
        first=Min("time_of_purchase")
    )["first"]
    return first.astimezone(zone).date() if first else None


def analytics_sales_by_day(*, producer: Producer, show: Show | None, period: Period) -> list[DayFigures]:
    """A row for every day of ``period`` (zeros when nothing sold), by the local day of purchase."""
    rows = (
        _paid_orders(producer=producer, show=show, period=period)
        .annotate(day=TruncDate("time_of_purchase", tzinfo=period.zone))
        .order_by()
        .values("day")
        .annotate(
            orders=Count("pk"),
            tickets=Sum("ticket_count"),
            gross=Sum("total"),
            discount=Sum("promo_code_discount"),
            refunded=Sum("refunded_amount"),
        )
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for day in period.days:
        row = by_day.get(day)
        if row is None:
            result.append(DayFigures(day, 0, 0, ZERO, ZERO, ZERO, ZERO))
            continue
        gross, refunded = row["gross"] or ZERO, row["refunded"] or ZERO
        result.append(
            DayFigures(
                day, row["orders"], row["tickets"] or 0, gross, row["discount"] or ZERO, refunded, gross - refunded
            )
        )
    return result


def analytics_sales_by_ticket_type(*, producer: Producer, show: Show | None, period: Period) -> list[TicketTypeFigures]:
    """Per ticket type sold in ``period``: orders, tickets, of them refunded, discounts and line sales;
    most tickets first."""
    refunded = (
        TicketAttendee.objects.filter(ticket_order=OuterRef("pk"), status=TicketAttendee.Status.REFUNDED)
        .order_by()
        .values("ticket_order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        TicketOrder.objects.filter(order__in=_paid_orders(producer=producer, show=show, period=period).values("pk"))
        .annotate(refunded_count=Coalesce(Subquery(refunded), 0))
        .order_by()
        .values("ticket_id", "ticket__name", "ticket__show__title")
        .annotate(
            orders=Count("order_id", distinct=True),
            tickets=Sum("quantity"),
            refunded_tickets=Sum("refunded_count"),
            discount=Sum("discount_amount"),
            sales=Sum("total_price"),
        )
        .order_by("-tickets", "ticket__show__title", "ticket__name", "ticket_id")
    )
    return [
        TicketTypeFigures(
            row["ticket_id"],
            row["ticket__name"],
            row["ticket__show__title"],
            row["orders"],
            row["tickets"] or 0,
            row["refunded_tickets"] or 0,
            row["discount"] or ZERO,
            row["sales"] or ZERO,
        )
        for row in rows
    ]


def analytics_sales_by_promo_code(*, producer: Producer, show: Show | None, period: Period) -> list[PromoFigures]:
    """Per promo code used by paid orders in ``period``: uses, tickets, discount given, and revenue;
    most used first."""
    rows = (
        _paid_orders(producer=producer, show=show, period=period)
        .filter(promo_code__isnull=False)
        .order_by()
        .values("promo_code_id", "promo_code__code", "promo_code__show__title")
        .annotate(
            uses=Count("pk"),
            tickets=Sum("ticket_count"),
            discount=Sum("promo_code_discount"),
            revenue=Sum(F("total") - F("refunded_amount"), output_field=MONEY),
        )
        .order_by("-uses", "promo_code__code", "promo_code_id")
    )
    return [
        PromoFigures(
            row["promo_code_id"],
            row["promo_code__code"],
            row["promo_code__show__title"],
            row["uses"],
            row["tickets"] or 0,
            row["discount"] or ZERO,
            row["revenue"] or ZERO,
        )
        for row in rows
    ]


def analytics_refunds_by_show(*, producer: Producer, show: Show | None, period: Period) -> list[RefundFigures]:
    """Refunds *made* in ``period`` (not failed), per show: how many, the tickets they cancelled and the
    amount; the largest amount first."""
    cancelled = (
        Refund.attendees.through.objects.filter(refund=OuterRef("pk"))
        .order_by()
        .values("refund")
        .annotate(n=Count("pk"))
        .values("n")
    )
    refunds = Refund.objects.filter(
        order__show__producer=producer, created_at__gte=period.start, created_at__lt=period.end
    ).exclude(status=Refund.Status.FAILED)
    if show is not None:
        refunds = refunds.filter(order__show=show)
    rows = (
        refunds.annotate(ticket_count=Coalesce(Subquery(cancelled), 0))
        .order_by()
        .values("order__show_id", "order__show__title")
        .annotate(refunds=Count("pk"), tickets=Sum("ticket_count"), amount=Sum("amount"))
        .order_by("-amount", "order__show__title", "order__show_id")
    )
    return [
        RefundFigures(
            row["order__show_id"], row["order__show__title"], row["refunds"], row["tickets"] or 0, row["amount"]
        )
        for row in rows
    ]


def analytics_check_in(*, producer: Producer, show: Show | None, period: Period, now: datetime) -> list[CheckInFigures]:
    """Check-in per show: ``show`` alone, else the producer's shows that started in ``period`` (and by
    ``now``); valid tickets and those checked in, in the order of the shows."""
    shows = Show.objects.filter(producer=producer)
    if show is not None:
        shows = shows.filter(pk=show.pk)
    else:
        shows = shows.filter(start_time__gte=period.start, start_time__lt=min(period.end, now))
    valid = TicketAttendee.objects.filter(show=OuterRef("pk"), status=TicketAttendee.Status.VALID)
    valid = valid.order_by().values("show")
    rows = shows.annotate(
        admissions=Coalesce(Subquery(valid.annotate(n=Count("pk")).values("n")), 0),
        checked_in=Coalesce(Subquery(valid.filter(is_checked_in=True).annotate(n=Count("pk")).values("n")), 0),
    ).order_by("start_time", "pk")
    return [CheckInFigures(s.pk, s.title, s.slug, s.start_time, s.time_zone, s.admissions, s.checked_in) for s in rows]


def analytics_clock(*, producer: Producer, now: datetime) -> tuple[str, str] | None:
    """The time zone and currency of the producer's figures across shows: those of their next show (as on
    the dashboard), else of their latest; ``None`` with no show."""
    shows = Show.objects.filter(producer=producer).order_by()
    row = (
        shows.filter(end_time__gt=now).order_by("start_time", "pk").values("time_zone", "currency").first()
        or shows.order_by("-start_time", "-pk").values("time_zone", "currency").first()
    )
    return (row["time_zone"], row["currency"]) if row else None
