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
    assert 1 <= body["extra"]["retry_after_seconds"] <= 61
    assert Subscriber.objects.count() == 2
    # Reads still have budget: the anonymous budget (5/min) counted 4 requests so far.
    assert api.get("/api/v1/shows/").status_code == 200
    assert api.get("/api/v1/shows/").status_code == 429
