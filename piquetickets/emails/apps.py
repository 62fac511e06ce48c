from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "piquetickets.emails"
    label = "emails"
    verbose_name = "Email"
