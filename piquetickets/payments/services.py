"""Stripe webhooks and Connect payouts: what the payment provider tells us, and producers' payout accounts."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from piquetickets.core.money import CURRENCY_EXPONENTS, from_minor_units
from piquetickets.orders.models import Order
from piquetickets.producers.models import Producer, ProducerFinancial

from .errors import PaymentDoesNotMatch, PaymentsNotReady, WebhookEventInvalid, WebhookSignatureInvalid
from .models import WebhookEvent
from .providers import money_mismatch, payment_from_session
from .stripe_api import provider_error, stripe_client

logger = logging.getLogger(__name__)


# --- webhooks -------------------------------------------------------------------------------------

# How far a signature's timestamp may be from now, into the past (a replayed delivery) or the future.
WEBHOOK_TOLERANCE_SECONDS = 5 * 60


def _signed_at(signature: str) -> int:
    """The ``t=`` timestamp of a ``Stripe-Signature`` header, read as the stripe SDK reads it (the first)."""
    for item in signature.split(","):
        key, _, value = item.partition("=")
        if key == "t":
            return int(value)
    raise ValueError("no timestamp")


def stripe_event_verify(*, payload: bytes, signature: str):
    """The JSON body of ``payload`` if ``signature`` is Stripe's for it, made with the signing secret at
    most 5 minutes ago or ahead of now (the SDK checks only the past).

    Raises :class:`WebhookSignatureInvalid` otherwise, before anything is read or written, and
    :class:`WebhookEventInvalid` for a correctly signed body that is not JSON.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise WebhookSignatureInvalid()
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS)
        ahead = _signed_at(signature) - time.time()
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise WebhookSignatureInvalid() from error
    if ahead > WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookSignatureInvalid()
    try:
        return json.loads(payload)
    except ValueError as error:
        raise WebhookEventInvalid("The event is not JSON.") from error


_TYPE_NAMES = {str: "text", int: "a whole number", dict: "a JSON object"}

# What each handler reads from ``data.object``, and of which JSON type; ``None`` or absent is allowed
# except for ``id``. Checked before anything is stored as received, so a handler never meets a shape
# it can't read.
_SESSION_FIELDS = {
    "id": str,
    "metadata": dict,
    "client_reference_id": str,
    "payment_intent": (str, dict),
    "status": str,
    "payment_status": str,
    "amount_total": int,
    "currency": str,
}
_OBJECT_FIELDS = {
    "checkout.session.completed": _SESSION_FIELDS,
    "checkout.session.async_payment_succeeded": _SESSION_FIELDS,
    "checkout.session.expired": _SESSION_FIELDS,
    "charge.refunded": {
        "id": str,
        "payment_intent": str,
        "amount": int,
        "amount_refunded": int,
        "currency": str,
        "refunds": dict,
    },
    "payment_intent.payment_failed": {"id": str, "metadata": dict, "last_payment_error": dict},
    "account.updated": {"id": str},
}


def _is(value, kind) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return isinstance(value, kinds) and not (isinstance(value, bool) and int in kinds)


def _event_id(body) -> str | None:
    """The id to store ``body`` by, if it has a usable one."""
    event_id = body.get("id") if isinstance(body, dict) else None
    return event_id if _is(event_id, str) and 0 < len(event_id) <= 255 else None


def _event_checked(body) -> dict:
    """``body`` if it is shaped like a Stripe event, as far as this site reads it; else raises
    :class:`WebhookEventInvalid` saying what is wrong."""
    if not isinstance(body, dict):
        raise WebhookEventInvalid("The event must be a JSON object.")
    if _event_id(body) is None:
        raise WebhookEventInvalid("The event has no id.")
    if not _is(body.get("type"), str) or not 0 < len(body["type"]) <= 100:
        raise WebhookEventInvalid("The event has no type.")
    if not _is(body.get("created"), int):
        raise WebhookEventInvalid("The event has no created time.")
    data = body.get("data")
    if not isinstance(data, dict) or data.get("object") is None:
        raise WebhookEventInvalid("The event has no data.object.")
    obj = data["object"]
    if not isinstance(obj, dict):
        raise WebhookEventInvalid("The event's data.object must be a JSON object.")
    for name, kind in _OBJECT_FIELDS.get(body["type"], {}).items():
        value = obj.get(name)
        if value is None and name == "id":
            raise WebhookEventInvalid("The event's data.object.id is missing.")
        if value is not None and not _is(value, kind):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            expected = " or ".join(_TYPE_NAMES[k] for k in kinds)
            raise WebhookEventInvalid(f"The event's data.object.{name} must be {expected}.")
    return body


def _event_refused(body, error: WebhookEventInvalid) -> None:
    """Keep a refused body as a ``failed`` event when it has an id to store it by, and log it."""
    event_id = _event_id(body)
    if event_id is None:
        logger.error("Refused a signed Stripe webhook (not stored: it has no id): %s", error.message)
        return
    kind = body.get("type")
    failed = {"status": WebhookEvent.Status.FAILED, "error": error.message}
    record, created = _event_record(
        event_id, defaults={"type": kind[:100] if isinstance(kind, str) else "", "payload": body, **failed}
    )
    if not created and record.processed_at is None:
        WebhookEvent.objects.filter(pk=record.pk).update(**failed)
    logger.error("Refused a signed Stripe webhook (stored as failed event %s): %s", event_id, error.message)


