"""Stripe webhooks and Connect payouts: what the payment provider tells us, and producers' payout accounts."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from piquetickets.core.money import from_minor_units
from piquetickets.producers.models import Producer, ProducerFinancial

from .errors import PaymentsNotReady, WebhookSignatureInvalid
from .models import WebhookEvent
from .providers import payment_from_session
from .stripe_api import provider_error, stripe_client

logger = logging.getLogger(__name__)


# --- webhooks -------------------------------------------------------------------------------------


def stripe_event_verify(*, payload: bytes, signature: str):
    """The event in ``payload`` if ``signature`` is Stripe's for it (signing secret, 5-minute tolerance).

    Raises :class:`WebhookSignatureInvalid` otherwise, before anything is read or written.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise WebhookSignatureInvalid()
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise WebhookSignatureInvalid() from error


def _event_record(event) -> WebhookEvent:
    defaults = {"type": event["type"], "payload": event}
    try:
        with transaction.atomic():
            record, _ = WebhookEvent.objects.get_or_create(provider="stripe", event_id=event["id"], defaults=defaults)
    except IntegrityError:  # the same event delivered twice at once: the other delivery stored it
        record = WebhookEvent.objects.get(provider="stripe", event_id=event["id"])
    return record


def stripe_webhook_receive(*, payload: bytes, signature: str) -> str:
    """Verify, store once and handle a Stripe event; returns ``processed``, ``duplicate`` or ``ignored``.

    The event id is stored first; an event already processed is not handled again. Every handler is
    idempotent on its own as well (fulfilment locks the order and does nothing twice), so two
    deliveries racing, retries and out-of-order events change nothing twice. A handler that fails
    leaves the event unprocessed with its error, and the exception propagates so Stripe retries.
    """
    event = stripe_event_verify(payload=payload, signature=signature).to_dict(for_json=True)
    record = _event_record(event)
    if record.processed_at is not None:
        return "duplicate"
    handler = HANDLERS.get(event["type"])
    try:
        if handler is not None:
            handler(event["data"]["object"], event)
    except Exception as error:
        WebhookEvent.objects.filter(pk=record.pk).update(error=repr(error)[:2000])
        raise
    WebhookEvent.objects.filter(pk=record.pk).update(processed_at=timezone.now(), error="")
    return "processed" if handler is not None else "ignored"


def _order_for(obj):
    from piquetickets.orders.models import Order

    reference = (obj.get("metadata") or {}).get("order") or obj.get("client_reference_id")
    if reference:
        try:
            return Order.objects.filter(uuid=uuid.UUID(str(reference))).first()
        except ValueError:  # not a UUID: not one of ours
            return None
    intent = obj.get("payment_intent")
    if intent:
        return Order.objects.filter(payment_intent_id=intent).first()
    return None


def _session_completed(session, event) -> None:
    from piquetickets.orders.services import order_fulfil

    order = _order_for(session)
    payment = payment_from_session(session)
    if order is None or payment is None:  # not ours, or paid by a delayed method not yet settled
        logger.info("Stripe session %s completed without a payment to fulfil", session.get("id"))
        return
    order_fulfil(order=order, payment=payment)


def _session_expired(session, event) -> None:
    from piquetickets.orders.models import Order
    from piquetickets.orders.services import order_cancel_pending

    order = _order_for(session)
    if order is not None:
        order_cancel_pending(order=order, status=Order.Status.EXPIRED, stop_payment=False)


def _charge_refunded(charge, event) -> None:
    from piquetickets.orders.models import Order
    from piquetickets.orders.services import order_refund_synced

    order = Order.objects.filter(payment_intent_id=charge.get("payment_intent") or "-").first()
    if order is None:
        return
    refunds = (charge.get("refunds") or {}).get("data") or []
    order_refund_synced(
        order=order,
        refunded_total=from_minor_units(charge.get("amount_refunded") or 0, order.currency),
        provider_refund_id=refunds[0]["id"] if refunds else "",
    )


def _payment_failed(intent, event) -> None:
    # Stripe Checkout keeps the session open after a declined card so the buyer can try another;
    # the hold keeps running and the order stays pending until it is paid or expires.
    error = (intent.get("last_payment_error") or {}).get("message", "")
    logger.info("Payment %s failed for order %s: %s", intent.get("id"), _order_for(intent), error)


def _account_updated(account, event) -> None:
    producer_financial_sync(account=account, at=datetime.fromtimestamp(event["created"], tz=UTC))


HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _session_completed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
    "payment_intent.payment_failed": _payment_failed,
    "account.updated": _account_updated,
}


# --- Connect payouts ------------------------------------------------------------------------------


def producer_financial_sync(*, account, at: datetime | None = None) -> ProducerFinancial | None:
    """Copy a Stripe account's readiness (charges, payouts, details submitted) to its ProducerFinancial.

    ``at`` is when Stripe reported it; an older report than the one already stored changes nothing,
    so ``account.updated`` events delivered out of order can't roll the status back.
    """
    at = at or timezone.now()
    with transaction.atomic():
        financial = ProducerFinancial.objects.select_for_update().filter(stripe_account_id=account["id"]).first()
        if financial is None:
            return None
        if financial.last_status_check and financial.last_status_check > at:
            return financial
        financial.charges_enabled = bool(account.get("charges_enabled"))
        financial.payouts_enabled = bool(account.get("payouts_enabled"))
        financial.onboarding_completed = bool(account.get("details_submitted"))
        financial.last_status_check = at
        financial.save()
    return financial


def payouts_onboarding_link(*, producer: Producer, return_url: str, refresh_url: str) -> str:
    """A Stripe Connect onboarding link for the producer, creating its Express account the first time.

    The account is created with an idempotency key per producer and stored with a conditional
    update, so two clicks at once make one account. Raises :class:`PaymentsNotReady` when Stripe is
    not configured and :class:`PaymentProviderError` when Stripe refuses.
    """
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsNotReady("Payouts through Stripe are not set up on this site.")
    client = stripe_client()
    financial, _ = ProducerFinancial.objects.get_or_create(producer=producer)
    try:
        if not financial.stripe_account_id:
            params = {
                "type": "express",
                "country": producer.country or "US",
                "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
                "business_profile": {"name": producer.name},
                "metadata": {"producer": producer.slug},
            }
            if producer.support_email:
                params["email"] = producer.support_email
            account = client.v1.accounts.create(
                params=params, options={"idempotency_key": f"connect-account-{producer.pk}"}
            )
            ProducerFinancial.objects.filter(pk=financial.pk, stripe_account_id="").update(stripe_account_id=account.id)
            financial.refresh_from_db()
        link = client.v1.account_links.create(
            params={
                "account": financial.stripe_account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            }
        )
    except stripe.StripeError as error:
        raise provider_error(error) from error
    ProducerFinancial.objects.filter(pk=financial.pk).update(stripe_account_link=link.url)
    return link.url


def payouts_refresh(*, producer: Producer) -> ProducerFinancial | None:
    """Ask Stripe for the producer's account now and store its status (the webhook does this too)."""
    financial = ProducerFinancial.objects.filter(producer=producer).exclude(stripe_account_id="").first()
    if financial is None:
        return None
    try:
        account = stripe_client().v1.accounts.retrieve(financial.stripe_account_id)
    except stripe.StripeError as error:
        raise provider_error(error) from error
    return producer_financial_sync(account=account.to_dict())
