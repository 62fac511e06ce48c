"""Health probes for the database, the cache and the Celery broker."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    if hasattr(cache, "ping"):  # the Redis backend serves misses when Redis is down: ask it directly
        cache.ping()
    key, value = f"health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just stored")
    cache.delete(key)


def check_broker() -> None:
    from config.celery import app

    timeout = settings.HEALTH_CHECK_TIMEOUT
    with app.connection_for_write(connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        # The filesystem transport "connects" without touching anything; opening a channel
        # makes it check its folders, and Redis answer a command.
        conn.default_channel  # noqa: B018


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def system_health() -> dict[str, dict[str, str]]:
    """Run every check; each entry is ``{"status": "ok"}`` or ``{"status": "down", "error": ...}``.

    The error may name internal hosts and ports: show it to staff only (it is logged too).
    """
    report: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency means "down", never a 500
            logger.warning("health check %s failed: %s", name, exc)
            report[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            report[name] = {"status": "ok"}
    return report
