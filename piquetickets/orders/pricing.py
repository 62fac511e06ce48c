"""Pricing: one function turns a cart into money, with ``Decimal`` and one rounding rule.

Everything is in the show's currency and rounded half-up to its minor unit by
:func:`piquetickets.core.money.quantize`, once per amount, in a fixed order:

1. each line: unit price (a donation-based ticket's chosen amount) × quantity;
2. the promo discount per line (a percentage of the line, or a fixed amount per ticket, never more
   than the line);
3. the platform fee: a percentage of what tickets sell for after discount, plus a fixed amount per
   ticket that costs something;
4. the payment-processing fee: a percentage of what the card is charged plus a fixed amount per
   order, only when something is charged;
5. fees are added to the buyer's total when passed on, else taken from the producer's payout.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from piquetickets.core.money import quantize
from piquetickets.shows.models import Show, Ticket, TicketPromoCode

from .errors import DonationTooLow, PromoCodeInvalid

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class FeePolicy:
    """How fees are charged. Percentages are numbers like ``Decimal("3.5")``."""

    platform_percent: Decimal
    platform_fixed_per_ticket: Decimal
    processing_percent: Decimal
    processing_fixed_per_order: Decimal
    passed_to_buyer: bool = True


def fee_policy_for(*, show: Show) -> FeePolicy:
    """The platform's fee policy (settings), with the producer's own platform-fee override if set."""
    config = settings.FEES
    financial = getattr(show.producer, "financial", None)
    percent = Decimal(str(config["PLATFORM_PERCENT"]))
    fixed = Decimal(str(config["PLATFORM_FIXED_PER_TICKET"]))
    if financial is not None:
        if financial.platform_fee_percent is not None:
            percent = financial.platform_fee_percent
        if financial.platform_fee_fixed is not None:
            fixed = financial.platform_fee_fixed
    return FeePolicy(
        platform_percent=percent,
        platform_fixed_per_ticket=fixed,
        processing_percent=Decimal(str(config["PROCESSING_PERCENT"])),
        processing_fixed_per_order=Decimal(str(config["PROCESSING_FIXED_PER_ORDER"])),
        passed_to_buyer=bool(config["PASSED_TO_BUYER"]),
    )


@dataclass(frozen=True)
class CartLine:
    """What the buyer asked for: ``quantity`` of ``ticket``; ``amount`` per ticket when donation-based;
    optionally a name per ticket (``{"first_name", "last_name"}``) for the attendees."""

    ticket: Ticket
    quantity: int
    amount: Decimal | None = None
    attendee_names: tuple[dict, ...] = ()


@dataclass(frozen=True)
class PricedLine:
    ticket: Ticket
    quantity: int
    unit_price: Decimal
    donation_amount: Decimal
    subtotal: Decimal
    discount: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount


@dataclass(frozen=True)
class PricedCart:
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    platform_fee: Decimal
    processing_fee: Decimal
    fees_passed_to_buyer: bool
    total: Decimal
    producer_payout: Decimal

    @property
    def ticket_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def promo_code_problem(*, promo: TicketPromoCode, show: Show, now=None) -> str | None:
    """Why ``promo`` can't be used for ``show`` right now, or ``None`` when it can."""
    now = now or timezone.now()
    if promo.show_id != show.pk or not promo.is_active:
        return "This promo code isn't valid for this show."
    if promo.valid_from is not None and now < promo.valid_from:
        return "This promo code isn't active yet."
    if promo.valid_until is not None and now >= promo.valid_until:
        return "This promo code has expired."
    if promo.max_uses is not None and promo.times_used >= promo.max_uses:
        return "This promo code has been used up."
    return None


def _line_discount(promo: TicketPromoCode | None, line: CartLine, unit: Decimal, subtotal: Decimal, currency: str):
    if promo is None:
        return ZERO
    limited_to = {t.pk for t in promo.tickets.all()}
    if limited_to and line.ticket.pk not in limited_to:
        return ZERO
    if promo.discount_type == TicketPromoCode.DiscountType.PERCENT:
        discount = quantize(subtotal * promo.discount / HUNDRED, currency)
    else:
        discount = quantize(min(promo.discount, unit) * line.quantity, currency)
    return min(discount, subtotal)


def price_cart(
    *, show: Show, lines: list[CartLine], promo: TicketPromoCode | None, policy: FeePolicy, now=None
) -> PricedCart:
    """Price a cart. Raises :class:`DonationTooLow` and :class:`PromoCodeInvalid` (with the reason)."""
    currency = show.currency
    if promo is not None:
        problem = promo_code_problem(promo=promo, show=show, now=now)
        if problem:
            raise PromoCodeInvalid(problem, extra={"code": promo.code})
    priced: list[PricedLine] = []
    for line in lines:
        ticket = line.ticket
        if ticket.is_donation_based:
            amount = quantize(line.amount if line.amount is not None else ticket.price, currency)
            if amount < ticket.price:
                raise DonationTooLow(
                    f"The minimum for {ticket.name} is {quantize(ticket.price, currency)} {currency}.",
                    extra={"ticket": ticket.pk, "minimum": str(quantize(ticket.price, currency))},
                )
            unit, donation = amount, amount
        else:
            unit, donation = quantize(ticket.price, currency), ZERO
        subtotal = quantize(unit * line.quantity, currency)
        discount = _line_discount(promo, line, unit, subtotal, currency)
        priced.append(PricedLine(ticket, line.quantity, unit, donation, subtotal, discount))

    subtotal = sum((line.subtotal for line in priced), ZERO)
    discount = sum((line.discount for line in priced), ZERO)
    net = subtotal - discount
    paid_tickets = sum(line.quantity for line in priced if line.total > 0)
    platform_fee = ZERO
    if net > 0:
        platform_fee = quantize(net * policy.platform_percent / HUNDRED, currency) + quantize(
            policy.platform_fixed_per_ticket * paid_tickets, currency
        )
    charged_before_processing = net + (platform_fee if policy.passed_to_buyer else ZERO)
    processing_fee = ZERO
    if charged_before_processing > 0:
        processing_fee = quantize(
            charged_before_processing * policy.processing_percent / HUNDRED + policy.processing_fixed_per_order,
            currency,
        )
    fees = platform_fee + processing_fee
    if policy.passed_to_buyer:
        total, payout = net + fees, net
    else:
        total, payout = net, max(ZERO, net - fees)
    return PricedCart(
        currency=currency,
        lines=tuple(priced),
        subtotal=subtotal,
        discount=discount,
        platform_fee=platform_fee,
        processing_fee=processing_fee,
        fees_passed_to_buyer=policy.passed_to_buyer,
        total=total,
        producer_payout=payout,
    )
