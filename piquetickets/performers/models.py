"""Performers: the artists on a show's bill."""

from django.db import models

from piquetickets.core.fields import SanitizedHTMLField
from piquetickets.core.models import TimeStampedModel
from piquetickets.core.slugs import SluggedModel


class Performer(SluggedModel, TimeStampedModel):
    """Performer: a comedian, band or artist who appears in shows.

    ``producer`` is the producer who added the profile and may edit it; platform-curated
    profiles have none.
    """

    name = models.CharField(max_length=200)
    bio = SanitizedHTMLField(blank=True)
    image = models.ImageField(upload_to="performers/", blank=True)
    image_variants = models.JSONField(
        default=dict, blank=True, editable=False, help_text="WebP renditions made from the uploaded images."
    )
    city = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)
    facebook = models.URLField(blank=True)
    twitter = models.URLField(blank=True)
    instagram = models.URLField(blank=True)
    youtube = models.URLField(blank=True)
    tiktok = models.URLField("TikTok", blank=True)
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.SET_NULL, null=True, blank=True, related_name="performers"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
