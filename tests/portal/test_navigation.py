"""The portal's navigation: every area in its order, the current one marked, Analytics only while its flag is on."""

import re

import pytest

from piquetickets.flags.models import Flag
from piquetickets.portal.flags import ANALYTICS
from tests.factories import ShowFactory, VenueFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="portal-nav__link" href="([^"]+)"( aria-current="page")?>.*?</svg>([^<]+)</a>')


def navigation(client, url: str) -> list[tuple[str, str, bool]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [(label, href, bool(current)) for href, current, label in LINK.findall(response.content.decode())]


def test_every_area_in_order_with_analytics_hidden_while_its_flag_is_off(owner_client):
    entries = navigation(owner_client, "/dashboard/")

    assert [(label, href) for label, href, _ in entries] == [
        ("Dashboard", "/dashboard/"),
        ("Shows", "/dashboard/shows/"),
        ("Orders", "/dashboard/orders/"),
        ("Check-in", "/dashboard/checkin/"),
        ("Venues &amp; performers", "/dashboard/venues/"),
        ("Payouts", "/dashboard/payouts/"),
        ("Team", "/dashboard/team/"),
        ("Profile", "/dashboard/profile/"),
        ("Help", "/dashboard/help/"),
    ]
    assert [label for label, _, current in entries if current] == ["Dashboard"]


def test_analytics_appears_once_its_flag_is_on_for_the_producer(owner_client, producer):
    Flag.objects.create(name=ANALYTICS, superusers=False).producers.add(producer)

    labels = [label for label, _, _ in navigation(owner_client, "/dashboard/")]

    assert labels[5:7] == ["Payouts", "Analytics"]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/dashboard/shows/{show}/design/", "Shows"),
        ("/dashboard/orders/attendees/", "Orders"),
        ("/dashboard/orders/shows/{show}/door-list/", "Orders"),
        ("/dashboard/shows/{show}/checkin/", "Check-in"),
        ("/dashboard/performers/", "Venues &amp; performers"),
        ("/dashboard/venues/{venue}/", "Venues &amp; performers"),
        ("/dashboard/payouts/", "Payouts"),
        ("/dashboard/profile/", "Profile"),
        ("/dashboard/help/", "Help"),
    ],
)
def test_the_area_a_page_belongs_to_is_the_current_entry(owner_client, producer, path, current):
    venue = VenueFactory(producer=producer)
    show = ShowFactory(producer=producer, venue=venue)

    entries = navigation(owner_client, path.format(show=show.slug, venue=venue.slug))

    assert [label for label, _, is_current in entries if is_current] == [current]
