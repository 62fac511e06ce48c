from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class StorefrontConfig(AppConfig):
    name = "piquetickets.storefront"
    label = "storefront"
    verbose_name = "Storefront"

    def ready(self) -> None:
        from piquetickets.core.images import image_variants_saved
        from piquetickets.performers.models import Performer
        from piquetickets.producers.models import Producer, ProducerFinancial
        from piquetickets.shows.models import FeaturedShow, Show, Ticket, TicketPageDesign
        from piquetickets.venues.models import Venue

        # Cached public pages (core/pagecache.py) are forgotten when what they show changes.
        for model in (Show, Ticket, TicketPageDesign, FeaturedShow, Venue, Performer, Producer, ProducerFinancial):
            for signal in (post_save, post_delete):
                signal.connect(forget_pages, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
        pre_save.connect(forget_pages_of_moved_ticket, sender=Ticket, dispatch_uid="page-cache-Ticket-moved")
        m2m_changed.connect(forget_pages_of_lineup, sender=Show.performers.through, dispatch_uid="page-cache-lineup")
        image_variants_saved.connect(forget_pages, dispatch_uid="page-cache-renditions")


def page_tags_of(instance) -> list[str]:
    """The page-cache tags an edit of ``instance`` makes out of date: the show page(s) that show it,
    and every list (home, /shows/, profiles, the sitemap list shows with their venue, performers,
    producer, price and badge)."""
    from piquetickets.performers.models import Performer
    from piquetickets.producers.models import Producer, ProducerFinancial
    from piquetickets.shows.models import Show
    from piquetickets.venues.models import Venue

    if isinstance(instance, Show):
        return [f"show:{instance.pk}", "list"]
    if isinstance(instance, Venue):
        return [f"venue:{instance.pk}", "list"]
    if isinstance(instance, Performer):
        return [f"performer:{instance.pk}", "list"]
    if isinstance(instance, Producer):
        return [f"producer:{instance.pk}", "list"]
    if isinstance(instance, ProducerFinancial):  # fees: every price of the producer's shows
        return [f"producer:{instance.producer_id}", "list"]
    if hasattr(instance, "show_id"):  # a ticket type, page design or featured placement
        return [f"show:{instance.show_id}", "list"]
    return ["list"]


def forget_pages(sender, instance, **kwargs) -> None:
    from piquetickets.core.pagecache import forget

    forget(*page_tags_of(instance))


def forget_pages_of_moved_ticket(sender, instance, **kwargs) -> None:
    """A ticket type moved to another show leaves the old show's page too."""
    from piquetickets.core.pagecache import forget, in_use

    if instance.pk is not None and in_use():
        old = type(instance)._base_manager.filter(pk=instance.pk).values_list("show_id", flat=True).first()
        if old is not None and old != instance.show_id:
            forget(f"show:{old}")


def forget_pages_of_lineup(sender, instance, action, pk_set=None, **kwargs) -> None:
    """Performers added to or taken off a show (from either side of the relation)."""
    from piquetickets.core.pagecache import forget
    from piquetickets.shows.models import Show

    if not action.startswith("post_"):
        return
    if isinstance(instance, Show):
        forget(f"show:{instance.pk}", "list")
    else:
        forget(f"performer:{instance.pk}", *(f"show:{pk}" for pk in pk_set or ()), "list")
