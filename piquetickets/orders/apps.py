from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "piquetickets.orders"
    label = "orders"
    verbose_name = "Orders"
