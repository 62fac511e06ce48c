from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "piquetickets.core"
    label = "core"
    verbose_name = "Core"
