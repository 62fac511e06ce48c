"""Payment providers behind one small interface.

- ``test``: the embedded default. The buyer is sent to a local page with Approve and Decline; it is
  refused unless ``ALLOW_TEST_PAYMENTS`` is on (it is off by default whenever ``DEBUG`` is off).
- ``free``: orders whose total is zero; nothing to charge, they complete at once.
- ``stripe``: Stripe Checkout Sessions as destination charges to the producer's connected account,
  with the platform's fees as the application fee; refunds through Stripe.

Providers never touch the database inside a lock: the order services call them before or after
their transactions, never during.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from piquetickets.core.money import CURRENCY_EXPONENTS, format_money, from_minor_units, to_minor_units
from piquetickets.orders.tickets import order_page_url

from .errors import PaymentProviderError, PaymentsNotReady
from .stripe_api import provider_error, stripe_client

if TYPE_CHECKING:
    from piquetickets.orders.models import Order, Refund
    from piquetickets.shows.models import Show

logger = logging.getLogger(__name__)

# Stripe refuses a Checkout Session that expires sooner than this; a shorter hold is enforced by
# expiring the session ourselves when the hold runs out (and a late payment is handled anyway).
STRIPE_MIN_SESSION_MINUTES = 30


@dataclass(frozen=True)
class PaymentStart:
    """Where to send the buyer to pay, and the provider's id for that payment attempt."""

    session_id: str
    redirect_url: str


@dataclass(frozen=True)
class Payment:
    """A payment the provider confirmed, as fulfilment records it.

    ``amount`` and ``currency`` are what the provider says it charged (providers that charge nothing
    themselves, ``test`` and ``free``, leave them empty).
    """

    provider: str
    session_id: str = ""
    payment_intent_id: str = ""
    charge_id: str = ""
    amount: Decimal | None = None
    currency: str = ""


class PaymentProvider(Protocol):
    name: str
    # ``start()`` calls nobody and gives the same answer for the same order: checkout starts such a
    # payment before writing the order, so its session id goes into the same INSERT.
    starts_locally: bool
    # Its :class:`Payment` comes from the provider (a webhook, an API answer) and says what was charged,
    # so fulfilment checks its checkout session, amount and currency against the order.
    reports_payments: bool

    def check_ready(self, *, show: Show) -> None:
        """Raise :class:`PaymentsNotReady` when the show's producer can't be paid through this provider."""

    def start(self, *, order: Order) -> PaymentStart:
        """Begin the payment of a pending order. Raises :class:`PaymentProviderError`."""

    def refund(self, *, order: Order, refund: Refund) -> str:
        """Refund ``refund.amount`` of the order's payment; returns the provider's refund id."""

    def cancel(self, *, order: Order) -> None:
        """Stop a started payment so it can no longer be paid (best effort)."""

    def paid(self, *, order: Order) -> Payment | None:
        """Ask the provider whether the order's payment went through (reconciliation)."""


class TestProvider:
    """A local stand-in for a hosted payment page: Approve or Decline, nothing is charged."""

    name = "test"
    starts_locally = True
    reports_payments = False

    def _require_allowed(self) -> None:
        if not settings.ALLOW_TEST_PAYMENTS:
            raise PaymentProviderError("Test payments are switched off on this site.")

    def check_ready(self, *, show: Show) -> None:
        self._require_allowed()

    def start(self, *, order: Order) -> PaymentStart:
        self._require_allowed()
        url = f"{settings.SITE_URL}{reverse('payments:test-pay', args=[order.public_token])}"
        return PaymentStart(session_id=f"test_{order.uuid.hex}", redirect_url=url)

    def refund(self, *, order: Order, refund: Refund) -> str:
        return f"test_re_{secrets.token_hex(12)}"

    def cancel(self, *, order: Order) -> None:
        return None

    def paid(self, *, order: Order) -> Payment | None:
        return None  # the test page fulfils directly; there is nothing to reconcile


