from django.apps import AppConfig


class ProducersConfig(AppConfig):
    name = "piquetickets.producers"
    label = "producers"
    verbose_name = "Producers"
