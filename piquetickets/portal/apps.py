from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "piquetickets.portal"
    label = "portal"
    verbose_name = "Producer portal"
