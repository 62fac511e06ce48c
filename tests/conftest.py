import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded files of a test go to its own folder; passwords hash fast (only in tests); each test
    starts with an empty cache (throttle budgets, door counts, checkout catalogues) and checkout
    remembers no sold-out ticket types."""
    from piquetickets.orders import services

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    services._sold_out_at.clear()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


from tests.selling import api, eager, sale  # noqa: E402, F401  (a show on sale)
from tests.stripe_server import stripe_server  # noqa: E402, F401  (the local Stripe-compatible server)
