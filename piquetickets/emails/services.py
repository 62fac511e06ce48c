"""Sending email: every message goes through ``email_queue`` and is recorded as an ``EmailTracking`` row.

The life of a message:

1. ``email_queue`` writes the row (``queued``) and, once the caller's transaction commits, queues the
   ``emails.send`` task.
2. The task calls ``email_deliver``: it claims the row (``sending``), sends it through Django's mail
   API (django-anymail + Amazon SES in production) with no transaction open, and records ``sent`` —
   or ``failed`` with a backoff time for the next attempt, until ``settings.EMAIL_MAX_ATTEMPTS``.
3. The periodic ``emails.retry_failed`` task (``email_retry_due``) sends what is due: failed rows
   whose backoff ran out, queued rows whose task never ran (a lost broker message), rows whose
   sender died mid-send.
4. SES delivery, bounce and complaint events reach anymail's tracking webhook; ``receivers`` turns
   them into ``email_record_delivery_event`` calls.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from piquetickets.core.outages import task_queue

from .models import EmailTracking

logger = logging.getLogger(__name__)

Status = EmailTracking.Status

RETRY_BACKOFF_BASE = timedelta(minutes=1)  # then 2, 4, 8 … minutes between attempts
RETRY_BACKOFF_CAP = timedelta(hours=1)
# A queued row whose ``emails.send`` task has not run by then is sent by the retry sweep.
QUEUED_GRACE = timedelta(minutes=5)
# A row still "sending" after this long belongs to a worker that died mid-send; the sweep takes it
# over. Far longer than one send can last (EMAIL_TIMEOUT for SMTP, boto3's own timeouts for SES).
SENDING_TIMEOUT = timedelta(minutes=15)
RETRY_SWEEP_BATCH = 100
ERROR_MESSAGE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email: built again for every send attempt, never stored."""

    filename: str
    content: bytes
    mimetype: str


AttachmentBuilder = Callable[[EmailTracking], list[Attachment]]
_attachment_builders: dict[str, AttachmentBuilder] = {}


def register_attachments(category: str, builder: AttachmentBuilder) -> None:
    """Register how to build the attachments of every email of ``category`` (e.g. PDF tickets).

    Call it from the owning app's ``AppConfig.ready()``. ``email_deliver`` calls
    ``builder(email)`` at each send attempt; attachments are not stored, so they are rebuilt every
    time (a builder that raises makes that attempt fail and be retried like any send failure).

    Registering the same builder twice is a no-op (``ready()`` may run more than once).
    Raises ``ValueError`` if a different builder is already registered for ``category``.
    """
    current = _attachment_builders.get(category)
    if current is not None and current is not builder:
        raise ValueError(f"Attachments of {category!r} emails are already built by {current!r}.")
    _attachment_builders[category] = builder


def email_queue(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    category: str,
    idempotency_key: str,
    order=None,
) -> EmailTracking:
    """Record an email (status ``queued``) and send it in the background once the transaction commits.

    ``idempotency_key`` names the message in the domain ("order-42-confirmation"): a second call
    with a key already recorded returns that row and queues nothing, so retried callers never send
    the same email twice. Safe under a race: the unique index decides, and the loser returns the
    winner's row (on PostgreSQL the loser's insert waits until the winner commits).

    May be called inside the caller's ``transaction.atomic()``; nothing is queued unless it
    commits. If queueing the task fails (broker down), the error is logged and the row stays queued:
    the retry sweep sends it after ``QUEUED_GRACE``. A subject is folded onto one line (a header
    cannot hold a line break) and cut at 255 characters.

    Raises ``ValueError`` if ``idempotency_key`` is empty.
    """
    if not idempotency_key:
        raise ValueError("email_queue needs an idempotency_key, e.g. 'order-42-confirmation'.")
    existing = EmailTracking.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the caller's transaction
            email = EmailTracking.objects.create(
                recipient=to,
                subject=" ".join(subject.split())[:255],
                body=text,
                html_body=html,
                from_email=settings.DEFAULT_FROM_EMAIL,
                category=category,
                idempotency_key=idempotency_key,
                order=order,
                next_attempt_at=timezone.now() + QUEUED_GRACE,
            )
    except IntegrityError:
        winner = EmailTracking.objects.filter(idempotency_key=idempotency_key).first()
        if winner is None:  # some other constraint failed: not a race we can answer
            raise
        return winner
    # robust: a broker outage is logged, not raised into the caller (a lambda: Django logs its __qualname__).
    transaction.on_commit(lambda: _queue_send_task(email.pk), robust=True)
    return email


