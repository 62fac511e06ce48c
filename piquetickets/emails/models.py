"""Every email the platform sends, and what became of it."""

from django.db import models

from piquetickets.core.models import TimeStampedModel


class EmailTracking(TimeStampedModel):
    """EmailTracking: one outgoing message, from queued to delivered, bounced or complained.

    Rows are written by the one sending function (``services.email_queue``); ``email_deliver`` moves
    them queued → sending → sent (or failed, retried with backoff); SES events (through django-anymail's
    tracking webhook) move them on to delivered, bounced or complained. ``idempotency_key`` makes
    "send this once" hold across retries. ``next_attempt_at`` is when the retry sweep may next try the
    row: a failed row's backoff, a queued row's "its task got lost" deadline, a sending row's "its
    worker died" deadline; ``None`` once sent or given up.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        FAILED = "failed", "Failed"

    recipient = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    category = models.CharField(max_length=50, blank=True, help_text='e.g. "order_confirmation".')
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "email"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_retry_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
