"""Facts about the HTTP client behind a request."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or with ``NUM_PROXIES`` trusted proxies in front, the
    address those proxies saw (read from the right of ``X-Forwarded-For``, which clients can't forge)."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None
