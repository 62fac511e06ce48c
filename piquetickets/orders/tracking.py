"""Purchases told to Meta's Conversions API: the server-side twin of the pixel's Purchase event.

On when both ``META_PIXEL_ID`` and ``META_CONVERSIONS_API_TOKEN`` are set. Then:

1. At checkout the storefront remembers the buyer's browser (:func:`meta_purchase_browser_remember`):
   Meta needs its user agent to accept a website event, and matches it better with its address and
   Meta's own first-party cookies (``_fbp``, ``_fbc``).
2. Fulfilment, after it commits, calls :func:`meta_purchase_queue`, which marks the order's
   :class:`MetaPurchase` due and queues :func:`send_meta_purchase`. A broker that does not answer
   delays it: the periodic :func:`retry_meta_purchases` picks up every due event.
3. :func:`meta_purchase_send` posts one event to ``{META_GRAPH_API_BASE}/{version}/{pixel}/events``
   with the order's id as ``event_id`` (the id the browser's Purchase carries, so Meta counts the
   two once), the buyer's email and name hashed (SHA-256 of the normalised value), value, currency
   and the show page's address (never the order page's: that address is the key to the tickets).
   It claims the row first, so two workers never send one order twice, and calls Meta outside any
   transaction. A 5xx, a timeout or an error Meta calls transient is tried again after 30 s, 1, 2,
   4 … minutes (capped at an hour), ``MAX_ATTEMPTS`` times in all; any other refusal is given up at
   once and logged. Nothing here ever raises into fulfilment.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from piquetickets.core.http import client_ip
from piquetickets.core.outages import task_queue

from .models import MetaPurchase, Order

logger = logging.getLogger(__name__)

EVENT_NAME = "Purchase"
MAX_ATTEMPTS = 8
RETRY_BACKOFF_BASE = timedelta(seconds=30)
RETRY_BACKOFF_CAP = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=2)  # an attempt in progress is left alone this long (longer than its timeout)
EVENT_MAX_AGE = timedelta(days=7)  # Meta refuses events older than this
SWEEP_BATCH = 50
ERROR_CHARS = 300


def conversions_api_enabled() -> bool:
    return bool(settings.META_PIXEL_ID and settings.META_CONVERSIONS_API_TOKEN)


# --- at checkout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Browser:
    """The buyer's browser as a checkout request shows it."""

    user_agent: str = ""
    ip_address: str | None = None
    fbp: str = ""
    fbc: str = ""

    @classmethod
    def from_request(cls, request) -> Browser:
        def cookie(name: str) -> str:
            value = request.COOKIES.get(name, "")
            return value if len(value) <= 255 and value.isprintable() else ""

        return cls(
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            ip_address=client_ip(request),
            fbp=cookie("_fbp"),
            fbc=cookie("_fbc"),
        )


def meta_purchase_browser_remember(*, order: Order, request) -> None:
    """Remember the browser that started ``order``'s checkout, for its Purchase event once paid.

    Call it from a checkout page's view after the order was created. Does nothing while the
    Conversions API is off. Never raises: a checkout must not fail for want of tracking.
    """
    if not conversions_api_enabled():
        return
    browser = Browser.from_request(request)
    try:
        MetaPurchase.objects.update_or_create(
            order=order,
            defaults={
                "user_agent": browser.user_agent,
                "ip_address": browser.ip_address,
                "fbp": browser.fbp,
                "fbc": browser.fbc,
            },
        )
    except Exception:  # tracking is never worth a failed checkout
        logger.exception("Could not remember the browser of order %s for Meta", order.pk)


# --- after fulfilment -------------------------------------------------------------------------


def meta_purchase_queue(order_id: int) -> None:
    """After a fulfilment commits: mark the order's Purchase due and queue its sending.

    Does nothing while the Conversions API is off or for an order already sent. Never raises into
    fulfilment (its caller runs it in ``on_commit``): an error is logged, and an event left due is
    sent by :func:`retry_meta_purchases`.
    """
    if not conversions_api_enabled():
        return
    try:
        now = timezone.now()
        row, created = MetaPurchase.objects.get_or_create(order_id=order_id, defaults={"next_attempt_at": now})
        if not created:
            MetaPurchase.objects.filter(
                pk=row.pk, status=MetaPurchase.Status.WAITING, next_attempt_at__isnull=True
            ).update(next_attempt_at=now)
        task_queue(send_meta_purchase, order_id)
    except Exception:  # nor a failed fulfilment
        logger.exception("Could not queue the Meta Purchase of order %s", order_id)


