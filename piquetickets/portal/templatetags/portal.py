"""Template tags of the portal's frame: ``{% portal_context as portal %}``, ``{% portal_nav as entries %}``,
``{% portal_section_url as url %}`` and the ``money`` filter."""

from __future__ import annotations

from decimal import Decimal

from django import template

from piquetickets.core.money import format_money
from piquetickets.portal.access import portal_resolve
from piquetickets.portal.navigation import current_section_url, nav_entries

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_context(context):
    """The request's :class:`~piquetickets.portal.access.Portal`: the one a portal view set, or for a
    signed-in page outside them (the account pages) the one the user would get; ``None`` otherwise."""
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "portal"):
        request.portal = portal_resolve(request) if request.user.is_authenticated else None
    return request.portal


@register.simple_tag(takes_context=True)
def portal_nav(context):
    request = context.get("request")
    return nav_entries(request) if request is not None else []


@register.simple_tag(takes_context=True)
def portal_section_url(context):
    return current_section_url(context["request"])


@register.filter
def money(amount, currency: str = "USD") -> str:
    """``$1,234.50`` in ``currency`` (default USD); empty for ``None``."""
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(amount), currency or "USD")
