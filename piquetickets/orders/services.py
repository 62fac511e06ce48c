"""Writes for orders and holds."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial

import stripe
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from piquetickets.core.db import rows_insert
from piquetickets.core.errors import ApplicationError, Busy
from piquetickets.core.money import format_money, quantize
from piquetickets.payments.errors import PaymentDoesNotMatch, PaymentProviderError
from piquetickets.payments.models import WebhookEvent
from piquetickets.payments.providers import Payment, payment_mismatch, payment_provider
from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from piquetickets.shows.selectors import held_subquery

from .errors import NotOnSale, PromoCodeInvalid, RefundChanged, RefundInvalid, SoldOut, TooManyTickets
from .models import Order, Refund, TicketAttendee, TicketHold, TicketOrder
from .pricing import ZERO, CartLine, PricedCart, fee_policy_for, price_cart, promo_code_problem
from .tickets import order_page_url
from .tracking import meta_purchase_queue

logger = logging.getLogger(__name__)


def _holds_end(holds, *, status: str) -> int:
    """Move the active holds among ``holds`` to ``status`` (released or converted) and take their
    tickets off their ticket types' held counters; returns how many holds ended.

    Requires an open transaction. Locks the ticket types' rows first, in primary-key order (as
    checkout does), and only then reads the holds: every change of an active hold happens under its
    ticket type's lock, so no other transaction can end the same holds meanwhile.
    """
    active = holds.filter(status=TicketHold.Status.ACTIVE)
    ticket_ids = sorted(set(active.values_list("ticket_id", flat=True)))
    if not ticket_ids:
        return 0
    _lock_ticket_types(ticket_ids)
    rows = list(active.filter(ticket_id__in=ticket_ids).values_list("pk", "ticket_id", "quantity"))
    TicketHold.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(status=status)
    freed: dict[int, int] = {}
    for _, ticket_id, quantity in rows:
        freed[ticket_id] = freed.get(ticket_id, 0) + quantity
    for ticket_id, quantity in sorted(freed.items()):
        Ticket.objects.filter(pk=ticket_id).update(quantity_held=_held_minus(quantity))
    return len(rows)


def _held_minus(quantity: int):
    """``quantity_held − quantity``, never below 0: a counter that drifted low (see
    :func:`held_counters_recount`) must not make a payment's fulfilment fail."""
    return Greatest(F("quantity_held") - quantity, Value(0))


def _lock_ticket_types(ticket_ids) -> dict[int, Ticket]:
    """Row-lock ticket types in primary-key order, with ``FOR NO KEY UPDATE``: the lock checkout's
    UPDATE of the counter takes (and no stronger, so foreign-key checks are not blocked)."""
    locked = Ticket.objects.select_for_update(no_key=True).filter(pk__in=ticket_ids).order_by("pk")
    return {ticket.pk: ticket for ticket in locked}


def held_counters_recount() -> int:
    """Set each ticket type's held counter back to the tickets in its active holds where the two
    differ; returns how many were wrong, each logged as an error.

    Every transaction changes holds and counter together, so they differ only when holds were
    changed without it: by code from before the counter, still running during a deploy, or by a
    bug. Each is recounted under its row lock, so checkouts in flight are counted exactly once.
    """
    involved = Q(quantity_held__gt=0) | Q(
        pk__in=TicketHold.objects.filter(status=TicketHold.Status.ACTIVE).values("ticket_id")
    )
    wrong = (
        Ticket.objects.filter(involved)
        .annotate(active=held_subquery(live=False))
        .exclude(quantity_held=F("active"))
        .values_list("pk", flat=True)
    )
    fixed = 0
    for ticket_id in sorted(wrong):
        with transaction.atomic():
            counter = _lock_ticket_types([ticket_id])[ticket_id].quantity_held
            holds = TicketHold.objects.filter(ticket_id=ticket_id, status=TicketHold.Status.ACTIVE)
            counted = holds.aggregate(total=Coalesce(Sum("quantity"), 0))["total"]
            if counter != counted:
                Ticket.objects.filter(pk=ticket_id).update(quantity_held=counted)
                logger.error(
                    "Ticket type %s: held counter was %s, active holds %s; recounted.", ticket_id, counter, counted
                )
                fixed += 1
    return fixed


def holds_release_expired(*, now=None) -> int:
    """Mark every active hold whose time is up as released; returns how many.

    Expired holds already stop counting against availability the moment they expire (availability
    only counts holds with ``expires_at`` in the future, and checkout releases a ticket type's
    expired holds itself when it needs their tickets); this keeps the table and the held counters
    honest. One short transaction per ticket type, so checkouts wait for it only briefly.
    """
    now = now or timezone.now()
    due = TicketHold.objects.filter(status=TicketHold.Status.ACTIVE, expires_at__lte=now)
    released = 0
    for ticket_id in sorted(set(due.values_list("ticket_id", flat=True))):
        with transaction.atomic():
            released += _holds_end(due.filter(ticket_id=ticket_id), status=TicketHold.Status.RELEASED)
    return released


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


