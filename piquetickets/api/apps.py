from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "piquetickets.api"
    label = "api"
    verbose_name = "REST API"