class FreeProvider:
    """Zero-total orders: nothing to charge or refund."""

    name = "free"
    starts_locally = True
    reports_payments = False

    def check_ready(self, *, show: Show) -> None:
        return None

    def start(self, *, order: Order) -> PaymentStart:
        return PaymentStart(session_id="", redirect_url=order_page_url(order))

    def refund(self, *, order: Order, refund: Refund) -> str:
        return ""

    def cancel(self, *, order: Order) -> None:
        return None

    def paid(self, *, order: Order) -> Payment | None:
        return None


def _session_line_items(order: Order) -> list[dict]:
    """Line items whose amounts add up to exactly ``order.total``.

    A line whose total doesn't split evenly per ticket (a discount that leaves a remainder) is sent
    as one item of its total, named with the quantity, so Stripe charges what we priced to the cent.
    """
    currency = order.currency
    items = []
    for line in order.ticket_orders.select_related("ticket").order_by("pk"):
        line_minor = to_minor_units(line.total_price, currency)
        if line_minor == 0:
            continue
        if line_minor % line.quantity == 0:
            unit, quantity, name = line_minor // line.quantity, line.quantity, line.ticket.name
        else:
            unit, quantity, name = line_minor, 1, f"{line.quantity} × {line.ticket.name}"
        items.append(_price_item(currency, unit, quantity, f"{name} — {order.show.title}"))
    if order.fees_passed_to_buyer:
        fees = to_minor_units(order.platform_fees + order.payment_processing_fees, currency)
        if fees:
            items.append(_price_item(currency, fees, 1, "Booking fee"))
    return items


def _price_item(currency: str, unit_amount: int, quantity: int, name: str) -> dict:
    return {
        "price_data": {"currency": currency.lower(), "unit_amount": unit_amount, "product_data": {"name": name[:250]}},
        "quantity": quantity,
    }


class StripeProvider:
    """Stripe Checkout, as destination charges: the producer's connected account receives the payment,
    the platform keeps its platform and processing fees as the application fee."""

    name = "stripe"
    starts_locally = False
    reports_payments = True

    def _destination(self, show: Show) -> str:
        financial = getattr(show.producer, "financial", None)
        if financial is None or not financial.stripe_account_id or not financial.charges_enabled:
            raise PaymentsNotReady(
                "This producer hasn't finished setting up payouts, so tickets can't be sold yet.",
                extra={"producer": show.producer.slug},
            )
        return financial.stripe_account_id

    def check_ready(self, *, show: Show) -> None:
        self._destination(show)

    def start(self, *, order: Order) -> PaymentStart:
        show = order.show
        currency = order.currency
        total = to_minor_units(order.total, currency)
        fee = min(total, to_minor_units(order.platform_fees + order.payment_processing_fees, currency))
        items = _session_line_items(order)
        if sum(item["price_data"]["unit_amount"] * item["quantity"] for item in items) != total:
            raise PaymentProviderError("The order's lines don't add up to its total.")  # pricing bug guard
        earliest = timezone.now() + timedelta(minutes=STRIPE_MIN_SESSION_MINUTES, seconds=30)
        metadata = {"order": str(order.uuid), "show": str(show.pk)}
        params = {
            "mode": "payment",
            "line_items": items,
            "customer_email": order.email,
            "client_reference_id": str(order.uuid),
            "metadata": metadata,
            "success_url": f"{order_page_url(order)}?paid=1",
            "cancel_url": f"{settings.SITE_URL}{reverse('payments:cancel', args=[order.public_token])}",
            "expires_at": int(max(order.hold_expires_at, earliest).timestamp()),
            "payment_intent_data": {
                "application_fee_amount": fee,
                "transfer_data": {"destination": self._destination(show)},
                "metadata": metadata,
            },
        }
        try:
            session = stripe_client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-session-{order.uuid}"}
            )
        except stripe.StripeError as error:
            logger.warning("Stripe refused a checkout session for order %s: %s", order.uuid, error)
            raise provider_error(error) from error
        return PaymentStart(session_id=session.id, redirect_url=session.url)

    def refund(self, *, order: Order, refund: Refund) -> str:
        if not order.payment_intent_id:
            raise PaymentProviderError("This order has no Stripe payment to refund.")
        try:
            result = stripe_client().v1.refunds.create(
                params={
                    "payment_intent": order.payment_intent_id,
                    "amount": to_minor_units(refund.amount, order.currency),
                    "reverse_transfer": True,
                    "refund_application_fee": True,
                    "metadata": {"order": str(order.uuid), "refund": str(refund.pk)},
                },
                options={"idempotency_key": f"refund-{order.uuid}-{refund.pk}"},
            )
        except stripe.StripeError as error:
            logger.warning("Stripe refused refund %s of order %s: %s", refund.pk, order.uuid, error)
            raise provider_error(error) from error
        return result.id

    def cancel(self, *, order: Order) -> None:
        if not order.session_id:
            return
        try:
            stripe_client().v1.checkout.sessions.expire(order.session_id)
        except stripe.StripeError as error:
            # Already completed or expired: a completed payment still reaches fulfilment by webhook or
            # by reconciliation, which refunds it if the tickets are gone.
            logger.info("Could not expire Stripe session %s: %s", order.session_id, error)

    def paid(self, *, order: Order) -> Payment | None:
        if not order.session_id:
            return None
        try:
            session = stripe_client().v1.checkout.sessions.retrieve(order.session_id)
        except stripe.StripeError as error:
            raise provider_error(error) from error
        return payment_from_session(session.to_dict())


