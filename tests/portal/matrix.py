"""The portal's authorization matrix: the cases for every portal URL, by URL name.

``test_authorization_matrix.py`` runs each case for every kind of caller and checks the exact status;
when the status is a refusal it also checks that no row of the database changed. It fails when a URL
of ``piquetickets/portal/urls/`` has no case, so a new page comes with its cases (here for shows and the
team; in its area's module of ``tests/portal/matrix_areas/`` for the rest):

    CASES["show-edit"] = [
        Case("get", expect(anon=302, outsider=404, manager=200, owner=200, staff=200), args=lambda w: [w.show.slug]),
        Case("post", expect(anon=302, outsider=404, manager=303, owner=303, staff=303), args=lambda w: [w.show.slug],
             data=lambda w: {"title": "Renamed"}),
    ]

The callers: ``anon`` (signed out: sent to sign in, 302), ``outsider`` (the owner of producer B, acting
on producer A's objects: 404), ``manager`` and ``owner`` of producer A, and ``staff`` (platform staff,
not a member, acting for A). Objects in the URLs are A's (``w.show``, ``w.order``…); B's are there too
(``w.other_show``…). Need something the world lacks? Add it in :func:`build_world` (``w.extra`` is free
for anything).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from piquetickets.producers.models import OnboardingSession, UserProducerAssociation
from piquetickets.producers.services import producer_invite
from piquetickets.shows.models import TicketPromoCode
from tests.factories import (
    AttendeeFactory,
    MembershipFactory,
    OrderFactory,
    PerformerFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    UserFactory,
    VenueFactory,
)

CALLERS = ("anon", "outsider", "manager", "owner", "staff")


@dataclass
class World:
    producer: Any  # A: the producer the URLs are about
    other: Any  # B
    owner: Any
    manager: Any
    outsider: Any  # owner of B
    staff: Any
    show: Any
    ticket: Any
    order: Any
    attendee: Any
    venue: Any
    performer: Any
    other_show: Any  # B's objects: same kinds as A's
    other_venue: Any
    other_performer: Any
    other_order: Any
    member: Any  # a third member of A (a manager), for the team's member actions
    invitation: Any  # A's waiting invitation
    invitation_token: str
    other_invitation: Any
    extra: dict = field(default_factory=dict)

    def user(self, caller: str):
        return None if caller == "anon" else getattr(self, caller)


def build_world() -> World:
    a = ProducerFactory(name="Producer A")
    b = ProducerFactory(name="Producer B")
    owner = MembershipFactory(producer=a, role=UserProducerAssociation.Role.OWNER, user__username="owner").user
    manager = MembershipFactory(producer=a, role=UserProducerAssociation.Role.MANAGER, user__username="manager").user
    member = MembershipFactory(producer=a, role=UserProducerAssociation.Role.MANAGER, user__username="member")
    outsider = MembershipFactory(producer=b, role=UserProducerAssociation.Role.OWNER, user__username="outsider").user
    staff = UserFactory(username="staff", is_staff=True)
    venue = VenueFactory(producer=a)
    show = ShowFactory(producer=a, venue=venue, title="A's show")
    ticket = TicketFactory(show=show, quantity=50, price=Decimal("20.00"))
    now = timezone.now()
    order = OrderFactory(show=show, status="paid", success=True, time_of_purchase=now, total=Decimal("20.00"))
    line = TicketOrderFactory(order=order, ticket=ticket)
    attendee = AttendeeFactory(ticket_order=line)
    other_show = ShowFactory(producer=b, title="B's show")
    other_order = OrderFactory(
        show=other_show, status="paid", success=True, time_of_purchase=now - timedelta(days=1), total=Decimal("15")
    )
    invitation, token = producer_invite(producer=a, email="invited@example.com")
    other_invitation, _ = producer_invite(producer=b, email="invited-b@example.com")
    return World(
        producer=a,
        other=b,
        owner=owner,
        manager=manager,
        outsider=outsider,
        staff=staff,
        show=show,
        ticket=ticket,
        order=order,
        attendee=attendee,
        venue=venue,
        performer=PerformerFactory(producer=a),
        other_show=other_show,
        other_venue=VenueFactory(producer=b),
        other_performer=PerformerFactory(producer=b),
        other_order=other_order,
        member=member,
        invitation=invitation,
        invitation_token=token,
        other_invitation=other_invitation,
    )


def expect(**statuses: int) -> dict[str, int]:
    missing = set(CALLERS) - set(statuses)
    if missing:
        raise ValueError(f"expect() needs a status for every caller; missing {sorted(missing)}")
    return statuses


@dataclass(frozen=True)
class Case:
    method: str  # "get" or "post"
    expect: dict[str, int]
    args: Callable[[World], list] = lambda w: []
    data: Callable[[World], dict] = lambda w: {}
    label: str = ""


_ANYONE_SIGNED_IN = expect(anon=302, outsider=200, manager=200, owner=200, staff=200)
_OWNERS_ON_A = expect(anon=302, outsider=404, manager=403, owner=303, staff=303)

CASES: dict[str, list[Case]] = {
    "dashboard": [Case("get", _ANYONE_SIGNED_IN)],
    "producers": [Case("get", _ANYONE_SIGNED_IN)],
    "producer-switch": [
        Case(
            "post",
            expect(anon=302, outsider=404, manager=303, owner=303, staff=303),
            data=lambda w: {"producer": w.producer.pk},
        ),
    ],
    "team": [Case("get", _ANYONE_SIGNED_IN)],
    "team-invite": [
        # Each caller invites to the producer they act for: the outsider to B (allowed, nothing of A's).
        Case(
            "post",
            expect(anon=302, outsider=303, manager=403, owner=303, staff=303),
            data=lambda w: {"email": "new@example.com"},
        ),
    ],
    "team-invitation-resend": [Case("post", _OWNERS_ON_A, args=lambda w: [w.invitation.pk])],
    "team-invitation-revoke": [Case("post", _OWNERS_ON_A, args=lambda w: [w.invitation.pk])],
    "team-member-role": [Case("post", _OWNERS_ON_A, args=lambda w: [w.member.pk], data=lambda w: {"role": "owner"})],
    "team-member-remove": [Case("post", _OWNERS_ON_A, args=lambda w: [w.member.pk])],
    "team-leave": [
        # The outsider is B's only owner, the owner A's: neither may leave (409); staff are no member (404).
        Case("post", expect(anon=302, outsider=409, manager=303, owner=409, staff=404)),
    ],
    "join": [
        # The invitation is for an address none of the signed-in callers has: only the person invited (here
        # signed out, making their account) may use it; anyone else is refused (403) and nothing changes.
        Case(
            "get",
            expect(anon=200, outsider=403, manager=403, owner=403, staff=403),
            args=lambda w: [w.invitation_token],
        ),
        Case(
            "post",
            expect(anon=303, outsider=403, manager=403, owner=403, staff=403),
            args=lambda w: [w.invitation_token],
            data=lambda w: {
                "first_name": "Nia",
                "last_name": "Invited",
                "password1": "a-long-enough-secret-42",
                "password2": "a-long-enough-secret-42",
            },
        ),
        Case(
            "get",
            expect(anon=404, outsider=404, manager=404, owner=404, staff=404),
            args=lambda w: ["not-a-real-token"],
            label="unknown token",
        ),
        Case(
            "post",
            expect(anon=404, outsider=404, manager=404, owner=404, staff=404),
            args=lambda w: ["not-a-real-token"],
            label="unknown token",
        ),
    ],
}


# --- shows ---------------------------------------------------------------------------------------------
_MEMBERS_OF_A = expect(anon=302, outsider=404, manager=200, owner=200, staff=200)
_ACTS_ON_A = expect(anon=302, outsider=404, manager=303, owner=303, staff=303)


def _local(days: int, hour: int = 20) -> str:
    moment = timezone.localtime(timezone.now() + timedelta(days=days))
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _show_post(w) -> dict:
    return {
        "title": "A's new show",
        "time_zone": "America/Chicago",
        "start_time": _local(20),
        "end_time": _local(20, 22),
        "age_restriction": "all_ages",
        "refund_policy": "no_refunds",
        "venue": w.venue.pk,
        "performers": [w.performer.pk],
    }


def _deleted_show(w):
    return ShowFactory(producer=w.producer, title="A's deleted show", is_deleted=True, deleted_at=timezone.now())


def _promo(w):
    return TicketPromoCode.objects.create(show=w.show, code="LAUGH10", discount=Decimal("10"))


_TICKET_POST = {"name": "Balcony", "price": "15.00", "quantity": "40", "sort_order": "1", "is_active": "on"}
_PROMO_POST = {"code": "SAVE5", "discount_type": "fixed", "discount": "5.00", "is_active": "on"}

CASES.update(
    {
        "show-list": [Case("get", _ANYONE_SIGNED_IN)],
        "show-create": [
            Case("get", _ANYONE_SIGNED_IN),
            # Each caller creates for the producer they act for; the outsider's venue is not B's: 422.
            Case("post", expect(anon=302, outsider=422, manager=303, owner=303, staff=303), data=_show_post),
        ],
        "show": [Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug])],
        "show-edit": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug]),
            Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug], data=_show_post),
        ],
        "show-preview": [Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug])],
        # Members of A have no publishing right (403, nothing written); staff may always.
        "show-publish": [
            Case(
                "post", expect(anon=302, outsider=404, manager=403, owner=403, staff=303), args=lambda w: [w.show.slug]
            )
        ],
        "show-unpublish": [Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug])],
        "show-duplicate": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug]),
            Case(
                "post",
                _ACTS_ON_A,
                args=lambda w: [w.show.slug],
                data=lambda w: {"title": "A's show again", "start_time": _local(30), "end_time": _local(30, 22)},
            ),
        ],
        "show-delete": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug]),
            Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug]),
        ],
        "show-restore": [Case("post", _ACTS_ON_A, args=lambda w: [_deleted_show(w).slug])],
        "show-ticket-create": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug]),
            Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug], data=lambda w: dict(_TICKET_POST)),
        ],
        "show-ticket-edit": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug, w.ticket.pk]),
            Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug, w.ticket.pk], data=lambda w: dict(_TICKET_POST)),
        ],
        "show-ticket-remove": [Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug, w.ticket.pk])],
        "show-promo-create": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug]),
            Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug], data=lambda w: dict(_PROMO_POST)),
        ],
        "show-promo-edit": [
            Case("get", _MEMBERS_OF_A, args=lambda w: [w.show.slug, _promo(w).pk]),
            Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug, _promo(w).pk], data=lambda w: dict(_PROMO_POST)),
        ],
        "show-promo-remove": [Case("post", _ACTS_ON_A, args=lambda w: [w.show.slug, _promo(w).pk])],
    }
)


# --- the later areas: each in its own module of tests/portal/matrix_areas/ ----------------------------
AREAS = ("orders", "checkin", "payouts", "places", "design", "analytics", "help")


def _merge_areas() -> None:
    import importlib

    for area in AREAS:
        cases = importlib.import_module(f"tests.portal.matrix_areas.{area}").CASES
        clash = set(cases) & set(CASES)
        if clash:
            raise ValueError(f"authorization cases given twice: {sorted(clash)}")
        CASES.update(cases)


def is_refusal(status: int, *, caller: str) -> bool:
    """Whether the answer refused the request (so nothing may have changed): an error, or the sign-in
    redirect a signed-out caller gets."""
    return status >= 400 or (caller == "anon" and status == 302)


_merge_areas()

__all__ = ["CALLERS", "CASES", "Case", "OnboardingSession", "World", "build_world", "expect", "is_refusal"]