class PriceChanged(ApplicationError):
    """The cart costs something else than the total the buyer saw (a price, fee or promo code changed
    meanwhile); nothing was held. ``extra``: ``total`` now and the ``expected`` one."""

    code = "price_changed"
    default_message = "The total has changed since you looked. Check the new total and confirm again."
    status = 409


def promo_code_find(*, show: Show, code: str, now=None) -> TicketPromoCode | None:
    """The show's promo code ``code`` (ignoring case and surrounding spaces), or ``None`` for a blank one.

    Raises :class:`PromoCodeInvalid` when the show has no such code, or it can't be used now (inactive,
    not yet or no longer valid, used up by fulfilled orders), with the reason as its message.
    """
    code = code.strip()
    if not code:
        return None
    promo = TicketPromoCode.objects.filter(show=show, code__iexact=code).prefetch_related("tickets").first()
    if promo is None:
        raise PromoCodeInvalid("We don't know this promo code.", extra={"code": code})
    problem = promo_code_problem(promo=promo, show=show, now=now)
    if problem:
        raise PromoCodeInvalid(problem, extra={"code": promo.code})
    return promo


def checkout_quote(*, show: Show, lines: list[CartLine], promo_code: str = "", now=None) -> PricedCart:
    """Price a cart exactly as :func:`checkout_hold` will: the show's and ticket types' sale rules and
    limits per order, the promo code, donation minimums and fees. Writes nothing and locks nothing, so
    availability is not checked (holding is what checks it).

    Raises :class:`NotOnSale`, :class:`TooManyTickets`, :class:`PromoCodeInvalid` and :class:`DonationTooLow`.
    """
    now = now or timezone.now()
    _check_cart(show=show, lines=lines, now=now)
    promo = promo_code_find(show=show, code=promo_code, now=now)
    return price_cart(show=show, lines=lines, promo=promo, policy=fee_policy_for(show=show), now=now)


def _check_expected_total(priced: PricedCart, expected_total: Decimal | None) -> None:
    if expected_total is None:
        return
    expected = quantize(expected_total, priced.currency)
    if expected != priced.total:
        total, seen = format_money(priced.total, priced.currency), format_money(expected, priced.currency)
        raise PriceChanged(
            f"The total is now {total}, not the {seen} you saw. Check it and confirm again.",
            extra={"total": str(priced.total), "expected": str(expected)},
        )


# --- idempotency ----------------------------------------------------------------------------------

# Order UUIDs made from idempotency keys live in a namespace of their own (uuid5).
_IDEMPOTENT_ORDERS = uuid.UUID("8a4c2d8e-53f1-4f0e-9a57-2b1f3c6de0a4")


def checkout_order_uuid(
    *, idempotency_key: str, show: Show, lines: list[CartLine], buyer: Buyer, promo_code: str = ""
) -> uuid.UUID:
    """The UUID the order of this checkout request gets when it carries ``idempotency_key``.

    It is derived from the key and everything the request asks for (show, lines with their amounts and
    names, promo code, buyer), so sending the same request again with the same key names the same
    order, which the database's unique index lets exist once; a request that asks for something else
    under the same key (the buyer came back and changed the cart) is another purchase.
    """
    request = [
        show.pk,
        sorted(
            [
                line.ticket.pk,
                line.quantity,
                None if line.amount is None else str(quantize(line.amount, show.currency)),
                [[name.get("first_name", ""), name.get("last_name", "")] for name in line.attendee_names],
            ]
            for line in lines
        ),
        promo_code.strip().lower(),
        [buyer.first_name, buyer.last_name, buyer.email.strip().lower(), buyer.phone],
    ]
    digest = hashlib.sha256(json.dumps(request, separators=(",", ":")).encode()).hexdigest()
    return uuid.uuid5(_IDEMPOTENT_ORDERS, f"{idempotency_key}:{digest}")


# Every hold of an on-sale runs this on the same row, so it is written out: built by the ORM it
# costs more Python than the rest of the transaction together. The same in PostgreSQL and SQLite.
_CAPACITY_TAKE_SQL = (
    f"UPDATE {Ticket._meta.db_table} SET quantity_held = quantity_held + %s"  # noqa: S608 (a name, not a value)
    " WHERE id = %s AND is_active AND quantity >= quantity_sold + quantity_held + %s"
)


