"""Reads for buying tickets."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from piquetickets.producers.models import Producer, ProducerFinancial
from piquetickets.shows.models import Show, Ticket


def _catalogue_key(show_slug: str) -> str:
    return f"checkout:catalogue:{show_slug}"


def checkout_ticket_types(*, show_slug: str, ticket_ids: list[int]) -> tuple[Show | None, dict[int, Ticket]]:
    """The published show ``show_slug`` and those of ``ticket_ids`` that are its ticket types, by id.

    Reads the show's *checkout catalogue*: the show with its producer's fee settings and all its
    ticket types. With ``CHECKOUT_CATALOGUE_SECONDS`` set it is kept in the cache, so an on-sale's
    checkouts don't each read the same rows. What it serves is what pricing and the on-sale checks
    need; capacity is never read from it (checkout takes capacity with a conditional UPDATE of the
    row, which checks ``is_active`` too). The show is ``None`` when there is no published show by
    that slug.
    """
    seconds = settings.CHECKOUT_CATALOGUE_SECONDS
    key = _catalogue_key(show_slug)
    catalogue = cache.get(key) if seconds else None
    if catalogue is None:
        show = Show.objects.published().select_related("producer__financial").filter(slug=show_slug).first()
        catalogue = (show, {} if show is None else {ticket.pk: ticket for ticket in show.tickets.all()})
        if seconds:
            cache.set(key, catalogue, seconds)
    show, tickets = catalogue
    return show, {pk: tickets[pk] for pk in ticket_ids if pk in tickets}


def checkout_catalogue_keys(instance) -> list[str]:
    """The cache keys of the checkout catalogues that ``instance`` (a show, ticket type, producer or
    producer's fee settings) is part of, as it is in memory and as it is in the database now."""
    if isinstance(instance, Show):
        slugs = {instance.slug}
    elif isinstance(instance, Ticket):
        shows = Show.all_objects.filter(pk=instance.show_id) | Show.all_objects.filter(tickets__pk=instance.pk)
        slugs = set(shows.values_list("slug", flat=True))
    elif isinstance(instance, Producer | ProducerFinancial):
        producer_id = instance.pk if isinstance(instance, Producer) else instance.producer_id
        slugs = set(Show.all_objects.filter(producer_id=producer_id).values_list("slug", flat=True))
    else:
        raise TypeError(f"No checkout catalogue holds a {type(instance).__name__}.")
    return [_catalogue_key(slug) for slug in sorted(slugs) if slug]


def checkout_catalogue_forget(instance) -> None:
    """Forget the cached checkout catalogues ``instance`` is part of, now and again when the
    transaction commits: a checkout reading the old rows before the commit may have cached them
    again meanwhile.

    Connected to the ``post_save`` and ``post_delete`` of shows, ticket types, producers and fee
    settings, and to a ticket type's ``pre_save`` (one moved to another show leaves the old show's
    catalogue). Does nothing while the catalogue isn't cached (``CHECKOUT_CATALOGUE_SECONDS=0``).
    """
    if not settings.CHECKOUT_CATALOGUE_SECONDS or instance.pk is None:
        return
    keys = checkout_catalogue_keys(instance)
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(partial(cache.delete_many, keys))
