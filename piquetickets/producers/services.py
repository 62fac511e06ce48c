"""Writes for producers, their teams (invitations and members) and producer leads."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from piquetickets.accounts.models import User
from piquetickets.accounts.services import user_create
from piquetickets.core.errors import InvalidInput
from piquetickets.core.updates import assign_fields
from piquetickets.emails.services import email_queue

from .errors import (
    AccountExists,
    AlreadyMember,
    InvitationExpired,
    InvitationForSomeoneElse,
    InvitationNotFound,
    InvitationUsed,
    LastOwner,
    LeadAlreadyOnboarded,
)
from .models import OnboardingSession, Producer, ProducerInterest, UserProducerAssociation
from .selectors import invitation_for_token, invitation_token_hash

INVITATION_DAYS = 7

PRODUCER_FIELDS = {
    "name", "country", "website", "bio", "support_email", "instagram", "facebook", "twitter", "youtube", "ticktock",
}  # fmt: skip
INTEREST_FIELDS = {
    "name", "email", "phone", "company_name", "city", "state", "events_per_year", "show_types", "show_types_other",
    "current_platform", "current_platform_other", "platform_challenges", "desired_features",
    "interested_in_marketing", "additional_info",
}  # fmt: skip


@transaction.atomic
def producer_update(*, producer: Producer, data: dict[str, Any]) -> Producer:
    """Change a producer's public profile (the slug stays)."""
    assign_fields(producer, data, PRODUCER_FIELDS)
    producer.full_clean(exclude=["slug"])
    producer.save()
    return producer


def producer_interest_submit(*, data: dict[str, Any], ip_address: str | None, user_agent: str) -> ProducerInterest:
    """Record a prospective producer's "sell with us" form for the team to follow up."""
    interest = ProducerInterest(ip_address=ip_address, user_agent=user_agent[:1000])
    assign_fields(interest, data, INTEREST_FIELDS)
    interest.full_clean()
    interest.save()
    return interest


# --- the team: invitations (OnboardingSession) and members -----------------------------------------
#
# An invitation is an OnboardingSession for one email address and producer. Its link carries a random
# token that is never stored: the row keeps the token's SHA-256, so the table (and a copy of it) opens
# nothing. It lasts INVITATION_DAYS and works once; sending it again makes a new token (the old link
# stops working) and a new expiry. Whoever accepts joins as a manager, or as the owner when the
# producer has no owner yet (a new producer's first person); owners promote others on the Team page.


def _normalized_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            "Enter an email address like name@example.com.",
            extra={"fields": {"email": ["Enter an email address like name@example.com."]}},
        ) from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('portal:join', args=[token])}"


def _queue_invitation_email(*, invitation: OnboardingSession, token: str, invited_by) -> None:
    producer = invitation.producer
    inviter = invited_by.display_name if invited_by is not None and not invited_by.is_staff else ""
    context = {
        "producer_name": producer.name,
        "inviter": inviter,
        "url": invitation_url(token),
        "expires": invitation.expires_at,
        "days": INVITATION_DAYS,
    }
    text = render_to_string("producers/email/invitation.txt", context)
    html = render_to_string("producers/email/invitation.html", context)
    subject = (
        f"{inviter} invited you to {producer.name} on PiqueTickets"
        if inviter
        else f"Your invitation to {producer.name} on PiqueTickets"
    )
    email_queue(
        to=invitation.email,
        subject=subject,
        text=text,
        html=html,
        category="producer_invitation",
        idempotency_key=f"producer-invitation:{invitation.pk}:{invitation.token[:24]}",
    )


def _issue(invitation: OnboardingSession) -> str:
    """A new token and expiry for ``invitation`` (not saved); returns the token."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token = invitation_token_hash(token)
    invitation.created_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    return token


@transaction.atomic
def producer_invite(*, producer: Producer, email: str, invited_by=None) -> tuple[OnboardingSession, str]:
    """Invite ``email`` to ``producer``'s team: an invitation valid for INVITATION_DAYS, emailed (after
    commit) with its one-time link. Returns the invitation and its token (shown to staff in the admin).

    An address already invited and not yet joined gets that invitation again (a new link and expiry).
    Raises :class:`InvalidInput` (``extra.fields.email``) for an address that isn't one, and
    :class:`AlreadyMember` when someone with that address is already on the team.
    """
    email = _normalized_email(email)
    if UserProducerAssociation.objects.filter(producer=producer, user__email__iexact=email).exists():
        raise AlreadyMember(extra={"fields": {"email": [AlreadyMember.default_message]}})
    invitation = (
        OnboardingSession.objects.select_for_update()
        .filter(producer=producer, email__iexact=email, is_used=False)
        .order_by("-created_at", "-pk")
        .first()
    ) or OnboardingSession(producer=producer, email=email)
    token = _issue(invitation)
    invitation.save()
    _queue_invitation_email(invitation=invitation, token=token, invited_by=invited_by)
    return invitation, token


@transaction.atomic
def producer_invitation_resend(*, invitation: OnboardingSession, invited_by=None) -> tuple[OnboardingSession, str]:
    """Send a waiting invitation again with a new link (the old one stops working) and a new expiry.
    Raises :class:`InvitationUsed` when it was accepted meanwhile."""
    invitation = (
        OnboardingSession.objects.select_for_update(of=("self",)).select_related("producer").get(pk=invitation.pk)
    )
    if invitation.is_used:
        raise InvitationUsed("This invitation has already been accepted.")
    token = _issue(invitation)
    invitation.save(update_fields=["token", "created_at", "expires_at"])
    _queue_invitation_email(invitation=invitation, token=token, invited_by=invited_by)
    return invitation, token


def producer_invitation_revoke(*, invitation: OnboardingSession) -> None:
    """Withdraw a waiting invitation: its link stops working at once. An accepted one is left as it is
    (remove the member instead); raises :class:`InvitationUsed` for it."""
    deleted, _ = OnboardingSession.objects.filter(pk=invitation.pk, is_used=False).delete()
    if not deleted and OnboardingSession.objects.filter(pk=invitation.pk).exists():
        raise InvitationUsed("This invitation has already been accepted.")


@dataclass(frozen=True)
class NewAccount:
    """What an invitee who has no account gives: their name and a password (validated by the caller)."""

    first_name: str
    last_name: str
    password: str


def _free_username(email: str) -> str:
    """A username from the address's local part (letters, digits, . _ -), numbered when taken."""
    base = re.sub(r"[^\w.-]", "", email.split("@", 1)[0])[:30] or "producer"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


