"""What the payment providers tell us."""

from django.db import models


class WebhookEvent(models.Model):
    """A webhook event received from a payment provider, stored once per event id.

    Storing the id first makes every handler idempotent: a duplicate or retried delivery finds the
    row and changes nothing.
    """

    provider = models.CharField(max_length=20, default="stripe")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhookevent_unique_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
