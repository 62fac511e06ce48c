from django.apps import AppConfig


class PerformersConfig(AppConfig):
    name = "piquetickets.performers"
    label = "performers"
    verbose_name = "Performers"
