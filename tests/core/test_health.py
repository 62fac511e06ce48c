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


def test_health_is_503_naming_the_broker_when_it_is_down(client, fast_health, monkeypatch, caplog):
    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "down",
        "down": ["broker"],
        "components": {"database": {"status": "ok"}, "cache": {"status": "ok"}, "broker": {"status": "down"}},
    }
    # The public sees no host or port; the log has the error for the people who run it.
    assert "127.0.0.1" not in response.content.decode()
    assert "health check broker failed" in caplog.text
    assert "127.0.0.1:1" in caplog.text or "refused" in caplog.text.lower()


def test_staff_see_what_went_wrong(client, fast_health, monkeypatch):
    from tests.factories import UserFactory

    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    client.force_login(UserFactory(is_staff=True))
    error = client.get("/health/").json()["components"]["broker"]["error"]
    assert "Connection" in error or "refused" in error


def test_health_is_503_naming_our_redis_cache_when_it_is_down(client, fast_health, settings):
    """The project's backend serves misses when Redis is down; the health check still sees it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "piquetickets.core.cache.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]
    assert response.json()["components"]["cache"] == {"status": "down"}


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
    from tests.factories import UserFactory

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(UserFactory(is_staff=True))
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


def test_health_answers_json_to_a_signed_in_caller_while_the_database_is_down(client, fast_health, monkeypatch):
    """Staff see details, but reading who they are needs the database: while it is down they get the public answer."""
    from piquetickets.core import health
    from tests.core.outage_urls import database_error
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    def database_down():
        raise database_error("08006")

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    from django.contrib.sessions.backends import db as session_db

    monkeypatch.setattr(session_db.SessionStore, "load", lambda self: (_ for _ in ()).throw(database_error("08006")))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "down",
        "down": ["database"],
        "components": {"database": {"status": "down"}, "cache": {"status": "ok"}, "broker": {"status": "ok"}},
    }
