"""Authorization cases for the portal's payouts URLs (``piquetickets/portal/urls/payouts.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here. The page is for
every member (each caller sees the producer they act for: the outsider B's); starting onboarding, its
refresh link and the Stripe Express dashboard are for owners and staff (a manager: 403). The matrix runs
without Stripe keys, so those answer 409 (payouts not set up) and write nothing; the flows against the
local Stripe server are in ``tests/portal/test_payouts.py``.
"""

from __future__ import annotations

from tests.portal.matrix import Case, expect

_LISTS = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)
_BACK = expect(anon=302, outsider=303, manager=303, owner=303, staff=303)
_OWNERS_NOT_SET_UP = expect(anon=302, outsider=409, manager=403, owner=409, staff=409)

CASES: dict[str, list[Case]] = {
    "payouts": [Case("get", _LISTS)],
    "payouts-connect": [Case("post", _OWNERS_NOT_SET_UP)],
    "payouts-return": [Case("get", _BACK)],
    "payouts-refresh": [Case("get", _OWNERS_NOT_SET_UP)],
    "payouts-dashboard": [Case("post", _OWNERS_NOT_SET_UP)],
}
