import pytest

from config.celery import app as celery_app
from piquetickets.emails import services
from tests.emails.backends import FlakyBackend


@pytest.fixture
def eager_celery():
    """``.delay()`` runs the task inline (as the broker would, later)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def attachment_builders(monkeypatch):
    """An empty attachment registry for the test; the apps' registrations come back afterwards."""
    monkeypatch.setattr(services, "_attachment_builders", {})
    return services._attachment_builders


@pytest.fixture
def flaky_backend(settings, monkeypatch):
    """Returns ``fail(n)``: the next ``n`` sends raise ``SMTPException``."""
    settings.EMAIL_BACKEND = "tests.emails.backends.FlakyBackend"

    def fail(times: int) -> None:
        monkeypatch.setattr(FlakyBackend, "failures_left", times)

    return fail


@pytest.fixture
def queue_email():
    """``email_queue`` with sensible arguments. Its send runs after commit: in a plain ``db`` test,
    never (unless inside ``django_capture_on_commit_callbacks(execute=True)``)."""

    def queue(**overrides):
        arguments = {
            "to": "recipient@example.com",
            "subject": "Your tickets",
            "text": "See you at the show.",
            "category": "test",
            "idempotency_key": "test-1",
        }
        return services.email_queue(**{**arguments, **overrides})

    return queue