def invitation_is_for(invitation: OnboardingSession, user) -> bool:
    """Whether ``user``'s account has the address ``invitation`` was sent to (case aside)."""
    return bool(user.email) and user.email.strip().casefold() == invitation.email.strip().casefold()


@transaction.atomic
def producer_invitation_accept(*, token: str, user=None, new_account: NewAccount | None = None):
    """Accept an invitation: ``user`` (signed in) joins, or a new account is made for the invited
    address from ``new_account``. The invitation is used up in the same transaction (a conditional
    update: of two acceptances at once, one wins). Leads of the producer become "onboarded".

    Returns the :class:`UserProducerAssociation`. Raises :class:`InvitationNotFound`,
    :class:`InvitationUsed`, :class:`InvitationExpired`, :class:`InvitationForSomeoneElse` when
    ``user``'s email address is not the invited one (a forwarded or leaked link opens no team to another
    account), and :class:`AccountExists` when a new account is asked for an address that already has one.
    """
    invitation = invitation_for_token(token=token)
    if invitation is None or invitation.producer_id is None:
        raise InvitationNotFound()
    if invitation.is_used:
        raise InvitationUsed()
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired()
    if user is not None and not invitation_is_for(invitation, user):
        raise InvitationForSomeoneElse()
    if user is None:
        if new_account is None:
            raise ValueError("producer_invitation_accept needs a user or a new_account.")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise AccountExists()
        user = user_create(
            username=_free_username(invitation.email),
            email=invitation.email,
            password=new_account.password,
            first_name=new_account.first_name,
            last_name=new_account.last_name,
        )
    claimed = OnboardingSession.objects.filter(pk=invitation.pk, is_used=False, expires_at__gt=timezone.now()).update(
        is_used=True, used_at=timezone.now()
    )
    if not claimed:
        raise InvitationUsed()
    producer = invitation.producer
    has_owner = (
        UserProducerAssociation.objects.select_for_update()
        .filter(producer=producer, role=UserProducerAssociation.Role.OWNER)
        .exists()
    )
    membership, _ = UserProducerAssociation.objects.get_or_create(
        user=user,
        producer=producer,
        defaults={"role": UserProducerAssociation.Role.MANAGER if has_owner else UserProducerAssociation.Role.OWNER},
    )
    ProducerInterest.objects.filter(
        producer=producer, status__in=[ProducerInterest.Status.NEW, ProducerInterest.Status.CONTACTED]
    ).update(status=ProducerInterest.Status.ONBOARDED, updated_at=timezone.now())
    return membership


def _owners_locked(producer_id: int) -> list[int]:
    """Ids of the producer's owner memberships, row-locked (in primary-key order) for the transaction."""
    return list(
        UserProducerAssociation.objects.select_for_update()
        .filter(producer_id=producer_id, role=UserProducerAssociation.Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def producer_member_set_role(*, membership: UserProducerAssociation, role: str) -> UserProducerAssociation:
    """Make a member an owner or a manager. Raises :class:`InvalidInput` for another role and
    :class:`LastOwner` when that would leave the producer without an owner."""
    if role not in UserProducerAssociation.Role.values:
        raise InvalidInput(extra={"fields": {"role": ["Choose owner or manager."]}})
    owners = _owners_locked(membership.producer_id)
    membership = UserProducerAssociation.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.pk in owners and len(owners) == 1:
        raise LastOwner()
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def producer_member_remove(*, membership: UserProducerAssociation) -> None:
    """Take a member off the team (their account stays; they may belong to other producers). Raises
    :class:`LastOwner` for the producer's only owner, whether removed by someone or leaving."""
    owners = _owners_locked(membership.producer_id)
    if membership.pk in owners and len(owners) == 1:
        raise LastOwner("You're the only owner: make someone else an owner before you leave or are removed.")
    UserProducerAssociation.objects.filter(pk=membership.pk).delete()


@transaction.atomic
def producer_create_from_interest(*, interest: ProducerInterest, invited_by=None):
    """Turn a "sell with us" lead into a producer (named after its company, else its person) and invite
    the lead's email as its first owner. Returns ``(producer, invitation, token)``. Raises
    :class:`LeadAlreadyOnboarded` when the lead already has a producer."""
    interest = ProducerInterest.objects.select_for_update().get(pk=interest.pk)
    if interest.producer_id is not None:
        raise LeadAlreadyOnboarded()
    producer = Producer(name=(interest.company_name or interest.name)[:200], support_email=interest.email)
    producer.full_clean(exclude=["slug"])
    producer.save()
    interest.producer = producer
    interest.status = ProducerInterest.Status.CONTACTED
    interest.save(update_fields=["producer", "status", "updated_at"])
    invitation, token = producer_invite(producer=producer, email=interest.email, invited_by=invited_by)
    return producer, invitation, token
