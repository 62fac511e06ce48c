import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

from piquetickets.subscribers.models import Subscriber
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "5/min", "write": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def test_writes_have_a_stricter_budget_than_reads(api, tight_rates):
    statuses = [
        api.post("/api/v1/subscribers/", {"email": f"fan{i}@example.com"}, format="json").status_code for i in range(3)
    ]
    assert statuses == [202, 202, 429]
    body = assert_error(
        api.post("/api/v1/subscribers/", {"email": "late@example.com"}, format="json"), 429, "throttled"
    )
    # The window now ending still weighs on the next one: with 2 allowed, half of it must age out.
    assert 1 <= body["extra"]["retry_after_seconds"] <= 91
    assert Subscriber.objects.count() == 2
    # Reads still have budget: the anonymous budget (5/min) counted the 2 writes it allowed, not the
    # refused ones.
    assert [api.get("/api/v1/shows/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_signed_in_callers_budget_is_their_own(api, tight_rates, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from tests.factories import UserFactory

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    for _ in range(5):  # the anonymous budget of this address runs out
        api.get("/api/v1/shows/")
    assert api.get("/api/v1/shows/").status_code == 429

    api.force_authenticate(UserFactory())
    assert [api.get("/api/v1/shows/").status_code for _ in range(4)] == [200, 200, 200, 429]