def payment_from_session(session: dict) -> Payment | None:
    """The :class:`Payment` a completed, paid Checkout Session (as a plain dict) stands for, else ``None``.

    Its amount is ``amount_total`` (integer minor units) in the session's currency; a currency the
    platform doesn't sell in, or an amount that isn't a whole number, leaves the amount unknown, which
    :func:`payment_mismatch` refuses.
    """
    if session.get("status") != "complete" or session.get("payment_status") != "paid":
        return None
    intent = session.get("payment_intent") or ""
    if isinstance(intent, dict):  # expanded
        intent = intent.get("id") or ""
    currency = str(session.get("currency") or "").upper()
    minor = session.get("amount_total")
    known = currency in CURRENCY_EXPONENTS and isinstance(minor, int) and not isinstance(minor, bool)
    return Payment(
        provider="stripe",
        session_id=session["id"],
        payment_intent_id=str(intent),
        amount=from_minor_units(minor, currency) if known else None,
        currency=currency,
    )


def payment_mismatch(*, order: Order, payment: Payment) -> str | None:
    """Why ``payment`` is not the payment of ``order`` (one sentence per difference), or ``None``.

    The payment must come through the order's provider. A provider that reports payments (Stripe)
    must report them for the checkout session stored on the order, for the order's total in its
    currency. The ``test`` and ``free`` providers' payments are made here from the order itself.
    """
    problems = []
    if payment.provider != order.provider:
        problems.append(f"Paid through {payment.provider}, but the order is paid through {order.provider}.")
    if payment_provider(payment.provider).reports_payments:
        if payment.session_id != order.session_id:
            problems.append(
                f"Checkout session {payment.session_id or 'none'} is not the order's ({order.session_id or 'none'})."
            )
        problems.extend(money_mismatch(order=order, amount=payment.amount, currency=payment.currency))
    return " ".join(problems) or None


def money_mismatch(*, order: Order, amount: Decimal | None, currency: str) -> list[str]:
    """What differs between the money a provider reports (``amount`` in ``currency``) and the order's total."""
    if currency != order.currency:
        return [f"Paid in {currency or 'no currency'}, but the order is in {order.currency}."]
    if amount is None:
        return ["The payment does not say how much was paid."]
    if amount != order.total:
        paid, total = format_money(amount, currency), format_money(order.total, order.currency)
        return [f"Paid {paid}, but the order's total is {total}."]
    return []


PROVIDERS: dict[str, PaymentProvider] = {
    "test": TestProvider(),
    "free": FreeProvider(),
    "stripe": StripeProvider(),
}


def payment_provider(name: str) -> PaymentProvider:
    return PROVIDERS[name]
