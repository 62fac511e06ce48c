"""Authorization cases for the portal's analytics URLs (``piquetickets/portal/urls/analytics.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here. The page is
behind the feature flag ``portal_analytics``: the cases turn it on for everyone (made before the
database is compared), except the one that checks that the page is not there while it is off.
"""

from __future__ import annotations

from piquetickets.flags.models import Flag
from piquetickets.portal.flags import ANALYTICS
from tests.portal.matrix import Case, expect

# Every caller sees the figures of the producer they act for (the outsider: B's).
_OWN_FIGURES = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)


def _flag_on(w) -> list:
    Flag.objects.create(name=ANALYTICS, everyone=True)
    return []


CASES: dict[str, list[Case]] = {
    "analytics": [
        Case("get", _OWN_FIGURES, args=_flag_on),
        Case("get", _OWN_FIGURES, args=_flag_on, data=lambda w: {"chart": "by_day", "format": "csv"}, label="csv"),
        # A's show is no choice for B's owner: refused by the field (422), nothing of A's shown.
        Case(
            "get",
            expect(anon=302, outsider=422, manager=200, owner=200, staff=200),
            args=_flag_on,
            data=lambda w: {"show": w.show.pk, "chart": "ticket_types", "format": "csv"},
            label="show",
        ),
        Case("get", expect(anon=302, outsider=404, manager=404, owner=404, staff=404), label="flag off"),
    ],
}
