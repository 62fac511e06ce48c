"""Authorization cases for the portal's places URLs (``piquetickets/portal/urls/places.py``).

See ``tests/portal/matrix.py`` for the callers, the world and the helpers imported here. A's venue is
used by A's show (removing it switches it off); the performer is on no bill (removing deletes it).
"""

from __future__ import annotations

from tests.portal.matrix import Case, expect

_LIST = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)  # each sees their own producer's
_MEMBERS_OF_A = expect(anon=302, outsider=404, manager=200, owner=200, staff=200)
_ACTS_ON_A = expect(anon=302, outsider=404, manager=303, owner=303, staff=303)
_CREATES = expect(anon=302, outsider=303, manager=303, owner=303, staff=303)  # for the producer they act for


def _venue_post(w) -> dict:
    return {
        "name": "The Back Room",
        "address": "12 Side St",
        "city": "Chicago",
        "country": "US",
        "time_zone": "America/Chicago",
        "is_active": "on",
    }


def _performer_post(w) -> dict:
    return {"name": "Dana Quip", "city": "Chicago", "instagram": "https://instagram.com/danaquip"}


CASES: dict[str, list[Case]] = {
    "venue-list": [Case("get", _LIST)],
    "venue-create": [Case("get", _LIST), Case("post", _CREATES, data=_venue_post)],
    "venue-edit": [
        Case("get", _MEMBERS_OF_A, args=lambda w: [w.venue.slug]),
        Case("post", _ACTS_ON_A, args=lambda w: [w.venue.slug], data=_venue_post),
    ],
    "venue-remove": [Case("post", _ACTS_ON_A, args=lambda w: [w.venue.slug])],
    "performer-list": [Case("get", _LIST)],
    "performer-create": [Case("get", _LIST), Case("post", _CREATES, data=_performer_post)],
    "performer-edit": [
        Case("get", _MEMBERS_OF_A, args=lambda w: [w.performer.slug]),
        Case("post", _ACTS_ON_A, args=lambda w: [w.performer.slug], data=_performer_post),
    ],
    "performer-remove": [Case("post", _ACTS_ON_A, args=lambda w: [w.performer.slug])],
    # Each caller edits the profile of the producer they act for (the outsider: B's).
    "profile": [
        Case("get", _LIST),
        Case("post", _CREATES, data=lambda w: {"name": "Renamed producer", "country": "US"}),
    ],
}
