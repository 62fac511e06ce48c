"""The Team page ``/dashboard/team/``: the producer's members with their roles and the invitations not
accepted yet. Owners (and platform staff) invite, send an invitation again, withdraw it, change roles and
remove members; a manager sees the team and may leave it. The last owner can't leave, be removed or
stop being an owner (the services refuse; the page says why, 409).

Every action is a POST form that works without JavaScript and answers 303 back to the page with a
message, or the page again with the refusal (422 for the invite form's input, 409 for a team rule).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from piquetickets.core.cache import window_hits
from piquetickets.core.errors import ApplicationError
from piquetickets.producers.models import OnboardingSession, UserProducerAssociation
from piquetickets.producers.selectors import producer_invitations_waiting, producer_team
from piquetickets.producers.services import (
    producer_invitation_resend,
    producer_invitation_revoke,
    producer_invite,
    producer_member_remove,
    producer_member_set_role,
)

from ..access import STAFF, producer_object_or_404, producer_required
from ..forms import apply_error
from ..forms.team import InviteForm, RoleForm
from ..responses import see_other

# Invitations (new and sent again) a producer may send per hour: enough for any team, too few to use
# the platform's email address for spam.
INVITATIONS_PER_HOUR = 30
TOO_MANY_INVITATIONS = "That's a lot of invitations for one hour. Try again later, or write to us if you need more."


def _invitation_budget_spent(producer) -> bool:
    """Count one invitation for ``producer`` in the current hour; whether that goes over the budget.
    With the cache unavailable, nothing is refused."""
    hour = int(time.time() // 3600)
    hits = window_hits(cache, [(f"portal:invitations:{producer.pk}:{hour}", None, 3600)])
    return hits is not None and hits[0][0] > INVITATIONS_PER_HOUR


def _member_name(user) -> str:
    return user.get_full_name() or user.username


def _team_page(request, *, invite_form=None, refusal: str = "", status: int = 200):
    portal = request.portal
    members = producer_team(producer=request.producer)
    owners = sum(1 for member in members if member.role == UserProducerAssociation.Role.OWNER)
    context = {
        "members": [
            {
                "membership": member,
                "name": _member_name(member.user),
                "email": member.user.email,
                "is_you": member.user_id == request.user.pk,
                "is_owner": member.role == UserProducerAssociation.Role.OWNER,
                "last_owner": member.role == UserProducerAssociation.Role.OWNER and owners == 1,
            }
            for member in members
        ],
        "invitations": producer_invitations_waiting(producer=request.producer),
        "invite_form": invite_form or InviteForm(),
        "can_manage": portal.can_manage_team,
        "is_member": portal.role != STAFF,
        "refusal": refusal,
        "now": timezone.now(),
        "roles": UserProducerAssociation.Role.choices,
    }
    return render(request, "portal/team/index.html", context, status=status)


def _back():
    return see_other(reverse("portal:team"))


@require_GET
@producer_required
def team(request):
    return _team_page(request)


@require_POST
@producer_required(owner_only=True)
def team_invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        if _invitation_budget_spent(request.producer):
            form.add_error(None, TOO_MANY_INVITATIONS)
            return _team_page(request, invite_form=form, status=429)
        try:
            invitation, _ = producer_invite(
                producer=request.producer, email=form.cleaned_data["email"], invited_by=request.user
            )
        except ApplicationError as refusal:
            apply_error(form, refusal)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return _back()
    return _team_page(request, invite_form=form, status=422)


def _team_action(request, action: Callable[[], Any], message: Callable[[Any], str], *, to: str = ""):
    """Run a team service: 303 back to the page (or to ``to``) with ``message`` of its result, or the page
    again with the service's refusal and status."""
    try:
        result = action()
    except ApplicationError as refusal:
        return _team_page(request, refusal=refusal.message, status=refusal.status)
    messages.success(request, message(result))
    return see_other(to) if to else _back()


def _invitation(request, pk: int) -> OnboardingSession:
    return producer_object_or_404(request, OnboardingSession, pk=pk, is_used=False)


@require_POST
@producer_required(owner_only=True)
def invitation_resend(request, pk: int):
    invitation = _invitation(request, pk)
    if _invitation_budget_spent(request.producer):
        return _team_page(request, refusal=TOO_MANY_INVITATIONS, status=429)
    return _team_action(
        request,
        lambda: producer_invitation_resend(invitation=invitation, invited_by=request.user),
        lambda _: f"Invitation sent again to {invitation.email}, with a new link valid for 7 days.",
    )


@require_POST
@producer_required(owner_only=True)
def invitation_revoke(request, pk: int):
    invitation = _invitation(request, pk)
    return _team_action(
        request,
        lambda: producer_invitation_revoke(invitation=invitation),
        lambda _: f"Invitation to {invitation.email} withdrawn: its link no longer works.",
    )


def _member(request, pk: int) -> UserProducerAssociation:
    return producer_object_or_404(request, UserProducerAssociation.objects.select_related("user"), pk=pk)


@require_POST
@producer_required(owner_only=True)
def member_role(request, pk: int):
    membership = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _team_page(request, refusal="Choose owner or manager.", status=422)
    return _team_action(
        request,
        lambda: producer_member_set_role(membership=membership, role=form.cleaned_data["role"]),
        lambda changed: (
            f"{_member_name(changed.user)} is now {'an owner' if changed.role == 'owner' else 'a manager'}."
        ),
    )


@require_POST
@producer_required(owner_only=True)
def member_remove(request, pk: int):
    membership = _member(request, pk)
    leaving = membership.user_id == request.user.pk
    return _team_action(
        request,
        lambda: producer_member_remove(membership=membership),
        lambda _: (
            f"You left {request.producer.name}."
            if leaving
            else f"{_member_name(membership.user)} is no longer on the team."
        ),
        to=reverse("portal:dashboard") if leaving else "",
    )


@require_POST
@producer_required
def team_leave(request):
    """The signed-in member leaves the current producer (staff acting for it are not a member: 404)."""
    membership = producer_object_or_404(request, UserProducerAssociation, user=request.user)
    return _team_action(
        request,
        lambda: producer_member_remove(membership=membership),
        lambda _: f"You left {request.producer.name}.",
        to=reverse("portal:dashboard"),
    )
