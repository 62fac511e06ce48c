"""The API's request budgets, all counted in one round trip to the cache per request."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from piquetickets.core.cache import window_hits, window_unhit

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ClientBudgetThrottle(SimpleRateThrottle):
    """Every budget a request draws on, from the ``DEFAULT_THROTTLE_RATES``:

    - ``anon``: requests per address, for anonymous callers;
    - ``user``: requests per user (or API key's user), for signed-in callers;
    - ``write``: changes (anything but GET, HEAD, OPTIONS) per user, or per address when anonymous.

    Each budget is a sliding window estimated from two fixed windows (this one, and the previous one
    weighted by how much of it still overlaps the last ``seconds``). Each request adds itself to the
    current window with an atomic INCR and reads the previous window, for all its budgets in one
    pipelined round trip; since every concurrent request sees a distinct count, no more than the budget
    gets through however many arrive at once. A refused request takes its hits back (a second round
    trip, only when refusing), so it counts against no budget. When the cache is down, requests are
    let through: a throttle must not turn a cache outage into an API outage.
    """

    def __init__(self):  # the scopes are chosen per request, not per class
        self.waits: list[float] = []

    def _budgets(self, request) -> list[tuple[str, int, int]]:
        """``(cache key, requests allowed, seconds)`` of each budget ``request`` draws on."""
        user = request.user
        signed_in = bool(user and user.is_authenticated)
        ident = f"user-{user.pk}" if signed_in else self.get_ident(request)
        scopes = ["user" if signed_in else "anon"]
        if request.method not in SAFE_METHODS:
            scopes.append("write")
        budgets = []
        for scope in scopes:
            rate = self.THROTTLE_RATES.get(scope)
            if rate:
                allowed, seconds = self.parse_rate(rate)
                budgets.append((self.cache_format % {"scope": scope, "ident": ident}, allowed, seconds))
        return budgets

    def allow_request(self, request, view):
        budgets = self._budgets(request)
        if not budgets:
            return True
        now = self.timer()
        windows = []
        for key, _, seconds in budgets:
            number = int(now // seconds)
            windows.append((f"{key}:{number}", f"{key}:{number - 1}", 2 * seconds))
        counts = window_hits(self.cache, windows)
        if counts is None:  # the cache is unavailable
            return True
        self.waits = []
        for (_, allowed, seconds), (current, previous) in zip(budgets, counts, strict=True):
            elapsed = now % seconds
            overlap = previous * (1 - elapsed / seconds)
            if current + overlap > allowed:
                self.waits.append(self._wait(current, previous, allowed, elapsed, seconds))
        if self.waits:
            window_unhit(self.cache, [current for current, _, _ in windows])
            return False
        return True

    @staticmethod
    def _wait(current: int, previous: int, allowed: int, elapsed: float, seconds: int) -> float:
        """Seconds until one more request fits, if no other arrives meanwhile."""
        if current <= allowed and previous:  # what refuses it is the previous window's overlap
            return max(seconds * (1 - (allowed - current) / previous) - elapsed, 1.0)
        # This window is full: wait for it to end and to weigh little enough as the previous one.
        return (seconds - elapsed) + seconds * max(1 - (allowed - 1) / max(current - 1, 1), 0)

    def wait(self):
        return max(self.waits, default=None)
