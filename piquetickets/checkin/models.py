"""Check-in sessions (links for door staff) and the log of every scan."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from piquetickets.core.models import TimeStampedModel


def new_checkin_token() -> str:
    """256 random bits, URL-safe. Staff open ``/checkin/?token=…`` with it."""
    return secrets.token_urlsafe(32)


class CheckInSession(TimeStampedModel):
    """CheckInSession: a link door staff open to scan tickets for one show, until it expires or is revoked."""

    session_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_checkin_token, editable=False)
    show = models.ForeignKey("shows.Show", on_delete=models.CASCADE, related_name="checkin_sessions")
    label = models.CharField(max_length=100, blank=True, help_text='Which door or device, e.g. "Front door".')
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "check-in session"

    def __str__(self) -> str:
        return f"{self.label or 'Check-in'} — {self.show}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class CheckInScan(models.Model):
    """One scan at the door and how it was answered. Written for every attempt, good or bad."""

    class Result(models.TextChoices):
        CHECKED_IN = "checked_in", "Checked in"
        ALREADY_CHECKED_IN = "already_checked_in", "Already checked in"
        WRONG_SHOW = "wrong_show", "Ticket for another show"
        NOT_FOUND = "not_found", "Unknown ticket"
        REFUNDED = "refunded", "Refunded ticket"
        CANCELLED = "cancelled", "Cancelled ticket"
        UNDONE = "undone", "Check-in undone"

    session = models.ForeignKey(CheckInSession, on_delete=models.CASCADE, related_name="scans")
    attendee = models.ForeignKey(
        "orders.TicketAttendee", on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    code = models.CharField(max_length=100, help_text="What was scanned or typed.")
    result = models.CharField(max_length=20, choices=Result.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "check-in scan"
        indexes = [models.Index(fields=["session", "-created_at"], name="scan_session_recent_idx")]

    def __str__(self) -> str:
        return f"{self.code} → {self.result}"
