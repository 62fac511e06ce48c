"""The Meta Pixel on the storefront's pages (``storefront/_pixel.html``, ``storefront/pixel.js``).

Off unless ``META_PIXEL_ID`` is set. Then every buyer-facing page of this app loads the pixel, except
the embed page (it runs inside another site, whose visitors agreed to that site's terms, not ours),
and the site's policy lets in Meta's script and the origin it reports to (:func:`meta_pixel_policy`,
applied in ``config/settings.py``). The check-in app, the admin, the payment pages and the error
pages are other apps' or no app's pages and never get it. The order page's address is the key to the
tickets: it is marked private, so the pixel there never loads Meta's script (which reports the page's
address) and sends only its Purchase, as an image request naming the show's page instead.
``docs/meta-pixel.md`` says it all.

Imported by the settings module: nothing here may need Django set up at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

PIXEL_NAMESPACE = "storefront"
NO_PIXEL_PAGES = frozenset({"embed-show"})
PRIVATE_PAGES = frozenset({"order"})  # their URL carries the order's secret token

# What the pixel needs from the Content-Security-Policy: Meta's script, and where it sends events.
META_PIXEL_CSP_SOURCES = {
    "script-src": ("https://connect.facebook.net",),
    "img-src": ("https://www.facebook.com",),
    "connect-src": ("https://www.facebook.com", "https://connect.facebook.net"),
}


def meta_pixel_policy(policy: dict) -> dict:
    """A copy of django-csp's ``policy`` (``{"DIRECTIVES": {...}}``) that lets the pixel work."""
    directives = dict(policy["DIRECTIVES"])
    for directive, sources in META_PIXEL_CSP_SOURCES.items():
        current = list(directives.get(directive) or [])
        directives[directive] = current + [source for source in sources if source not in current]
    return {**policy, "DIRECTIVES": directives}


def meta_pixel(request: HttpRequest) -> dict:
    """Context processor: ``meta_pixel`` (``{"id": …, "private": bool}``) on the pages that get the
    pixel, else nothing (``_pixel.html`` then renders nothing)."""
    pixel_id = settings.META_PIXEL_ID
    match = getattr(request, "resolver_match", None)
    if not pixel_id or match is None or match.namespace != PIXEL_NAMESPACE or match.url_name in NO_PIXEL_PAGES:
        return {}
    return {"meta_pixel": {"id": pixel_id, "private": match.url_name in PRIVATE_PAGES}}