def _event_record(event_id: str, *, defaults: dict) -> tuple[WebhookEvent, bool]:
    try:
        with transaction.atomic():
            return WebhookEvent.objects.get_or_create(provider="stripe", event_id=event_id, defaults=defaults)
    except IntegrityError:  # the same event delivered twice at once: the other delivery stored it
        return WebhookEvent.objects.get(provider="stripe", event_id=event_id), False


@dataclass(frozen=True)
class _Outcome:
    """What a handler made of an event: its ``WebhookEvent.status``, the order it is about, and why a
    person must look at it (``needs_attention``)."""

    status: str = WebhookEvent.Status.PROCESSED
    order: Order | None = None
    reason: str = ""


def stripe_webhook_receive(*, payload: bytes, signature: str) -> str:
    """Verify, store once and handle a Stripe event; returns ``processed``, ``ignored``,
    ``needs_attention`` or ``duplicate``.

    The event id is stored first; an event already handled is not handled again. Every handler is
    idempotent on its own as well (fulfilment locks the order and does nothing twice), so two
    deliveries racing, retries and out-of-order events change nothing twice. A handler that fails
    leaves the event unprocessed with its error, and the exception propagates so Stripe retries.

    A payment that doesn't match its order (checkout session, amount, currency) changes nothing:
    the event is kept as ``needs_attention`` with the reason and its order, and logged as an error.
    Raises :class:`WebhookSignatureInvalid` (nothing stored) and :class:`WebhookEventInvalid` for a
    signed body not shaped like an event (stored as ``failed`` when it has an id, else only logged).
    """
    body = None
    try:
        body = stripe_event_verify(payload=payload, signature=signature)
        event = _event_checked(body)
    except WebhookEventInvalid as error:
        _event_refused(body, error)
        raise
    record, _ = _event_record(event["id"], defaults={"type": event["type"], "payload": event})
    if record.processed_at is not None:
        return "duplicate"
    handler = HANDLERS.get(event["type"])
    try:
        outcome = handler(event["data"]["object"], event) if handler else _Outcome(WebhookEvent.Status.IGNORED)
    except Exception as error:
        WebhookEvent.objects.filter(pk=record.pk).update(error=repr(error)[:2000])
        raise
    WebhookEvent.objects.filter(pk=record.pk).update(
        processed_at=timezone.now(),
        status=outcome.status,
        order=outcome.order,
        attention_reason=outcome.reason,
        error="",
    )
    if outcome.status == WebhookEvent.Status.NEEDS_ATTENTION:
        logger.error(
            "Stripe event %s (%s) does not match order %s: %s Nothing was fulfilled; settle it in the admin "
            "(Webhook events, needs attention).",
            event["id"],
            event["type"],
            outcome.order.uuid,
            outcome.reason,
        )
    return outcome.status


def payment_mismatch_record(*, order: Order, reason: str, payment: dict) -> WebhookEvent:
    """Put a payment that doesn't match its order before a person, when no webhook event did (the
    reconciliation found it): a ``needs_attention`` row in the admin's Webhook events, once per order
    and checkout session. Returns the row (the existing one if it was recorded already)."""
    record, created = WebhookEvent.objects.get_or_create(
        provider="reconciliation",
        event_id=f"{order.uuid}:{order.session_id}",
        defaults={
            "type": "reconciliation.payment_mismatch",
            "payload": payment,
            "status": WebhookEvent.Status.NEEDS_ATTENTION,
            "order": order,
            "attention_reason": reason,
            "processed_at": timezone.now(),
        },
    )
    if created:
        logger.error(
            "Reconciling order %s: the payment does not match the order, so it was not fulfilled: %s Settle it "
            "in the admin (Webhook events, needs attention).",
            order.uuid,
            reason,
        )
    return record


def webhook_events_settle(*, event_ids, by) -> int:
    """Mark events that need attention as settled by ``by`` (a person dealt with the payment, e.g.
    refunded it at Stripe or fulfilled the order by hand); returns how many. Others are left alone."""
    return WebhookEvent.objects.filter(pk__in=event_ids, status=WebhookEvent.Status.NEEDS_ATTENTION).update(
        status=WebhookEvent.Status.SETTLED, settled_at=timezone.now(), settled_by=by
    )


def _order_for(obj) -> Order | None:
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


