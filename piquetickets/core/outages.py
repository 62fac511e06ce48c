"""Serving on while a helper service (the cache, the task broker) is down.

Redis is a cache and a queue, never the only copy of anything: when it does not answer, requests go
on without it (reads come from PostgreSQL, throttles let requests through, a task that can't be queued
is picked up later by a periodic task). A :class:`Breaker` makes that cheap and quiet: after one
failure the service is skipped for ``retry_after`` seconds instead of every request waiting for its
own connection timeout, and the failure is logged at most once a minute per process, not per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0


class Breaker:
    """Whether ``name`` is known to be down, and its failures logged once a minute.

    Thread-safe enough by design: attributes are single assignments, and two threads that both see a
    failure at once merely log or retry once more.
    """

    def __init__(self, name: str, *, retry_after: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.retry_after = retry_after
        self.clock = clock
        self.down_until = 0.0
        self.down_since: float | None = None
        self.logged_at: float | None = None
        self.skipped = 0

    def is_open(self) -> bool:
        """``True`` while calls should skip the service (it failed less than ``retry_after`` ago).

        Once that time has passed, the first caller tries the service and the others keep skipping it
        for another ``retry_after`` (so not every request in flight waits on a dead host at once).
        """
        if not self.down_until:
            return False
        now = self.clock()
        if now < self.down_until:
            self.skipped += 1
            return True
        self.down_until = now + self.retry_after  # this caller probes; the rest skip meanwhile
        return False

    def failed(self, error: BaseException) -> None:
        """Record a failure: skip the service for a while and log it (at most once a minute)."""
        now = self.clock()
        self.down_until = now + self.retry_after
        if self.down_since is None:
            self.down_since = now
        if self.logged_at is None or now - self.logged_at >= LOG_EVERY_SECONDS:
            logger.error(
                "%s unavailable, serving without it (%s calls skipped since the last report): %s: %s",
                self.name,
                self.skipped,
                type(error).__name__,
                error,
            )
            self.logged_at, self.skipped = now, 0

    def succeeded(self) -> None:
        """Record a success: the service is back (logged once if it had been down)."""
        if self.down_since is not None:
            logger.warning("%s is back after %.0f s", self.name, self.clock() - self.down_since)
        self.down_until, self.down_since, self.logged_at, self.skipped = 0.0, None, None, 0


broker = Breaker("Celery broker")


def task_queue(task, *args) -> bool:
    """Queue ``task(*args)``; ``False`` when the broker does not answer (logged once a minute).

    For work that is also picked up by a periodic task when it goes unqueued (an email row stays
    ``queued`` and ``emails.retry_failed`` sends it; images without renditions are swept by
    ``core.make_missing_image_variants``), so a broker outage delays it and loses nothing. While the
    broker is known to be down, requests don't wait for its connection timeout again.
    """
    from kombu.exceptions import OperationalError as BrokerUnavailable

    if broker.is_open():
        return False
    try:
        task.apply_async(args, ignore_result=True)
    except (BrokerUnavailable, ConnectionError, OSError) as error:
        broker.failed(error)
        return False
    if broker.down_since is not None:
        broker.succeeded()
    return True


# PostgreSQL error classes that mean "not now" rather than "not like this" (SQLSTATE): connection
# exceptions, insufficient resources (too many connections), operator intervention (statement
# timeout, shutdown), lock not available, serialization failure and deadlock.
RETRYABLE_SQLSTATE_CLASSES = ("08", "53", "57")
RETRYABLE_SQLSTATES = {"55P03", "40001", "40P01"}
# SQLite's way of saying the same: another process holds the write lock, or the file is unreachable.
RETRYABLE_SQLITE_MESSAGES = ("database is locked", "database table is locked", "unable to open database file")


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` means a service we depend on did not answer (retry later), not a bug.

    Database errors count when they are about the connection, resources, timeouts or locks; an
    unknown table, bad SQL or a disk error stays a bug (500). A broker that refuses or times out
    counts, and so does Redis (should a call get past the cache backend's own fallback).
    """
    if error is None:
        return False
    if isinstance(error, InterfaceError):  # the connection is gone
        return True
    if isinstance(error, DatabaseOperationalError):
        cause = error.__cause__
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate:
            return sqlstate[:2] in RETRYABLE_SQLSTATE_CLASSES or sqlstate in RETRYABLE_SQLSTATES
        message = str(error).lower()
        if type(cause).__module__.startswith("psycopg"):  # no SQLSTATE: the server never answered
            return True
        return any(text in message for text in RETRYABLE_SQLITE_MESSAGES) or "lock timeout" in message
    from kombu.exceptions import OperationalError as BrokerUnavailable
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(error, BrokerUnavailable | RedisConnectionError | RedisTimeoutError | ConnectionRefusedError)


database = Breaker("Database")  # only for its once-a-minute log of outages seen by requests
redis = Breaker("Redis")  # likewise, for a Redis error that got past the cache backend's own fallback


def outage_reported(error: BaseException) -> None:
    """Log an outage a request met, once a minute per service (see :func:`is_outage`)."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    if isinstance(error, DatabaseOperationalError | InterfaceError):
        database.failed(error)
    elif isinstance(error, BrokerUnavailable):
        broker.failed(error)
    else:
        redis.failed(error)
