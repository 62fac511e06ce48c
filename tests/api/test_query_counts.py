"""List endpoints run a fixed number of queries however many rows they return (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from piquetickets.shows.models import FeaturedShow
from tests.api.conftest import client_for
from tests.factories import HoldFactory, PerformerFactory, PromoCodeFactory, ShowFactory, TicketFactory, VenueFactory

pytestmark = pytest.mark.django_db


def make_shows(n, producer=None):
    for i in range(n):
        show = ShowFactory(**({"producer": producer} if producer else {}))
        show.performers.add(PerformerFactory(), PerformerFactory())
        ticket = TicketFactory(show=show)
        TicketFactory(show=show, price=5)
        HoldFactory(ticket=ticket, order__show=show)
        PromoCodeFactory(show=show)
        FeaturedShow.objects.create(show=show, order=i)
        VenueFactory()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/shows/",
        "/api/v1/shows/?mine=true",
        "/api/v1/shows/?q=show",
        "/api/v1/featured/",
        "/api/v1/tickets/",
        "/api/v1/tickets/?mine=true",
        "/api/v1/promo-codes/",
        "/api/v1/venues/",
        "/api/v1/performers/",
        "/api/v1/producers/",
    ],
)
def test_list_queries_do_not_grow_with_rows(world, url):
    client = client_for(world.owner)
    make_shows(2, producer=world.producer)
    few = count_queries(client, url)
    make_shows(12, producer=world.producer)
    many = count_queries(client, url)
    assert many == few


def test_show_detail_query_count_is_fixed(world):
    client = client_for(None)
    url = f"/api/v1/shows/{world.show.slug}/"
    few = count_queries(client, url)
    for _ in range(6):
        TicketFactory(show=world.show)
        world.show.performers.add(PerformerFactory())
    assert count_queries(client, url) == few <= 8
