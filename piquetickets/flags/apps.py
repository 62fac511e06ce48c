from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "piquetickets.flags"
    label = "flags"
    verbose_name = "Feature flags"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - forget a flag's cached producers when they change
