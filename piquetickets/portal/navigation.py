"""The portal's navigation: one list, in the order it is shown.

A page that exists gets an entry here (and only then: no "coming soon"). Add yours where it belongs
in the order Dashboard, Shows, Orders, Check-in, Venues & performers, Payouts, Analytics, Team,
Profile, Help:

    NavItem("Shows", "portal:show-list", icon="ticket", sections=("show",)),

``sections`` are the URL names (in the ``portal`` namespace) the entry stands for: a name equal to
one of them or starting with it and a dash (``show-list``, ``show-edit``) marks the entry as the
current page (``aria-current="page"``). ``visible`` hides an entry from some requests (a feature
flag, an owners-only page). Icons are the symbols in ``portal/_icons.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from piquetickets.portal.flags import analytics_visible


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "dot"
    sections: tuple[str, ...] = ()
    visible: Callable[[HttpRequest], bool] | None = None


NAV_ITEMS: list[NavItem] = [
    NavItem("Dashboard", "portal:dashboard", icon="home", sections=("dashboard",)),
    NavItem("Shows", "portal:show-list", icon="ticket", sections=("show",)),
    NavItem("Orders", "portal:order-list", icon="receipt", sections=("order",)),
    NavItem("Check-in", "portal:checkin-overview", icon="scan", sections=("checkin",)),
    NavItem("Venues & performers", "portal:venue-list", icon="pin", sections=("venue", "performer")),
    NavItem("Payouts", "portal:payouts", icon="bank", sections=("payouts",)),
    NavItem("Analytics", "portal:analytics", icon="chart", sections=("analytics",), visible=analytics_visible),
    NavItem("Team", "portal:team", icon="team", sections=("team",)),
    NavItem("Profile", "portal:profile", icon="user", sections=("profile",)),
    NavItem("Help", "portal:help", icon="help", sections=("help",)),
]


def _is_current(item: NavItem, url_name: str) -> bool:
    return any(url_name == section or url_name.startswith(f"{section}-") for section in item.sections)


def nav_entries(request: HttpRequest) -> list[dict]:
    """The entries this request sees: ``label``, ``url``, ``icon``, ``current``."""
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match is not None and match.namespace == "portal" else ""
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "icon": item.icon,
            "current": bool(url_name) and _is_current(item, url_name or ""),
        }
        for item in NAV_ITEMS
        if item.visible is None or item.visible(request)
    ]


def current_section_url(request: HttpRequest) -> str:
    """The URL of the entry the request is under (where the producer switcher returns), else the dashboard."""
    for entry in nav_entries(request):
        if entry["current"]:
            return entry["url"]
    return reverse("portal:dashboard")