def _capacity_take(*, ticket: Ticket, quantity: int, now) -> None:
    """Count ``quantity`` more tickets of ``ticket`` as held, or raise :class:`SoldOut`.

    Requires an open transaction; the ticket type's row stays locked until it ends. One conditional
    UPDATE of the held counter both locks the row and checks ``quantity − sold − held ≥ wanted``.
    The counter still includes holds whose time is up until they are released, so when it says too
    few are left, the row is locked and counted again with those holds left out; when that is
    enough, they are released (under the lock) and the UPDATE tried once more. Expired holds never
    keep a buyer out, and a buyer refused anyway writes nothing.
    """

    def take() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(_CAPACITY_TAKE_SQL, [quantity, ticket.pk, quantity])
            return cursor.rowcount == 1

    if take():
        return
    locked = _lock_ticket_types([ticket.pk])[ticket.pk]
    expired = TicketHold.objects.filter(ticket_id=ticket.pk, status=TicketHold.Status.ACTIVE, expires_at__lte=now)
    releasable = expired.aggregate(total=Coalesce(Sum("quantity"), 0))["total"]
    left = locked.quantity - locked.quantity_sold - (locked.quantity_held - releasable) if locked.is_active else 0
    if left >= quantity:
        if releasable:
            _holds_end(expired, status=TicketHold.Status.RELEASED)
        if take():  # cannot fail now: the row is locked and the counter has room
            return
    left = max(left, 0)
    raise SoldOut(
        f"Only {left} left of {ticket.name}." if left else f"{ticket.name} is sold out.",
        extra={"ticket": ticket.pk, "remaining": left},
    )


# Ticket types this process found sold out (nothing left), and when (``time.monotonic()``).
_SOLD_OUT_MEMORY_SECONDS = 2.0
_sold_out_at: dict[int, float] = {}


def _recently_sold_out(ticket_ids) -> bool:
    now = time.monotonic()
    return any(now - _sold_out_at.get(pk, -_SOLD_OUT_MEMORY_SECONDS) < _SOLD_OUT_MEMORY_SECONDS for pk in ticket_ids)


def _capacities_take(lines, *, now) -> None:
    """:func:`_capacity_take` for each line, in the ticket types' primary-key order; remembers which
    ticket types turned out sold out (see ``checkout_hold``)."""
    for line in lines:
        try:
            _capacity_take(ticket=line.ticket, quantity=line.quantity, now=now)
        except SoldOut as refusal:
            if refusal.extra["remaining"] == 0:
                _sold_out_at[line.ticket.pk] = time.monotonic()
            raise
        _sold_out_at.pop(line.ticket.pk, None)


def checkout_hold(
    *,
    show: Show,
    lines: list[CartLine],
    buyer: Buyer,
    promo_code: str = "",
    provider: str,
    now=None,
    expected_total: Decimal | None = None,
    order_uuid: uuid.UUID | None = None,
) -> Order:
    """Reserve the cart's tickets for the show's hold time and create the pending order.

    Checks what can be checked without locks first (show and ticket types on sale, limits per order,
    prices, donations, the promo code). Then, in one short transaction, it writes the order, its
    lines and its holds, and only then takes the capacity: ticket type by ticket type in primary-key
    order (:func:`_capacity_take`), then the promo code's uses (fulfilled plus held) under its row
    lock. Locks are taken last so they are held only until the commit; anything refused rolls the
    whole order back. Nothing external is called inside.

    A cart that costs nothing is given the ``free`` provider; otherwise ``provider`` must be ready to
    pay the show's producer (checked before anything is held). A provider that starts its payment
    locally (``test``, ``free``) has its session id written with the order.

    ``expected_total`` is the total the buyer saw: when given, a cart that now costs anything else is
    refused with :class:`PriceChanged` before anything is held. ``order_uuid`` is the new order's UUID
    (see :func:`checkout_order_uuid`); if an order already has it, the database refuses the second
    one and ``IntegrityError`` rises with nothing written.

    Raises :class:`NotOnSale`, :class:`TooManyTickets`, :class:`DonationTooLow`,
    :class:`PromoCodeInvalid`, :class:`PriceChanged`, :class:`SoldOut` (with ``extra.ticket`` and
    ``extra.remaining``) and :class:`PaymentsNotReady`; lock timeouts surface as the API's ``busy``.
    """
    now = now or timezone.now()
    _check_cart(show=show, lines=lines, now=now)
    promo = promo_code_find(show=show, code=promo_code, now=now)
    priced = price_cart(show=show, lines=lines, promo=promo, policy=fee_policy_for(show=show), now=now)
    _check_expected_total(priced, expected_total)
    if priced.total == 0:
        provider = Order.Provider.FREE
    payments = payment_provider(provider)
    payments.check_ready(show=show)
    expires = now + timedelta(minutes=show.hold_minutes)
    order = Order(
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
        ticket_count=sum(line.quantity for line in priced.lines),
        hold_expires_at=expires,
    )
    if order_uuid is not None:
        order.uuid = order_uuid
    if payments.starts_locally:
        order.session_id = payments.start(order=order).session_id
    names = {line.ticket.pk: list(line.attendee_names) for line in lines}
    by_ticket = sorted(priced.lines, key=lambda line: line.ticket.pk)
    # Capacity is normally taken last, to hold the row lock only until the commit. For a ticket type
    # this process just found sold out it is taken first: the buyers of a sold-out show are refused
    # before anything is written, and the rare one who finds a ticket freed holds the lock a little
    # longer.
    take_first = _recently_sold_out({line.ticket.pk for line in by_ticket})
    with transaction.atomic():
        if take_first:
            _capacities_take(by_ticket, now=now)
        # Plain INSERTs (``rows_insert``): the ORM's QuerySet machinery would cost this request, the
        # hot path of every on-sale, more than everything else it does.
        rows_insert([order])
        order_lines = [
            TicketOrder(
                order=order,
                ticket=line.ticket,
                attendee_names=names[line.ticket.pk],
                quantity=line.quantity,
                price_per_ticket=line.unit_price,
                donation_amount=line.donation_amount,
                discount_amount=line.discount,
                total_price=line.total,
                promo_code=promo.code if promo and line.discount else "",
            )
            for line in priced.lines
        ]
        rows_insert(order_lines)
        rows_insert(
            [
                TicketHold(order=order, ticket=line.ticket, quantity=line.quantity, expires_at=expires)
                for line in priced.lines
            ]
        )
        if not take_first:
            _capacities_take(by_ticket, now=now)
        if promo is not None and promo.max_uses is not None:
            used = TicketPromoCode.objects.select_for_update().values_list("times_used", flat=True).get(pk=promo.pk)
            held = Order.objects.filter(promo_code=promo, status=Order.Status.PENDING, hold_expires_at__gt=now).count()
            if used + held > promo.max_uses:  # ``held`` includes this order
                raise PromoCodeInvalid("This promo code has been used up.", extra={"code": promo.code})
    # The lines just written stand in for ``order.ticket_orders.all()`` (as prefetch_related would),
    # so the answer doesn't read them back.
    written = order.ticket_orders.all()
    written._result_cache, written._prefetch_done = order_lines, True
    order._prefetched_objects_cache = {"ticket_orders": written}
    return order


