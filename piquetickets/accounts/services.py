"""Writes for users and profiles."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User, UserProfile
from .selectors import TOKEN_PREFIX, hash_token_secret


def user_profile_ensure(*, user: User) -> UserProfile:
    """Return the user's profile, creating it if the user has none yet.

    Users made outside :func:`user_create` (``createsuperuser``, the admin) get theirs on first use.
    """
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    can_publish_shows: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user together with their profile in one transaction."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    UserProfile.objects.create(user=user, can_publish_shows=can_publish_shows)
    return user


def api_token_create(*, user: User, producer, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` acting within ``producer``; returns it with the full key.

    The key is returned once and never stored: only its hash is. Every key expires (a year from
    now unless ``expires_at`` says sooner or later). The caller must have checked that ``user``
    manages ``producer``.
    """
    expires_at = expires_at or timezone.now() + timedelta(days=365)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        producer=producer,
        name=name,
        prefix=prefix,
        key_hash=hash_token_secret(secret),
        expires_at=expires_at,
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute per token (keeps reads from writing on every request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def user_two_factor_turn_off(*, users) -> int:
    """Remove the two-factor authenticators (app and recovery codes) of ``users``; returns how many users
    had any. They then sign in with their password alone and may set it up again."""
    from allauth.mfa.models import Authenticator

    affected = Authenticator.objects.filter(user__in=users)
    count = affected.values("user").distinct().count()
    affected.delete()
    return count