def _session_completed(session, event) -> _Outcome:
    from piquetickets.orders.services import order_fulfil

    order = _order_for(session)
    if order is None:
        logger.info("Stripe session %s completed for no order of ours", session["id"])
        return _Outcome(WebhookEvent.Status.IGNORED)
    payment = payment_from_session(session)
    if payment is None:  # paid by a delayed method not yet settled: async_payment_succeeded follows
        logger.info("Stripe session %s completed without a payment to fulfil yet", session["id"])
        return _Outcome(order=order)
    try:
        order_fulfil(order=order, payment=payment)
    except PaymentDoesNotMatch as mismatch:
        return _Outcome(WebhookEvent.Status.NEEDS_ATTENTION, order, mismatch.message)
    return _Outcome(order=order)


def _session_expired(session, event) -> _Outcome:
    from piquetickets.orders.services import order_cancel_pending

    order = _order_for(session)
    if order is None or session["id"] != order.session_id:
        # Only the order's own checkout session ending ends it; an older or stray one says nothing.
        logger.info("Stripe session %s expired; it is not the checkout session of an order of ours", session["id"])
        return _Outcome(WebhookEvent.Status.IGNORED, order)
    order_cancel_pending(order=order, status=Order.Status.EXPIRED, stop_payment=False)
    return _Outcome(order=order)


def _charge_refunded(charge, event) -> _Outcome:
    from piquetickets.orders.services import order_refund_synced

    order = Order.objects.filter(payment_intent_id=charge.get("payment_intent") or "-").first()
    if order is None:
        return _Outcome(WebhookEvent.Status.IGNORED)
    currency = (charge.get("currency") or "").upper()
    known = currency in CURRENCY_EXPONENTS and charge.get("amount") is not None
    amount = from_minor_units(charge["amount"], currency) if known else None
    problems = money_mismatch(order=order, amount=amount, currency=currency)
    if problems:  # not the charge of this order as we priced it: its refunded amount means nothing here
        return _Outcome(WebhookEvent.Status.NEEDS_ATTENTION, order, " ".join(problems))
    refunds = (charge.get("refunds") or {}).get("data")
    first = refunds[0] if isinstance(refunds, list) and refunds and isinstance(refunds[0], dict) else {}
    order_refund_synced(
        order=order,
        refunded_total=from_minor_units(charge.get("amount_refunded") or 0, currency),
        provider_refund_id=str(first.get("id") or ""),
    )
    return _Outcome(order=order)


def _payment_failed(intent, event) -> _Outcome:
    # Stripe Checkout keeps the session open after a declined card so the buyer can try another;
    # the hold keeps running and the order stays pending until it is paid or expires.
    order = _order_for(intent)
    error = (intent.get("last_payment_error") or {}).get("message", "")
    logger.info("Payment %s failed for order %s: %s", intent["id"], order, error)
    return _Outcome(order=order)


def _account_updated(account, event) -> _Outcome:
    producer_financial_sync(account=account, at=datetime.fromtimestamp(event["created"], tz=UTC))
    return _Outcome()


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
    status = payouts_account_check(producer=producer)
    return status.financial if status is not None else None


@dataclass(frozen=True)
class PayoutsAccountStatus:
    """A connected account as Stripe reports it now: its stored readiness, and what Stripe still needs
    (``currently_due`` / ``past_due``: Stripe's requirement names such as ``external_account``)."""

    financial: ProducerFinancial
    currently_due: tuple[str, ...] = ()
    past_due: tuple[str, ...] = ()
    disabled_reason: str = ""


def payouts_account_check(*, producer: Producer) -> PayoutsAccountStatus | None:
    """Ask Stripe for the producer's connected account, store its readiness
    (:func:`producer_financial_sync`) and say what Stripe still needs. ``None`` when the producer has
    no account yet. Raises :class:`PaymentProviderError` when Stripe refuses or can't be reached (the
    stored status is then left as it was)."""
    financial = ProducerFinancial.objects.filter(producer=producer).exclude(stripe_account_id="").first()
    if financial is None:
        return None
    try:
        account = stripe_client().v1.accounts.retrieve(financial.stripe_account_id).to_dict()
    except stripe.StripeError as error:
        raise provider_error(error) from error
    financial = producer_financial_sync(account=account) or financial
    requirements = account.get("requirements") or {}
    return PayoutsAccountStatus(
        financial=financial,
        currently_due=tuple(requirements.get("currently_due") or ()),
        past_due=tuple(requirements.get("past_due") or ()),
        disabled_reason=requirements.get("disabled_reason") or "",
    )


def payouts_dashboard_link(*, producer: Producer) -> str:
    """A one-time sign-in link to the producer's Stripe Express dashboard (payouts, bank account, tax
    forms). Raises :class:`PaymentsNotReady` when the producer has no connected account yet or Stripe
    is not configured, :class:`PaymentProviderError` when Stripe refuses (e.g. onboarding not done)."""
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsNotReady("Payouts through Stripe are not set up on this site.")
    financial = ProducerFinancial.objects.filter(producer=producer).exclude(stripe_account_id="").first()
    if financial is None:
        raise PaymentsNotReady("Connect a Stripe account first.")
    try:
        link = stripe_client().v1.accounts.login_links.create(financial.stripe_account_id)
    except stripe.StripeError as error:
        raise provider_error(error) from error
    return link.url
