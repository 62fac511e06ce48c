"""Accepting an invitation: ``/dashboard/join/<token>/``, the one-time link a team invitation emails.

- Signed in with the invited address: "Join <producer>" with a button; the account joins.
- Signed in with another address: refused (403), with a way to sign out and open the link again: a
  forwarded or leaked link opens the team to nobody but the person invited.
- Signed out, the invited address has no account: name and password; the account is made, signed in
  (a new session) and joins.
- Signed out, the address has an account: sign in first (the link brings you back here).

Either way the invitation is used up, the producer becomes the current one and the browser goes on
(303) to the dashboard. A link that isn't one answers 404, a used or expired one 410, saying what to do.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from piquetickets.accounts.models import User
from piquetickets.core.errors import ApplicationError
from piquetickets.producers.errors import (
    InvitationExpired,
    InvitationForSomeoneElse,
    InvitationNotFound,
    InvitationUsed,
)
from piquetickets.producers.selectors import invitation_for_token
from piquetickets.producers.services import NewAccount, invitation_is_for, producer_invitation_accept

from ..access import SESSION_KEY
from ..forms import apply_error
from ..forms.onboarding import JoinForm
from ..responses import see_other

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _refused(request, error: ApplicationError):
    return render(request, "portal/onboarding/refused.html", {"error": error}, status=error.status)


def _masked(email: str) -> str:
    """``n…@example.com``: enough for the person invited to know the address, not the whole of it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _check(invitation):
    if invitation is None or invitation.producer_id is None:
        return InvitationNotFound()
    if invitation.is_used:
        return InvitationUsed()
    if invitation.expires_at <= timezone.now():
        return InvitationExpired()
    return None


@require_http_methods(["GET", "POST"])
def join(request, token: str):
    response = _join(request, token)
    # The token is in the address: never cached; the site's Referrer-Policy (same-origin) keeps it from
    # other sites ("no-referrer" would make the browser send "Origin: null", which CSRF refuses).
    add_never_cache_headers(response)
    return response


def _join(request, token: str):
    invitation = invitation_for_token(token=token)
    problem = _check(invitation)
    if problem is not None:
        return _refused(request, problem)
    producer = invitation.producer
    signed_in = request.user.is_authenticated
    if signed_in and not invitation_is_for(invitation, request.user):
        error = InvitationForSomeoneElse()
        context = {"error": error, "invitation": invitation, "invited": _masked(invitation.email)}
        return render(request, "portal/onboarding/refused.html", context, status=error.status)
    has_account = not signed_in and User.objects.filter(email__iexact=invitation.email).exists()
    form = None if signed_in or has_account else JoinForm(email=invitation.email)
    if request.method == "POST":
        if has_account:
            return see_other(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        new_account = None
        if not signed_in:
            form = JoinForm(request.POST, email=invitation.email)
            if form.is_valid():
                new_account = NewAccount(
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
        if signed_in or new_account is not None:
            try:
                membership = producer_invitation_accept(
                    token=token, user=request.user if signed_in else None, new_account=new_account
                )
            except ApplicationError as refusal:
                if form is None or refusal.status != 409:
                    return _refused(request, refusal)
                apply_error(form, refusal)
            else:
                if not signed_in:
                    login(request, membership.user, backend=BACKEND)  # a new session key
                request.session[SESSION_KEY] = producer.pk
                role = membership.get_role_display().lower()
                messages.success(request, f"Welcome to {producer.name}! You're on the team as {role}.")
                return see_other(reverse("portal:dashboard"))
        status = 422
    else:
        status = 200
    login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
    context = {
        "invitation": invitation,
        "producer": producer,
        "form": form,
        "has_account": has_account,
        "login_url": login_url,
    }
    return render(request, "portal/onboarding/join.html", context, status=status)
