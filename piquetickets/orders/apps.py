from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class OrdersConfig(AppConfig):
    name = "piquetickets.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from piquetickets.producers.models import Producer, ProducerFinancial
        from piquetickets.shows.models import Show, Ticket

        from . import emails  # noqa: F401  (registers the confirmation email's PDF and .ics builder)

        # The cached checkout catalogue (orders.selectors) must not outlive a change to what it holds.
        for model in (Show, Ticket, Producer, ProducerFinancial):
            for signal in (post_save, post_delete):
                signal.connect(_forget_catalogue, sender=model, dispatch_uid=f"checkout-catalogue-{model.__name__}")
        pre_save.connect(_forget_catalogue, sender=Ticket, dispatch_uid="checkout-catalogue-Ticket-moved")


def _forget_catalogue(sender, instance, **kwargs) -> None:
    from .selectors import checkout_catalogue_forget

    checkout_catalogue_forget(instance)
