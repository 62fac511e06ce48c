"""A show page's rows kept between renders (``core.pagecache.kept_rows``, ``PAGE_DATA_SECONDS``): with
the page cache off, a render reads the tickets left (one query) and nothing else from the database;
every edit the page shows is seen at once; tickets left are never kept. Runs on whatever cache the
settings give: the local-memory cache on SQLite, Redis in the PostgreSQL run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from piquetickets.core import pagecache
from piquetickets.core.images import image_attach, image_make_variants
from piquetickets.orders.models import TicketHold
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import Show, Ticket, TicketPageDesign
from piquetickets.shows.selectors import tickets_left, tickets_with_availability
from tests.factories import HoldFactory, PerformerFactory, ShowFactory, TicketFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db

KEPT = 30  # PAGE_DATA_SECONDS in these tests


@pytest.fixture(autouse=True)
def kept_clock(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders: what is measured here is the rows
    settings.PAGE_DATA_SECONDS = KEPT
    now = [2_000_000.0]
    monkeypatch.setattr(pagecache, "clock", lambda: now[0])
    cache.clear()
    pagecache._nearby_data.clear()
    return now


@pytest.fixture
def show():
    show = ShowFactory(title="Friday Laughs")
    show.performers.set([PerformerFactory(name="Sam Rivera")])
    TicketFactory(show=show, name="General admission", quantity=50, sort_order=1)
    TicketFactory(show=show, name="Balcony", quantity=20, sort_order=2)
    return show


def html(client, show: Show) -> str:
    response = client.get(f"/shows/{show.slug}/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "off"
    return response.content.decode()


def test_a_render_after_the_first_reads_only_the_tickets_left(client, show, django_assert_num_queries):
    first = html(client, show)
    with django_assert_num_queries(1):
        again = html(client, show)
    assert again == first
    assert "Sam Rivera" in again
    assert "Balcony" in again


def test_tickets_left_are_read_on_every_render(client, show):
    html(client, show)
    general = show.tickets.get(name="General admission")
    Ticket.objects.filter(pk=general.pk).update(quantity_sold=F("quantity") - 3)  # checkout's UPDATE: no signal
    assert "Only 3 left" in html(client, show)
    HoldFactory(ticket=general, quantity=3, expires_at=timezone.now() + timedelta(minutes=10))
    assert "Sold out" in html(client, show)
    TicketHold.objects.filter(ticket=general).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "Only 3 left" in html(client, show)


@pytest.mark.parametrize("edit", ["title", "ticket", "new ticket", "venue", "performer", "lineup", "producer", "fees"])
def test_every_edit_the_page_shows_is_seen_on_the_next_render(client, show, settings, edit):
    before = html(client, show)
    if edit == "title":
        show.title = "Saturday Laughs"
        show.save()
    elif edit == "ticket":
        ticket = show.tickets.get(name="Balcony")
        ticket.name = "Front row"
        ticket.save()
    elif edit == "new ticket":
        TicketFactory(show=show, name="Standing", quantity=5, sort_order=3)
    elif edit == "venue":
        show.venue.name = "The Lyric Room"
        show.venue.save()
    elif edit == "performer":
        performer = show.performers.get()
        performer.name = "Sam Rivera-Jones"
        performer.save()
    elif edit == "lineup":
        show.performers.add(PerformerFactory(name="Jo Park"))
    elif edit == "producer":
        show.producer.name = "Laugh Track Live"
        show.producer.save()
    else:
        ProducerFinancial.objects.update_or_create(
            producer=show.producer, defaults={"platform_fee_percent": Decimal("9.00")}
        )
    after = html(client, show)
    settings.PAGE_DATA_SECONDS = 0
    assert after == html(client, show)  # what every row read now renders
    assert after != before


def test_the_page_design_is_seen_in_the_stylesheet_at_once(client, show):
    client.get(f"/shows/{show.slug}/theme.css")
    TicketPageDesign.objects.update_or_create(show=show, defaults={"primary_color": "#0B3D2E"})
    assert "#0b3d2e" in client.get(f"/shows/{show.slug}/theme.css").content.decode().lower()


def test_a_ticket_type_added_without_a_signal_is_still_shown(client, show):
    html(client, show)
    Ticket.objects.bulk_create([Ticket(show=show, name="Late entry", quantity=9, price=12, sort_order=4)])
    assert "Late entry" in html(client, show)


def test_unpublishing_takes_the_page_away_at_once(client, show):
    html(client, show)
    show.published = False
    show.save()
    assert client.get(f"/shows/{show.slug}/").status_code == 404


def test_an_unknown_show_is_404_and_nothing_is_kept(client, show):
    assert client.get("/shows/no-such-show/").status_code == 404
    assert not pagecache._nearby_data
    assert cache.get(f"{pagecache.PREFIX}rows:show:no-such-show") is None


def test_the_rows_are_read_again_after_the_stated_seconds(client, show, kept_clock):
    html(client, show)
    Show.objects.filter(pk=show.pk).update(title="Changed without a signal")
    assert "Changed without a signal" not in html(client, show)
    kept_clock[0] += KEPT
    cache.clear()  # the shared cache's copy expires with it
    assert "Changed without a signal" in html(client, show)


def test_renditions_made_by_the_worker_show_on_the_next_render(client, show, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    poster = upload("poster.jpg", image_bytes((1600, 800), "JPEG"), "image/jpeg")
    image_attach(instance=show, field="image", upload=poster)
    assert ".webp" not in html(client, show)
    image_make_variants(instance=Show.objects.get(pk=show.pk), field="image")
    assert "-large.webp" in html(client, show)


def test_with_the_setting_at_zero_every_render_reads_every_row(client, show, settings, django_assert_num_queries):
    settings.PAGE_DATA_SECONDS = 0
    html(client, show)
    with django_assert_num_queries(3):
        html(client, show)
    assert not pagecache._nearby_data


def test_tickets_left_counts_as_the_availability_query_does(show):
    general, balcony = show.tickets.order_by("sort_order")
    inactive = TicketFactory(show=show, name="Old price", quantity=10, is_active=False)
    Ticket.objects.filter(pk=general.pk).update(quantity_sold=40)
    HoldFactory(ticket=general, quantity=4, expires_at=timezone.now() + timedelta(minutes=5))
    HoldFactory(ticket=general, quantity=2, expires_at=timezone.now() - timedelta(minutes=5))  # lapsed
    HoldFactory(ticket=balcony, quantity=25, expires_at=timezone.now() + timedelta(minutes=5))  # more than left
    released = HoldFactory(ticket=balcony, quantity=3, expires_at=timezone.now() + timedelta(minutes=5))
    TicketHold.objects.filter(pk=released.pk).update(status=TicketHold.Status.RELEASED)
    expected = {
        row.pk: (row.quantity_sold, row.held, row.remaining)
        for row in tickets_with_availability(Ticket.objects.filter(show=show, is_active=True))
    }
    assert tickets_left(show_id=show.pk) == expected == {general.pk: (40, 4, 6), balcony.pk: (0, 25, 0)}
    assert inactive.pk not in tickets_left(show_id=show.pk)
    assert tickets_left(show_id=show.pk + 1000) == {}


def test_the_show_lists_filter_choices_are_kept_until_the_catalogue_changes(client, show, django_assert_num_queries):
    first = client.get("/shows/")
    assert first.status_code == 200
    assert "Sam Rivera" in first.content.decode()
    with django_assert_num_queries(4):  # the count, the shows, their performers, their ticket types
        assert client.get("/shows/").content == first.content
    other = ShowFactory(title="Owl Hour", venue__city="Duluth")
    other.performers.set([PerformerFactory(name="Jo Park")])
    again = client.get("/shows/").content.decode()
    assert '<option value="Duluth">' in again
    assert "Jo Park" in again
