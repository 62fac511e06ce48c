"""The Redis cache backend: one redis-py client per connection pool, and serving on when Redis is down.

Django's client builds a new ``redis.Redis`` for every cache call, and redis-py builds its table of
about 170 reply handlers each time: most of the cost of a cache read. A ``redis.Redis`` is safe to
share between threads (each command borrows a connection from the pool), so one per pool does.

Redis is a cache here, not a single point of failure. When it does not answer, every call behaves as
a miss (``get`` returns the default, ``set`` stores nothing, ``incr`` raises ``ValueError`` as for a
missing key) and callers fall back to the database; a :class:`~piquetickets.core.outages.Breaker`
skips Redis for a few seconds after a failure and logs it once a minute. :meth:`RedisCache.ping`
is the one call that raises, for the health check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from functools import wraps

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import BaseCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .outages import Breaker

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _missing_key(*args, **kwargs):
    raise ValueError("Key not found: the cache is unavailable.")


def _serving_without_redis(method, fallback):
    """``method`` as a cache miss when Redis does not answer; ``fallback(*args, **kwargs)`` is the miss."""

    @wraps(method)
    def call(self, *args, **kwargs):
        if self.breaker.is_open():
            return fallback(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except UNAVAILABLE as error:
            self.breaker.failed(error)
            return fallback(*args, **kwargs)
        if self.breaker.down_since is not None:
            self.breaker.succeeded()
        return result

    return call


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self.breaker = Breaker("Redis cache")

    def ping(self) -> None:
        """Raise unless Redis answers now (the health check; the breaker is not consulted, but told)."""
        try:
            self._cache.get_client(write=True).ping()
        except UNAVAILABLE as error:
            self.breaker.failed(error)
            raise
        self.breaker.succeeded()

    def window_hits(self, windows: Sequence[tuple[str, str | None, int]]) -> list[tuple[int, int]]:
        """For each ``(current, previous, seconds)``: count one more hit on ``current`` (expiring after
        ``seconds``) and read ``previous`` (0 when ``None``); returns ``[(hits now on current, hits on
        previous)]``.

        One round trip for all of them, and each INCR is atomic, so concurrent requests each see a
        distinct count. The expiry is set when the counter is created (SET NX), not moved by each hit,
        so a window lasts ``seconds`` from its first hit whatever follows.
        """
        pipe = self._cache.get_client(write=True).pipeline(transaction=False)
        for current, previous, seconds in windows:
            pipe.set(self.make_and_validate_key(current), 0, ex=seconds, nx=True)
            pipe.incr(self.make_and_validate_key(current))
            pipe.get(self.make_and_validate_key(previous)) if previous else pipe.echo(0)
        replies = pipe.execute()
        return [(int(replies[i + 1]), int(replies[i + 2] or 0)) for i in range(0, len(replies), 3)]

    def window_unhit(self, keys: Sequence[str]) -> None:
        """Take back one hit on each key (a request that was refused after all)."""
        pipe = self._cache.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            pipe.decr(self.make_and_validate_key(key))
        pipe.execute()


def _no_hits(windows):
    return None


for _name, _fallback in {
    "add": lambda *a, **k: False,
    "get": lambda key, default=None, version=None: default,
    "set": lambda *a, **k: None,
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "incr": _missing_key,
    "set_many": lambda *a, **k: [],
    "delete_many": lambda *a, **k: None,
    "clear": lambda *a, **k: False,
    "window_hits": _no_hits,
    "window_unhit": lambda *a, **k: None,
}.items():
    setattr(RedisCache, _name, _serving_without_redis(getattr(RedisCache, _name), _fallback))


def window_hits(cache: BaseCache, windows: Sequence[tuple[str, str | None, int]]) -> list[tuple[int, int]] | None:
    """:meth:`RedisCache.window_hits` on any cache backend; ``None`` when the cache is unavailable.

    Other backends (the local-memory cache of the embedded default) count with ``add`` and ``incr``,
    each atomic within the process.
    """
    if hasattr(cache, "window_hits"):
        return cache.window_hits(windows)
    counts = []
    for current, previous, seconds in windows:
        cache.add(current, 0, seconds)
        try:
            hits = cache.incr(current)
        except ValueError:  # expired between add and incr
            cache.set(current, 1, seconds)
            hits = 1
        counts.append((hits, cache.get(previous, 0) if previous else 0))
    return counts


def window_unhit(cache: BaseCache, keys: Sequence[str]) -> None:
    """Take back one hit on each of ``keys`` (see :func:`window_hits`)."""
    if hasattr(cache, "window_unhit"):
        cache.window_unhit(keys)
        return
    for key in keys:
        with contextlib.suppress(ValueError):  # expired meanwhile
            cache.decr(key)
