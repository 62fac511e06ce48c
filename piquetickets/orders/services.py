"""Writes for orders and holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from piquetickets.shows.models import Show, Ticket, TicketPromoCode

from .errors import NotOnSale, PromoCodeInvalid, SoldOut, TooManyTickets
from .models import Order, TicketHold, TicketOrder
from .pricing import CartLine, fee_policy_for, price_cart


def holds_release_expired(*, now=None) -> int:
    """Mark every active hold whose time is up as released; returns how many.

    Expired holds already stop counting against availability the moment they expire (availability
    only counts holds with ``expires_at`` in the future); this keeps the table honest for reports.
    One UPDATE, so it is safe to run while checkouts are taking new holds.
    """
    now = now or timezone.now()
    return TicketHold.objects.filter(status=TicketHold.Status.ACTIVE, expires_at__lte=now).update(
        status=TicketHold.Status.RELEASED
    )


# --- holds ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Buyer:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


def _live_held(ticket_ids: list[int], now) -> dict[int, int]:
    rows = (
        TicketHold.objects.filter(ticket_id__in=ticket_ids, status=TicketHold.Status.ACTIVE, expires_at__gt=now)
        .values("ticket_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["ticket_id"]: row["total"] for row in rows}


def _check_cart(*, show: Show, lines: list[CartLine], now) -> None:
    if not show.is_public or show.end_time <= now:
        raise NotOnSale("This show is not on sale.")
    if not lines or any(line.quantity < 1 for line in lines):
        raise NotOnSale("Choose at least one ticket.")
    if len({line.ticket.pk for line in lines}) != len(lines):
        raise NotOnSale("Each ticket type may appear once.")
    for line in lines:
        ticket = line.ticket
        on_sale = (
            ticket.show_id == show.pk
            and ticket.is_active
            and (ticket.sales_start is None or ticket.sales_start <= now)
            and (ticket.sales_end is None or ticket.sales_end > now)
        )
        if not on_sale:
            raise NotOnSale(f"{ticket.name} is not on sale.", extra={"ticket": ticket.pk})
        if ticket.max_per_order is not None and line.quantity > ticket.max_per_order:
            raise TooManyTickets(
                f"At most {ticket.max_per_order} × {ticket.name} per order.",
                extra={"ticket": ticket.pk, "max": ticket.max_per_order},
            )
    count = sum(line.quantity for line in lines)
    if count > show.max_tickets_per_order:
        raise TooManyTickets(
            f"At most {show.max_tickets_per_order} tickets per order.", extra={"max": show.max_tickets_per_order}
        )


def checkout_hold(
    *, show: Show, lines: list[CartLine], buyer: Buyer, promo_code: str = "", provider: str, now=None
) -> Order:
    """Reserve the cart's tickets for the show's hold time and create the pending order.

    Checks what can be checked without locks first (show and ticket types on sale, limits per order,
    prices, donations, the promo code), then in one short transaction locks the ticket types in
    primary-key order (then the promo code), re-counts ``quantity − sold − live holds`` and the
    promo code's uses (fulfilled plus held), and writes the order, its lines and its holds.
    Nothing external is called inside.

    Raises :class:`NotOnSale`, :class:`TooManyTickets`, :class:`DonationTooLow`,
    :class:`PromoCodeInvalid` and :class:`SoldOut` (with ``extra.ticket`` and ``extra.remaining``);
    lock timeouts surface as the API's ``busy``.
    """
    now = now or timezone.now()
    _check_cart(show=show, lines=lines, now=now)
    promo = None
    if promo_code.strip():
        matching = TicketPromoCode.objects.filter(show=show, code__iexact=promo_code.strip())
        promo = matching.prefetch_related("tickets").first()
        if promo is None:
            raise PromoCodeInvalid("We don't know this promo code.", extra={"code": promo_code.strip()})
    priced = price_cart(show=show, lines=lines, promo=promo, policy=fee_policy_for(show=show), now=now)

    with transaction.atomic():
        ids = sorted(line.ticket.pk for line in lines)
        locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        held = _live_held(ids, now)
        for line in priced.lines:
            ticket = locked[line.ticket.pk]
            remaining = ticket.quantity - ticket.quantity_sold - held.get(ticket.pk, 0)
            if not ticket.is_active or remaining < line.quantity:
                left = max(remaining, 0)
                raise SoldOut(
                    f"Only {left} left of {ticket.name}." if left else f"{ticket.name} is sold out.",
                    extra={"ticket": ticket.pk, "remaining": left},
                )
        if promo is not None:
            promo = TicketPromoCode.objects.select_for_update().get(pk=promo.pk)
            if promo.max_uses is not None:
                pending = Order.objects.filter(
                    promo_code=promo, status=Order.Status.PENDING, hold_expires_at__gt=now
                ).count()
                if promo.times_used + pending >= promo.max_uses:
                    raise PromoCodeInvalid("This promo code has been used up.", extra={"code": promo.code})
        expires = now + timedelta(minutes=show.hold_minutes)
        order = Order.objects.create(
            show=show,
            status=Order.Status.PENDING,
            provider=provider,
            first_name=buyer.first_name,
            last_name=buyer.last_name,
            email=buyer.email,
            phone=buyer.phone,
            currency=priced.currency,
            subtotal=priced.subtotal,
            promo_code=promo,
            promo_code_discount=priced.discount,
            platform_fees=priced.platform_fee,
            payment_processing_fees=priced.processing_fee,
            fees_passed_to_buyer=priced.fees_passed_to_buyer,
            total=priced.total,
            hold_expires_at=expires,
        )
        TicketOrder.objects.bulk_create(
            TicketOrder(
                order=order,
                ticket=line.ticket,
                quantity=line.quantity,
                price_per_ticket=line.unit_price,
                donation_amount=line.donation_amount,
                discount_amount=line.discount,
                total_price=line.total,
                promo_code=promo.code if promo and line.discount else "",
            )
            for line in priced.lines
        )
        TicketHold.objects.bulk_create(
            TicketHold(order=order, ticket=line.ticket, quantity=line.quantity, expires_at=expires)
            for line in priced.lines
        )
    return order
