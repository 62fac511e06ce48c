import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded files of a test go to its own folder; passwords hash fast (only in tests); each test
    starts with an empty cache (throttle budgets, door counts, checkout catalogues), checkout
    remembers no sold-out ticket types and the broker is not known to be down."""
    from piquetickets.core import outages
    from piquetickets.orders import services

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    services._sold_out_at.clear()
    outages.broker.succeeded()  # no test inherits another's broker or database outage
    outages.database.succeeded()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


from tests.payments.flow import stripe_on  # noqa: E402, F401  (payments through that server)
from tests.selling import api, eager, sale  # noqa: E402, F401  (a show on sale)
from tests.stripe_server import stripe_server  # noqa: E402, F401  (the local Stripe-compatible server)
