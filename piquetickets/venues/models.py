"""Venues: the rooms where shows take place."""

from django.db import models

from piquetickets.core.fields import SanitizedHTMLField
from piquetickets.core.models import TimeStampedModel
from piquetickets.core.slugs import SluggedModel
from piquetickets.core.timezones import (
    DEFAULT_TIME_ZONE,
    time_zone_choices,
    time_zone_constraint,
    validate_time_zone,
)


class Venue(SluggedModel, TimeStampedModel):
    """Venue: a physical place with an address where shows happen.

    ``producer`` is the producer who added it and may edit it; platform-curated venues have none.
    ``time_zone`` is the default for new shows there.
    """

    name = models.CharField(max_length=200)
    description = SanitizedHTMLField(blank=True)
    address = models.CharField(max_length=255)
    city = models.CharField(max_length=120, db_index=True)
    state = models.CharField(max_length=120, blank=True)
    zip_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    venue_image = models.ImageField(upload_to="venues/", blank=True)
    image_variants = models.JSONField(
        default=dict, blank=True, editable=False, help_text="WebP renditions made from the uploaded images."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Room capacity, for reference.")
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
    )
    is_active = models.BooleanField(default=True)
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.SET_NULL, null=True, blank=True, related_name="venues"
    )

    class Meta:
        ordering = ["name"]
        constraints = [time_zone_constraint(field="time_zone", name="venue_time_zone_iana")]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"
