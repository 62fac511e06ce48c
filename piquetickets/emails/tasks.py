from celery import shared_task

from . import services
from .models import EmailTracking


@shared_task(name="emails.send")
def send(email_id: int) -> str:
    """Send one recorded email (queued by ``email_queue``); returns the row's status afterwards.

    A failure is recorded on the row and retried by ``emails.retry_failed``, not by Celery.
    """
    try:
        return services.email_deliver(email_id=email_id).status
    except EmailTracking.DoesNotExist:
        return "missing"


@shared_task(name="emails.retry_failed")
def retry_failed() -> int:
    """Periodic: send emails whose retry is due or whose send task got lost (see ``email_retry_due``)."""
    return services.email_retry_due()
