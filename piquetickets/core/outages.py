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
        """``True`` while calls should skip the service (it failed less than ``retry_after`` ago)."""
        if self.down_until and self.clock() < self.down_until:
            self.skipped += 1
            return True
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
