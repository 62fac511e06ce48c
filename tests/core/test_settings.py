"""Settings are read from the environment; each case loads them in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "from config.celery import app; "
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], 'db_name': settings.DATABASES['default']['NAME'],"
    " 'cache': settings.CACHES['default']['BACKEND'], 'broker': app.conf.broker_url,"
    " 'results': app.conf.result_backend, 'debug': settings.DEBUG, 'storage': settings.STORAGES['default']['BACKEND'],"
    " 'email': settings.EMAIL_BACKEND, 'provider': settings.PAYMENT_PROVIDER,"
    " 'binding': settings.DATABASES['default'].get('OPTIONS', {}).get('server_side_binding'),"
    " 'catalogue': settings.CHECKOUT_CATALOGUE_SECONDS}))"
)
SECRET = "x" * 30 + "-production-secret-key-with-enough-entropy-0123456789"


def run_python(code: str, **env_overrides: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    env = {**keep, "ENV_FILE": "", "DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load_settings(**env) -> dict:
    result = run_python(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_no_server():
    loaded = load_settings(DEBUG="1")
    assert loaded == {
        "db": "django.db.backends.sqlite3",
        "db_name": str(ROOT / "var" / "db.sqlite3"),
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "filesystem://",
        "results": f"file://{ROOT / 'var' / 'celery' / 'results'}",
        "debug": True,
        "storage": "django.core.files.storage.FileSystemStorage",
        "email": "django.core.mail.backends.console.EmailBackend",
        "provider": "test",
        "binding": None,
        "catalogue": 0,  # a per-process cache can't hear of changes made in another process
    }


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    loaded = load_settings(
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pique",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert loaded["db"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "pique"
    assert loaded["cache"] == "piquetickets.core.cache.RedisCache"
    assert loaded["broker"] == "redis://127.0.0.1:6379/3"
    assert loaded["results"] == "redis://127.0.0.1:6379/3"
    assert (loaded["binding"], loaded["catalogue"]) == (True, 30)
    turned_off = load_settings(
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pique",
        DATABASE_SERVER_SIDE_BINDING="0",
        CHECKOUT_CATALOGUE_SECONDS="0",
    )
    assert (turned_off["binding"], turned_off["catalogue"]) == (False, 0)


def test_bucket_switches_media_to_s3():
    assert (
        load_settings(DEBUG="1", AWS_STORAGE_BUCKET_NAME="pique-media")["storage"] == "storages.backends.s3.S3Storage"
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_python(PROBE, DEBUG="0", ALLOWED_HOSTS="tickets.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python(PROBE, DEBUG="0", SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set when DEBUG is off." in result.stderr


def test_production_refuses_the_test_payment_provider_unless_allowed():
    result = run_python(PROBE, DEBUG="0", SECRET_KEY=SECRET, ALLOWED_HOSTS="tickets.example.com")
    assert result.returncode != 0
    assert "The test payment provider is refused with DEBUG off" in result.stderr
    staging = load_settings(
        DEBUG="0", SECRET_KEY=SECRET, ALLOWED_HOSTS="staging.example.com", ALLOW_TEST_PAYMENTS="true"
    )
    assert staging["provider"] == "test"
    assert staging["debug"] is False


def test_stripe_provider_needs_its_keys():
    result = run_python(PROBE, DEBUG="1", PAYMENT_PROVIDER="stripe")
    assert "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET." in result.stderr
    result = run_python(PROBE, DEBUG="1", PAYMENT_PROVIDER="paypal")
    assert "PAYMENT_PROVIDER must be 'test' or 'stripe', not 'paypal'." in result.stderr


@pytest.mark.parametrize("extra", [{}, {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pique"}])
def test_check_deploy_reports_nothing_in_production(extra):
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="tickets.example.com",
        PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY="sk_test_123",
        STRIPE_WEBHOOK_SECRET="whsec_123",
        **extra,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_env_file_fills_in_unset_values(tmp_path):
    env_file = tmp_path / "custom.env"
    env_file.write_text("DEBUG=true\nREDIS_URL=redis://127.0.0.1:6379/9\n")
    loaded = load_settings(ENV_FILE=str(env_file))
    assert loaded["debug"] is True
    assert loaded["broker"] == "redis://127.0.0.1:6379/9"
    # The real environment wins over the file.
    assert load_settings(ENV_FILE=str(env_file), REDIS_URL="redis://127.0.0.1:6379/4")["broker"].endswith("/4")