# --- starting the payment -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutStarted:
    order: Order
    redirect_url: str


def _checkout_again(order_uuid: uuid.UUID, *, now) -> CheckoutStarted | None:
    """Where to send a buyer whose checkout request already made the order ``order_uuid`` (a double
    submit, a retried request), or ``None`` when there is no such order.

    A pending order still held goes back to its payment (the same test page, the same Stripe Checkout
    Session); any other goes to its order page (the tickets once paid, else what became of it).
    Raises :class:`Busy` while the first request is still starting a Stripe payment.
    """
    order = (
        Order.objects.select_related("show__producer")
        .prefetch_related(Prefetch("ticket_orders", queryset=TicketOrder.objects.select_related("ticket")))
        .filter(uuid=order_uuid)
        .first()
    )
    if order is None:
        return None
    if order.status != Order.Status.PENDING or order.hold_expires_at is None or order.hold_expires_at <= now:
        return CheckoutStarted(order, order_page_url(order))
    provider = payment_provider(order.provider)
    if provider.starts_locally:
        return CheckoutStarted(order, provider.start(order=order).redirect_url)
    if not order.session_id:
        raise Busy("We're still starting the payment for this order. Try again in a moment.")
    return CheckoutStarted(order, _stripe_session_url(order) or order_page_url(order))


def _stripe_session_url(order: Order) -> str:
    """The address of the order's open Stripe Checkout Session, or ``""`` once it is closed."""
    from piquetickets.payments.stripe_api import provider_error, stripe_client

    try:
        session = stripe_client().v1.checkout.sessions.retrieve(order.session_id)
    except stripe.StripeError as error:
        raise provider_error(error) from error
    return (session.url or "") if session.status == "open" else ""


