"""The browse pages: home, /shows/, profiles, /sell/, the newsletter form, the 404 page and the favicon.

What they list is exactly the public upcoming shows (never a draft, a deleted show, another producer's
draft or a show that has ended), in the order and with the facts a buyer needs (the show's own time
zone, the all-in price, what is left); their forms write through the domain's services, answer the
same whatever the database held, and are rate limited per client address.
"""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from piquetickets.producers.models import ProducerFinancial, ProducerInterest
from piquetickets.shows import services as show_services
from piquetickets.shows.models import FeaturedShow, Show
from piquetickets.storefront.views import browse
from piquetickets.subscribers.models import Subscriber, SubscriberMetaData
from piquetickets.venues.models import Venue
from tests.factories import (
    HoldFactory,
    PerformerFactory,
    ProducerFactory,
    ShowFactory,
    SubscriberFactory,
    TicketFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

FEES = {
    "PLATFORM_PERCENT": "3.0",
    "PLATFORM_FIXED_PER_TICKET": "0.99",
    "PROCESSING_PERCENT": "2.9",
    "PROCESSING_FIXED_PER_ORDER": "0.30",
    "PASSED_TO_BUYER": True,
}


@pytest.fixture(autouse=True)
def _fees(settings):
    settings.FEES = FEES  # the figures below are worked out with these
    settings.SITE_URL = "https://tickets.example"


def html(response) -> str:
    return response.content.decode()


INLINE = r"</?(?:a|span|strong|b|em|time|abbr)\b[^>]*>"


def text(response_or_html) -> str:
    """The words of a page as read out: tags removed (inline ones without a break), what is hidden from
    assistive technology (``aria-hidden``, scripts) left out, spaces collapsed."""
    raw = response_or_html if isinstance(response_or_html, str) else html(response_or_html)
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    raw = re.sub(r'<(div|span|p|li) [^>]*aria-hidden="true"[^>]*>.*?</\1>', " ", raw, flags=re.S)
    raw = re.sub(INLINE, "", raw)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def card_slugs(page: str) -> list[str]:
    """The shows a piece of page lists as cards, in order."""
    return re.findall(r'class="show-card__link" href="/shows/([^/"]+)/"', page)


def section(page: str, heading_id: str, next_id: str | None = None) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.index(f'id="{next_id}"') if next_id else len(page)
    return page[start:end]


def upcoming(days: int = 7, **kwargs) -> Show:
    start = timezone.now() + timedelta(days=days)
    return ShowFactory(start_time=start, end_time=start + timedelta(hours=2), **kwargs)


@pytest.fixture
def hidden_shows():
    """Shows no public page may list: a draft, a deleted show, another producer's draft, one that ended."""
    draft = upcoming(title="Secret Draft", published=False)
    gone = upcoming(title="Deleted Show")
    show_services.show_soft_delete(show=gone)
    other = upcoming(title="Other Producer Draft", published=False, producer=ProducerFactory(name="Elsewhere"))
    ended = ShowFactory(
        title="Ended Show",
        start_time=timezone.now() - timedelta(hours=3),
        end_time=timezone.now() - timedelta(hours=1),
        door_time=None,
    )
    for show in (draft, gone, other, ended):
        TicketFactory(show=show)
        FeaturedShow.objects.create(show=show, order=0)
    return [draft, gone, other, ended]


# --- the site frame --------------------------------------------------------------------------


def test_every_page_has_the_header_and_footer_links(client):
    page = html(client.get("/sell/"))
    assert '<a class="brand" href="/">' in page
    assert 'href="/shows/"' in page
    assert '<form class="site-search" role="search" action="/shows/" method="get">' in page
    for link in ("/sell/", "/orders/resend/", "/api/v1/docs/"):
        assert f'<li><a href="{link}">' in page
    assert f"© {timezone.now().year} PiqueTickets" in text(page)
    assert '<link rel="canonical" href="https://tickets.example/sell/">' in page


def test_the_admin_view_site_link_leads_to_the_home_page(admin_client):
    page = html(admin_client.get("/admin/"))
    link = re.search(r'<a href="([^"]*)"[^>]*>\s*View site\s*</a>', page)
    assert link is not None
    assert link.group(1) == "/"
    home = admin_client.get(link.group(1))
    assert home.status_code == 200
    assert "Find your next night out" in text(home)


# --- home ------------------------------------------------------------------------------------


def test_home_shows_active_featured_shows_in_order_then_the_other_upcoming_ones(client, hidden_shows):
    first, second, unfeatured, inactive = (
        upcoming(days=d, title=t) for d, t in [(9, "B"), (3, "A"), (5, "C"), (6, "D")]
    )
    FeaturedShow.objects.create(show=first, order=0)
    FeaturedShow.objects.create(show=second, order=1)
    FeaturedShow.objects.create(show=inactive, order=2, is_active=False)

    response = client.get("/")

    assert response.status_code == 200
    page = html(response)
    assert card_slugs(section(page, "featured-title", "upcoming-title")) == [first.slug, second.slug]
    assert card_slugs(section(page, "upcoming-title")) == [unfeatured.slug, inactive.slug]
    assert "See all 4 shows" in text(page)
    for show in hidden_shows:
        assert show.title not in text(page)


def test_home_without_shows_says_so_and_still_offers_the_newsletter(client):
    page = text(client.get("/"))
    assert "No shows on sale right now" in page
    assert "Never miss a show" in page


def test_home_query_count_does_not_grow_with_shows(client):
    def add(n):  # n featured shows and n others
        for index in range(2 * n):
            show = upcoming(days=index + 1, venue=VenueFactory())
            show.performers.add(PerformerFactory())
            HoldFactory(ticket=TicketFactory(show=show), order__show=show)
            if index % 2:
                FeaturedShow.objects.create(show=show, order=index)

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    add(12)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/").status_code == 200
    assert len(many) == len(one) <= 12


def test_the_public_pages_do_not_compute_the_from_price_they_do_not_show(client):
    """The cards and the show page price from the ticket types; the API's ``price_from`` aggregate
    would group every show row and make the pages' counts subqueries."""
    show = upcoming(days=3)
    TicketFactory(show=show)
    FeaturedShow.objects.create(show=show, order=1)
    for url in ("/", "/shows/", f"/shows/{show.slug}/", f"/venues/{show.venue.slug}/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = [query["sql"].upper() for query in queries]
        assert not [q for q in sql if "MIN(" in q], url
        assert not [q for q in sql if "COUNT(*) FROM (SELECT" in q.replace('"', "")], url


# --- /shows/ ---------------------------------------------------------------------------------


def test_the_list_shows_public_upcoming_shows_soonest_first(client, hidden_shows):
    later, sooner = upcoming(days=9), upcoming(days=2)
    response = client.get("/shows/")
    assert response.status_code == 200
    assert card_slugs(html(response)) == [sooner.slug, later.slug]
    assert "2 shows" in text(response)
    for show in hidden_shows:
        assert show.title not in text(response)


def test_filters_are_the_apis(client, api):
    chicago, austin = VenueFactory(city="Chicago", name="Basement"), VenueFactory(city="Austin", name="Loft")
    comic = PerformerFactory(name="Dana Reyes")
    soon = upcoming(days=2, venue=chicago, title="Improv Jam")
    later = upcoming(days=20, venue=austin)
    soon.performers.add(comic)
    cutoff = (timezone.now() + timedelta(days=10)).date().isoformat()

    for query, expected in [
        ("city=chicago", [soon]),
        (f"venue={austin.slug}", [later]),
        (f"producer={later.producer.slug}", [later]),
        (f"performer={comic.slug}", [soon]),
        (f"starts_after={cutoff}", [later]),
        (f"starts_before={cutoff}", [soon]),
        ("q=improv", [soon]),
        ("q=reyes", [soon]),
        ("q=loft", [later]),
        ("q=nothing+like+this", []),
        (f"city=Chicago&starts_after={cutoff}", []),
    ]:
        page_slugs = card_slugs(html(client.get(f"/shows/?{query}")))
        api_slugs = [item["slug"] for item in api.get(f"/api/v1/shows/?{query}").json()["results"]]
        assert page_slugs == api_slugs == [show.slug for show in expected], query


def test_filter_menus_offer_what_has_a_public_upcoming_show(client, hidden_shows):
    shown = upcoming(venue=VenueFactory(name="Cedar Hall", city="Minneapolis"))
    shown.performers.add(PerformerFactory(name="Lena Holm"))
    hidden_shows[0].performers.add(PerformerFactory(name="Draft Only Act"))
    page = html(client.get("/shows/"))
    assert f'<option value="{shown.venue.slug}">Cedar Hall, Minneapolis</option>' in page
    assert '<option value="Minneapolis">Minneapolis</option>' in page
    assert ">Lena Holm</option>" in page
    assert "Draft Only Act" not in page
    assert "Other Producer Draft" not in page


def test_filters_in_use_show_as_chips_that_take_them_away(client):
    venue = VenueFactory(name="Cedar Hall", city="Minneapolis")
    upcoming(venue=venue)
    page = html(client.get(f"/shows/?venue={venue.slug}&q=jazz"))
    assert 'href="?q=jazz"' in page  # taking the venue away keeps the words
    assert f'href="?venue={venue.slug}"' in page
    assert "Cedar Hall, Minneapolis" in text(page)


def test_a_date_that_does_not_parse_is_an_error_by_its_field_and_is_left_out(client):
    show = upcoming()
    response = client.get("/shows/?starts_after=31-12-2026")
    assert response.status_code == 200
    page = html(response)
    assert "<title>Error: Upcoming shows — PiqueTickets</title>" in page
    assert 'href="#filter-starts_after"' in page  # the error summary links to the field
    assert 'id="filter-starts_after_error"' in page
    assert "Enter the “From” date like 2026-12-31." in text(page)
    assert card_slugs(page) == [show.slug]


def test_the_list_is_paginated_twelve_at_a_time(client):
    shows = [upcoming(days=day + 1) for day in range(browse.PAGE_SIZE + 1)]
    first = client.get("/shows/")
    assert card_slugs(html(first)) == [show.slug for show in shows[:12]]
    assert "13 shows" in text(first)
    assert 'href="?page=2" rel="next"' in html(first)
    second = client.get("/shows/?page=2")
    assert card_slugs(html(second)) == [shows[12].slug]
    assert card_slugs(html(client.get("/shows/?page=99"))) == [shows[12].slug]
    assert card_slugs(html(client.get("/shows/?page=abc"))) == card_slugs(html(first))


def test_page_links_keep_the_filters(client):
    venue = VenueFactory()
    for day in range(browse.PAGE_SIZE + 1):
        upcoming(days=day + 1, venue=venue)
    assert f'href="?venue={venue.slug}&amp;page=2" rel="next"' in html(client.get(f"/shows/?venue={venue.slug}"))


def test_an_htmx_request_gets_the_results_region_and_the_live_region_words(client):
    upcoming(title="Jazz on the River")
    response = client.get("/shows/?q=jazz", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    page = html(response)
    assert "<html" not in page
    assert '<form class="filters"' not in page
    assert 'id="results-status" aria-live="polite" aria-atomic="true" hx-swap-oob="innerHTML">1 show found.</p>' in page
    assert "Jazz on the River" in text(page)
    full = client.get("/shows/?q=jazz")
    assert "HX-Request" in full["Vary"]
    assert "<html" in html(full)
    assert response["HX-Push-Url"] == "/shows/?q=jazz"  # the address bar gets the filters in use only
    emptied = client.get("/shows/?q=&city=&venue=", headers={"HX-Request": "true"})
    assert emptied["HX-Push-Url"] == "/shows/"
    restore = client.get("/shows/?q=jazz", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in html(restore)
    assert "hx-swap-oob" not in html(restore)  # a whole page: its live region is where it belongs


def test_the_list_query_count_does_not_grow_with_shows(client):
    def add(n):
        for index in range(n):
            show = upcoming(days=index + 1, venue=VenueFactory(), producer=ProducerFactory())
            show.performers.add(PerformerFactory(), PerformerFactory())
            ticket = TicketFactory(show=show)
            TicketFactory(show=show, price=5)
            HoldFactory(ticket=ticket, order__show=show)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(1)
    one = count("/shows/"), count("/shows/?q=show")
    add(browse.PAGE_SIZE + 3)
    assert (count("/shows/"), count("/shows/?q=show")) == one
    assert one[0] <= 10


# --- show cards -------------------------------------------------------------------------------


def card_of(client, show) -> str:
    page = html(client.get("/shows/"))
    start = page.index(f'href="/shows/{show.slug}/"')
    return text(page[page.rindex("<article", 0, start) : page.index("</article>", start)])


def test_a_card_gives_the_local_time_venue_and_all_in_price(client):
    start = datetime(2031, 3, 8, 1, 0, tzinfo=UTC)  # 8 PM on Friday 7 March in New York
    venue = VenueFactory(name="The Basement Room", city="Brooklyn")
    show = ShowFactory(
        title="Late Laughs", venue=venue, time_zone="America/New_York", start_time=start,
        end_time=start + timedelta(hours=2), door_time=None,
    )  # fmt: skip
    TicketFactory(show=show, price=Decimal("20.00"))
    TicketFactory(show=show, price=Decimal("35.00"))
    TicketFactory(show=show, price=Decimal("5.00"), is_active=False)
    # 20.00 + platform fee (3% + 0.99) 1.59 + processing (2.9% of 21.59 + 0.30) 0.93
    assert card_of(client, show) == (
        "Fri 7 Mar 2031 · 8:00 PM EST Late Laughs The Basement Room, Brooklyn From $22.52 incl. fees"
    )
    page = html(client.get("/shows/"))
    assert 'datetime="2031-03-07T20:00-05:00"' in page
    assert f'<a class="show-card__venue" href="/venues/{venue.slug}/">The Basement Room</a>' in page


def test_a_card_without_fees_passed_on_shows_the_ticket_price(client, settings):
    settings.FEES = FEES | {"PASSED_TO_BUYER": False}
    show = upcoming()
    TicketFactory(show=show, price=Decimal("20.00"))
    assert card_of(client, show).endswith("$20.00")


def test_a_producers_own_platform_fee_counts(client):
    show = upcoming()
    ProducerFinancial.objects.create(producer=show.producer, platform_fee_percent=0, platform_fee_fixed=0)
    TicketFactory(show=show, price=Decimal("10.00"))
    assert card_of(client, show).endswith("$10.59 incl. fees")  # 10.00 + 2.9% + 0.30


def test_availability_badges(client):
    nearly = upcoming(title="Nearly Gone")
    HoldFactory(ticket=TicketFactory(show=nearly, quantity=10, quantity_sold=5), quantity=2, order__show=nearly)
    gone = upcoming(title="All Gone")
    TicketFactory(show=gone, quantity=10, quantity_sold=10)
    plenty = upcoming(title="Plenty")
    TicketFactory(show=plenty, quantity=100)
    later = upcoming(title="Soon On Sale")
    TicketFactory(show=later, sales_start=datetime(2030, 1, 4, 18, tzinfo=UTC))
    closed = upcoming(title="Closed")
    TicketFactory(show=closed, sales_end=timezone.now() - timedelta(hours=1))
    empty = upcoming(title="No Tickets Yet")

    assert card_of(client, nearly).endswith("$22.52 incl. fees Only 3 left")
    assert card_of(client, gone).endswith("Sold out")
    assert "$" not in card_of(client, gone)
    assert card_of(client, plenty).endswith("$22.52 incl. fees")
    assert card_of(client, later).endswith("$22.52 incl. fees On sale Fri 4 Jan 2030")
    assert card_of(client, closed).endswith("Sales closed")
    assert card_of(client, empty).endswith("Tickets coming soon")


def test_free_and_pay_what_you_can_shows(client):
    free = upcoming(title="Free Show")
    TicketFactory(show=free, price=Decimal("0.00"))
    donation = upcoming(title="Hat Show")
    TicketFactory(show=donation, price=Decimal("0.00"), is_donation_based=True)
    free_or_not = upcoming(title="Free Or Not")
    TicketFactory(show=free_or_not, price=Decimal("0.00"))
    TicketFactory(show=free_or_not, price=Decimal("15.00"))
    assert card_of(client, free).endswith("Free")
    assert card_of(client, donation).endswith("Pay what you can")
    assert card_of(client, free_or_not).endswith("Free tickets available")


def test_card_images_use_the_webp_renditions_and_load_lazily_below_the_fold(client):
    shows = [upcoming(days=day + 1) for day in range(5)]
    Show.objects.filter(pk=shows[4].pk).update(
        image="shows/poster.png",
        image_variants={
            "image": {
                "card": {"name": "shows/variants/poster-card.webp", "width": 640, "height": 360},
                "large": {"name": "shows/variants/poster-large.webp", "width": 1280, "height": 720},
            }
        },
    )
    Show.objects.filter(pk=shows[0].pk).update(image="shows/first.png")
    page = html(client.get("/shows/"))
    assert (
        '<img class="show-card__img" src="/media/shows/variants/poster-card.webp" '
        'srcset="/media/shows/variants/poster-card.webp 640w, /media/shows/variants/poster-large.webp 1280w" '
        f'sizes="{browse.CARD_SIZES}" width="640" height="360" alt="" loading="lazy" decoding="async">'
    ) in page
    # the first card is above the fold: fetched first; no renditions yet, so the original
    assert (
        '<img class="show-card__img" src="/media/shows/first.png" alt="" fetchpriority="high" decoding="async">' in page
    )
    assert page.count('class="show-card__placeholder') == 3


# --- profiles --------------------------------------------------------------------------------


def test_a_venue_page_lists_its_public_upcoming_shows_with_address_and_map(client, hidden_shows):
    venue = VenueFactory(name="Cedar Hall", address="416 Cedar Ave S", city="Minneapolis", state="MN", zip_code="55454")
    on, elsewhere = upcoming(venue=venue), upcoming()
    for show in hidden_shows:
        Show.all_objects.filter(pk=show.pk).update(venue=venue)

    response = client.get(f"/venues/{venue.slug}/")

    assert response.status_code == 200
    page = html(response)
    assert card_slugs(page) == [on.slug]
    assert elsewhere.slug not in page
    assert "416 Cedar Ave S, Minneapolis, MN 55454" in text(page)
    assert 'href="https://www.openstreetmap.org/search?query=416+Cedar+Ave+S%2C+Minneapolis%2C+MN+55454%2C+US"' in page
    assert '<meta name="robots" content="noindex">' not in page


def test_a_performer_page_lists_the_shows_they_are_in(client, hidden_shows):
    performer = PerformerFactory(name="Lena Holm", city="Duluth", instagram="https://instagram.com/lena")
    with_her, _without_her = upcoming(), upcoming()
    with_her.performers.add(performer)
    for show in hidden_shows:
        show.performers.add(performer)
    page = html(client.get(f"/performers/{performer.slug}/"))
    assert card_slugs(page) == [with_her.slug]
    assert 'href="https://instagram.com/lena"' in page
    assert "Duluth" in text(page)


def test_a_producer_page_shows_only_the_public_support_email(client, hidden_shows):
    producer = ProducerFactory(name="Laugh Track", support_email="help@laughtrack.example")
    from tests.factories import MembershipFactory

    MembershipFactory(producer=producer, user__email="owner-private@laughtrack.example")
    mine = upcoming(producer=producer)
    Show.all_objects.filter(pk__in=[s.pk for s in hidden_shows]).update(producer=producer)
    page = html(client.get(f"/producers/{producer.slug}/"))
    assert card_slugs(page) == [mine.slug]
    assert 'href="mailto:help@laughtrack.example"' in page
    assert "owner-private" not in page


def test_rich_text_is_sanitised_even_when_written_around_the_model(client):
    performer = PerformerFactory()
    type(performer).objects.filter(pk=performer.pk).update(
        bio='<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>'
    )
    page = html(client.get(f"/performers/{performer.slug}/"))
    assert "<p>Hi <b>there</b></p>" in page
    assert "alert(1)" not in page
    assert "onclick" not in page


def test_a_profile_with_nothing_on_says_so_and_is_not_indexed(client):
    venue = VenueFactory()
    response = client.get(f"/venues/{venue.slug}/")
    assert response.status_code == 200
    assert "Nothing on sale right now" in text(response)
    assert '<meta name="robots" content="noindex">' in html(response)


@pytest.mark.parametrize("kind", ["venues", "performers", "producers"])
def test_unknown_profiles_are_404(client, kind):
    assert client.get(f"/{kind}/no-such-slug/").status_code == 404


def test_switched_off_venues_and_producers_are_404(client):
    venue, producer = VenueFactory(is_active=False), ProducerFactory(is_active=False)
    assert client.get(f"/venues/{venue.slug}/").status_code == 404
    assert client.get(f"/producers/{producer.slug}/").status_code == 404


def test_a_profile_lists_twelve_shows_and_links_to_the_rest(client):
    venue = VenueFactory()
    for day in range(browse.PROFILE_SHOWS + 2):
        upcoming(days=day + 1, venue=venue)
    page = html(client.get(f"/venues/{venue.slug}/"))
    assert len(card_slugs(page)) == 12
    assert f'href="/shows/?venue={venue.slug}">See all 14' in page


def test_profile_query_count_does_not_grow_with_shows(client):
    performer = PerformerFactory()

    def add(n):
        for _ in range(n):
            show = upcoming(venue=VenueFactory())
            show.performers.add(performer, PerformerFactory())
            TicketFactory(show=show)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/performers/{performer.slug}/").status_code == 200
        return len(queries)

    add(1)
    one = count()
    add(10)
    assert count() == one


# --- the newsletter --------------------------------------------------------------------------


def subscribe(client, email, **headers):
    return client.post(
        "/subscribe/",
        {"email": email},
        headers={"User-Agent": "Firefox/130", "Referer": "https://tickets.example/", **headers},
        REMOTE_ADDR="203.0.113.9",
    )


def test_subscribing_records_the_address_and_where_it_came_from(client):
    response = subscribe(client, "fan@example.com")

    assert response.status_code == 303
    assert response["Location"] == "/#subscribe"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.is_active) == ("fan@example.com", True)
    meta = SubscriberMetaData.objects.get()
    assert (meta.subscriber, meta.ip_address, meta.user_agent, meta.url_referer) == (
        subscriber, "203.0.113.9", "Firefox/130", "https://tickets.example/",
    )  # fmt: skip
    assert "Thanks! You're on the list." in text(client.get("/"))


def test_subscribing_again_answers_the_same_and_adds_nothing(client):
    SubscriberFactory(email="known@example.com", is_active=False)
    first = subscribe(client, "new@example.com")
    again = subscribe(client, "KNOWN@example.com")
    assert (first.status_code, first["Location"]) == (again.status_code, again["Location"]) == (303, "/#subscribe")
    assert Subscriber.objects.count() == 2
    assert Subscriber.objects.get(email="known@example.com").is_active  # signed up again
    assert SubscriberMetaData.objects.count() == 1


def test_with_htmx_the_box_says_thanks_in_place_whoever_signs_up(client):
    SubscriberFactory(email="known@example.com")
    new = subscribe(client, "new@example.com", **{"HX-Request": "true"})
    known = subscribe(client, "known@example.com", **{"HX-Request": "true"})
    assert new.status_code == known.status_code == 200
    assert html(new) == html(known)
    assert "<html" not in html(new)
    assert "Thanks! You're on the list." in text(new)
    assert "HX-Request" in new["Vary"]


@pytest.mark.parametrize(("email", "message"), [
    ("", "Enter your email address."),
    ("not-an-address", "Enter an email address like name@example.com."),
])  # fmt: skip
def test_a_bad_address_is_refused_by_its_field_and_nothing_is_written(client, email, message):
    page = subscribe(client, email)
    assert page.status_code == 422
    assert (
        f'<p class="field__error" id="subscribe-email_error"><span class="visually-hidden">Error:</span> {message}</p>'
        in html(page)
    )
    if email:
        assert f'value="{email}"' in html(page)  # kept to be corrected
    assert html(page).count("<title>Error: ") == 1
    fragment = subscribe(client, email, **{"HX-Request": "true"})
    assert fragment.status_code == 422
    assert message in text(fragment)
    assert "<html" not in html(fragment)
    assert Subscriber.objects.count() == SubscriberMetaData.objects.count() == 0


def test_sign_ups_are_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(browse, "SUBSCRIBE_BUDGET", (2, 3600))
    assert subscribe(client, "one@example.com").status_code == 303
    assert subscribe(client, "two@example.com").status_code == 303
    refused = subscribe(client, "three@example.com")
    assert refused.status_code == 429
    assert browse.OVER_BUDGET in text(refused)
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["one@example.com", "two@example.com"]
    other_address = client.post("/subscribe/", {"email": "four@example.com"}, REMOTE_ADDR="198.51.100.1")
    assert other_address.status_code == 303


def test_the_newsletter_form_needs_no_csrf_token_so_the_home_page_can_be_cached(client):
    from django.test import Client

    page = html(client.get("/"))
    assert "csrfmiddlewaretoken" not in page
    response = Client(enforce_csrf_checks=True).post("/subscribe/", {"email": "fan@example.com"})
    assert response.status_code == 303
    assert Subscriber.objects.filter(email="fan@example.com").exists()


def test_the_lead_form_carries_a_csrf_token(client):
    assert 'name="csrfmiddlewaretoken"' in html(client.get("/sell/"))


def test_get_subscribe_goes_to_the_form(client):
    response = client.get("/subscribe/")
    assert (response.status_code, response["Location"]) == (303, "/#subscribe")


# --- selling with us -------------------------------------------------------------------------

LEAD = {
    "name": "Robin Ortiz",
    "email": "robin@comedyco.example",
    "phone": "+1 312 555 0100",
    "company_name": "Comedy Co",
    "city": "Chicago",
    "state": "IL",
    "events_per_year": "6-20",
    "show_types": ["Stand-up comedy", "Improv and sketch"],
    "show_types_other": "Roast battles",
    "current_platform": ["Eventbrite", "Cash at the door"],
    "current_platform_other": "Square",
    "platform_challenges": "Fees surprise buyers.",
    "desired_features": "Door scanning.",
    "interested_in_marketing": "on",
    "additional_info": "Starting a weekly show.",
}


def sell(client, data, address="203.0.113.7"):
    return client.post("/sell/", data, headers={"User-Agent": "Safari/18"}, REMOTE_ADDR=address)


def test_the_sell_page_asks_for_every_lead_field(client):
    page = html(client.get("/sell/"))
    for name in LEAD:
        assert f'name="{name}"' in page, name
    for legend in ("About you", "Your shows", "How you sell tickets now", "Anything else"):
        assert f"<legend>{legend}</legend>" in page


def test_a_lead_is_recorded_and_thanked(client):
    response = sell(client, LEAD)

    assert (response.status_code, response["Location"]) == (303, "/sell/?sent=1")
    lead = ProducerInterest.objects.get()
    assert {name: getattr(lead, name) for name in LEAD} == LEAD | {"interested_in_marketing": True}
    assert (lead.ip_address, lead.user_agent, lead.status) == ("203.0.113.7", "Safari/18", "new")
    thanks = client.get("/sell/?sent=1")
    assert "Thanks! We've got your details" in text(thanks)


def test_a_lead_without_name_or_email_comes_back_with_the_errors_and_the_input(client):
    response = sell(client, LEAD | {"name": "", "email": "robin-at-example"})

    assert response.status_code == 422
    page = html(response)
    assert "<title>Error: Sell tickets with PiqueTickets</title>" in page
    assert '<li><a href="#interest-name">Enter your name.</a></li>' in page
    assert '<li><a href="#interest-email">Enter an email address like name@example.com.</a></li>' in page
    assert 'id="interest-name_error"' in page
    assert 'aria-describedby="interest-name_error"' in page
    assert 'value="robin-at-example"' in page
    assert 'value="Roast battles"' in page
    assert 'value="Stand-up comedy" id="interest-show_types_0" checked' in page
    assert ProducerInterest.objects.count() == 0


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client):
    response = sell(client, LEAD | {"homepage": "https://spam.example"})
    assert (response.status_code, response["Location"]) == (303, "/sell/?sent=1")
    assert ProducerInterest.objects.count() == 0


def test_leads_are_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(browse, "SELL_BUDGET", (1, 3600))
    assert sell(client, LEAD).status_code == 303
    refused = sell(client, LEAD | {"name": "Second Try"})
    assert refused.status_code == 429
    assert browse.OVER_BUDGET in text(refused)
    assert 'value="Second Try"' in html(refused)
    assert list(ProducerInterest.objects.values_list("name", flat=True)) == ["Robin Ortiz"]
    assert sell(client, LEAD, address="198.51.100.4").status_code == 303


# --- 404 and the favicon ---------------------------------------------------------------------


def test_the_404_page_offers_a_search_and_the_api_keeps_its_json(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = html(response)
    assert "<title>We can't find that page — PiqueTickets</title>" in page
    assert '<form class="error-search" role="search" action="/shows/" method="get">' in page
    assert '<a href="/shows/">Every upcoming show</a>' in page
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not found.", "code": "not_found", "extra": {}}
    assert client.get("/venues/no-such-venue/").status_code == 404


def test_the_favicon_is_served_for_a_year(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_profiles_carry_opengraph_and_twitter_tags_for_sharing(client, settings):
    settings.SITE_URL = "https://tickets.example"
    venue = VenueFactory(name="Lyric Room", slug="lyric-room")
    upcoming(venue=venue)
    upcoming(venue=venue)
    Venue.objects.filter(pk=venue.pk).update(venue_image="venues/lyric.png")
    page = html(client.get("/venues/lyric-room/"))
    description = "2 upcoming shows at Lyric Room on PiqueTickets."
    for tag in (
        f'<meta name="description" content="{description}">',
        '<meta property="og:title" content="Lyric Room">',
        f'<meta property="og:description" content="{description}">',
        '<meta property="og:url" content="https://tickets.example/venues/lyric-room/">',
        '<meta property="og:image" content="https://tickets.example/media/venues/lyric.png">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:image" content="https://tickets.example/media/venues/lyric.png">',
    ):
        assert tag in page
    PerformerFactory(name="Sam Rivera", slug="sam-rivera")
    page = html(client.get("/performers/sam-rivera/"))
    assert '<meta property="og:type" content="profile">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert "og:image" not in page
    assert '<meta property="og:description" content="Shows with Sam Rivera on PiqueTickets.">' in page
