"""Email backends for the tests, selected by dotted path through ``settings.EMAIL_BACKEND``."""

import time
from smtplib import SMTPException

from anymail.backends.test import EmailBackend as AnymailTestBackend
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Raises ``SMTPException`` for the next ``failures_left`` sends, then delivers to ``mail.outbox``."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise SMTPException("421 4.3.0 Service not available")
        return super().send_messages(messages)


class SlowBackend(LocmemBackend):
    """Takes a while to send, so concurrent callers overlap with the send itself."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


class NothingSentBackend(LocmemBackend):
    """Reports success without sending anything (as a misconfigured backend might)."""

    def send_messages(self, messages):
        return 0


class SesLikeBackend(AnymailTestBackend):
    """anymail's own test backend, answering with SES-shaped message ids (``anymail_status.message_id``)."""

    def get_esp_message_id(self, message):
        return f"0100018c{mail.outbox.index(message):08x}-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"
