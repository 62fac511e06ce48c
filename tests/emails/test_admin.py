"""Admin → Emails: the "retry now" action goes through the same services as the worker."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:emails_emailtracking_changelist")


def retry(client, *emails):
    return client.post(
        CHANGELIST,
        {"action": "retry_now", "_selected_action": [email.pk for email in emails]},
        follow=True,
    )


def test_retry_now_sends_a_given_up_email_and_skips_the_others(
    admin_client, queue_email, eager_celery, django_capture_on_commit_callbacks
):
    given_up = queue_email(idempotency_key="given-up", to="late@example.com")
    sent = queue_email(idempotency_key="sent", to="done@example.com")
    EmailTracking.objects.filter(pk=given_up.pk).update(
        status="failed", attempts=8, next_attempt_at=None, error_message="SMTPException: 421"
    )
    EmailTracking.objects.filter(pk=sent.pk).update(status="sent", attempts=1, next_attempt_at=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = retry(admin_client, given_up, sent)

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "1 email(s) queued to be sent again.",
        "1 email(s) skipped: only failed emails are retried.",
    ]
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [["late@example.com"]]
    given_up.refresh_from_db()
    assert given_up.status == "sent"
    assert given_up.attempts == 9
    assert EmailTracking.objects.get(pk=sent.pk).attempts == 1


def test_retry_now_is_only_offered_to_staff_who_may_change_emails(client, queue_email):
    email = queue_email()
    EmailTracking.objects.filter(pk=email.pk).update(status="failed", attempts=1, next_attempt_at=None)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_emailtracking"))
    client.force_login(viewer)

    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "retry_now" not in page.content.decode()

    retry(client, email)
    email.refresh_from_db()
    assert email.next_attempt_at is None
    assert mail.outbox == []


def test_the_email_list_shows_the_retry_schedule(admin_client, queue_email):
    email = queue_email(subject="Your tickets for Hamlet")
    EmailTracking.objects.filter(pk=email.pk).update(
        status="failed", attempts=2, next_attempt_at=timezone.now() + timedelta(minutes=2)
    )

    page = admin_client.get(CHANGELIST)

    assert page.status_code == 200
    content = page.content.decode()
    assert "Your tickets for Hamlet" in content
    assert "retry_now" in content
