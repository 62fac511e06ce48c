"""The storefront's page cache (``core/pagecache.py``): public pages come from the cache with no
query, an edit forgets exactly the pages that show what changed, availability is never older than
``PAGE_CACHE_SECONDS``, and nothing per visitor (sessions, messages, CSRF tokens, promo links) is ever
stored or shared. Runs on whatever cache the settings give: the local-memory cache on SQLite, Redis
when ``REDIS_URL`` is set (the PostgreSQL run)."""

import gzip
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from piquetickets.core import pagecache
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import FeaturedShow, Show, Ticket, TicketPageDesign
from tests.factories import (
    MembershipFactory,
    PerformerFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

N = 5  # PAGE_CACHE_SECONDS in these tests


@pytest.fixture(autouse=True)
def _page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = N
    now = [1_000_000.0]
    monkeypatch.setattr(pagecache, "clock", lambda: now[0])
    cache.clear()
    pagecache._nearby.clear()
    return now


@pytest.fixture
def clock(_page_cache):
    """Move the page cache's clock on: ``clock(6)``."""

    def move(seconds: float) -> None:
        _page_cache[0] += seconds

    return move


@pytest.fixture
def world():
    """Two shows at two venues by two producers, each with a performer and a ticket type."""
    a_producer, b_producer = ProducerFactory(name="Laugh Track"), ProducerFactory(name="Night Owl")
    a_venue, b_venue = VenueFactory(name="Lyric Room"), VenueFactory(name="Cellar", city="Minneapolis")
    a_performer, b_performer = PerformerFactory(name="Sam Rivera"), PerformerFactory(name="Jo Park")
    a = ShowFactory(title="Friday Laughs", producer=a_producer, venue=a_venue)
    b = ShowFactory(title="Owl Hour", producer=b_producer, venue=b_venue)
    a.performers.set([a_performer])
    b.performers.set([b_performer])
    TicketFactory(show=a, name="General admission", quantity=50)
    TicketFactory(show=b, name="General admission", quantity=50)
    cache.clear()
    return a, b


def page(show: Show) -> str:
    return f"/shows/{show.slug}/"


def state(client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response["X-Page-Cache"]


def pages(a: Show, b: Show) -> dict[str, str]:
    return {
        "a": page(a),
        "b": page(b),
        "home": "/",
        "list": "/shows/",
        "a_venue": f"/venues/{a.venue.slug}/",
        "b_venue": f"/venues/{b.venue.slug}/",
        "a_performer": f"/performers/{a.performers.get().slug}/",
        "a_producer": f"/producers/{a.producer.slug}/",
        "sitemap": "/sitemap.xml",
    }


def warm(client, paths: dict[str, str]) -> None:
    for path in paths.values():
        client.get(path)
    assert {name: state(client, path) for name, path in paths.items()} == dict.fromkeys(paths, "hit")


def forgotten(client, paths: dict[str, str]) -> set[str]:
    """The names of the pages rendered anew (the others came from the cache)."""
    states = {name: state(client, path) for name, path in paths.items()}
    assert set(states.values()) <= {"hit", "miss"}, states
    return {name for name, value in states.items() if value == "miss"}


# --- served from the cache ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["a", "home", "list", "a_venue", "a_performer", "a_producer", "sitemap"],
)
def test_a_public_page_is_served_from_the_cache_without_a_query(client, world, path, django_assert_num_queries):
    target = pages(*world)[path]
    first = client.get(target)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get(target)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_a_cached_public_page_says_shared_caches_may_keep_it_briefly(client, world):
    client.get(page(world[0]))
    response = client.get(page(world[0]))
    assert response["Cache-Control"] == f"public, max-age=0, s-maxage={N}"
    assert {"Cookie", "HX-Request", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}
    assert not response.cookies


def test_the_sitemap_keeps_its_own_cache_lifetime(client, world):
    client.get("/sitemap.xml")
    response = client.get("/sitemap.xml")
    assert response["X-Page-Cache"] == "hit"
    assert response["Cache-Control"] == "public, max-age=900"


def test_the_query_string_counts_only_where_the_page_reads_it(client, world):
    a, _ = world
    assert state(client, page(a)) == "miss"
    assert state(client, page(a) + "?utm_source=newsletter") == "hit"  # a show page reads no query
    assert state(client, "/shows/") == "miss"
    assert state(client, "/shows/?city=Minneapolis") == "miss"
    assert state(client, "/shows/?city=Minneapolis&utm_source=x") == "hit"
    assert state(client, "/shows/?city=Minneapolis&q=") == "hit"  # an empty filter is no filter
    filtered = client.get("/shows/?city=Minneapolis")
    assert "Owl Hour" in filtered.content.decode()
    assert "Friday Laughs" not in filtered.content.decode()


def test_htmx_fragments_and_full_pages_are_kept_apart(client, world):
    full = client.get("/shows/?city=Chicago")
    fragment = client.get("/shows/?city=Chicago", HTTP_HX_REQUEST="true")
    assert fragment["X-Page-Cache"] == "miss"
    assert b"<html" in full.content
    assert b"<html" not in fragment.content
    again = client.get("/shows/?city=Chicago", HTTP_HX_REQUEST="true")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == fragment.content
    assert again["HX-Push-Url"] == "/shows/?city=Chicago"
    restore = client.get("/shows/?city=Chicago", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert restore["X-Page-Cache"] == "miss"
    assert b"<html" in restore.content


def test_pages_go_gzip_compressed_to_clients_that_accept_it(client, world):
    plain = client.get(page(world[0]))
    compressed = client.get(page(world[0]), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["X-Page-Cache"] == "hit"
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content) / 3
    refused = client.get(page(world[0]), HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert not refused.has_header("Content-Encoding")


def test_with_the_cache_off_every_request_renders(client, world, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(page(world[0]))
    response = client.get(page(world[0]), HTTP_ACCEPT_ENCODING="gzip")
    assert response["X-Page-Cache"] == "off"
    assert response["Content-Encoding"] == "gzip"  # still compressed: a public page holds no secret
    assert cache.get(pagecache._tag_key("list")) is None  # nothing recorded


def test_a_draft_or_unknown_show_is_404_and_nothing_is_stored(client, world):
    a, _ = world
    Show.objects.filter(pk=a.pk).update(published=False)
    assert client.get(page(a)).status_code == 404
    assert client.get("/shows/nobody-has-this/").status_code == 404
    assert client.get(page(a)).status_code == 404


# --- forgotten when what they show changes ------------------------------------------------------------


def test_editing_a_show_forgets_its_page_and_the_lists_but_not_other_shows(client, world):
    a, b = world
    paths = pages(a, b)
    warm(client, paths)
    a.title = "Friday Laughs: Late Show"
    a.save()
    assert forgotten(client, paths) == {
        "a",
        "home",
        "list",
        "a_venue",
        "b_venue",
        "a_performer",
        "a_producer",
        "sitemap",
    }
    assert "Friday Laughs: Late Show" in client.get(page(a)).content.decode()


@pytest.mark.parametrize("kind", ["venue", "performer", "producer", "fees"])
def test_editing_what_a_show_page_shows_forgets_those_show_pages_only(client, world, kind):
    a, b = world
    paths = pages(a, b)
    warm(client, paths)
    if kind == "venue":
        a.venue.name = "Lyric Room Upstairs"
        a.venue.save()
    elif kind == "performer":
        performer = a.performers.get()
        performer.name = "Sam Rivera Jr"
        performer.save()
    elif kind == "producer":
        a.producer.name = "Laugh Track Live"
        a.producer.save()
    else:
        ProducerFinancial.objects.update_or_create(
            producer=a.producer, defaults={"platform_fee_percent": Decimal("5.00")}
        )
    assert forgotten(client, paths) == set(paths) - {"b"}


def test_a_ticket_type_change_forgets_its_show_page(client, world):
    a, b = world
    paths = pages(a, b)
    warm(client, paths)
    ticket = a.tickets.get()
    ticket.name = "Front row"
    ticket.price = Decimal("27.00")
    ticket.save()
    assert forgotten(client, paths) == set(paths) - {"b"}
    assert "Front row" in client.get(page(a)).content.decode()
    TicketFactory(show=b, name="Balcony")
    assert "b" in forgotten(client, paths)
    assert "a" not in forgotten(client, paths)


def test_a_ticket_type_moved_to_another_show_leaves_the_old_page(client, world):
    a, b = world
    warm(client, {"a": page(a), "b": page(b)})
    ticket = a.tickets.get()
    ticket.show = b
    ticket.save()
    assert state(client, page(a)) == "miss"
    assert state(client, page(b)) == "miss"


def test_unpublishing_or_deleting_a_show_takes_its_page_away_at_once(client, world):
    a, b = world
    warm(client, {"a": page(a), "b": page(b), "list": "/shows/"})
    a.published = False
    a.save()
    assert client.get(page(a)).status_code == 404
    assert "Friday Laughs" not in client.get("/shows/").content.decode()
    b.is_deleted, b.deleted_at = True, timezone.now()
    b.save()
    assert client.get(page(b)).status_code == 404


def test_the_lineup_and_the_page_design_forget_the_show_page(client, world):
    a, b = world
    paths = {"a": page(a), "b": page(b)}
    warm(client, paths)
    newcomer = PerformerFactory(name="Ada Okafor")
    a.performers.add(newcomer)
    assert forgotten(client, paths) == {"a"}
    assert "Ada Okafor" in client.get(page(a)).content.decode()
    newcomer.shows.add(b)  # from the performer's side
    assert forgotten(client, paths) == {"a", "b"}
    TicketPageDesign.objects.create(show=b, primary_color="#0B6E4F")
    assert forgotten(client, paths) == {"b"}
    assert "theme.css" in client.get(page(b)).content.decode()


def test_featuring_a_show_forgets_the_lists_only(client, world):
    a, b = world
    paths = pages(a, b)
    warm(client, paths)
    FeaturedShow.objects.create(show=b, order=1)
    assert forgotten(client, paths) == set(paths) - {"a"}  # b's placement tags its own page too
    assert "Owl Hour" in client.get("/").content.decode()


def test_an_edit_inside_a_transaction_is_forgotten_again_when_it_commits(
    client, world, django_capture_on_commit_callbacks
):
    a, _ = world
    client.get(page(a))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a.title = "Renamed"
        a.save()
    client.get(page(a))  # a request that read the rows before the commit stores them again...
    assert state(client, page(a)) == "hit"
    for callback in callbacks:
        callback()
    assert state(client, page(a)) == "miss"  # ...and the commit forgets it once more


# --- availability: never older than PAGE_CACHE_SECONDS -----------------------------------------------


def test_a_purchase_shows_on_the_page_within_the_stated_seconds(client, world, clock):
    a, _ = world
    ticket = a.tickets.get()
    assert "Only" not in client.get(page(a)).content.decode()
    # Checkout takes capacity with a conditional UPDATE (no signal, no edit): only time refreshes the page.
    Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=F("quantity") - 3)
    clock(N - 0.1)
    assert "Only 3 left" not in client.get(page(a)).content.decode()
    clock(0.2)
    fresh = client.get(page(a))
    assert fresh["X-Page-Cache"] == "miss"
    assert "Only 3 left" in fresh.content.decode()
    Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=F("quantity"))
    clock(N)
    assert "Sold out" in client.get(page(a)).content.decode()
    assert "Sold out" in client.get("/shows/").content.decode()


def test_one_request_renders_an_expired_page_while_the_others_get_it_for_a_moment_more(client, world, clock):
    a, _ = world
    client.get(page(a))
    clock(N + 0.5)
    key = pagecache._entry_key(RequestFactory().get(page(a)), ())
    cache.add(f"{key}:renewing", 1, timeout=pagecache.STALE_GRACE)  # another request is rendering it
    assert state(client, page(a)) == "stale"
    pagecache._nearby.clear()  # from the shared cache, too
    assert state(client, page(a)) == "stale"
    cache.delete(f"{key}:renewing")
    assert state(client, page(a)) == "miss"
    assert state(client, page(a)) == "hit"
    assert cache.get(key)["at"] == pagecache.clock()  # kept N + STALE_GRACE seconds, then gone


def test_checkout_re_checks_what_a_cached_page_offered(client, world):
    from tests.storefront.test_checkout_page import form_values
    from tests.storefront.test_show_page import parse

    a, _ = world
    ticket = a.tickets.get()
    assert "Sold out" not in client.get(page(a)).content.decode()
    checkout = client.get(f"/shows/{a.slug}/checkout/", {f"qty_{ticket.pk}": "2"})
    assert "no-cache" in checkout["Cache-Control"]
    assert not checkout.has_header("X-Page-Cache")  # never from the page cache
    data = form_values(parse(checkout)) | {"first_name": "A", "last_name": "B", "email": "a@example.com"}
    Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=F("quantity"))
    assert client.get(page(a))["X-Page-Cache"] == "hit"  # the page still offers it...
    response = client.post(f"/shows/{a.slug}/checkout/", data | {"action": "pay"})
    assert response.status_code == 422  # ...checkout counts for itself
    assert "sold out" in response.content.decode().lower()
    assert a.orders.count() == 0


# --- nothing per visitor is shared ------------------------------------------------------------------


def test_two_visitors_each_get_their_own_csrf_token_and_both_can_check_out(world):
    a, _ = world
    ticket = a.tickets.get()
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for visitor in (one, two):
        show_page = visitor.get(page(a))
        assert b"csrfmiddlewaretoken" not in show_page.content
        assert not show_page.cookies  # the show page hands out no per-visitor cookie
    assert two.get(page(a))["X-Page-Cache"] == "hit"
    tokens = []
    for visitor in (one, two):
        checkout = visitor.get(f"/shows/{a.slug}/checkout/", {f"qty_{ticket.pk}": "1"})
        assert checkout["X-Robots-Tag"] == "noindex, nofollow"
        tokens.append(re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', checkout.content).group(1))
    assert tokens[0] != tokens[1]
    assert one.cookies["csrftoken"].value != two.cookies["csrftoken"].value
    for visitor, token in zip((one, two), tokens, strict=True):
        answer = visitor.post(
            f"/shows/{a.slug}/checkout/",
            {"csrfmiddlewaretoken": token.decode(), f"qty_{ticket.pk}": "1", "action": "price"},
            HTTP_HX_REQUEST="true",
        )
        assert answer.status_code == 200
        assert "Total" in answer.content.decode()
    stranger = one.post(
        f"/shows/{a.slug}/checkout/",
        {"csrfmiddlewaretoken": tokens[1].decode(), f"qty_{ticket.pk}": "1", "action": "price"},
    )
    assert stranger.status_code == 403  # one visitor's token is no good to another


def test_a_signed_in_producer_gets_the_page_fresh_and_it_is_not_stored(client, world):
    a, _ = world
    owner = MembershipFactory(producer=a.producer).user
    staff = UserFactory(username="staffer", is_staff=True)
    for user in (owner, staff):
        signed_in = Client()
        signed_in.force_login(user)
        response = signed_in.get(page(a))
        assert response["X-Page-Cache"] == "bypass"
        assert response["Cache-Control"] == "private, max-age=0"
        assert "Cookie" in response["Vary"]
        assert signed_in.get(page(a))["X-Page-Cache"] == "bypass"
    assert state(client, page(a)) == "miss"  # nothing stored for the anonymous visitor to get


def test_messages_waiting_for_a_visitor_are_shown_to_them_not_stored(client, world):
    client.get("/")
    assert state(client, "/") == "hit"
    response = client.post("/subscribe/", {"email": "fan@example.com"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/#subscribe", 303)]
    assert response["X-Page-Cache"] == "bypass"
    assert "on the list" in response.content.decode()
    assert "on the list" not in Client().get("/").content.decode()


def test_a_promo_link_is_never_served_from_or_into_the_cache(client, world):
    a, _ = world
    assert state(client, page(a) + "?promo=LAUGH10") == "bypass"
    assert state(client, page(a)) == "miss"


def test_a_page_that_hands_out_a_csrf_token_or_a_cookie_is_never_stored(rf, caplog):
    calls = []

    @pagecache.cached_page()
    def with_token(request):
        calls.append(1)
        return HttpResponse(f"<p>{get_token(request)}</p>" * 100)

    @pagecache.cached_page()
    def with_cookie(request):
        calls.append(1)
        response = HttpResponse("x" * 1000)
        response.set_cookie("seen", "1")
        return response

    for view in (with_token, with_cookie):
        for _ in range(2):
            response = view(rf.get("/somewhere/"))
            assert response["X-Page-Cache"] == "uncacheable"
            assert "public" not in response.get("Cache-Control", "")
    assert len(calls) == 4
    assert "Not caching /somewhere/" in caplog.text


def test_only_get_and_head_are_cached(rf):
    @pagecache.cached_page()
    def view(request):
        return HttpResponse("ok" * 400)

    assert view(rf.post("/x/"))["X-Page-Cache"] == "bypass"
    assert view(rf.head("/x/"))["X-Page-Cache"] == "miss"
    assert view(rf.get("/x/"))["X-Page-Cache"] == "hit"


def test_forget_does_nothing_while_the_cache_is_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    pagecache.forget("show:1")
    assert cache.get(pagecache._tag_key("show:1")) is None


# --- the cache down ---------------------------------------------------------------------------------


def test_with_redis_down_pages_are_served_from_the_database(client, world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "piquetickets.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    a, _ = world
    for _ in range(2):
        response = client.get(page(a))
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"
        assert "Friday Laughs" in response.content.decode()
    a.title = "Still editable"
    a.save()  # forgetting with the cache down is no error
    assert "Still editable" in client.get(page(a)).content.decode()
    assert client.get("/shows/").status_code == 200


@pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL run)")
def test_on_redis_a_page_stored_by_one_process_is_served_to_another(client, world):
    from django.core.cache import caches

    from piquetickets.core.cache import RedisCache

    assert isinstance(caches["default"], RedisCache)
    a, _ = world
    client.get(page(a))
    caches["default"]._cache._clients.clear()  # as a fresh worker process would connect
    pagecache._nearby.clear()
    assert state(client, page(a)) == "hit"
    a.title = "Forgotten everywhere"
    a.save()
    assert "Forgotten everywhere" in client.get(page(a)).content.decode()


def test_an_old_show_leaves_lists_on_its_own_within_the_stated_seconds(client, world, clock):
    a, _ = world
    assert "Friday Laughs" in client.get("/shows/").content.decode()
    ago = timezone.now() - timedelta(hours=3)
    Show.objects.filter(pk=a.pk).update(door_time=ago, start_time=ago, end_time=ago + timedelta(hours=2))
    clock(N)
    assert "Friday Laughs" not in client.get("/shows/").content.decode()


def test_a_process_keeps_only_the_entries_it_served_last(client, world, monkeypatch):
    monkeypatch.setattr(pagecache, "NEARBY_ENTRIES", 2)
    a, b = world
    for path in (page(a), page(b), "/shows/"):
        client.get(path)
    assert len(pagecache._nearby) == 2
    assert state(client, page(a)) == "hit"  # from the shared cache, then kept here again
    assert len(pagecache._nearby) == 2
