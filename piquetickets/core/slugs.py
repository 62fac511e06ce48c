"""Slugs generated from a title once, unique in their table, stable when the title changes."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, models, transaction
from django.utils.text import slugify

SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
SUFFIX_LENGTH = 6  # 36⁶ ≈ 2 billion: a taken title's next slug can't be guessed or counted


def random_suffix() -> str:
    return "-" + "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))


def unique_slug(
    instance: models.Model, source: str, *, field: str = "slug", max_length: int = 60, always_suffix: bool = False
) -> str:
    """A slug for ``source`` not used by any other row of ``instance``'s table.

    The first row with a title gets the plain slug; later ones get a short random suffix
    (``comedy-brunch-k3x9qa``), not a counter: ``-2`` would tell anyone that some other producer
    already has a show, perhaps an unpublished draft, with that title. Soft-deleted rows count too
    (slugs stay reserved), hence the base manager. ``always_suffix`` adds the suffix even when the plain
    slug is free (a draft's slug must not hold, or probe, its title's plain slug).
    """
    base = slugify(source)[:max_length].strip("-") or "item"
    others = type(instance)._base_manager.exclude(pk=instance.pk)
    candidate = base
    while always_suffix or others.filter(**{field: candidate}).exists():
        suffix = random_suffix()
        candidate = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        always_suffix = False
    return candidate


class SluggedModel(models.Model):
    """A model whose ``slug`` is filled from ``slug_source`` on first save and never rewritten."""

    slug_source_field = "name"
    slug_always_suffixed = False  # a model may make it a property (see Show: its drafts)

    slug = models.SlugField(max_length=80, unique=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        source = getattr(self, self.slug_source_field)
        for attempt in range(3):
            self.slug = unique_slug(
                self,
                source if attempt == 0 else f"{source} {secrets.token_hex(2)}",
                always_suffix=self.slug_always_suffixed,
            )
            try:
                with transaction.atomic():  # a savepoint: a lost race on the slug leaves the outer transaction usable
                    return super().save(*args, **kwargs)
            except IntegrityError as exc:
                if "slug" not in str(exc).lower() or attempt == 2:
                    self.slug = ""
                    raise
        return None
