from django.apps import AppConfig


class CheckinAppConfig(AppConfig):
    name = "piquetickets.checkin_app"
    label = "checkin_app"
    verbose_name = "Check-in app"
