from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show, Ticket
from tests.factories import MembershipFactory, ProducerFactory, ShowFactory, TicketFactory, UserFactory


@dataclass
class World:
    producer: Producer
    owner: object
    other_producer: Producer
    outsider: object
    staff: object
    show: Show
    ticket: Ticket
    other_show: Show


@pytest.fixture
def world(db):
    """Two producers with one member each, platform staff, and a published show for each producer."""
    producer, other_producer = ProducerFactory(name="Laugh Track"), ProducerFactory(name="Other Promotions")
    owner = MembershipFactory(producer=producer, user__username="owner").user
    owner.profile.can_publish_shows = True
    owner.profile.save()
    outsider = MembershipFactory(producer=other_producer, user__username="outsider").user
    staff = UserFactory(username="staff", is_staff=True)
    show = ShowFactory(producer=producer, title="Friday Laughs")
    ticket = TicketFactory(show=show, quantity=50)
    other_show = ShowFactory(producer=other_producer, title="Other Night")
    TicketFactory(show=other_show)
    return World(producer, owner, other_producer, outsider, staff, show, ticket, other_show)


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def assert_error(response, status: int, code: str, detail: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "extra"}
    assert body["code"] == code
    if detail is not None:
        assert body["detail"] == detail
    return body
