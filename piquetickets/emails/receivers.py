"""django-anymail's ``tracking`` signal → ``email_record_delivery_event``.

anymail's webhook view has already checked the HTTP basic auth (``ANYMAIL["WEBHOOK_SECRET"]``) and
normalised the provider's payload into an ``AnymailTrackingEvent`` by the time this runs.
"""

from anymail.signals import AnymailTrackingEvent, EventType

from . import services
from .models import EmailTracking

# Events that change an email's status; every other event ("sent", "queued", "deferred",
# "opened", "clicked", "unknown" …) is ignored.
STATUS_FOR_EVENT = {
    EventType.DELIVERED: EmailTracking.Status.DELIVERED,
    EventType.BOUNCED: EmailTracking.Status.BOUNCED,
    EventType.COMPLAINED: EmailTracking.Status.COMPLAINED,
    EventType.REJECTED: EmailTracking.Status.FAILED,
    EventType.FAILED: EmailTracking.Status.FAILED,
}


def email_tracking_event_received(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Record a delivery, bounce, complaint or rejection on the email it is about."""
    status = STATUS_FOR_EVENT.get(event.event_type)
    if status is None or not event.message_id:
        return
    detail = " — ".join(part for part in (event.description, event.mta_response) if part)
    services.email_record_delivery_event(
        message_id=str(event.message_id), status=status, at=event.timestamp, detail=detail
    )
