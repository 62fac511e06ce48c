"""The email settings refuse an unguarded SES tracking webhook in production."""

from tests.core.test_settings import SECRET, load_settings, run_python

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "tickets.example.com",
    "ALLOW_TEST_PAYMENTS": "true",
    "EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend",
}


def test_production_with_ses_refuses_to_start_without_a_webhook_secret():
    result = run_python("import django; django.setup()", **PRODUCTION)
    assert result.returncode != 0
    assert "An anymail EMAIL_BACKEND needs ANYMAIL_WEBHOOK_SECRET when DEBUG is off." in result.stderr


def test_the_webhook_secret_must_be_user_colon_password():
    result = run_python("import django; django.setup()", **PRODUCTION, ANYMAIL_WEBHOOK_SECRET="just-a-password")
    assert result.returncode != 0
    assert 'ANYMAIL_WEBHOOK_SECRET must be "user:password" (HTTP basic auth).' in result.stderr


def test_production_with_ses_and_a_webhook_secret_starts():
    loaded = load_settings(**PRODUCTION, ANYMAIL_WEBHOOK_SECRET="sns:long-random-password")
    assert loaded["email"] == "anymail.backends.amazon_ses.EmailBackend"
    assert loaded["debug"] is False
