"""Real threads, real transactions: an email is sent once however many workers reach for it."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from piquetickets.emails.models import EmailTracking
from piquetickets.emails.services import _deliver, email_deliver, email_queue, email_retry_due

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(target, count: int) -> list:
    """Start ``count`` threads on ``target`` at the same moment; returns their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = target()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def queued_email(key: str = "race-1", to: str = "recipient@example.com") -> EmailTracking:
    """A queued row whose send task has not run (written directly: no task is queued)."""
    return EmailTracking.objects.create(
        recipient=to,
        subject="Race",
        body="Only once",
        from_email="tickets@example.com",
        category="test",
        idempotency_key=key,
    )


def test_concurrent_deliveries_of_one_email_send_it_once(settings):
    settings.EMAIL_BACKEND = "tests.emails.backends.SlowBackend"  # the send overlaps the other claims
    email = queued_email()

    results = run_together(lambda: _deliver(email.pk), count=6)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert [sent_now for _, sent_now in results].count(True) == 1
    # The others found it being sent (or already sent) and left it alone.
    assert {row.status for row, sent_now in results if not sent_now} <= {"sending", "sent"}
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == "sent"
    assert email.attempts == 1  # one claim, one attempt


def test_the_public_email_deliver_sends_once_too(settings):
    settings.EMAIL_BACKEND = "tests.emails.backends.SlowBackend"
    email = queued_email()

    results = run_together(lambda: email_deliver(email_id=email.pk), count=3)

    assert all(isinstance(result, EmailTracking) for result in results), results
    assert len(mail.outbox) == 1


def test_concurrent_retry_sweeps_send_each_due_email_once(settings):
    settings.EMAIL_BACKEND = "tests.emails.backends.SlowBackend"
    past = timezone.now() - timedelta(minutes=1)
    emails = [queued_email(key=f"sweep-{n}", to=f"buyer{n}@example.com") for n in range(4)]
    EmailTracking.objects.filter(pk__in=[e.pk for e in emails]).update(
        status="failed", attempts=1, next_attempt_at=past
    )

    results = run_together(email_retry_due, count=3)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 4
    assert sorted(message.to[0] for message in mail.outbox) == [f"buyer{n}@example.com" for n in range(4)]
    assert list(EmailTracking.objects.order_by("pk").values_list("status", "attempts")) == [("sent", 2)] * 4


def test_concurrent_email_queue_calls_with_one_key_record_and_send_one_email(settings):
    """Both callers check, find nothing and insert: the unique index decides; both get the winner's row."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:

        def queue():
            from django.db import transaction

            with transaction.atomic():
                email = email_queue(
                    to="buyer@example.com",
                    subject="Your tickets",
                    text="Once",
                    category="test",
                    idempotency_key="order-7-confirmation",
                )
                threading.Event().wait(0.2)  # hold the transaction open so the other caller overlaps
                return email.pk

        results = run_together(queue, count=4)
    finally:
        celery_app.conf.task_always_eager = previous

    assert not [result for result in results if isinstance(result, Exception)], results
    assert len(set(results)) == 1
    assert EmailTracking.objects.count() == 1
    assert len(mail.outbox) == 1
    assert EmailTracking.objects.get().status == "sent"
