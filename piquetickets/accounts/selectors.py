"""Reads for users and API tokens."""

from __future__ import annotations

import hashlib
import hmac

from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "pq_"  # noqa: S105 - a public marker, not a secret


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_find(*, key: str) -> ApiToken | None:
    """The live token for a full key ``pq_<prefix>_<secret>``, or ``None``.

    Unknown, malformed, revoked and expired keys all give ``None``; the secret is compared in
    constant time against the stored hash.
    """
    if not key.startswith(TOKEN_PREFIX) or key.count("_") < 2:
        return None
    prefix, _, secret = key[len(TOKEN_PREFIX) :].partition("_")
    token = ApiToken.objects.select_related("user", "producer").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_token_secret(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    return token
