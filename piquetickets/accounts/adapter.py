"""django-allauth, fitted to the platform: nobody signs up (producers' teams join by invitation), the
client's address is read as everywhere else (``core.http.client_ip``), and account emails (password
reset) go through the platform's email queue, so they are recorded and retried like every other."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from piquetickets.core.http import client_ip
from piquetickets.emails.services import email_queue

CATEGORY = "account"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address.")
        return ip

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the message as allauth does, then queue it (``emails.services.email_queue``)."""
        request = self.request
        context = {"request": request, "email": email, "current_site": self._site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
        text = message.body if message.content_subtype != "html" else ""
        name = template_prefix.rsplit("/", 1)[-1]
        digest = hashlib.sha256(f"{name}\n{email}\n{text}\n{html}".encode()).hexdigest()[:40]
        email_queue(
            to=email,
            subject=message.subject,
            text=text,
            html=html,
            category=f"{CATEGORY}_{name}"[:50],
            idempotency_key=f"{CATEGORY}:{name}:{digest}",
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        """On ``SITE_URL``, as every link the platform emails (not whatever host the request named)."""
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    @staticmethod
    def _site(request):
        from django.contrib.sites.shortcuts import get_current_site

        return get_current_site(request)
