"""The request budget holds exactly under concurrency, weighs the previous window, and fails open."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.settings import api_settings

from piquetickets.api.throttling import ClientBudgetThrottle
from piquetickets.core.cache import RedisCache


def _request(method="post", address="203.0.113.7"):
    request = Request(getattr(RequestFactory(), method)("/api/v1/subscribers/", REMOTE_ADDR=address))
    request.user = AnonymousUser()
    return request


@pytest.fixture
def budget(monkeypatch):
    def set_rates(**rates):
        monkeypatch.setattr(ClientBudgetThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, **rates})

    return set_rates


def test_64_concurrent_writes_against_a_budget_of_60_let_exactly_60_through(budget):
    budget(anon="100000/min", write="60/min")
    start = threading.Barrier(64)
    allowed = []

    def write():
        throttle = ClientBudgetThrottle()
        start.wait()
        allowed.append(throttle.allow_request(_request(), None))

    threads = [threading.Thread(target=write) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert allowed.count(True) == 60
    assert allowed.count(False) == 4
    # The refused four took their hits back: one more request is still refused, and only by a whole window.
    throttle = ClientBudgetThrottle()
    assert throttle.allow_request(_request(), None) is False
    assert 1 <= throttle.wait() <= 62


def test_another_address_has_its_own_budget(budget):
    budget(anon="2/min")
    assert [ClientBudgetThrottle().allow_request(_request("get"), None) for _ in range(3)] == [True, True, False]
    assert ClientBudgetThrottle().allow_request(_request("get", address="198.51.100.1"), None) is True


def test_the_previous_window_still_weighs_until_it_has_aged_out(budget, monkeypatch):
    budget(anon="10/min")
    clock = {"now": 600.0}  # the start of a minute
    monkeypatch.setattr(ClientBudgetThrottle, "timer", lambda self: clock["now"])
    assert all(ClientBudgetThrottle().allow_request(_request("get"), None) for _ in range(10))

    clock["now"] = 660.0 + 15  # a quarter into the next minute: 10 × 3/4 = 7.5 still count
    results = [ClientBudgetThrottle().allow_request(_request("get"), None) for _ in range(4)]
    assert results == [True, True, False, False]

    clock["now"] = 660.0 + 45  # three quarters in: 2.5 of the previous window and 2 of this one count
    assert [ClientBudgetThrottle().allow_request(_request("get"), None) for _ in range(6)] == [
        True,
        True,
        True,
        True,
        True,
        False,
    ]


def test_a_cache_that_does_not_answer_lets_requests_through(budget, monkeypatch, caplog):
    dead = RedisCache("redis://127.0.0.1:9/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    monkeypatch.setattr(ClientBudgetThrottle, "cache", dead)
    budget(anon="1/min", write="1/min")

    assert [ClientBudgetThrottle().allow_request(_request(), None) for _ in range(5)] == [True] * 5
    # Logged once, not per request: the breaker skips Redis for a while after the first failure.
    reports = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(reports) == 1


def test_the_configured_cache_counts_and_reads_the_previous_window():
    """Whatever backend is configured (local memory by default, Redis in the Redis pass) is used."""
    cache = caches["default"]
    from piquetickets.core.cache import window_hits

    counts = [window_hits(cache, [("w:1", "w:0", 60)])[0] for _ in range(3)]
    cache.set("w:0", 7, 60)
    assert counts == [(1, 0), (2, 0), (3, 0)]
    assert window_hits(cache, [("w:1", "w:0", 60)]) == [(4, 7)]


def test_a_window_lasts_from_its_first_hit_whatever_follows():
    """Hits don't push the expiry on (else a trickle of bad door tokens would be refused for ever)."""
    cache = caches["default"]
    from piquetickets.core.cache import window_hits

    window_hits(cache, [("trickle", None, 60)])
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        key = cache.make_and_validate_key("trickle")
        client.expire(key, 5)  # as if the first hit were 55 seconds ago
        window_hits(cache, [("trickle", None, 60)])
        assert client.ttl(key) <= 5
    else:
        expiry = cache._expire_info[cache.make_and_validate_key("trickle")]
        window_hits(cache, [("trickle", None, 60)])
        assert cache._expire_info[cache.make_and_validate_key("trickle")] == expiry
    assert cache.get("trickle") == 2
