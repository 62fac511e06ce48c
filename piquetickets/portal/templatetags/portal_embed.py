"""``{% embed_snippet show as snippet %}``: the one line of HTML that puts a show's "Buy tickets" button
on another site (docs/embed.md), with this site's address (``SITE_URL``)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


def widget_url() -> str:
    url = static("storefront/widget.js")
    return url if url.startswith(("https://", "http://", "//")) else f"{settings.SITE_URL}{url}"


@register.simple_tag
def embed_snippet(show) -> str:
    """Plain text (the template escapes it where it is shown)."""
    return f'<script src="{widget_url()}" data-show="{show.slug}" async></script>'