# --- the event --------------------------------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """Meta's rule: trimmed, lower case."""
    return email.strip().lower()


def normalise_name(name: str) -> str:
    """Meta's rule: lower case, no punctuation or spaces (letters of any script are kept)."""
    text = unicodedata.normalize("NFKC", name).lower()
    return "".join(char for char in text if char.isalnum())


def normalise_phone(phone: str) -> str:
    """Digits with the country code; ``""`` for a number written without one (``+`` first)."""
    phone = phone.strip()
    return re.sub(r"\D", "", phone) if phone.startswith("+") else ""


def meta_purchase_event(order: Order, row: MetaPurchase | None = None) -> dict:
    """The Conversions API's event for ``order`` (``show`` loaded): one entry of the body's ``data``."""
    user_data: dict = {"em": [_sha256(normalise_email(order.email))]}
    for key, value in (
        ("fn", normalise_name(order.first_name)),
        ("ln", normalise_name(order.last_name)),
        ("ph", normalise_phone(order.phone)),
    ):
        if value:
            user_data[key] = [_sha256(value)]
    if row is not None and row.user_agent:
        user_data["client_user_agent"] = row.user_agent
    if row is not None and row.ip_address:
        user_data["client_ip_address"] = row.ip_address
    if row is not None and row.fbp:
        user_data["fbp"] = row.fbp
    if row is not None and row.fbc:
        user_data["fbc"] = row.fbc
    paid_at = order.time_of_purchase or order.created_at
    tickets = sum(line.quantity for line in order.ticket_orders.all())
    return {
        "event_name": EVENT_NAME,
        "event_time": int(paid_at.timestamp()),
        "event_id": str(order.uuid),
        # A checkout in a browser is a website event. One started elsewhere (an integration using the
        # API) has no browser to name, which Meta requires of website events.
        "action_source": "website" if "client_user_agent" in user_data else "other",
        "event_source_url": f"{settings.SITE_URL}{reverse('storefront:show', args=[order.show.slug])}",
        "user_data": user_data,
        "custom_data": {
            # A JSON number, as the pixel sends it; the Decimal is exact to the minor unit.
            "value": float(order.total),
            "currency": order.currency,
            "content_ids": [order.show.slug],
            "content_type": "product",
            "num_items": tickets,
            "order_id": str(order.uuid),
        },
    }


def events_url() -> str:
    return f"{settings.META_GRAPH_API_BASE}/{settings.META_GRAPH_API_VERSION}/{settings.META_PIXEL_ID}/events"


class _Retry(Exception):
    """Meta did not take the event this time (5xx, timeout, a transient error): try again later."""


class _Refused(Exception):
    """Meta refused the event for good (bad token, bad parameters): don't try again."""


def _post(events: list[dict]) -> dict:
    body = {"data": events, "access_token": settings.META_CONVERSIONS_API_TOKEN}
    if settings.META_TEST_EVENT_CODE:
        body["test_event_code"] = settings.META_TEST_EVENT_CODE
    request = urllib.request.Request(  # noqa: S310  (an https URL from settings)
        events_url(),
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.META_CONVERSIONS_API_TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read() or b"{}").get("error") or {}
        except ValueError:
            detail = {}
        message = f"HTTP {error.code}: {detail.get('message') or error.reason}"
        if error.code >= 500 or error.code == 429 or detail.get("is_transient"):
            raise _Retry(message) from error
        raise _Refused(message) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as error:
        raise _Retry(f"{type(error).__name__}: {error}") from error


def _backoff(attempts: int) -> timedelta:
    return min(RETRY_BACKOFF_BASE * (2 ** max(attempts - 1, 0)), RETRY_BACKOFF_CAP)


_FORGET_BROWSER = {"user_agent": "", "ip_address": None, "fbp": "", "fbc": ""}


