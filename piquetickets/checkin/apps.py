from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "piquetickets.checkin"
    label = "checkin"
    verbose_name = "Check-in"
