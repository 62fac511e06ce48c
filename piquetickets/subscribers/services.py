"""Newsletter sign-ups."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Subscriber, SubscriberMetaData


def subscriber_signup(
    *, email: str, first_name: str = "", last_name: str = "", ip_address: str | None, user_agent: str, referer: str
) -> tuple[Subscriber, bool]:
    """Subscribe ``email``; returns ``(subscriber, created)``.

    Signing up again (in any letter case) is not an error and adds no row; someone who had
    unsubscribed is subscribed again. A first sign-up stores where it came from (address,
    browser, referring page). Two simultaneous sign-ups of one address make one row: the
    database's case-insensitive unique constraint decides.
    """
    email = email.strip()
    existing = Subscriber.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_active:
            Subscriber.objects.filter(pk=existing.pk).update(is_active=True)
        return existing, False
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(email=email, first_name=first_name, last_name=last_name)
            SubscriberMetaData.objects.create(
                subscriber=subscriber,
                ip_address=ip_address,
                user_agent=user_agent[:1000],
                url_referer=referer[:1000] if referer.startswith(("http://", "https://")) else "",
            )
    except IntegrityError:
        return Subscriber.objects.get(email__iexact=email), False
    return subscriber, True
