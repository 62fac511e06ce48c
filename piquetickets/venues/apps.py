from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "piquetickets.venues"
    label = "venues"
    verbose_name = "Venues"