def checkout_start(
    *,
    show: Show,
    lines: list[CartLine],
    buyer: Buyer,
    promo_code: str = "",
    now=None,
    expected_total: Decimal | None = None,
    idempotency_key: str = "",
):
    """Hold the cart, then start its payment with the configured provider; returns where to send the buyer.

    The hold commits before the provider is called (no provider call ever runs inside a lock). A free
    order is fulfilled at once and the buyer goes straight to the order page. When the provider
    fails, the order is cancelled, its holds released, and :class:`PaymentProviderError` raised.

    ``expected_total``: the total the buyer saw; a cart that costs anything else now is refused with
    :class:`PriceChanged` and nothing is held. ``idempotency_key``: a string the client makes once per
    purchase (a UUID, or the checkout page's hidden field). The same request sent again with it buys
    nothing more: it answers with the order the first one made and where to send the buyer for it
    (see :func:`checkout_order_uuid`, :func:`_checkout_again`), even while the first is still running.

    Raises what :func:`checkout_hold` raises, and :class:`Busy` for a repeat that arrives while the
    first request is still starting a Stripe payment.
    """
    now = now or timezone.now()
    order_uuid = None
    if idempotency_key:
        order_uuid = checkout_order_uuid(
            idempotency_key=idempotency_key, show=show, lines=lines, buyer=buyer, promo_code=promo_code
        )
        again = _checkout_again(order_uuid, now=now)
        if again is not None:
            return again
    try:
        order = checkout_hold(
            show=show,
            lines=lines,
            buyer=buyer,
            promo_code=promo_code,
            provider=settings.PAYMENT_PROVIDER,
            now=now,
            expected_total=expected_total,
            order_uuid=order_uuid,
        )
    except (IntegrityError, ApplicationError):
        # The same request running alongside made the order first: its INSERT won the unique index
        # (IntegrityError), or its hold took the last tickets (SoldOut). Answer as for a repeat.
        again = _checkout_again(order_uuid, now=now) if order_uuid is not None else None
        if again is None:
            raise
        return again
    provider = payment_provider(order.provider)
    if order.provider == Order.Provider.FREE:
        order = order_fulfil(order=order, payment=Payment(provider=Order.Provider.FREE))
        return CheckoutStarted(order, provider.start(order=order).redirect_url)
    if provider.starts_locally:  # started by checkout_hold; start() gives the same answer again
        return CheckoutStarted(order, provider.start(order=order).redirect_url)
    try:
        started = provider.start(order=order)
    except PaymentProviderError:
        order_cancel_pending(order=order)
        raise
    Order.objects.filter(pk=order.pk).update(session_id=started.session_id)
    order.session_id = started.session_id
    return CheckoutStarted(order, started.redirect_url)


def order_cancel_pending(*, order: Order, status: str = Order.Status.CANCELLED, stop_payment: bool = True) -> Order:
    """End a pending order that won't be paid: the buyer declined or left the payment page
    (``cancelled``), or the provider's session ran out (``expired``). Releases its holds and, after
    commit, stops the provider's payment when ``stop_payment``. An order that is no longer pending
    is returned as it is."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING:
            return order
        order.status = status
        order.save(update_fields=["status", "updated_at"])
        _holds_end(order.holds.all(), status=TicketHold.Status.RELEASED)
        if stop_payment:
            transaction.on_commit(partial(payment_provider(order.provider).cancel, order=order))
    return order


def orders_expire_pending(*, now=None) -> int:
    """Mark pending orders whose hold ran out as expired (one conditional UPDATE), release their holds,
    then stop their payments at the provider (outside any transaction). Returns how many expired."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(status=Order.Status.PENDING, hold_expires_at__lte=now).values_list("pk", flat=True)[:500]
    )
    if not due:
        return 0
    with transaction.atomic():
        expired = Order.objects.filter(pk__in=due, status=Order.Status.PENDING).update(
            status=Order.Status.EXPIRED, updated_at=now
        )
        _holds_end(TicketHold.objects.filter(order_id__in=due), status=TicketHold.Status.RELEASED)
    for order in Order.objects.filter(pk__in=due, status=Order.Status.EXPIRED).exclude(session_id=""):
        payment_provider(order.provider).cancel(order=order)
    return expired


# --- fulfilment -----------------------------------------------------------------------------------


def _record_payment(order: Order, payment: Payment) -> None:
    for field in ("session_id", "payment_intent_id", "charge_id"):
        value = getattr(payment, field)
        if value and not getattr(order, field):
            setattr(order, field, value)


def _late_problem(order: Order, lines: list[TicketOrder], tickets: dict[int, Ticket], now) -> str | None:
    """Why a payment that arrived after its hold ended can't be honoured, or ``None`` when it can."""
    held = _live_held(list(tickets), now)
    for line in lines:
        ticket = tickets[line.ticket_id]
        if ticket.quantity - ticket.quantity_sold - held.get(ticket.pk, 0) < line.quantity:
            return f"Payment arrived after the reservation expired and {ticket.name} sold out."
    if order.promo_code_id:
        promo = TicketPromoCode.objects.select_for_update().get(pk=order.promo_code_id)
        if promo.max_uses is not None and promo.times_used >= promo.max_uses:
            return "Payment arrived after the reservation expired and the promo code was used up."
    return None


def _attendees_for(order: Order, lines: list[TicketOrder]) -> list[TicketAttendee]:
    attendees = []
    for line in lines:
        names = line.attendee_names or []
        for index in range(line.quantity):
            given = names[index] if index < len(names) and isinstance(names[index], dict) else {}
            attendees.append(
                TicketAttendee(
                    show_id=order.show_id,
                    ticket_order=line,
                    first_name=given.get("first_name") or order.first_name,
                    last_name=given.get("last_name") or order.last_name,
                    email=order.email,
                )
            )
    return attendees


