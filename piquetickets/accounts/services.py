"""Writes for users and profiles."""

from __future__ import annotations

from django.db import transaction

from .models import User, UserProfile


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
