"""The API's request budgets, all checked with one cache read and one cache write per request."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ClientBudgetThrottle(SimpleRateThrottle):
    """Every budget a request draws on, from the ``DEFAULT_THROTTLE_RATES``:

    - ``anon``: requests per address, for anonymous callers;
    - ``user``: requests per user (or API key's user), for signed-in callers;
    - ``write``: changes (anything but GET, HEAD, OPTIONS) per user, or per address when anonymous.

    Each budget is a sliding window of the times of the requests it allowed, as DRF's own throttles
    keep them; but where DRF reads and writes the cache once per budget, this fetches the windows
    with one ``get_many`` and stores them with one ``set_many``: on an on-sale's checkout that is
    two round trips to Redis instead of four. A refused request is not counted.
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
        windows = self.cache.get_many([key for key, _, _ in budgets])
        kept: dict[str, list[float]] = {}
        self.waits = []
        for key, allowed, seconds in budgets:
            history = [moment for moment in windows.get(key, []) if moment > now - seconds]
            if len(history) >= allowed:
                self.waits.append((seconds - (now - history[-1])) / max(allowed - len(history) + 1, 1))
            kept[key] = history
        if self.waits:
            return False
        longest = max(seconds for _, _, seconds in budgets)
        self.cache.set_many({key: [now, *history] for key, history in kept.items()}, longest)
        return True

    def wait(self):
        return max(self.waits, default=None)
