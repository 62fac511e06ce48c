"""The platform's feature flag: django-waffle's (everyone, per user, per group, by percentage, staff,
superusers…) with one more way to turn it on: **per producer**.

``WAFFLE_FLAG_MODEL = "flags.Flag"`` makes waffle use this model everywhere (``flag_is_active``, the
``{% flag %}`` tag, the admin). A flag is on for a request whose portal acts for one of the flag's
``producers``: the current producer that ``piquetickets.portal.access`` put on ``request.producer``
(the one chosen with the switcher), so every member of that producer's team sees the same thing, and a
member of two producers sees it only while acting for the one in the list.

The order of the checks is waffle's: *Everyone* yes/no decides alone; then testing cookies, languages,
the user's own checks (authenticated, staff, superusers, users, groups) and then the producers, and
last the percentage.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from waffle.models import CACHE_EMPTY, AbstractUserFlag
from waffle.utils import get_cache, keyfmt

PRODUCERS_CACHE_KEY = "flag:%s:producers"


class Flag(AbstractUserFlag):
    producers = models.ManyToManyField(
        "producers.Producer",
        blank=True,
        related_name="feature_flags",
        help_text="Turn this flag on for everyone acting for these producers in the portal.",
        verbose_name="Producers",
    )

    class Meta(AbstractUserFlag.Meta):
        verbose_name = "feature flag"
        verbose_name_plural = "feature flags"

    def get_flush_keys(self, flush_keys: list[str] | None = None) -> list[str]:
        flush_keys = super().get_flush_keys(flush_keys)
        flush_keys.append(keyfmt(PRODUCERS_CACHE_KEY, self.name))
        return flush_keys

    def producer_ids(self) -> set[int]:
        """The ids of the flag's producers, cached like waffle caches its users and groups."""
        cache = get_cache()
        key = keyfmt(PRODUCERS_CACHE_KEY, self.name)
        cached = cache.get(key)
        if cached == CACHE_EMPTY:
            return set()
        if cached:
            return cached
        ids = set(self.producers.values_list("pk", flat=True))
        cache.add(key, ids or CACHE_EMPTY)
        return ids

    def is_active_for_producer(self, producer) -> bool:
        return producer is not None and producer.pk in self.producer_ids()

    def _is_active_for_user(self, request: HttpRequest) -> bool | None:
        active = super()._is_active_for_user(request)
        if active:
            return active
        if self.is_active_for_producer(getattr(request, "producer", None)):
            return True
        return active
