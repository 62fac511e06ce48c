from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "piquetickets.emails"
    label = "emails"
    verbose_name = "Email"

    def ready(self) -> None:
        from anymail.signals import tracking

        from . import receivers

        tracking.connect(receivers.email_tracking_event_received, dispatch_uid="emails.tracking")
