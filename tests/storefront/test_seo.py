"""/sitemap.xml lists exactly the public pages; /robots.txt keeps crawlers off the private ones."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from piquetickets.shows.models import Show
from tests.factories import PerformerFactory, ProducerFactory, ShowFactory, VenueFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://tickets.example"


def sitemap(client) -> dict[str, str]:
    """``{loc: lastmod}`` of every URL in the sitemap, in its order."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own answer, not untrusted XML)
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS) for url in root}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def test_sitemap_lists_exactly_the_public_upcoming_shows_and_the_profiles_that_have_one(client):
    now = timezone.now()
    producer, other = ProducerFactory(slug="laugh-track"), ProducerFactory(slug="other-co")
    venue = VenueFactory(slug="the-attic")
    headliner, secret = PerformerFactory(slug="sam-lee"), PerformerFactory(slug="secret-guest")
    soon = ShowFactory(producer=producer, venue=venue, slug="friday-laughs", start_time=now + timedelta(days=2))
    soon.performers.add(headliner)
    ShowFactory(producer=producer, venue=venue, slug="later", start_time=now + timedelta(days=9))
    # an evening that started an hour ago and is still on
    ShowFactory(slug="on-now", producer=producer, venue=venue, start_time=now - timedelta(hours=1))
    # none of these may appear, nor the profiles only they have
    draft = ShowFactory(slug="my-draft", producer=producer, published=False, venue=VenueFactory(slug="draft-room"))
    draft.performers.add(secret)
    ShowFactory(slug="their-draft", producer=other, published=False, venue=VenueFactory(slug="their-room"))
    ShowFactory(slug="gone", producer=producer, venue=venue, is_deleted=True, deleted_at=now)
    ShowFactory(
        slug="last-week",
        producer=ProducerFactory(slug="past-only"),
        venue=VenueFactory(slug="past-room"),
        start_time=now - timedelta(days=7),
    )
    VenueFactory(slug="closed-room", is_active=False)
    ShowFactory(
        slug="at-a-closed-room",
        producer=producer,
        venue=VenueFactory(slug="closed-with-show", is_active=False),
        start_time=now + timedelta(days=3),
    )

    urls = list(sitemap(client))

    assert urls == [
        f"{SITE}/shows/on-now/",
        f"{SITE}/shows/friday-laughs/",
        f"{SITE}/shows/at-a-closed-room/",
        f"{SITE}/shows/later/",
        f"{SITE}/venues/the-attic/",
        f"{SITE}/performers/sam-lee/",
        f"{SITE}/producers/laugh-track/",
    ]


def test_sitemap_lastmod_is_the_show_change_and_for_a_profile_its_latest_show_change(client):
    venue = VenueFactory(slug="the-attic")
    show = ShowFactory(slug="friday-laughs", venue=venue, producer=ProducerFactory(slug="laugh-track"))
    long_ago = timezone.now() - timedelta(days=30)
    VenueFactory._meta.model.objects.filter(pk=venue.pk).update(updated_at=long_ago)
    Show.objects.filter(pk=show.pk).update(updated_at=timezone.now() - timedelta(days=2))
    show.refresh_from_db()

    lastmods = sitemap(client)

    changed = timezone.localtime(show.updated_at).date().isoformat()  # the site's clock, as Django's sitemap writes it
    assert lastmods[f"{SITE}/shows/friday-laughs/"] == changed
    assert lastmods[f"{SITE}/venues/the-attic/"] == changed


def test_sitemap_of_no_public_show_is_an_empty_urlset(client):
    ShowFactory(published=False)

    assert sitemap(client) == {}


def test_sitemap_query_count_does_not_grow_with_the_shows(client, django_assert_num_queries):
    ShowFactory().performers.add(PerformerFactory())
    with django_assert_num_queries(8):  # per section: its count (the paginator), its rows
        assert client.get("/sitemap.xml").status_code == 200
    for _ in range(5):
        ShowFactory().performers.add(PerformerFactory(), PerformerFactory())
    with django_assert_num_queries(8):
        assert client.get("/sitemap.xml").status_code == 200


def test_robots_txt_allows_all_but_the_private_paths_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /checkin/",
        "Disallow: /orders/",
        "Disallow: /pay/",
        "Disallow: /embed/",
        "Disallow: /dashboard/",
        "Allow: /",
        "",
        f"Sitemap: {SITE}/sitemap.xml",
    ]


def test_robots_and_sitemap_refuse_a_post(client):
    assert client.post("/robots.txt").status_code == 405
    assert client.post("/sitemap.xml").status_code == 405
