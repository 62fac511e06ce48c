"""What the payment providers tell us."""

from django.conf import settings
from django.db import models


class WebhookEvent(models.Model):
    """A webhook event received from a payment provider, stored once per event id.

    Storing the id first makes every handler idempotent: a duplicate or retried delivery finds the
    row and changes nothing. ``status`` says what became of it; an event whose payment does not
    match its order is ``needs_attention`` (with ``attention_reason``) until a person settles it.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"  # stored; being handled, or its handler failed and Stripe retries
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"  # a type we don't handle, or about nothing of ours
        FAILED = "failed", "Failed"  # signed, but not shaped like an event: refused with 400
        NEEDS_ATTENTION = "needs_attention", "Needs attention"  # the payment doesn't match its order
        SETTLED = "settled", "Settled"  # a person settled what needed attention

    provider = models.CharField(max_length=20, default="stripe")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    error = models.TextField(blank=True, help_text="Why the handler failed, or why the body was refused.")
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_events",
        help_text="The order the event is about, when it is about one of ours.",
    )
    attention_reason = models.TextField(
        blank=True, help_text="Why the event was not applied to its order (a payment that doesn't match it)."
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhookevent_unique_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