def email_deliver(*, email_id: int) -> EmailTracking:
    """Send one queued or retry-due email now and record the outcome; returns the row as it ends up.

    Claimable rows: ``queued``; ``failed`` whose ``next_attempt_at`` has passed; ``sending`` whose
    claim expired (its worker died). Any other row (sent or later, failed but not due, given up, or
    being sent by someone else right now) is returned untouched and nothing is sent.

    Locking: the row is claimed by one conditional ``UPDATE … SET status='sending', attempts=attempts+1
    WHERE id=… AND <claimable>`` in a short transaction of its own, then the message is sent with no
    transaction open and no lock held, then the outcome is written by a second conditional UPDATE
    fenced on ``status='sending' AND attempts=<the claimed attempt>``. Of two concurrent callers,
    exactly one UPDATE matches (PostgreSQL makes the second wait for the first's row lock, then
    re-checks the WHERE and finds ``sending``; SQLite serialises writers), so the message goes once.
    ``select_for_update`` was not used because it would hold the row lock — on SQLite, whose
    transactions here are IMMEDIATE, the whole database's write lock — across a network call to SES,
    and would leave no trace of an interrupted send. The claim sets ``next_attempt_at`` to
    now + ``SENDING_TIMEOUT``: if the worker dies mid-send, the sweep re-claims it then. That one
    case is at-least-once (SES may have accepted the message just before the crash); every attempt
    carries the same Message-ID, so mail clients fold such a duplicate.

    On success: ``sent``, ``sent_at``, ``message_id`` (anymail's ``anymail_status.message_id`` — the
    SES id its events carry — else our Message-ID header). On any exception while building or
    sending: ``failed``, ``failed_at``, ``error_message``, and ``next_attempt_at`` backed off
    exponentially (1, 2, 4 … minutes, capped at an hour), or ``None`` once ``EMAIL_MAX_ATTEMPTS``
    attempts have been made (given up; the admin's "retry now" can still send it).

    Requires: no surrounding ``transaction.atomic()`` in production code (the claim must commit
    before the send); the ``emails.send`` task and the sweep call it that way.
    Raises ``EmailTracking.DoesNotExist`` for an unknown id; never raises for a send failure.
    """
    return _deliver(email_id)[0]


