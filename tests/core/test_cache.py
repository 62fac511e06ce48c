"""The Redis cache backend shares one redis-py client per connection pool."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches

from piquetickets.core.cache import RedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: runs in the Redis pass")


def test_it_stores_reads_and_forgets_through_one_client():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    client = cache._cache.get_client(write=True)

    cache.set("seats", {"left": 3}, 30)
    cache.set_many({"a": [1.5], "b": [2.5]}, 30)

    assert cache.get("seats") == {"left": 3}
    assert cache.get_many(["a", "b", "c"]) == {"a": [1.5], "b": [2.5]}
    assert cache._cache.get_client() is client is cache._cache.get_client(write=True)
    cache.delete_many(["seats", "a", "b"])
    assert cache.get_many(["seats", "a", "b"]) == {}


def test_the_configured_cache_is_this_backend():
    assert isinstance(caches["default"], RedisCache)
