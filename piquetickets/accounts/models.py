"""Users and their profiles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from piquetickets.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in: a producer's team member or platform staff. Buyers need no account.

    Custom from the first migration (Django's advice), so fields can be added later without pain.
    E-mail addresses are unique ignoring case when present.
    """

    email = models.EmailField("email address", blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                condition=~models.Q(email=""),
                violation_error_message="A user with this email address already exists.",
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class UserProfile(TimeStampedModel):
    """Per-user settings. ``can_publish_shows`` gates publishing (platform staff grant it)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    can_publish_shows = models.BooleanField(
        default=False, help_text="May make shows public. Granted by platform staff after review."
    )

    class Meta:
        verbose_name = "user profile"

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class ApiToken(models.Model):
    """A key for integrations, acting for one user within one producer.

    Only a SHA-256 hash of the secret is stored; the full key (``pq_<prefix>_<secret>``) is shown
    once, when created. ``prefix`` finds the row; the hash is compared in constant time.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    producer = models.ForeignKey("producers.Producer", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text='What uses it, e.g. "Website widget".')
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} (pq_{self.prefix}_…)"
