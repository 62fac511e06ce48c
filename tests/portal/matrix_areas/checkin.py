"""Authorization cases for the portal's checkin URLs (``piquetickets/portal/urls/checkin.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here. Every member of
the producer (manager or owner) and staff acting for it see, make, change and revoke its door links;
another producer's owner gets 404 for A's show or link (and the overview shows them their own shows).
A link of B's under B's show answers 404 to everyone acting for A.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from piquetickets.checkin.services import checkin_session_create
from tests.portal.matrix import Case, expect

_LISTS = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)  # each caller sees their own producer's
_SEES_A = expect(anon=302, outsider=404, manager=200, owner=200, staff=200)
_ACTS_ON_A = expect(anon=302, outsider=404, manager=303, owner=303, staff=303)
_NOBODY_FOR_A = expect(anon=302, outsider=200, manager=404, owner=404, staff=404)  # B's link: only B's owner
_NOBODY_ACTS_FOR_A = expect(anon=302, outsider=303, manager=404, owner=404, staff=404)


def _link(w) -> list:
    session = checkin_session_create(show=w.show, label="Front door")
    return [w.show.slug, str(session.session_id)]


def _other_link(w) -> list:
    session = checkin_session_create(show=w.other_show, label="B's door")
    return [w.other_show.slug, str(session.session_id)]


def _edit(w) -> dict:
    until = (w.show.end_time + timedelta(hours=1)).astimezone(ZoneInfo(w.show.time_zone))
    return {"label": "Side door", "expires_at": until.strftime("%Y-%m-%dT%H:%M")}


def _edit_other(w) -> dict:
    until = (w.other_show.end_time + timedelta(hours=1)).astimezone(ZoneInfo(w.other_show.time_zone))
    return {"label": "Side door", "expires_at": until.strftime("%Y-%m-%dT%H:%M")}


CASES: dict[str, list[Case]] = {
    "checkin-overview": [Case("get", _LISTS)],
    "checkin-show": [Case("get", _SEES_A, args=lambda w: [w.show.slug])],
    "checkin-create": [
        Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug], data=lambda w: {"new-label": "Front door"}),
        # Reloading the form's address after an error goes back to the show's door links.
        Case("get", expect(anon=302, outsider=404, manager=302, owner=302, staff=302), args=lambda w: [w.show.slug]),
    ],
    "checkin-link": [
        Case("get", _SEES_A, args=_link),
        Case("post", _ACTS_ON_A, args=_link, data=_edit),
        Case("get", _NOBODY_FOR_A, args=_other_link, label="B's link"),
        Case("post", _NOBODY_ACTS_FOR_A, args=_other_link, data=_edit_other, label="B's link"),
    ],
    "checkin-link-revoke": [
        Case("post", _ACTS_ON_A, args=_link),
        Case("post", _NOBODY_ACTS_FOR_A, args=_other_link, label="B's link"),
    ],
    "checkin-link-qr": [
        Case("get", _SEES_A, args=_link),
        Case("get", _NOBODY_FOR_A, args=_other_link, label="B's link"),
    ],
}
