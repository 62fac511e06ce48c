"""Producers (show organizers), their team, payout account and onboarding."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from piquetickets.core.fields import SanitizedHTMLField
from piquetickets.core.models import TimeStampedModel
from piquetickets.core.slugs import SluggedModel


class Producer(SluggedModel, TimeStampedModel):
    """Producer: a person or company that puts on shows and gets paid for their tickets."""

    name = models.CharField(max_length=200)
    country = models.CharField(
        max_length=2,
        default="US",
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO country code, e.g. US.")],
        help_text="ISO 3166-1 alpha-2 country code.",
    )
    website = models.URLField(blank=True)
    bio = SanitizedHTMLField(blank=True)
    image = models.ImageField(upload_to="producers/", blank=True)
    image_variants = models.JSONField(
        default=dict, blank=True, editable=False, help_text="WebP renditions made from the uploaded images."
    )
    support_email = models.EmailField(blank=True, help_text="Shown to buyers with questions about a show.")
    instagram = models.URLField(blank=True)
    facebook = models.URLField(blank=True)
    twitter = models.URLField(blank=True)
    youtube = models.URLField(blank=True)
    ticktock = models.URLField("TikTok", blank=True)
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="UserProducerAssociation", related_name="producers", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProducerFinancial(TimeStampedModel):
    """ProducerFinancial: the producer's Stripe Connect account and its payout readiness."""

    producer = models.OneToOneField(Producer, on_delete=models.CASCADE, related_name="financial")
    stripe_account_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_account_link = models.URLField(max_length=500, blank=True)
    onboarding_completed = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    last_status_check = models.DateTimeField(null=True, blank=True)
    platform_fee_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Overrides the platform's fee percentage for this producer when set.",
    )
    platform_fee_fixed = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Overrides the platform's fixed fee per ticket for this producer when set.",
    )

    class Meta:
        verbose_name = "producer financial account"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(platform_fee_percent__isnull=True)
                | models.Q(platform_fee_percent__gte=0, platform_fee_percent__lte=100),
                name="producerfinancial_fee_percent_range",
                violation_error_message="The fee percentage must be between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=models.Q(platform_fee_fixed__isnull=True) | models.Q(platform_fee_fixed__gte=0),
                name="producerfinancial_fee_fixed_gte_0",
                violation_error_message="The fixed fee can't be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout account of {self.producer}"


class UserProducerAssociation(TimeStampedModel):
    """UserProducerAssociation: a user who may manage a producer's shows, sales and settings."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="producer_associations")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="user_associations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MANAGER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "producer"], name="userproducer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.producer} ({self.role})"


class OnboardingSession(models.Model):
    """OnboardingSession: an invitation link that lets a new producer finish signing up.

    The seed draws at most one per producer; we allow several (a new one when an old one expired)
    and check expiry and use on the row.
    """

    token = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="onboarding_sessions", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    is_used = models.BooleanField(default=False)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="onboarding_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"Onboarding for {self.email}"

    @property
    def is_valid(self) -> bool:
        return not self.is_used and self.expires_at > timezone.now()


class ProducerInterest(TimeStampedModel):
    """ProducerInterest: the "sell tickets with us" form a prospective producer fills in."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        ONBOARDED = "onboarded", "Onboarded"
        DECLINED = "declined", "Declined"

    class EventsPerYear(models.TextChoices):
        FEW = "1-5", "1–5"
        SOME = "6-20", "6–20"
        MANY = "21-50", "21–50"
        LOTS = "50+", "More than 50"

    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=120, blank=True)
    events_per_year = models.CharField(max_length=10, choices=EventsPerYear.choices, blank=True)
    show_types = models.JSONField(default=list, blank=True)
    show_types_other = models.TextField(blank=True)
    current_platform = models.JSONField(default=list, blank=True)
    current_platform_other = models.TextField(blank=True)
    platform_challenges = models.TextField(blank=True)
    desired_features = models.TextField(blank=True)
    interested_in_marketing = models.BooleanField(default=False)
    additional_info = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    notes = models.TextField(blank=True, help_text="Internal notes by platform staff.")
    producer = models.ForeignKey(
        Producer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interests",
        help_text="The producer this lead became, once onboarded.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "producer interest"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
