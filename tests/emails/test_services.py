"""email_queue / email_deliver / email_retry_due: one row per email, sent once, retried with backoff."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from piquetickets.emails import services
from piquetickets.emails.models import EmailTracking
from piquetickets.emails.services import Attachment, email_deliver, email_retry_due, register_attachments
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 tickets"
ICS = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def ticket_attachments(email):
    return [
        Attachment(filename=f"tickets-{email.pk}.pdf", content=PDF, mimetype="application/pdf"),
        Attachment(filename="show.ics", content=ICS, mimetype="text/calendar"),
    ]


def make_due(email):
    EmailTracking.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_email_queue_records_the_email_and_sends_it_once_after_commit(
    queue_email, attachment_builders, eager_celery, django_capture_on_commit_callbacks, settings
):
    register_attachments("order_confirmation", ticket_attachments)
    order = OrderFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue_email(
            to="buyer@example.com",
            subject="Your tickets for\nThe Show",
            text="Plain text body",
            html="<p>HTML body</p>",
            category="order_confirmation",
            idempotency_key="order-1-confirmation",
            order=order,
        )
        assert email.status == "queued"
        assert mail.outbox == [], "nothing may be sent before the transaction commits"

    assert len(callbacks) == 1
    assert EmailTracking.objects.count() == 1
    email.refresh_from_db()
    assert email.status == "sent"
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.next_attempt_at is None
    assert email.error_message == ""
    assert email.order == order
    assert email.recipient == "buyer@example.com"
    assert email.subject == "Your tickets for The Show"
    assert email.from_email == settings.DEFAULT_FROM_EMAIL

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Your tickets for The Show"
    assert message.body == "Plain text body"
    assert message.alternatives == [("<p>HTML body</p>", "text/html")]
    assert message.attachments == [
        (f"tickets-{email.pk}.pdf", PDF, "application/pdf"),
        ("show.ics", ICS.decode(), "text/calendar"),  # Django decodes text/* attachments
    ]
    # No SES status on the locmem backend: the row keeps our Message-ID, which the message carries.
    assert email.message_id == message.extra_headers["Message-ID"]
    assert email.message_id.startswith("<")
    assert email.message_id.endswith("@localhost>")
    assert "order-1" not in email.message_id

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue_email(
            to="someone-else@example.com",
            subject="Different",
            text="Different",
            category="order_confirmation",
            idempotency_key="order-1-confirmation",
        )
    assert again.pk == email.pk
    assert again.subject == "Your tickets for The Show"
    assert callbacks == []
    assert EmailTracking.objects.count() == 1
    assert len(mail.outbox) == 1


def test_email_queue_in_a_rolled_back_transaction_records_and_sends_nothing(
    queue_email, eager_celery, django_capture_on_commit_callbacks
):
    from django.db import transaction

    def checkout_that_fails():
        with transaction.atomic():
            queue_email()
            raise RuntimeError("checkout failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        checkout_that_fails()

    assert callbacks == []
    assert EmailTracking.objects.count() == 0
    assert mail.outbox == []


def test_email_queue_sets_the_lost_task_deadline(queue_email):
    before = timezone.now()
    email = queue_email()
    after = timezone.now()

    assert email.status == "queued"
    assert email.attempts == 0
    assert before + services.QUEUED_GRACE <= email.next_attempt_at <= after + services.QUEUED_GRACE


def test_email_queue_refuses_an_empty_idempotency_key(queue_email):
    with pytest.raises(ValueError, match="needs an idempotency_key"):
        queue_email(idempotency_key="")
    assert EmailTracking.objects.count() == 0


def test_email_queue_survives_a_broker_outage(queue_email, django_capture_on_commit_callbacks, monkeypatch, caplog):
    """The task cannot be queued: the row stays queued (the sweep sends it later) and the caller is not hurt."""

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(celery_app.tasks["emails.send"], "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email()

    email.refresh_from_db()
    assert email.status == "queued"
    assert mail.outbox == []
    assert "broker unreachable" in caplog.text

    make_due(email)
    assert email_retry_due() == 1
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == "sent"
    assert email.attempts == 1


def test_the_sweep_leaves_a_fresh_queued_email_to_its_task(queue_email):
    queue_email()
    assert email_retry_due() == 0
    assert mail.outbox == []


def test_register_attachments_refuses_a_second_builder_for_a_category(attachment_builders):
    register_attachments("order_confirmation", ticket_attachments)
    register_attachments("order_confirmation", ticket_attachments)  # ready() twice: fine

    with pytest.raises(ValueError, match="already built by"):
        register_attachments("order_confirmation", lambda email: [])
    assert attachment_builders == {"order_confirmation": ticket_attachments}


def test_attachments_are_rebuilt_for_every_attempt(queue_email, attachment_builders, flaky_backend):
    calls = []

    def builder(email):
        calls.append(email.attempts)
        return [Attachment(filename="t.pdf", content=PDF, mimetype="application/pdf")]

    register_attachments("test", builder)
    flaky_backend(1)
    email = queue_email()

    assert email_deliver(email_id=email.pk).status == "failed"
    make_due(email)
    assert email_deliver(email_id=email.pk).status == "sent"

    assert calls == [1, 2]
    assert mail.outbox[0].attachments == [("t.pdf", PDF, "application/pdf")]


def test_a_failing_send_is_retried_after_its_backoff_and_then_sent_once(queue_email, flaky_backend):
    flaky_backend(1)
    email = queue_email()

    before = timezone.now()
    failed = email_deliver(email_id=email.pk)
    after = timezone.now()

    assert failed.status == "failed"
    assert failed.attempts == 1
    assert failed.error_message == "SMTPException: 421 4.3.0 Service not available"
    assert before <= failed.failed_at <= after
    assert failed.next_attempt_at == failed.failed_at + timedelta(minutes=1)
    assert failed.sent_at is None
    assert failed.message_id == ""
    assert mail.outbox == []

    # Before its time: neither the sweep nor a direct call sends it.
    assert email_retry_due() == 0
    assert email_deliver(email_id=email.pk).status == "failed"
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.attempts == 1

    make_due(email)
    assert email_retry_due() == 1
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == "sent"
    assert email.attempts == 2
    assert email.error_message == ""
    assert email.next_attempt_at is None

    # Sent is final: later sweeps and calls send nothing more.
    assert email_retry_due() == 0
    assert email_deliver(email_id=email.pk).status == "sent"
    assert len(mail.outbox) == 1


def test_backoff_doubles_until_the_maximum_number_of_attempts_then_gives_up(queue_email, flaky_backend, settings):
    settings.EMAIL_MAX_ATTEMPTS = 4
    flaky_backend(100)
    email = queue_email()

    gaps = []
    for _ in range(4):
        email = email_deliver(email_id=email.pk)
        assert email.status == "failed"
        gaps.append(email.next_attempt_at and email.next_attempt_at - email.failed_at)
        if email.next_attempt_at:
            make_due(email)

    assert gaps == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), None]
    assert email.attempts == 4

    # Given up: no sweep and no direct call sends it again, even once the backend works.
    flaky_backend(0)
    assert email_retry_due() == 0
    email = email_deliver(email_id=email.pk)
    assert email.status == "failed"
    assert email.attempts == 4
    assert mail.outbox == []


def test_backoff_is_capped_at_an_hour(queue_email, flaky_backend, settings):
    settings.EMAIL_MAX_ATTEMPTS = 20
    flaky_backend(1)
    email = queue_email()
    EmailTracking.objects.filter(pk=email.pk).update(
        status="failed", attempts=7, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )

    email = email_deliver(email_id=email.pk)

    assert email.attempts == 8
    assert email.next_attempt_at - email.failed_at == timedelta(hours=1)  # not 2**7 minutes


def test_an_attachment_builder_that_raises_fails_the_attempt(queue_email, attachment_builders):
    def broken(email):
        raise OSError("PDF renderer crashed")

    register_attachments("test", broken)
    email = email_deliver(email_id=queue_email().pk)

    assert email.status == "failed"
    assert email.error_message == "OSError: PDF renderer crashed"
    assert email.next_attempt_at is not None
    assert mail.outbox == []


def test_a_backend_that_sends_nothing_is_a_failure(queue_email, settings):
    settings.EMAIL_BACKEND = "tests.emails.backends.NothingSentBackend"

    email = email_deliver(email_id=queue_email().pk)

    assert email.status == "failed"
    assert email.error_message == "RuntimeError: The email backend reported that nothing was sent."


def test_a_send_interrupted_mid_way_is_taken_over_once_its_claim_expires(queue_email):
    email = queue_email()
    EmailTracking.objects.filter(pk=email.pk).update(
        status="sending", attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=10)
    )

    assert email_retry_due() == 0
    assert email_deliver(email_id=email.pk).status == "sending"
    assert mail.outbox == []

    make_due(email)
    assert email_retry_due() == 1
    email.refresh_from_db()
    assert email.status == "sent"
    assert email.attempts == 2
    assert len(mail.outbox) == 1


def test_the_message_id_header_is_the_same_on_every_attempt(queue_email, flaky_backend):
    flaky_backend(1)
    email = queue_email()
    email_deliver(email_id=email.pk)
    first_header = services._message_id_header(email)
    make_due(email)
    email = email_deliver(email_id=email.pk)

    assert mail.outbox[0].extra_headers["Message-ID"] == first_header == email.message_id


def test_the_provider_message_id_is_stored_when_anymail_reports_one(queue_email, settings):
    settings.EMAIL_BACKEND = "tests.emails.backends.SesLikeBackend"

    email = email_deliver(email_id=queue_email().pk)

    assert email.status == "sent"
    assert email.message_id == "0100018c00000000-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"
    assert mail.outbox[0].anymail_status.message_id == email.message_id


def test_unknown_email_id():
    with pytest.raises(EmailTracking.DoesNotExist):
        email_deliver(email_id=987654)


def test_tasks_are_registered_and_the_sweep_is_scheduled(settings):
    celery_app.loader.import_default_modules()
    assert "emails.send" in celery_app.tasks
    assert "emails.retry_failed" in celery_app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["retry-failed-emails"] == {"task": "emails.retry_failed", "schedule": 60.0}


def test_the_send_task_reports_the_outcome(queue_email):
    from piquetickets.emails.tasks import retry_failed, send

    email = queue_email()
    assert send(email.pk) == "sent"
    assert send(email.pk) == "sent"
    assert send(987654) == "missing"
    assert retry_failed() == 0
    assert len(mail.outbox) == 1


def test_email_queue_losing_the_insert_race_returns_the_winners_row(queue_email, monkeypatch):
    """Deterministic version of the race in test_concurrency: the check saw nothing, the insert collides."""
    from django.db.models import QuerySet

    winner = queue_email(idempotency_key="order-9-confirmation")
    real_first = QuerySet.first
    calls = []

    def first_sees_nothing_once(queryset):
        calls.append(1)
        return None if len(calls) == 1 else real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first_sees_nothing_once)

    loser = queue_email(idempotency_key="order-9-confirmation", subject="Other")

    assert loser.pk == winner.pk
    assert loser.subject == "Your tickets"
    assert EmailTracking.objects.count() == 1
