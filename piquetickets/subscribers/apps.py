from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "piquetickets.subscribers"
    label = "subscribers"
    verbose_name = "Subscribers"
