"""Help-centre articles for producers and buyers."""

from django.db import models

from piquetickets.core.fields import SanitizedHTMLField
from piquetickets.core.models import TimeStampedModel
from piquetickets.core.slugs import SluggedModel


class KnowledgeCategory(SluggedModel, TimeStampedModel):
    """A section of the help centre, e.g. "Selling tickets"."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "knowledge category"
        verbose_name_plural = "knowledge categories"

    def __str__(self) -> str:
        return self.name


class KnowledgeArticle(SluggedModel, TimeStampedModel):
    """A help-centre article. Only published ones are shown outside the admin."""

    slug_source_field = "title"

    class Audience(models.TextChoices):
        PRODUCERS = "producers", "Producers"
        BUYERS = "buyers", "Buyers"
        EVERYONE = "everyone", "Everyone"

    category = models.ForeignKey(KnowledgeCategory, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = SanitizedHTMLField()
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    is_published = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "order", "title"]
        verbose_name = "knowledge article"

    def __str__(self) -> str:
        return self.title
