"""Reads for buying tickets."""

from __future__ import annotations

from django.core.cache import cache

from piquetickets.producers.models import Producer, ProducerFinancial
from piquetickets.shows.models import Show, Ticket

# How long a show's checkout catalogue may be served from the cache. Saving a show, one of its
# ticket types, its producer or the producer's fee settings forgets it at once (see
# ``checkout_catalogue_forget``); this bounds what a change made some other way could leave behind.
CATALOGUE_SECONDS = 30


def _catalogue_key(show_slug: str) -> str:
    return f"checkout:catalogue:{show_slug}"


def checkout_ticket_types(*, show_slug: str, ticket_ids: list[int]) -> tuple[Show | None, dict[int, Ticket]]:
    """The published show ``show_slug`` and those of ``ticket_ids`` that are its ticket types, by id.

    Reads the show's *checkout catalogue*: the show with its producer's fee settings and all its
    ticket types, kept in the cache, so an on-sale's checkouts don't each read the same rows. What
    it serves is what pricing and the on-sale checks need; capacity is never read from it (checkout
    takes capacity with a conditional UPDATE of the row). The show is ``None`` when there is no
    published show by that slug.
    """
    key = _catalogue_key(show_slug)
    catalogue = cache.get(key)
    if catalogue is None:
        show = Show.objects.published().select_related("producer__financial").filter(slug=show_slug).first()
        catalogue = (show, {} if show is None else {ticket.pk: ticket for ticket in show.tickets.all()})
        cache.set(key, catalogue, CATALOGUE_SECONDS)
    show, tickets = catalogue
    return show, {pk: tickets[pk] for pk in ticket_ids if pk in tickets}


def checkout_catalogue_forget(instance) -> None:
    """Forget the cached checkout catalogues that ``instance`` (a show, ticket type, producer or
    producer's fee settings) is part of. Connected to their ``post_save`` and ``post_delete``."""
    if isinstance(instance, Show):
        slugs = [instance.slug]
    elif isinstance(instance, Ticket):
        slugs = list(Show.all_objects.filter(pk=instance.show_id).values_list("slug", flat=True))
    elif isinstance(instance, Producer | ProducerFinancial):
        producer_id = instance.pk if isinstance(instance, Producer) else instance.producer_id
        slugs = list(Show.all_objects.filter(producer_id=producer_id).values_list("slug", flat=True))
    else:
        raise TypeError(f"No checkout catalogue holds a {type(instance).__name__}.")
    cache.delete_many([_catalogue_key(slug) for slug in slugs if slug])