def meta_purchase_send(*, order_id: int, now=None) -> str:
    """Send ``order_id``'s Purchase if it is due; returns what happened: ``sent``, ``retry`` (due again
    later), ``failed`` (given up), or ``skipped`` (off, not paid, already sent or being sent, not due).

    Claims the row with one conditional ``UPDATE`` (due, waiting → not due for ``CLAIM_FOR``, one more
    attempt), so only one caller sends; Meta is called outside any transaction. Never raises for
    Meta's answers; database errors propagate to the task.
    """
    if not conversions_api_enabled():
        return "skipped"
    now = now or timezone.now()
    claimed = MetaPurchase.objects.filter(
        order_id=order_id,
        status=MetaPurchase.Status.WAITING,
        next_attempt_at__lte=now,
        order__success=True,
    ).update(next_attempt_at=now + CLAIM_FOR, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    row = MetaPurchase.objects.select_related("order__show").get(order_id=order_id)
    order = row.order
    if now - (order.time_of_purchase or order.created_at) > EVENT_MAX_AGE:
        _finish(row, status=MetaPurchase.Status.FAILED, error="Older than Meta takes (7 days).")
        return "failed"
    try:
        answer = _post([meta_purchase_event(order, row)])
    except _Retry as error:
        if row.attempts >= MAX_ATTEMPTS:
            logger.error("Meta Purchase of order %s given up after %s attempts: %s", order_id, row.attempts, error)
            _finish(row, status=MetaPurchase.Status.FAILED, error=str(error))
            return "failed"
        logger.warning(
            "Meta Purchase of order %s not taken (attempt %s), trying again: %s", order_id, row.attempts, error
        )
        MetaPurchase.objects.filter(pk=row.pk).update(
            next_attempt_at=now + _backoff(row.attempts), last_error=str(error)[:ERROR_CHARS]
        )
        return "retry"
    except _Refused as error:
        logger.error("Meta refused the Purchase of order %s: %s", order_id, error)
        _finish(row, status=MetaPurchase.Status.FAILED, error=str(error))
        return "failed"
    if answer.get("events_received") != 1:
        logger.error("Meta received no Purchase for order %s: %s", order_id, str(answer)[:ERROR_CHARS])
        _finish(row, status=MetaPurchase.Status.FAILED, error=f"Answer: {str(answer)[:200]}")
        return "failed"
    _finish(row, status=MetaPurchase.Status.SENT, sent_at=timezone.now())
    return "sent"


def _finish(row: MetaPurchase, *, status: str, error: str = "", sent_at=None) -> None:
    MetaPurchase.objects.filter(pk=row.pk).update(
        status=status, next_attempt_at=None, sent_at=sent_at, last_error=error[:ERROR_CHARS], **_FORGET_BROWSER
    )


def meta_purchases_retry_due(*, now=None) -> int:
    """Send every due Purchase (retries whose back-off ran out, and those whose task was never queued or
    got lost), ``SWEEP_BATCH`` at a time; forget the browsers of checkouts older than Meta takes.
    Returns how many were tried."""
    if not conversions_api_enabled():
        return 0
    now = now or timezone.now()
    MetaPurchase.objects.filter(created_at__lt=now - EVENT_MAX_AGE).exclude(
        Q(user_agent="") & Q(ip_address__isnull=True) & Q(fbp="") & Q(fbc="")
    ).update(**_FORGET_BROWSER)
    due = list(
        MetaPurchase.objects.filter(status=MetaPurchase.Status.WAITING, next_attempt_at__lte=now, order__success=True)
        .order_by("next_attempt_at")
        .values_list("order_id", flat=True)[:SWEEP_BATCH]
    )
    for order_id in due:
        meta_purchase_send(order_id=order_id, now=now)
    return len(due)


# --- tasks ------------------------------------------------------------------------------------


@shared_task(name="orders.send_meta_purchase")
def send_meta_purchase(order_id: int) -> str:
    """Send one paid order's Purchase to the Conversions API (retries are the periodic task's)."""
    return meta_purchase_send(order_id=order_id)


@shared_task(name="orders.retry_meta_purchases")
def retry_meta_purchases() -> int:
    """Periodic: send the Purchases that are due (see ``meta_purchases_retry_due``)."""
    return meta_purchases_retry_due()
