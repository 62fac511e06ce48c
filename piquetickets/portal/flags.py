"""Feature flags in the portal: which pages a request may see (django-waffle, ``piquetickets.flags``).

A flag is checked for the request as it is, after :func:`~piquetickets.portal.access.producer_required`
has set ``request.producer``, so a flag turned on for a producer is on for everyone acting for it
(``piquetickets.flags.models.Flag``). A page behind a flag that is off answers 404, exactly like a page
that does not exist, and the navigation leaves it out (``NavItem(visible=analytics_visible)``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest
from waffle import flag_is_active

ANALYTICS = "portal_analytics"


def flag_on(request: HttpRequest, name: str) -> bool:
    """Whether the flag ``name`` is on for this request (an unknown flag is off)."""
    return bool(flag_is_active(request, name))


def flag_required(name: str) -> Callable:
    """Decorate a portal view (inside ``producer_required``) so that it answers 404 while ``name`` is off."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not flag_on(request, name):
                raise Http404("Not found.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def analytics_visible(request: HttpRequest) -> bool:
    """For the navigation: the Analytics entry is shown while its flag is on."""
    return flag_on(request, ANALYTICS)
