"""Authorization cases for the portal's orders URLs (``piquetickets/portal/urls/orders.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here. Every member of
the producer (manager or owner) and staff acting for it may see, resend and refund its orders; another
producer's owner gets 404 for A's order or show, and the lists show them their own producer's.
"""

from __future__ import annotations

from piquetickets.shows.models import Ticket
from tests.portal.matrix import Case, expect

_LISTS = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)  # each caller sees their own producer's
_SEES_A = expect(anon=302, outsider=404, manager=200, owner=200, staff=200)
_ACTS_ON_A = expect(anon=302, outsider=404, manager=303, owner=303, staff=303)


def _order(w):
    return [str(w.order.uuid)]


def _sold_order(w):
    """A's order, its ticket counted as sold (so refunding it puts it back on sale)."""
    Ticket.objects.filter(pk=w.ticket.pk).update(quantity_sold=1)
    return _order(w)


_CONFIRM_WHOLE = {
    "step": "confirm",
    "kind": "whole",
    "reason": "Show moved",
    "expected_refunded": "0.00",
    "expected_amount": "20.00",
}

CASES: dict[str, list[Case]] = {
    "order-list": [Case("get", _LISTS), Case("get", _LISTS, data=lambda w: {"show": w.show.slug}, label="A's show")],
    # An export names its show: A's show is not found for B's owner (a file of B's every order would be wrong).
    "order-export": [Case("get", _LISTS), Case("get", _SEES_A, data=lambda w: {"show": w.show.slug}, label="A's show")],
    "order-attendees": [Case("get", _LISTS)],
    "order-attendee-export": [Case("get", _LISTS)],
    "order-door-list": [Case("get", _SEES_A, args=lambda w: [w.show.slug])],
    "order": [Case("get", _SEES_A, args=_order)],
    "order-resend": [Case("post", _ACTS_ON_A, args=_order)],
    "order-refund": [
        Case("get", _SEES_A, args=_order),
        Case("post", _SEES_A, args=_order, data=lambda w: {"step": "review", "kind": "whole"}, label="review"),
        Case("post", _ACTS_ON_A, args=_sold_order, data=lambda w: dict(_CONFIRM_WHOLE), label="confirm"),
    ],
}
