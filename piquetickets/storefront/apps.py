from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "piquetickets.storefront"
    label = "storefront"
    verbose_name = "Storefront"