def order_fulfil(*, order: Order, payment: Payment, now=None) -> Order:
    """Turn a paid order into tickets. Idempotent: the one completion path of every provider.

    Locks the order, then its ticket types in primary-key order. An order already fulfilled (or a
    late payment already refunded) is returned unchanged, so duplicate, retried or out-of-order
    completions change nothing twice. Inside the hold: sold counters and the promo code's uses go
    up, holds become converted, one :class:`TicketAttendee` with its own UUID is created per ticket,
    and the confirmation email is queued after commit.

    A payment that arrives after the hold ended is honoured if the tickets (and the promo code's
    uses) are still there; otherwise the whole payment is refunded through the provider, after the
    transaction, and the buyer told. Raises :class:`PaymentProviderError` if that refund fails (the
    reconciliation task tries again).

    Raises :class:`PaymentDoesNotMatch`, having changed nothing, when ``payment`` is not this order's
    (another provider or checkout session, another amount or currency: see ``payment_mismatch``),
    even if the order was already fulfilled: such money needs a person, never tickets.
    """
    now = now or timezone.now()
    late_refund = None
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        mismatch = payment_mismatch(order=order, payment=payment)
        if mismatch:
            raise PaymentDoesNotMatch(mismatch, extra={"order": str(order.uuid)})
        if order.success or order.refunded_amount > 0:
            return order
        _record_payment(order, payment)
        lines = list(order.ticket_orders.select_related("ticket").order_by("pk"))
        ids = sorted({line.ticket_id for line in lines})
        tickets = _lock_ticket_types(ids)
        own = {hold.ticket_id: hold for hold in order.holds.all()}
        holding = order.status == Order.Status.PENDING and all(
            line.ticket_id in own
            and own[line.ticket_id].status == TicketHold.Status.ACTIVE
            and own[line.ticket_id].expires_at > now
            for line in lines
        )
        problem = None if holding else _late_problem(order, lines, tickets, now)
        if problem and order.total == 0:  # nothing was paid, so there is nothing to honour or refund
            order.status = Order.Status.CANCELLED if order.status == Order.Status.PENDING else order.status
            order.save()
        elif problem:
            late_refund = Refund.objects.create(order=order, amount=order.total, reason=problem)
            order.refunded_amount = order.total
            order.status = Order.Status.REFUNDED
            order.save()
        else:
            for line in lines:
                hold = own.get(line.ticket_id)
                was_held = hold.quantity if hold is not None and hold.status == TicketHold.Status.ACTIVE else 0
                Ticket.objects.filter(pk=line.ticket_id).update(
                    quantity_sold=F("quantity_sold") + line.quantity, quantity_held=_held_minus(was_held)
                )
            if order.promo_code_id:
                TicketPromoCode.objects.filter(pk=order.promo_code_id).update(times_used=F("times_used") + 1)
            order.holds.exclude(status=TicketHold.Status.CONVERTED).update(status=TicketHold.Status.CONVERTED)
            TicketAttendee.objects.bulk_create(_attendees_for(order, lines))
            order.status = Order.Status.PAID
            order.success = True
            order.time_of_purchase = now
            order.save()
            transaction.on_commit(partial(_queue_confirmation, order.pk))
            transaction.on_commit(partial(meta_purchase_queue, order.pk))  # when Meta's Conversions API is on
    if late_refund is not None:
        _refund_execute(order=order, refund=late_refund)
    return order


def _queue_confirmation(order_id: int) -> None:
    from .emails import order_confirmation_queue

    order_confirmation_queue(order=Order.objects.select_related("show").get(pk=order_id))


def payments_reconcile(*, now=None, max_age=timedelta(days=3), grace=timedelta(minutes=5)) -> int:
    """Find payments the provider completed whose order was never fulfilled (a lost webhook, or a late
    refund that failed) and run fulfilment for them; returns how many were found.

    Looks at unfulfilled orders with a provider payment, started between ``max_age`` and ``grace``
    ago, leaving out those whose payment a webhook already put before a person (needs attention or
    settled); asks the provider outside any transaction. A payment that doesn't match its order is not
    fulfilled: it is recorded as needing attention (Admin → Webhook events), which also keeps later runs
    from asking again.
    """
    now = now or timezone.now()
    candidates = (
        Order.objects.filter(
            success=False,
            refunded_amount=0,
            created_at__gte=now - max_age,
            created_at__lte=now - grace,
            status__in=[Order.Status.PENDING, Order.Status.EXPIRED, Order.Status.CANCELLED],
        )
        .exclude(session_id="")
        .exclude(provider__in=[Order.Provider.FREE, Order.Provider.TEST])
        .exclude(webhook_events__status__in=[WebhookEvent.Status.NEEDS_ATTENTION, WebhookEvent.Status.SETTLED])
        .order_by("pk")[:200]
    )
    found = 0
    for order in candidates:
        try:
            payment = payment_provider(order.provider).paid(order=order)
            if payment is not None:
                found += 1
                order_fulfil(order=order, payment=payment, now=now)
        except PaymentProviderError as error:  # one order's trouble must not stop the others; next run retries
            logger.warning("Reconciling order %s failed: %s", order.uuid, error)
        except PaymentDoesNotMatch as error:
            from piquetickets.payments.services import payment_mismatch_record

            payment_mismatch_record(
                order=order, reason=error.message, payment={k: str(v) for k, v in asdict(payment).items()}
            )
    return found


