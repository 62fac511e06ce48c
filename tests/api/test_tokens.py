from datetime import timedelta

import pytest
from django.utils import timezone

from piquetickets.accounts.models import ApiToken
from piquetickets.accounts.selectors import hash_token_secret
from piquetickets.accounts.services import api_token_create
from tests.api.conftest import assert_error, client_for

pytestmark = pytest.mark.django_db


def session_client(client, user):
    client.force_login(user)
    return client


def bearer(key):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_key_is_shown_once_and_stored_hashed(world, client):
    session_client(client, world.owner)
    response = client.post(
        "/api/v1/tokens/", {"name": "Website", "expires_in_days": 30}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert key.startswith("pq_")
    assert body["producer"] == world.producer.slug
    token = ApiToken.objects.get()
    assert key not in str(ApiToken.objects.values().get())
    assert token.key_hash == hash_token_secret(key.split("_", 2)[2])
    assert timezone.now() + timedelta(days=29) < token.expires_at < timezone.now() + timedelta(days=31)
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["key_hint"] for t in listed] == [f"pq_{token.prefix}_…"]
    assert "key" not in listed[0]


def test_key_works_as_bearer_and_records_use(world):
    token, key = api_token_create(user=world.owner, producer=world.producer, name="CI")
    response = bearer(key).patch(f"/api/v1/shows/{world.show.slug}/", {"title": "Via key"}, format="json")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert bearer(key).get("/api/v1/promo-codes/").status_code == 200


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong_secret", "garbage", "left_producer"])
def test_dead_keys_are_refused(world, state):
    token, key = api_token_create(user=world.owner, producer=world.producer, name="CI")
    if state == "revoked":
        token.revoked_at = timezone.now()
        token.save()
    elif state == "expired":
        token.expires_at = timezone.now() - timedelta(seconds=1)
        token.save()
    elif state == "wrong_secret":
        key = key[:-4] + "AAAA"
    elif state == "garbage":
        key = "pq_nothing"
    elif state == "left_producer":
        world.owner.producer_associations.all().delete()
    response = bearer(key).patch(f"/api/v1/shows/{world.show.slug}/", {"title": "No"}, format="json")
    if state == "left_producer":
        assert_error(response, 403, "permission_denied")
    else:
        assert_error(response, 401, "invalid_token", "This API key is unknown, revoked or expired.")
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert world.show.__class__.objects.get(pk=world.show.pk).title == "Friday Laughs"


def test_revoke_from_the_session(world, client):
    token, key = api_token_create(user=world.owner, producer=world.producer, name="CI")
    session_client(client, world.owner)
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get("/api/v1/promo-codes/").status_code == 401


def test_a_key_cannot_mint_or_see_keys(world):
    _, key = api_token_create(user=world.owner, producer=world.producer, name="CI")
    response = bearer(key).post("/api/v1/tokens/", {"name": "Another"}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert bearer(key).get("/api/v1/tokens/").status_code == 401
    assert ApiToken.objects.count() == 1


def test_keys_need_a_signed_in_session_401_as_documented(world):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/tokens/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Session realm="api"'


def test_users_see_only_their_own_keys(world, client):
    api_token_create(user=world.outsider, producer=world.other_producer, name="Theirs")
    session_client(client, world.owner)
    assert client.get("/api/v1/tokens/").json()["results"] == []


def test_token_for_a_producer_you_do_not_manage_is_refused(world, client):
    session_client(client, world.owner)
    response = client.post(
        "/api/v1/tokens/", {"name": "Sneaky", "producer": world.other_producer.slug}, content_type="application/json"
    )
    assert_error(response, 403, "permission_denied")
    assert not ApiToken.objects.exists()


def test_session_writes_need_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = client.patch(f"/api/v1/shows/{world.show.slug}/", {"title": "No token"}, content_type="application/json")
    body = assert_error(response, 403, "permission_denied")
    assert "CSRF" in body["detail"]


def test_every_key_expires(world, client):
    session_client(client, world.owner)
    response = client.post("/api/v1/tokens/", {"name": "Default"}, content_type="application/json")
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert timezone.now() + timedelta(days=364) < token.expires_at <= timezone.now() + timedelta(days=365)
    body = assert_error(
        client.post("/api/v1/tokens/", {"name": "Forever", "expires_in_days": 10000}, content_type="application/json"),
        400,
        "invalid",
    )
    assert body["extra"]["fields"] == {"expires_in_days": ["Ensure this value is less than or equal to 730."]}
    api_token_create(user=world.owner, producer=world.producer, name="Service default")
    assert ApiToken.objects.get(name="Service default").expires_at is not None
