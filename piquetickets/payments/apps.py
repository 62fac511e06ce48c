from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "piquetickets.payments"
    label = "payments"
    verbose_name = "Payments"
