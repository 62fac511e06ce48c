"""Authorization cases for the portal's design URLs (``piquetickets/portal/urls/design.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here.
"""

from __future__ import annotations

from tests.portal.matrix import Case, expect

_MEMBERS_OF_A = expect(anon=302, outsider=404, manager=200, owner=200, staff=200)
_ACTS_ON_A = expect(anon=302, outsider=404, manager=303, owner=303, staff=303)
_COLOURS = {"primary_color": "#0a6e4f", "secondary_color": "#f4e9d8"}

CASES: dict[str, list[Case]] = {
    "show-design": [
        Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug]),
        Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug], data=lambda w: dict(_COLOURS)),
    ],
    "show-design-preview": [Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug], data=lambda w: dict(_COLOURS))],
    "show-design-css": [Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug], data=lambda w: dict(_COLOURS))],
}
