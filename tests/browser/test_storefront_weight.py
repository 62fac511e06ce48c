"""What a buyer's browser downloads: a show page of the demo (poster, page design, performers,
several ticket types) asks nothing of another origin and needs at most 100 KB of HTML, CSS and
JavaScript as served compressed; every public page loads its pictures below the fold lazily.

Sizes are what goes over the wire: the page comes gzip-compressed from the page cache; static files
are counted gzip-compressed (level 9) as WhiteNoise serves them in production (its compressed copies
are made by ``collectstatic``, which the tests' development storage doesn't run).
"""

import gzip
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from piquetickets.shows.models import Show, TicketPageDesign
from tests.browser.conftest import DESKTOP, PHONE, new_context, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 100 * 1024  # bytes of HTML, CSS and JavaScript, compressed
COUNTED = {"document", "stylesheet", "script"}


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.PAGE_CACHE_SECONDS = 5  # as in production
    call_command("seed_demo", stdout=StringIO())


def _richest_show() -> Show:
    """The demo show with the most on its page: a page design, then the most ticket types and performers."""
    shows = list(Show.objects.published().upcoming().prefetch_related("tickets", "performers"))
    designed = set(TicketPageDesign.objects.values_list("show_id", flat=True))
    return max(shows, key=lambda s: (s.pk in designed, len(s.tickets.all()) + len(s.performers.all())))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_show_page_is_light_and_asks_no_other_origin(browser, live_server, demo, viewport):
    show = _richest_show()
    context = new_context(browser, **viewport)
    page = open_page(context)
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))
    origin = live_server.url
    page.goto(f"{origin}/shows/{show.slug}/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy pictures load too
    page.wait_for_load_state("networkidle")

    foreign = [r.url for r in seen if not r.url.startswith(("data:", "blob:")) and _origin(r.url) != origin]
    assert foreign == []
    weights = {}
    for request in seen:
        if request.resource_type not in COUNTED:
            continue
        response = request.response()
        assert response.ok, request.url
        encoding = response.headers.get("content-encoding", "")
        if encoding in ("gzip", "br"):
            size = request.sizes()["responseBodySize"]
        else:
            size = len(gzip.compress(response.body(), compresslevel=9))
        weights[urlsplit(request.url).path] = size
    document = urlsplit(page.url).path
    assert weights[document] < 15 * 1024, "the show page's HTML"
    total = sum(weights.values())
    print(f"show page at {viewport['viewport']['width']} px: {total / 1024:.1f} KB", sorted(weights.items()))
    assert total <= BUDGET, f"{total} bytes: {sorted(weights.items(), key=lambda kv: -kv[1])}"
    assert any(path.endswith(".css") for path in weights)
    assert any(path.endswith(".js") for path in weights)
    screenshot(page, f"weight-show-{viewport['viewport']['width']}")
    context.close()


def test_the_show_page_comes_compressed_from_the_cache(browser, live_server, demo):
    show = _richest_show()
    context = new_context(browser, **PHONE)
    page = open_page(context)
    first = page.goto(f"{live_server.url}/shows/{show.slug}/")
    again = page.goto(f"{live_server.url}/shows/{show.slug}/")
    assert first.headers["x-page-cache"] == "miss"
    assert again.headers["x-page-cache"] == "hit"
    assert again.headers["content-encoding"] == "gzip"
    context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


LAZY_CHECK = """() => Array.from(document.images).map((img) => ({
  src: img.currentSrc || img.src,
  top: img.getBoundingClientRect().top + window.scrollY,
  lazy: img.loading === "lazy",
}))"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_pictures_below_the_fold_load_lazily_on_every_public_page(browser, live_server, demo, viewport):
    show = _richest_show()
    paths = [
        "/",
        "/shows/",
        f"/shows/{show.slug}/",
        f"/venues/{show.venue.slug}/",
        f"/producers/{show.producer.slug}/",
        f"/performers/{show.performers.first().slug}/",
    ]
    context = new_context(browser, **viewport)
    page = open_page(context)
    height = viewport["viewport"]["height"]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        images = page.evaluate(LAZY_CHECK)
        assert images or path != "/", path
        # Well below the first screen (past twice its height) every picture waits for the buyer to scroll.
        eager_far_down = [img for img in images if img["top"] > 2 * height and not img["lazy"]]
        assert eager_far_down == [], path
        # What is in the first screen loads at once (a lazy picture there would come late).
        lazy_on_top = [img for img in images if img["top"] < height / 2 and img["lazy"]]
        assert lazy_on_top == [], path
    context.close()
