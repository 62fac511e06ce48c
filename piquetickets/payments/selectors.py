"""Reads for payouts: the money of each show, as a producer is paid it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Sum, Value, When
from django.db.models.functions import Coalesce, Least

from piquetickets.core.money import quantize
from piquetickets.orders.models import Order
from piquetickets.producers.models import Producer

MONEY = DecimalField(max_digits=14, decimal_places=4)
ZERO = Decimal("0")
FIELDS = ("gross", "discounts", "paid", "platform_fees", "processing_fees", "refunds", "net")


@dataclass(frozen=True)
class ShowMoney:
    """One show's paid orders in one currency: ``gross`` (tickets before discounts), ``discounts``,
    ``paid`` (what buyers paid), ``platform_fees``, ``processing_fees``, ``refunds`` and ``net`` (what
    the producer keeps)."""

    show_id: int | None
    title: str
    slug: str
    start_time: datetime | None
    time_zone: str
    currency: str
    orders: int
    gross: Decimal
    discounts: Decimal
    paid: Decimal
    platform_fees: Decimal
    processing_fees: Decimal
    refunds: Decimal
    net: Decimal


def _sum(expression) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


# What the producer keeps of one order. The platform's fees are taken from the payment (Stripe's
# application fee, platform plus processing, at most the total); a refund gives back its share of them
# too (``refund_application_fee`` with ``reverse_transfer``), so the producer keeps what buyers paid,
# less refunds, less the fees on the part that was kept. The fee taken is never more than the payment
# (``payments.providers``), so fixed fees above a cheap ticket's price leave nothing, never less.
_FEES = Least(F("platform_fees") + F("payment_processing_fees"), F("total"), output_field=MONEY)
_KEPT = F("total") - F("refunded_amount")
NET = Case(
    When(total__gt=0, then=ExpressionWrapper(_KEPT - _FEES * _KEPT / F("total"), output_field=MONEY)),
    default=Value(ZERO),
    output_field=MONEY,
)


def payouts_by_show(*, producer: Producer) -> list[ShowMoney]:
    """The producer's paid orders (``success``: refunded ones too), summed per show and currency in one
    query, newest show first. Shows without a paid order are left out."""
    rows = (
        Order.objects.filter(show__producer=producer, success=True)
        .values("show_id", "show__title", "show__slug", "show__start_time", "show__time_zone", "currency")
        .annotate(
            orders=Count("pk"),
            gross=_sum("subtotal"),
            discounts=_sum("promo_code_discount"),
            paid=_sum("total"),
            platform=_sum("platform_fees"),
            processing=_sum("payment_processing_fees"),
            refunds=_sum("refunded_amount"),
            net=_sum(NET),
        )
        .order_by("-show__start_time", "show_id", "currency")
    )
    return [
        ShowMoney(
            show_id=row["show_id"],
            title=row["show__title"],
            slug=row["show__slug"],
            start_time=row["show__start_time"],
            time_zone=row["show__time_zone"],
            currency=row["currency"],
            orders=row["orders"],
            gross=quantize(row["gross"], row["currency"]),
            discounts=quantize(row["discounts"], row["currency"]),
            paid=quantize(row["paid"], row["currency"]),
            platform_fees=quantize(row["platform"], row["currency"]),
            processing_fees=quantize(row["processing"], row["currency"]),
            refunds=quantize(row["refunds"], row["currency"]),
            net=quantize(row["net"], row["currency"]),
        )
        for row in rows
    ]


def payouts_totals(rows: list[ShowMoney]) -> list[ShowMoney]:
    """The sums of :func:`payouts_by_show`'s rows, one per currency (a producer usually sells in one)."""
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row.currency, dict.fromkeys(FIELDS, ZERO) | {"orders": 0})
        total["orders"] += row.orders
        for name in FIELDS:
            total[name] += getattr(row, name)
    return [
        ShowMoney(show_id=None, title="Total", slug="", start_time=None, time_zone="", currency=currency, **values)
        for currency, values in sorted(totals.items())
    ]