# --- refunds --------------------------------------------------------------------------------------


def _status_after_refunds(order: Order) -> str:
    if order.refunded_amount <= 0:
        return Order.Status.PAID if order.success else Order.Status.EXPIRED
    if order.refunded_amount >= order.total:
        return Order.Status.REFUNDED
    return Order.Status.PARTIALLY_REFUNDED


def ticket_refund_share(attendee: TicketAttendee, currency: str) -> Decimal:
    """What refunding one ticket gives back: an equal share of its line's price (its discount and
    donation included), in the order's ``currency``."""
    line = attendee.ticket_order
    return quantize(line.total_price / line.quantity, currency)


@dataclass(frozen=True)
class RefundQuote:
    """What a refund would do to an order as it is now (see :func:`refund_quote`)."""

    amount: Decimal  # the money given back
    attendees: list[TicketAttendee]  # the tickets that stop admitting
    staying: list[TicketAttendee]  # the order's other valid tickets, which keep admitting
    remaining_after: Decimal  # what can still be refunded afterwards


def refund_quote(
    *, order: Order, attendee_uuids: list[str] | None = None, amount: Decimal | None = None
) -> RefundQuote:
    """The refund :func:`order_refund` makes of ``order`` for these arguments, worked out from the order
    as it is; writes nothing and locks nothing.

    - Neither ``attendee_uuids`` nor ``amount``: everything not yet refunded, fees included; every
      valid ticket stops admitting.
    - ``attendee_uuids``: those tickets stop admitting, for their share of their line's price
      (:func:`ticket_refund_share`), or for ``amount`` if given; all the valid tickets means
      everything left.
    - ``amount`` alone: money back, every ticket stays valid.

    Raises :class:`RefundInvalid` for a refund that can't be made: never paid, free, already refunded
    in full, tickets that are not valid tickets of the order (``extra.attendees``), an amount of zero
    or less (``extra.amount``) or above what is left (``extra.remaining``). ``order_refund`` calls it
    under the order's row lock; a page that shows a refund before it is made calls it without, and
    passes what it showed back to ``order_refund`` (``expected_refunded``, ``expected_amount``).
    """
    if not order.success:
        raise RefundInvalid("This order was never paid, so there is nothing to refund.")
    if order.total <= 0:
        raise RefundInvalid("This order was free, so there is nothing to refund.")
    remaining = order.total - order.refunded_amount
    if remaining <= 0:
        raise RefundInvalid("This order has already been refunded in full.")
    valid = list(
        TicketAttendee.objects.filter(ticket_order__order=order, status=TicketAttendee.Status.VALID)
        .select_related("ticket_order__ticket")
        .order_by("ticket_order_id", "pk")
    )
    if attendee_uuids:
        wanted = list(dict.fromkeys(str(u) for u in attendee_uuids))
        known = {str(a.uuid) for a in valid}
        unknown = [u for u in wanted if u not in known]
        if unknown:
            raise RefundInvalid(
                "Some of these tickets are not valid tickets of this order.", extra={"attendees": unknown}
            )
        chosen = [a for a in valid if str(a.uuid) in wanted]
    elif amount is None:
        chosen = list(valid)
    else:
        chosen = []
    if amount is None:
        everything = len(chosen) == len(valid)
        amount = remaining if everything else sum((ticket_refund_share(a, order.currency) for a in chosen), ZERO)
    amount = quantize(amount, order.currency)
    if amount <= 0:
        raise RefundInvalid("The amount to refund must be more than zero.", extra={"amount": str(amount)})
    if amount > remaining:
        raise RefundInvalid(
            f"At most {format_money(remaining, order.currency)} can still be refunded.",
            extra={"remaining": str(remaining)},
        )
    staying = [a for a in valid if a not in chosen]
    return RefundQuote(amount=amount, attendees=chosen, staying=staying, remaining_after=remaining - amount)


