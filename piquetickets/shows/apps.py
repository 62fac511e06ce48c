from django.apps import AppConfig


class ShowsConfig(AppConfig):
    name = "piquetickets.shows"
    label = "shows"
    verbose_name = "Shows"