def _deliver(email_id: int) -> tuple[EmailTracking, bool]:
    """``email_deliver``, also saying whether this call sent the message."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status__in=[Status.FAILED, Status.SENDING], next_attempt_at__lte=now)
    with transaction.atomic():
        claimed = EmailTracking.objects.filter(claimable, pk=email_id).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + SENDING_TIMEOUT,
            updated_at=now,
        )
        email = EmailTracking.objects.get(pk=email_id)
    if not claimed:
        logger.info("Email %s not sent: it is %s and not due.", email_id, email.status)
        return email, False

    attempt = email.attempts
    try:
        message = _build_message(email)
        if message.send() != 1:
            raise RuntimeError("The email backend reported that nothing was sent.")
    except Exception as exc:
        return _record_failure(email, attempt=attempt, error=exc), False
    return _record_sent(email, attempt=attempt, message_id=_provider_message_id(message)), True


def email_retry_due(*, limit: int = RETRY_SWEEP_BATCH) -> int:
    """Send up to ``limit`` emails that are due; returns how many were sent.

    Due: ``failed`` rows whose backoff has run out, ``queued`` rows whose send task has not run
    within ``QUEUED_GRACE`` (lost broker message), ``sending`` rows whose claim expired. Given-up
    rows (``next_attempt_at`` None) are left alone. Each row goes through ``email_deliver``, whose
    claim makes two sweeps running at once (or a sweep and a send task) send each message once.

    Requires: no surrounding transaction (see ``email_deliver``). Raises nothing for send failures.
    """
    due_ids = list(
        EmailTracking.objects.filter(
            status__in=[Status.QUEUED, Status.FAILED, Status.SENDING], next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in due_ids:
        try:
            sent += _deliver(email_id)[1]
        except EmailTracking.DoesNotExist:  # deleted since the query
            continue
    return sent


def email_retry_now(*, email_ids: Iterable[int]) -> int:
    """Make the given ``failed`` emails due now — including given-up ones — and queue their sends.

    For the admin's "retry now" action. Rows in any other status are skipped. The sends are queued
    after the transaction commits and go through ``email_deliver`` (so a row is still sent once).
    Returns how many rows were made due. Raises nothing.
    """
    ids = list(EmailTracking.objects.filter(pk__in=list(email_ids), status=Status.FAILED).values_list("pk", flat=True))
    now = timezone.now()
    # Conditional: a row claimed since the query above must keep its claim deadline.
    updated = EmailTracking.objects.filter(pk__in=ids, status=Status.FAILED).update(next_attempt_at=now, updated_at=now)
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: _queue_send_task(email_id), robust=True)
    return updated


# Which statuses a delivery event may move a row from: status only ever moves forward, so a late
# or repeated event (a "delivered" after a "bounced") changes nothing.
_EVENT_FROM_STATUSES: dict[str, tuple[str, ...]] = {
    Status.DELIVERED: (Status.SENT,),
    Status.BOUNCED: (Status.SENT, Status.DELIVERED),
    Status.COMPLAINED: (Status.SENT, Status.DELIVERED),
    Status.FAILED: (Status.SENT,),  # SES rejected the message (virus) or failed to render it
}


def email_record_delivery_event(*, message_id: str, status: str, at: datetime | None = None, detail: str = "") -> bool:
    """Apply what the provider reports about a sent message; returns whether a row changed.

    ``status`` is ``delivered`` (sets ``delivered_at``), ``bounced`` (``failed_at`` and
    ``error_message``), ``complained`` (``error_message``) or ``failed`` (the provider rejected the
    message after accepting the call: ``failed_at``, ``error_message``, never retried
    automatically). The row is found by ``message_id``; an unknown id (mail not sent through
    ``email_queue``) changes nothing. Rows only move forward (see ``_EVENT_FROM_STATUSES``), checked in
    the same UPDATE that writes, so concurrent and out-of-order events cannot move a row back.

    Raises ``ValueError`` for any other ``status``.
    """
    if status not in _EVENT_FROM_STATUSES:
        raise ValueError(f"No delivery event moves an email to {status!r}.")
    if not message_id:
        return False
    at = at or timezone.now()
    changes: dict = {"status": status, "updated_at": timezone.now()}
    if status == Status.DELIVERED:
        changes["delivered_at"] = at
    else:
        changes["error_message"] = detail[:ERROR_MESSAGE_MAX_LENGTH]
        if status != Status.COMPLAINED:
            changes["failed_at"] = at
            changes["next_attempt_at"] = None
    updated = EmailTracking.objects.filter(message_id=message_id, status__in=_EVENT_FROM_STATUSES[status]).update(
        **changes
    )
    if updated:
        log = logger.info if status == Status.DELIVERED else logger.warning
        log("Email with message id %s is now %s. %s", message_id, status, detail)
    return bool(updated)


# --- Helpers ----------------------------------------------------------------------------------


def _queue_send_task(email_id: int) -> None:
    """Queue the send; with the broker down the row stays due and ``emails.retry_failed`` sends it."""
    from .tasks import send  # the tasks module imports this one

    task_queue(send, email_id)


def _build_message(email: EmailTracking) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=[email.recipient],
        headers={"Message-ID": _message_id_header(email)},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    builder = _attachment_builders.get(email.category)
    if builder is not None:
        for attachment in builder(email):
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def _message_id_header(email: EmailTracking) -> str:
    """The same Message-ID on every attempt (so clients fold a duplicate); reveals no key or id."""
    digest = hashlib.sha256(f"piquetickets-email:{email.pk}:{email.idempotency_key or ''}".encode()).hexdigest()
    domain = parseaddr(email.from_email)[1].rpartition("@")[2] or "piquetickets.invalid"
    return f"<{digest[:32]}@{domain}>"


def _provider_message_id(message: EmailMultiAlternatives) -> str:
    """The id the provider's events will carry: anymail's (SES's MessageId), else our Message-ID header."""
    status = getattr(message, "anymail_status", None)
    provider_id = getattr(status, "message_id", None)
    # A set would mean one id per recipient; our emails have exactly one recipient.
    if provider_id is not None and provider_id != "" and not isinstance(provider_id, set):
        return str(provider_id)
    return message.extra_headers["Message-ID"]


def _record_sent(email: EmailTracking, *, attempt: int, message_id: str) -> EmailTracking:
    now = timezone.now()
    recorded = EmailTracking.objects.filter(pk=email.pk, status=Status.SENDING, attempts=attempt).update(
        status=Status.SENT,
        sent_at=now,
        message_id=message_id,
        error_message="",
        next_attempt_at=None,
        updated_at=now,
    )
    if not recorded:
        logger.warning("Email %s was sent (attempt %s) after its claim had expired.", email.pk, attempt)
    email.refresh_from_db()
    return email


def _record_failure(email: EmailTracking, *, attempt: int, error: Exception) -> EmailTracking:
    now = timezone.now()
    given_up = attempt >= settings.EMAIL_MAX_ATTEMPTS
    next_attempt_at = None if given_up else now + min(RETRY_BACKOFF_BASE * 2 ** (attempt - 1), RETRY_BACKOFF_CAP)
    EmailTracking.objects.filter(pk=email.pk, status=Status.SENDING, attempts=attempt).update(
        status=Status.FAILED,
        failed_at=now,
        error_message=f"{type(error).__name__}: {error}"[:ERROR_MESSAGE_MAX_LENGTH],
        next_attempt_at=next_attempt_at,
        updated_at=now,
    )
    if given_up:
        logger.error("Email %s failed %s times; giving up.", email.pk, attempt, exc_info=error)
    else:
        logger.warning(
            "Email %s failed (attempt %s); next try at %s.", email.pk, attempt, next_attempt_at, exc_info=error
        )
    email.refresh_from_db()
    return email
