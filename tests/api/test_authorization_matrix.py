"""Every write endpoint × every kind of caller: anonymous, another producer's user, the owner, staff.

A refused call answers with the error shape and leaves every table exactly as it was.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from piquetickets.accounts.models import ApiToken
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show, Ticket, TicketPageDesign, TicketPromoCode
from piquetickets.venues.models import Venue
from tests.api.conftest import client_for
from tests.factories import PerformerFactory, PromoCodeFactory, VenueFactory
from tests.images import upload

pytestmark = pytest.mark.django_db

WATCHED = [Show, Ticket, TicketPromoCode, TicketPageDesign, Venue, Performer, Producer, ApiToken]


def database_state():
    return {model._meta.label: list(model._base_manager.order_by("pk").values()) for model in WATCHED} | {
        "show_performers": list(Show.performers.through.objects.order_by("pk").values())
    }


def future(days=30, hours=0):
    return (timezone.now() + timedelta(days=days, hours=hours)).isoformat()


# Each operation: (name, method, url builder, payload builder, format, expected status per caller).
# Callers: anon, outsider (member of another producer), owner, staff.
OPERATIONS = [
    ("show create", "post", lambda w, x: "/api/v1/shows/",
     lambda w, x: {"producer": w.producer.slug, "title": "New", "start_time": future(), "end_time": future(30, 2)},
     "json", {"anon": 401, "outsider": 403, "owner": 201, "staff": 201}),
    ("show update", "patch", lambda w, x: f"/api/v1/shows/{w.show.slug}/", lambda w, x: {"title": "Renamed"},
     "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("show delete", "delete", lambda w, x: f"/api/v1/shows/{w.show.slug}/", lambda w, x: None,
     "json", {"anon": 401, "outsider": 403, "owner": 204, "staff": 204}),
    ("show unpublish", "post", lambda w, x: f"/api/v1/shows/{w.show.slug}/status/", lambda w, x: {"status": "draft"},
     "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("page design", "put", lambda w, x: f"/api/v1/shows/{w.show.slug}/design/",
     lambda w, x: {"primary_color": "#112233", "secondary_color": "#445566"},
     "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("show image", "post", lambda w, x: f"/api/v1/shows/{w.show.slug}/images/image/",
     lambda w, x: {"file": upload()}, "multipart", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("ticket create", "post", lambda w, x: "/api/v1/tickets/",
     lambda w, x: {"show": w.show.slug, "name": "VIP", "quantity": 10, "price": "40.00"},
     "json", {"anon": 401, "outsider": 403, "owner": 201, "staff": 201}),
    ("ticket update", "patch", lambda w, x: f"/api/v1/tickets/{w.ticket.pk}/", lambda w, x: {"price": "22.00"},
     "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("ticket delete", "delete", lambda w, x: f"/api/v1/tickets/{w.ticket.pk}/", lambda w, x: None,
     "json", {"anon": 401, "outsider": 403, "owner": 204, "staff": 204}),
    ("promo create", "post", lambda w, x: "/api/v1/promo-codes/",
     lambda w, x: {"show": w.show.slug, "code": "SAVE10", "discount": "10"},
     "json", {"anon": 401, "outsider": 403, "owner": 201, "staff": 201}),
    ("promo update", "patch", lambda w, x: f"/api/v1/promo-codes/{x['promo'].pk}/", lambda w, x: {"discount": "15"},
     "json", {"anon": 401, "outsider": 404, "owner": 200, "staff": 200}),
    ("promo delete", "delete", lambda w, x: f"/api/v1/promo-codes/{x['promo'].pk}/", lambda w, x: None,
     "json", {"anon": 401, "outsider": 404, "owner": 204, "staff": 204}),
    ("venue create", "post", lambda w, x: "/api/v1/venues/",
     lambda w, x: {"producer": w.producer.slug, "name": "New Room", "address": "2 Main St", "city": "Chicago"},
     "json", {"anon": 401, "outsider": 403, "owner": 201, "staff": 201}),
    ("venue update", "patch", lambda w, x: f"/api/v1/venues/{x['venue'].slug}/", lambda w, x: {"capacity": 99},
     "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("venue delete", "delete", lambda w, x: f"/api/v1/venues/{x['venue'].slug}/", lambda w, x: None,
     "json", {"anon": 401, "outsider": 403, "owner": 204, "staff": 204}),
    ("venue image", "post", lambda w, x: f"/api/v1/venues/{x['venue'].slug}/images/venue_image/",
     lambda w, x: {"file": upload()}, "multipart", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("performer create", "post", lambda w, x: "/api/v1/performers/",
     lambda w, x: {"producer": w.producer.slug, "name": "New Comic"},
     "json", {"anon": 401, "outsider": 403, "owner": 201, "staff": 201}),
    ("performer update", "patch", lambda w, x: f"/api/v1/performers/{x['performer'].slug}/",
     lambda w, x: {"city": "Austin"}, "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("performer delete", "delete", lambda w, x: f"/api/v1/performers/{x['performer'].slug}/", lambda w, x: None,
     "json", {"anon": 401, "outsider": 403, "owner": 204, "staff": 204}),
    ("producer update", "patch", lambda w, x: f"/api/v1/producers/{w.producer.slug}/",
     lambda w, x: {"bio": "<p>New bio</p>"}, "json", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("producer image", "post", lambda w, x: f"/api/v1/producers/{w.producer.slug}/images/image/",
     lambda w, x: {"file": upload()}, "multipart", {"anon": 401, "outsider": 403, "owner": 200, "staff": 200}),
    ("token create", "post", lambda w, x: "/api/v1/tokens/", lambda w, x: {"producer": w.producer.slug, "name": "CI"},
     "json", {"anon": 401, "outsider": 403, "owner": 201, "staff": 201}),
]  # fmt: skip


@pytest.fixture
def extras(world):
    return {
        "promo": PromoCodeFactory(show=world.show, code="EXISTING"),
        "venue": VenueFactory(producer=world.producer, name="Owned Room"),
        "performer": PerformerFactory(producer=world.producer, name="Owned Comic"),
    }


@pytest.mark.parametrize("caller", ["anon", "outsider", "owner", "staff"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_write_authorization(world, extras, operation, caller, django_capture_on_commit_callbacks):
    name, method, url, payload, fmt, expected = operation
    user = {"anon": None, "outsider": world.outsider, "owner": world.owner, "staff": world.staff}[caller]
    client = client_for(user)
    if name == "token create" and user is not None:
        client.force_authenticate(user=None)
        client.force_login(user)  # tokens are managed from a signed-in session only
    before = database_state()

    with django_capture_on_commit_callbacks(execute=False):
        response = getattr(client, method)(url(world, extras), payload(world, extras), format=fmt)

    assert response.status_code == expected[caller], response.content
    if expected[caller] >= 400:
        body = response.json()
        assert set(body) == {"detail", "code", "extra"}
        assert body["code"] in {"not_authenticated", "permission_denied", "not_found"}
        assert database_state() == before, "a refused call changed data"
    else:
        assert database_state() != before, "an accepted call changed nothing"


def test_token_of_one_producer_cannot_write_to_another(world):
    from piquetickets.accounts.services import api_token_create
    from piquetickets.producers.models import UserProducerAssociation

    UserProducerAssociation.objects.create(user=world.owner, producer=world.other_producer)
    _, key = api_token_create(user=world.owner, producer=world.producer, name="Only A")
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = Show.objects.get(pk=world.other_show.pk).title
    response = client.patch(f"/api/v1/shows/{world.other_show.slug}/", {"title": "Hijacked"}, format="json")
    assert response.status_code == 403
    assert Show.objects.get(pk=world.other_show.pk).title == before
    assert client.patch(f"/api/v1/shows/{world.show.slug}/", {"title": "Mine"}, format="json").status_code == 200


def test_outsider_cannot_see_drafts_or_promo_codes_of_others(world):
    draft = Show.objects.filter(pk=world.show.pk)
    draft.update(published=False)
    outsider = client_for(world.outsider)
    assert outsider.get(f"/api/v1/shows/{world.show.slug}/").status_code == 404
    assert outsider.patch(f"/api/v1/shows/{world.show.slug}/", {"title": "x"}, format="json").status_code == 404
    PromoCodeFactory(show=world.show, code="SECRET")
    assert outsider.get("/api/v1/promo-codes/").json()["results"] == []
    owner_codes = client_for(world.owner).get("/api/v1/promo-codes/").json()["results"]
    assert [p["code"] for p in owner_codes] == ["SECRET"]
