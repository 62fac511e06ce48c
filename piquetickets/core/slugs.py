"""Slugs generated from a title once, unique in their table, stable when the title changes."""

from __future__ import annotations

from django.db import models
from django.utils.text import slugify


def unique_slug(instance: models.Model, source: str, *, field: str = "slug", max_length: int = 60) -> str:
    """A slug for ``source`` not used by any other row of ``instance``'s table.

    Soft-deleted rows count too (slugs stay reserved), hence the base manager.
    """
    base = slugify(source)[:max_length].strip("-") or "item"
    model = type(instance)
    taken = model._base_manager.exclude(pk=instance.pk).filter(**{f"{field}__startswith": base})
    used = set(taken.values_list(field, flat=True))
    candidate, n = base, 2
    while candidate in used:
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        n += 1
    return candidate


class SluggedModel(models.Model):
    """A model whose ``slug`` is filled from ``slug_source`` on first save and never rewritten."""

    slug_source_field = "name"

    slug = models.SlugField(max_length=80, unique=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, getattr(self, self.slug_source_field))
        super().save(*args, **kwargs)
