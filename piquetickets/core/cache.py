"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's client builds a new ``redis.Redis`` for every cache call, and redis-py builds its table of
about 170 reply handlers each time: most of the cost of a cache read. A ``redis.Redis`` is safe to
share between threads (each command borrows a connection from the pool), so one per pool does.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
