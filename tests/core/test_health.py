import pytest

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def fast_health(settings):
    settings.HEALTH_CHECK_TIMEOUT = 0.5


def test_health_is_ok_when_everything_answers(client, fast_health):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "down": [],
        "components": {"database": {"status": "ok"}, "cache": {"status": "ok"}, "broker": {"status": "ok"}},
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_naming_the_broker_when_it_is_down(client, fast_health, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["broker"]
    assert body["components"]["broker"]["status"] == "down"
    assert "Connection" in body["components"]["broker"]["error"] or "refused" in body["components"]["broker"]["error"]
    assert body["components"]["database"] == {"status": "ok"}


def test_health_is_503_naming_the_cache_when_it_is_down(client, fast_health, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_health_is_503_when_the_cache_loses_values(client, fast_health, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["components"]["cache"] == {
        "status": "down",
        "error": "RuntimeError: cache did not return the value just stored",
    }


def test_health_names_every_component_that_is_down(client, fast_health, settings, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert client.get("/health/").json()["down"] == ["broker", "cache"]


def test_health_only_answers_get(client):
    assert client.post("/health/").status_code == 405
