from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from piquetickets.shows import services
from piquetickets.shows.models import FeaturedShow
from tests.api.conftest import assert_error
from tests.factories import (
    HoldFactory,
    PerformerFactory,
    ShowFactory,
    TicketFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_list_shows_only_published_upcoming_not_deleted(api):
    live = ShowFactory(title="Live One")
    ShowFactory(title="Draft One", published=False)
    gone = ShowFactory(title="Gone One")
    services.show_soft_delete(show=gone)
    past = ShowFactory(
        title="Past One",
        start_time=timezone.now() - timedelta(days=3),
        end_time=timezone.now() - timedelta(days=3, hours=-2),
    )
    past.door_time = None
    assert slugs(api.get("/api/v1/shows/")) == [live.slug]
    assert set(slugs(api.get("/api/v1/shows/?include_past=true"))) == {live.slug, past.slug}


def test_show_list_item_shape(api):
    show = ShowFactory(title="Shape Show", currency="USD")
    TicketFactory(show=show, price=Decimal("25.00"))
    TicketFactory(show=show, price=Decimal("12.50"))
    TicketFactory(show=show, price=Decimal("5.00"), is_active=False)
    item = api.get("/api/v1/shows/").json()["results"][0]
    assert item["slug"] == "shape-show"
    assert item["price_from"] == "12.50"
    assert item["status"] == "published"
    assert item["venue"]["slug"] == show.venue.slug
    assert item["producer"] == {"slug": show.producer.slug, "name": show.producer.name}
    assert item["local_start"].endswith(("-06:00", "-05:00"))  # America/Chicago


def test_filters_by_city_venue_producer_performer_and_dates(api):
    chicago, austin = VenueFactory(city="Chicago"), VenueFactory(city="Austin")
    comic = PerformerFactory(name="Dana Reyes")
    soon = ShowFactory(venue=chicago, start_time=timezone.now() + timedelta(days=2))
    later = ShowFactory(venue=austin, start_time=timezone.now() + timedelta(days=20))
    soon.performers.add(comic)

    assert slugs(api.get("/api/v1/shows/?city=chicago")) == [soon.slug]
    assert slugs(api.get(f"/api/v1/shows/?venue={austin.slug}")) == [later.slug]
    assert slugs(api.get(f"/api/v1/shows/?producer={later.producer.slug}")) == [later.slug]
    assert slugs(api.get(f"/api/v1/shows/?performer={comic.slug}")) == [soon.slug]
    cutoff = (timezone.now() + timedelta(days=10)).date().isoformat()
    assert slugs(api.get(f"/api/v1/shows/?starts_after={cutoff}")) == [later.slug]
    assert slugs(api.get(f"/api/v1/shows/?starts_before={cutoff}")) == [soon.slug]


def test_free_text_search_matches_title_venue_and_performers(api):
    venue = VenueFactory(name="Basement Room")
    by_title = ShowFactory(title="Improv Jam")
    by_venue = ShowFactory(venue=venue)
    by_performer = ShowFactory()
    by_performer.performers.add(PerformerFactory(name="Sam Whitfield"))
    assert slugs(api.get("/api/v1/shows/?q=improv")) == [by_title.slug]
    assert slugs(api.get("/api/v1/shows/?q=basement")) == [by_venue.slug]
    assert slugs(api.get("/api/v1/shows/?q=whitfield")) == [by_performer.slug]
    assert slugs(api.get("/api/v1/shows/?q=nothing-matches-this")) == []


def test_ordering_and_pagination(api):
    shows = [
        ShowFactory(title=f"Show {c}", start_time=timezone.now() + timedelta(days=10 - i)) for i, c in enumerate("ABC")
    ]
    assert slugs(api.get("/api/v1/shows/")) == [s.slug for s in reversed(shows)]
    assert slugs(api.get("/api/v1/shows/?ordering=title")) == [s.slug for s in shows]
    page = api.get("/api/v1/shows/?ordering=title&page_size=2&page=2").json()
    assert page["count"] == 3
    assert [r["slug"] for r in page["results"]] == [shows[2].slug]
    assert_error(api.get("/api/v1/shows/?page=99"), 404, "not_found")


def test_bad_filter_values_get_a_clear_error(api):
    body = assert_error(api.get("/api/v1/shows/?starts_after=not-a-date"), 400, "invalid")
    assert body["extra"]["fields"] == {"starts_after": ["Enter a valid date."]}


def test_detail_has_ticket_types_with_live_availability(api):
    show = ShowFactory()
    ticket = TicketFactory(show=show, quantity=10, name="GA")
    TicketFactory(show=show, name="Hidden", is_active=False)
    type(ticket).objects.filter(pk=ticket.pk).update(quantity_sold=3)
    HoldFactory(ticket=ticket, order__show=show, quantity=2)
    HoldFactory(ticket=ticket, order__show=show, quantity=4, expires_at=timezone.now() - timedelta(seconds=1))

    body = api.get(f"/api/v1/shows/{show.slug}/").json()
    assert [t["name"] for t in body["tickets"]] == ["GA"]
    ga = body["tickets"][0]
    assert ga["remaining"] == 5  # 10 − 3 sold − 2 live held; the expired hold no longer counts
    assert ga["sold_out"] is False
    assert ga["on_sale"] is True
    assert ga["sales"] is None  # sales figures are for the producer only
    assert body["venue"]["slug"] == show.venue.slug
    assert body["page_design"] is None


def test_sold_out_ticket_type(api):
    ticket = TicketFactory(quantity=2)
    HoldFactory(ticket=ticket, order__show=ticket.show, quantity=2)
    ga = api.get(f"/api/v1/shows/{ticket.show.slug}/").json()["tickets"][0]
    assert (ga["remaining"], ga["sold_out"], ga["on_sale"]) == (0, True, False)


def test_drafts_and_deleted_shows_are_never_public(api):
    draft = ShowFactory(published=False)
    gone = ShowFactory()
    services.show_soft_delete(show=gone)
    assert_error(api.get(f"/api/v1/shows/{draft.slug}/"), 404, "not_found")
    assert_error(api.get(f"/api/v1/shows/{gone.slug}/"), 404, "not_found")
    TicketFactory(show=draft)
    assert api.get(f"/api/v1/tickets/?show={draft.slug}").json()["results"] == []


def test_featured_shows_in_placement_order_skipping_hidden_ones(api):
    first, second, hidden = ShowFactory(), ShowFactory(), ShowFactory(published=False)
    FeaturedShow.objects.create(show=second, order=2)
    FeaturedShow.objects.create(show=first, order=1)
    FeaturedShow.objects.create(show=hidden, order=0)
    FeaturedShow.objects.create(show=ShowFactory(), order=3, is_active=False)
    response = api.get("/api/v1/featured/")
    assert [s["slug"] for s in response.json()] == [first.slug, second.slug]


def test_public_directories(api):
    venue = VenueFactory(name="Cedar Hall", city="Minneapolis")
    VenueFactory(name="Closed Club", is_active=False)
    performer = PerformerFactory(name="Lena Holm", bio="<p>Folk</p><script>x</script>")
    assert slugs(api.get("/api/v1/venues/")) == [venue.slug]
    assert api.get(f"/api/v1/performers/{performer.slug}/").json()["bio"] == "<p>Folk</p>"
    producers = api.get("/api/v1/producers/").json()["results"]
    assert producers == []


def test_knowledge_articles_only_published(api):
    from piquetickets.knowledge.models import KnowledgeArticle, KnowledgeCategory

    category = KnowledgeCategory.objects.create(name="Selling")
    KnowledgeArticle.objects.create(category=category, title="Visible", body="<p>Yes</p>", is_published=True)
    KnowledgeArticle.objects.create(category=category, title="Hidden", body="<p>No</p>")
    assert slugs(api.get("/api/v1/knowledge/articles/")) == ["visible"]
    assert api.get("/api/v1/knowledge/categories/").json()[0]["slug"] == "selling"
    assert_error(api.get("/api/v1/knowledge/articles/hidden/"), 404, "not_found")


def test_hand_built_output_matches_the_declared_fields(api):
    """The read serializers build their JSON by hand for speed; their keys must stay the documented ones."""
    from piquetickets.shows import api as shows_api
    from piquetickets.shows.models import TicketPageDesign
    from piquetickets.shows.selectors import show_detail_queryset

    show = ShowFactory()
    TicketFactory(show=show)
    show.performers.add(PerformerFactory())
    TicketPageDesign.objects.create(show=show)
    show = show_detail_queryset(active_tickets_only=False).get(pk=show.pk)
    cases = [
        (shows_api.ShowDetailSerializer, show),
        (shows_api.ShowListSerializer, show),
        (shows_api.TicketTypeNestedSerializer, show.ticket_types[0]),
        (shows_api.VenueBriefSerializer, show.venue),
        (shows_api.ProducerBriefSerializer, show.producer),
        (shows_api.PerformerBriefSerializer, show.performers.first()),
        (shows_api.PageDesignSerializer, show.page_design),
    ]
    for serializer_class, instance in cases:
        serializer = serializer_class()
        readable = {name for name, field in serializer.fields.items() if not field.write_only}
        assert set(serializer.to_representation(instance)) == readable, serializer_class.__name__
