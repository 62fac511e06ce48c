"""Newsletter subscribers and what we know about where they signed up."""

from django.db import models
from django.db.models.functions import Lower


class Subscriber(models.Model):
    """Subscriber: someone on the mailing list. One row per address, ignoring case."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True, help_text="False once they unsubscribe.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="subscriber_email_ci_unique",
                violation_error_message="This address is already subscribed.",
            )
        ]

    def __str__(self) -> str:
        return self.email


class SubscriberMetaData(models.Model):
    """SubscriberMetaData: where and how one sign-up happened (IP, rough location, browser, referer)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="metadata")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ip_country = models.CharField(max_length=100, blank=True)
    ip_city = models.CharField(max_length=100, blank=True)
    ip_region = models.CharField(max_length=100, blank=True)
    ip_latitude = models.FloatField(null=True, blank=True)
    ip_longitude = models.FloatField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    url_referer = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "subscriber metadata"
        verbose_name_plural = "subscriber metadata"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ip_latitude__isnull=True) | models.Q(ip_latitude__gte=-90, ip_latitude__lte=90),
                name="subscribermeta_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ip_longitude__isnull=True) | models.Q(ip_longitude__gte=-180, ip_longitude__lte=180),
                name="subscribermeta_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-up of {self.subscriber_id} from {self.ip_address or 'unknown'}"


class SubscriberDemographics(models.Model):
    """SubscriberDemographics: what a subscriber chose to tell us about themselves."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="demographics")
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=50, blank=True)
    location = models.CharField(max_length=200, blank=True)
    interests = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "subscriber demographics"

    def __str__(self) -> str:
        return f"Demographics of {self.subscriber_id}"