def order_refund(
    *,
    order: Order,
    attendee_uuids: list[str] | None = None,
    amount: Decimal | None = None,
    reason: str = "",
    by=None,
    expected_refunded: Decimal | None = None,
    expected_amount: Decimal | None = None,
) -> Refund:
    """Refund a paid order through its payment provider, whole or in part: the refund
    :func:`refund_quote` describes for ``attendee_uuids`` and ``amount``, by its rules.

    The order row is locked while the refund is reserved (amount counted, tickets marked refunded),
    the provider is called after commit, and then the refund is marked succeeded and the tickets'
    capacity goes back on sale; if the provider fails, the reservation is undone and
    :class:`PaymentProviderError` raised. Raises :class:`RefundInvalid` for a refund that can't be made.

    ``expected_refunded`` is what the person who asked saw refunded already, and ``expected_amount``
    the refund they were shown (a confirmation page): if, under the lock, the order's refunded amount
    or the refund's amount differs, :class:`RefundChanged` is raised and nothing is written, so a
    double submit or a refund made meanwhile never refunds twice, nor other than what was shown.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if expected_refunded is not None and order.refunded_amount != expected_refunded:
            raise RefundChanged(extra={"refunded_amount": str(order.refunded_amount)})
        quote = refund_quote(order=order, attendee_uuids=attendee_uuids, amount=amount)
        if expected_amount is not None and quote.amount != quantize(expected_amount, order.currency):
            raise RefundChanged(extra={"refunded_amount": str(order.refunded_amount), "amount": str(quote.amount)})
        amount, chosen = quote.amount, quote.attendees
        refund = Refund.objects.create(order=order, amount=amount, reason=reason[:255], created_by=by)
        if chosen:
            refund.attendees.set(chosen)
            TicketAttendee.objects.filter(pk__in=[a.pk for a in chosen]).update(status=TicketAttendee.Status.REFUNDED)
        order.refunded_amount += amount
        order.status = _status_after_refunds(order)
        order.save()
    return _refund_execute(order=order, refund=refund)


def _refund_execute(*, order: Order, refund: Refund) -> Refund:
    """Call the provider for a reserved refund (no transaction open), then settle or undo it."""
    try:
        provider_refund_id = payment_provider(order.provider).refund(order=order, refund=refund)
    except PaymentProviderError:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
            refund.attendees.update(status=TicketAttendee.Status.VALID)
            order.refunded_amount -= refund.amount
            order.status = _status_after_refunds(order)
            order.save()
        raise
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(
            status=Refund.Status.SUCCEEDED, provider_refund_id=provider_refund_id, updated_at=timezone.now()
        )
        _release_sold(refund.attendees.all())
        transaction.on_commit(partial(_queue_refund_email, order.pk, refund.pk))
    refund.refresh_from_db()
    return refund


def _release_sold(attendees) -> None:
    """Put refunded tickets back on sale: lower the sold counters, ticket types locked in pk order."""
    counts: dict[int, int] = {}
    for ticket_id in attendees.values_list("ticket_order__ticket_id", flat=True):
        counts[ticket_id] = counts.get(ticket_id, 0) + 1
    if not counts:
        return
    list(Ticket.objects.select_for_update().filter(pk__in=counts).order_by("pk").values_list("pk", flat=True))
    for ticket_id, count in sorted(counts.items()):
        Ticket.objects.filter(pk=ticket_id).update(quantity_sold=F("quantity_sold") - count)


def _queue_refund_email(order_id: int, refund_id: int) -> None:
    from .emails import late_payment_refunded_queue, order_refunded_queue

    order = Order.objects.select_related("show").get(pk=order_id)
    if order.success:
        order_refunded_queue(order=order, refund=Refund.objects.get(pk=refund_id))
    else:
        late_payment_refunded_queue(order=order)


def order_refund_synced(*, order: Order, refunded_total: Decimal, provider_refund_id: str = "") -> Refund | None:
    """Record a refund made at the provider (e.g. in Stripe's dashboard) given the payment's refunded total.

    Only the part above what we already know is recorded, so replays and our own refunds change
    nothing. When the payment is refunded in full, the order's remaining tickets stop admitting.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        refunded_total = min(quantize(refunded_total, order.currency), order.total)
        if refunded_total <= order.refunded_amount:
            return None
        refund = Refund.objects.create(
            order=order,
            amount=refunded_total - order.refunded_amount,
            status=Refund.Status.SUCCEEDED,
            reason="Refunded at the payment provider.",
            provider_refund_id=provider_refund_id,
        )
        if refunded_total >= order.total and order.success:
            valid = TicketAttendee.objects.filter(ticket_order__order=order, status=TicketAttendee.Status.VALID)
            refund.attendees.set(valid)
            valid.update(status=TicketAttendee.Status.REFUNDED)
            _release_sold(refund.attendees.all())
        order.refunded_amount = refunded_total
        order.status = _status_after_refunds(order)
        order.save()
        transaction.on_commit(partial(_queue_refund_email, order.pk, refund.pk))
    return refund
