from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "piquetickets.accounts"
    label = "accounts"
    verbose_name = "Accounts"
