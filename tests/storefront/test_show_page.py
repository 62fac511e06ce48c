"""The show page, /shows/<slug>/: what, when (on the show's clock), where, who, every ticket type with
its all-in price and where its sale stands; the JSON-LD, OpenGraph and Twitter tags search engines and
share previews read; the producer's colours, kept readable; the calendar file; drafts and deleted
shows answer 404 to everyone."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from piquetickets.shows.models import Show, TicketPageDesign
from piquetickets.storefront.views.shows import contrast_ratio, show_theme
from tests.factories import (
    MembershipFactory,
    PerformerFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

# --- a small HTML tree to look things up in ----------------------------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    BLOCKS = {
        "p", "div", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "br", "section", "ul", "ol", "tr",
        "table", "legend", "fieldset", "form", "header", "aside", "caption", "button", "details", "summary",
    }  # fmt: skip

    def _raw(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.attrs.get("aria-hidden") == "true" or "hidden" in child.attrs:
                continue
            else:
                parts.append(f" {child._raw()} " if child.tag in self.BLOCKS else child._raw())
        return "".join(parts)

    def text(self) -> str:
        """The words as a screen reader strings them together: inline elements run on, blocks apart,
        nothing hidden (``hidden``, ``aria-hidden``; the stepper's buttons stay hidden without JavaScript)."""
        return " ".join(self._raw().split())

    def find_all(self, tag: str | None = None, **attrs) -> list["Node"]:
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag is None or child.tag == tag) and all(_matches(child, k, v) for k, v in wanted.items()):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag: str | None = None, **attrs) -> "Node":
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs}"
        return found[0]

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]


def _matches(node: Node, name: str, value) -> bool:
    if value is True:
        return name in node.attrs
    if name == "class":
        return value in (node.attrs.get("class") or "").split()
    return node.attrs.get(name) == value


class _TreeBuilder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: "" if value is None else value for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {n: "" if v is None else v for n, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response_or_html) -> Node:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


def meta(page: Node, key: str) -> str:
    """The content of ``<meta name=key>`` or ``<meta property=key>`` (exactly one of them)."""
    found = [m for m in page.find_all("meta") if key in (m.attrs.get("name"), m.attrs.get("property"))]
    assert len(found) == 1, f"{len(found)} <meta> {key}"
    return found[0]["content"]


def assert_no_inline_code(html: str) -> None:
    """No inline script or style the CSP would block (JSON data blocks are fine)."""
    for match in re.finditer(r"<script\b([^>]*)>", html):
        attributes = match.group(1)
        assert "src=" in attributes or 'type="application/ld+json"' in attributes, match.group(0)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


# --- the show ----------------------------------------------------------------------------------

# Friday 6 March 2026, 20:00 in Chicago (CST, UTC-6) is 02:00 UTC on Saturday 7 March.
START = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 2, 20, 18, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    """``timezone.now()`` is NOW for the show page's clock."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def night(db):
    producer = ProducerFactory(name="Laugh Track", support_email="help@laughtrack.example")
    venue = VenueFactory(
        name="The Lantern", address="1520 N Milwaukee Ave", city="Chicago", state="IL", zip_code="60622"
    )
    show = ShowFactory(
        title="Friday Laughs",
        producer=producer,
        venue=venue,
        start_time=START,
        door_time=START - timedelta(minutes=30),
        end_time=START + timedelta(hours=2),
        time_zone="America/Chicago",
        age_restriction=Show.AgeRestriction.AGE_21,
        refund_policy=Show.RefundPolicy.UNTIL_24H,
        description="<h1>Big night</h1><p>Stand-up &amp; friends.</p><script>alert(1)</script>",
        featured_video="https://www.youtube.com/watch?v=abc123XYZ",
        published_at=NOW - timedelta(days=3),
    )
    show.performers.set([PerformerFactory(name="Dana Reyes", city="Chicago"), PerformerFactory(name="Sam Whitfield")])
    general = TicketFactory(show=show, name="General admission", price=Decimal("20.00"), quantity=100, sort_order=0)
    TicketFactory(show=show, name="Front row", price=Decimal("35.00"), quantity=16, quantity_sold=13, sort_order=1)
    TicketFactory(show=show, name="Balcony", price=Decimal("15.00"), quantity=5, quantity_sold=5, sort_order=2)
    TicketFactory(
        show=show,
        name="Day of show",
        price=Decimal("25.00"),
        quantity=50,
        sort_order=3,
        sales_start=datetime(2026, 3, 6, 16, 0, tzinfo=UTC),  # Fri 6 Mar, 10:00 AM in Chicago
    )
    TicketFactory(
        show=show,
        name="Early bird",
        price=Decimal("15.00"),
        quantity=50,
        sort_order=4,
        sales_end=NOW - timedelta(days=1),
    )
    TicketFactory(show=show, name="Comp (hidden)", price=Decimal("0.00"), quantity=10, is_active=False)
    return show, general


def ticket_types(page: Node) -> dict[str, str]:
    rows = page.find("section", id="tickets").find_all("li", class_="ticket-type")
    return {row.find("h3").text(): row.text() for row in rows}


def test_the_show_page_says_what_when_where_and_who(client, night, frozen):
    show, _ = night
    response = client.get("/shows/friday-laughs/")

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text() == "Friday Laughs"
    assert len(page.find_all("h1")) == 1
    hero = page.find("section", class_="show-hero")
    assert "Laugh Track presents" in hero.text()
    assert "Friday 6 March 2026, 8:00 PM CST" in hero.text()
    facts = page.find("section", class_="show-facts")
    assert facts.find("time")["datetime"] == "2026-03-06T20:00:00-06:00"
    assert "Doors 7:30 PM · Show 8:00 PM · Ends 10:00 PM CST, Chicago time" in facts.text()
    assert "21 and over" in facts.text()
    assert "Refunds up to 24 hours before the show" in facts.text()
    venue = facts.find("a", href=f"/venues/{show.venue.slug}/")
    assert venue.text() == "The Lantern"
    assert "1520 N Milwaukee Ave Chicago, IL 60622" in facts.text()
    maps = facts.find("a", class_="show-fact__link")
    assert urlsplit(maps["href"]).netloc == "www.google.com"
    assert parse_qs(urlsplit(maps["href"]).query)["query"] == ["The Lantern, 1520 N Milwaukee Ave, Chicago, IL, 60622"]
    assert facts.find("a", href="/shows/friday-laughs/calendar.ics").text() == "Add to calendar"

    lineup = page.find("section", class_="show-lineup")
    performers = {a.text(): a["href"] for a in lineup.find_all("a")}
    assert performers == {
        "Dana Reyes": f"/performers/{show.performers.get(name='Dana Reyes').slug}/",
        "Sam Whitfield": f"/performers/{show.performers.get(name='Sam Whitfield').slug}/",
    }
    producer = page.find("section", class_="show-producer")
    assert producer.find("a", href=f"/producers/{show.producer.slug}/").text() == "Laugh Track"
    assert "help@laughtrack.example" in producer.text()


def test_the_description_is_sanitised_with_its_headings_below_the_page_title(client, night, frozen):
    response = client.get("/shows/friday-laughs/")
    about = parse(response).find("section", class_="show-about")

    html = response.content.decode()
    assert "alert(1)" not in html
    assert about.find("h3").text() == "Big night"
    assert "Stand-up & friends." in about.text()
    assert_no_inline_code(html)


def test_the_video_is_a_link_and_the_page_loads_nothing_from_another_site(client, night, frozen):
    response = client.get("/shows/friday-laughs/")
    page = parse(response)

    video = page.find("a", class_="show-video")
    assert video["href"] == "https://www.youtube.com/watch?v=abc123XYZ"
    assert video["rel"] == "noopener noreferrer"
    assert "Watch the video on YouTube (opens in a new tab)" in video.text()
    assert not page.find_all("iframe")
    loaded = [n.attrs.get("src") or n.attrs.get("href") for n in page.find_all() if n.tag in {"img", "script", "link"}]
    assert [url for url in loaded if url and url.startswith(("http:", "https:", "//"))] == [
        "http://localhost:8080/shows/friday-laughs/"  # the canonical link, which loads nothing
    ]


def test_every_ticket_type_with_its_all_in_price_and_sale(client, night, frozen):
    response = client.get("/shows/friday-laughs/")
    types = ticket_types(parse(response))

    # One ticket of $20.00: platform 3% + $0.99 = $1.59, processing 2.9% of $21.59 + $0.30 = $0.93;
    # of $35.00: $2.04 and $1.37; of $15.00: $1.44 and $0.78; of $25.00: $1.74 and $1.08.
    assert types == {
        "General admission": "General admission $22.52 incl. $2.52 fees On sale Quantity of General admission",
        "Front row": "Front row $38.41 incl. $3.41 fees Only 3 left Quantity of Front row",
        "Balcony": "Balcony $17.22 incl. $2.22 fees Sold out",
        "Day of show": "Day of show $27.82 incl. $2.82 fees On sale Fri 6 Mar, 10:00 AM CST",
        "Early bird": "Early bird $17.22 incl. $2.22 fees Sales ended",
    }
    picker = parse(response).find("form", class_="ticket-picker")
    assert picker["method"] == "get"
    assert picker["action"] == "/shows/friday-laughs/checkout/"
    quantities = {i["name"]: (i["min"], i["max"], i["value"]) for i in picker.find_all("input", type="number")}
    general, front = night[1].pk, night[0].tickets.get(name="Front row").pk
    assert quantities == {f"qty_{general}": ("0", "10", "0"), f"qty_{front}": ("0", "3", "0")}
    hero = parse(response).find("section", class_="show-hero")
    assert "Get tickets From $22.52 incl. fees" in hero.text()


def test_fees_taken_from_the_producer_are_not_added_to_the_price(client, night, frozen, settings):
    settings.FEES = {**settings.FEES, "PASSED_TO_BUYER": False}
    types = ticket_types(parse(client.get("/shows/friday-laughs/")))

    assert types["General admission"].startswith("General admission $20.00 On sale")


def test_the_pixel_reads_the_show_from_the_content_wrapper(client, night, frozen):
    wrapper = parse(client.get("/shows/friday-laughs/")).find("div", class_="show-page")

    assert {k: v for k, v in wrapper.attrs.items() if k.startswith("data-pixel")} == {
        "data-pixel-event": "ViewContent",
        "data-pixel-content-id": "friday-laughs",
        "data-pixel-content-name": "Friday Laughs",
        "data-pixel-value": "22.52",
        "data-pixel-currency": "USD",
    }


# --- search engines and share previews -------------------------------------------------------


def test_the_json_ld_event_checks_out_field_by_field(client, night, frozen):
    show, _ = night
    page = parse(client.get("/shows/friday-laughs/"))
    blocks = page.find_all("script", type="application/ld+json")
    assert len(blocks) == 1
    event = json.loads(blocks[0].text())

    assert event["@context"] == "https://schema.org"
    assert event["@type"] == "Event"
    assert event["name"] == "Friday Laughs"
    assert event["url"] == "http://localhost:8080/shows/friday-laughs/"
    assert event["startDate"] == "2026-03-06T20:00:00-06:00"
    assert event["endDate"] == "2026-03-06T22:00:00-06:00"
    assert event["doorTime"] == "2026-03-06T19:30:00-06:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == {
        "@type": "Place",
        "name": "The Lantern",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "1520 N Milwaukee Ave",
            "addressLocality": "Chicago",
            "addressRegion": "IL",
            "postalCode": "60622",
            "addressCountry": "US",
        },
        "url": f"http://localhost:8080/venues/{show.venue.slug}/",
    }
    assert event["description"] == "Big night Stand-up & friends."
    assert "image" not in event  # the show has no image
    assert event["organizer"] == {
        "@type": "Organization",
        "name": "Laugh Track",
        "url": f"http://localhost:8080/producers/{show.producer.slug}/",
    }
    assert [p["name"] for p in event["performer"]] == ["Dana Reyes", "Sam Whitfield"]
    assert all(p["@type"] == "PerformingGroup" and p["url"].startswith("http://localhost:8080/performers/")
               for p in event["performer"])  # fmt: skip
    assert event["typicalAgeRange"] == "21+"
    published = "2026-02-17T12:00:00-06:00"
    offer = {"@type": "Offer", "priceCurrency": "USD", "url": "http://localhost:8080/shows/friday-laughs/"}
    assert event["offers"] == [
        offer | {"name": "General admission", "price": "22.52", "availability": "https://schema.org/InStock",
                 "validFrom": published},
        offer | {"name": "Front row", "price": "38.41", "availability": "https://schema.org/InStock",
                 "validFrom": published},
        offer | {"name": "Balcony", "price": "17.22", "availability": "https://schema.org/SoldOut",
                 "validFrom": published},
        offer | {"name": "Day of show", "price": "27.82", "availability": "https://schema.org/PreOrder",
                 "validFrom": "2026-03-06T10:00:00-06:00"},
        offer | {"name": "Early bird", "price": "17.22", "availability": "https://schema.org/SoldOut",
                 "validFrom": published},
    ]  # fmt: skip


def test_nothing_a_producer_types_can_close_the_json_ld(client, night, frozen):
    show, _ = night
    Show.objects.filter(pk=show.pk).update(title="Night </script><script>alert(1)</script> & more")
    html = client.get("/shows/friday-laughs/").content.decode()

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert not set("<>&") & set(block)
    assert json.loads(block)["name"] == "Night </script><script>alert(1)</script> & more"


def test_canonical_description_opengraph_and_twitter_tags(client, night, frozen):
    show, _ = night
    variants = {
        "image": {
            "card": {"name": "shows/variants/poster-card.webp", "width": 640, "height": 360},
            "large": {"name": "shows/variants/poster-large.webp", "width": 1280, "height": 720},
        }
    }
    Show.objects.filter(pk=show.pk).update(image="shows/poster.png", image_variants=variants)
    page = parse(client.get("/shows/friday-laughs/"))

    assert page.find("link", rel="canonical")["href"] == "http://localhost:8080/shows/friday-laughs/"
    description = "Fri 6 Mar · The Lantern, Chicago. Big night Stand-up & friends."
    assert meta(page, "description") == description
    assert meta(page, "og:type") == "website"
    assert meta(page, "og:site_name") == "PiqueTickets"
    assert meta(page, "og:title") == "Friday Laughs"
    assert meta(page, "og:description") == description
    assert meta(page, "og:url") == "http://localhost:8080/shows/friday-laughs/"
    assert meta(page, "og:image") == "http://localhost:8080/media/shows/variants/poster-large.webp"
    assert meta(page, "og:image:alt") == "Friday Laughs"
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:title") == "Friday Laughs"
    assert meta(page, "twitter:description") == description
    assert meta(page, "twitter:image") == "http://localhost:8080/media/shows/variants/poster-large.webp"
    event = json.loads(page.find("script", type="application/ld+json").text())
    assert event["image"] == ["http://localhost:8080/media/shows/variants/poster-large.webp"]


def test_the_banner_comes_in_webp_sizes_and_is_preloaded(client, night, frozen):
    show, _ = night
    variants = {
        "banner_image": {
            "banner_small": {"name": "shows/banners/variants/b-banner_small.webp", "width": 800, "height": 400},
            "banner": {"name": "shows/banners/variants/b-banner.webp", "width": 1600, "height": 800},
        }
    }
    Show.objects.filter(pk=show.pk).update(banner_image="shows/banners/b.jpg", image_variants=variants)
    page = parse(client.get("/shows/friday-laughs/"))

    srcset = "/media/shows/banners/variants/b-banner_small.webp 800w, /media/shows/banners/variants/b-banner.webp 1600w"
    image = page.find("img", class_="show-hero__image")
    assert (image["src"], image["srcset"], image["sizes"]) == (
        "/media/shows/banners/variants/b-banner.webp",
        srcset,
        "(min-width: 72rem) 72rem, 100vw",
    )
    assert (image["width"], image["height"], image["alt"]) == ("1600", "800", "")
    preload = page.find("link", rel="preload")
    assert (preload["as"], preload["imagesrcset"], preload["imagesizes"]) == ("image", srcset, image["sizes"])


def test_share_links_are_plain_links(client, night, frozen):
    share = parse(client.get("/shows/friday-laughs/")).find("section", class_="show-share")
    links = {a.text().split(" (")[0]: a["href"] for a in share.find_all("a")}
    url = "http://localhost:8080/shows/friday-laughs/"

    assert parse_qs(urlsplit(links["X"]).query) == {"text": ["Friday Laughs — tickets on PiqueTickets"], "url": [url]}
    assert urlsplit(links["X"]).netloc == "x.com"
    assert parse_qs(urlsplit(links["Facebook"]).query) == {"u": [url]}
    assert parse_qs(urlsplit(links["WhatsApp"]).query) == {"text": [f"Friday Laughs — tickets on PiqueTickets {url}"]}
    assert links["Email"].startswith("mailto:?")
    assert parse_qs(urlsplit(links["Email"]).query)["body"] == [f"Friday Laughs — tickets on PiqueTickets\n{url}"]
    assert share.find("button", data_copy_link=url)
    assert share.find("input", id="share-url")["value"] == url


# --- the producer's colours, readable whatever they are -----------------------------------------


def _variables(css: str) -> dict[str, str]:
    return dict(re.findall(r"--show-([a-z-]+):(#[0-9a-f]{6})", css))


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


PAIRS = [("on-accent", "accent"), ("on-accent-hover", "accent-hover"), ("on-hero", "hero"), ("hero-muted", "hero")]


@pytest.mark.parametrize(
    ("primary", "secondary"),
    [
        ("#FFFF00", "#FFFFFF"),
        ("#777777", "#888888"),
        ("#000000", "#000000"),
        ("#B3125B", "#1F1A2E"),
        ("#7F7F7F", "#7F7F7F"),
    ],
)
def test_a_producer_palette_keeps_text_contrast_of_at_least_4_5(client, night, frozen, primary, secondary):
    show, _ = night
    TicketPageDesign.objects.create(show=show, primary_color=primary, secondary_color=secondary)
    page = parse(client.get("/shows/friday-laughs/"))
    href = [link["href"] for link in page.find_all("link", rel="stylesheet") if "/theme.css?v=" in link["href"]]
    assert len(href) == 1
    response = client.get(href[0])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    colours = _variables(response.content.decode())
    assert colours["accent"] == primary.lower()
    assert colours["hero"] == secondary.lower()
    for text, background in PAIRS:
        assert contrast_ratio(_rgb(colours[text]), _rgb(colours[background])) >= 4.5, (text, background, colours)
    for surface in ("#ffffff", "#f6f4f8"):  # the accent as text on the cards and the page
        assert contrast_ratio(_rgb(colours["accent-ink"]), _rgb(surface)) >= 4.5


def test_over_a_background_image_the_veil_keeps_the_text_readable_on_any_pixel():
    design = TicketPageDesign(
        primary_color="#B3125B", secondary_color="#8899AA", background_image="shows/backgrounds/x.jpg"
    )
    theme = show_theme(design)

    hero, text = _rgb(theme.hero), _rgb(theme.on_hero)
    for pixel in ((255, 255, 255), (0, 0, 0)):
        seen = tuple(round(p + (h - p) * theme.hero_veil) for p, h in zip(pixel, hero, strict=True))
        assert contrast_ratio(text, seen) >= 4.5
    assert theme.hero_veil < 1
    assert 'url("/media/shows/backgrounds/x.jpg")' in theme.css()


def test_an_old_design_address_gets_the_current_design_briefly(client, night, frozen):
    show, _ = night
    TicketPageDesign.objects.create(show=show, primary_color="#0E6BA8", secondary_color="#0B132B")
    response = client.get("/shows/friday-laughs/theme.css?v=000000000000")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert _variables(response.content.decode())["accent"] == "#0e6ba8"


def test_a_show_without_a_design_links_no_stylesheet_and_has_none(client, night, frozen):
    page = parse(client.get("/shows/friday-laughs/"))

    assert not [link for link in page.find_all("link", rel="stylesheet") if "theme.css" in link["href"]]
    assert client.get("/shows/friday-laughs/theme.css?v=abc").status_code == 404


# --- calendar --------------------------------------------------------------------------------------


def test_add_to_calendar_is_an_ics_file_of_the_show(client, night, frozen):
    show, _ = night
    response = client.get("/shows/friday-laughs/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="friday-laughs.ics"'
    text = response.content.decode().replace("\r\n ", "")
    lines = text.split("\r\n")
    assert f"UID:show-{show.pk}@localhost" in lines
    assert "DTSTART:20260307T020000Z" in lines
    assert "DTEND:20260307T040000Z" in lines
    assert "SUMMARY:Friday Laughs" in lines
    assert "LOCATION:The Lantern\\, 1520 N Milwaukee Ave\\, Chicago\\, IL 60622" in lines
    assert "URL:http://localhost:8080/shows/friday-laughs/" in lines
    assert "DESCRIPTION:Doors 7:30 PM · Show 8:00 PM CST\\nBig night Stand-up & friends.\\nTickets: " in text
    assert (lines[0], lines[-2]) == ("BEGIN:VCALENDAR", "END:VCALENDAR")


# --- who may see it ------------------------------------------------------------------------------


SHOW_URLS = ["/shows/{slug}/", "/shows/{slug}/calendar.ics", "/shows/{slug}/checkout/", "/checkout/?show={slug}"]


@pytest.mark.parametrize("url", SHOW_URLS)
def test_drafts_are_404_to_everyone_including_other_producers(client, url):
    draft = ShowFactory(title="Secret Draft", published=False)
    TicketFactory(show=draft)
    outsider = MembershipFactory(producer=ProducerFactory()).user

    assert client.get(url.format(slug=draft.slug)).status_code == 404
    client.force_login(outsider)
    assert client.get(url.format(slug=draft.slug)).status_code == 404


@pytest.mark.parametrize("url", SHOW_URLS)
def test_deleted_shows_are_404(client, url):
    show = ShowFactory(title="Gone Show")
    TicketFactory(show=show)
    Show.all_objects.filter(pk=show.pk).update(is_deleted=True, deleted_at=timezone.now())

    assert client.get(url.format(slug=show.slug)).status_code == 404


def test_an_unknown_show_is_404(client, db):
    assert client.get("/shows/no-such-show/").status_code == 404


def test_the_page_reads_the_same_number_of_rows_however_many_tickets_and_performers(
    client, django_assert_num_queries, frozen
):
    small = ShowFactory(title="Small", start_time=START, end_time=START + timedelta(hours=2))
    TicketFactory(show=small)
    small.performers.set([PerformerFactory()])
    big = ShowFactory(title="Big", start_time=START, end_time=START + timedelta(hours=2))
    for n in range(6):
        TicketFactory(show=big, name=f"Type {n}")
    big.performers.set([PerformerFactory() for _ in range(5)])

    with django_assert_num_queries(3):  # the show with venue, producer, fees, design; its performers; its tickets
        assert client.get("/shows/small/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/shows/big/").status_code == 200


def test_a_show_that_has_ended_still_has_its_page_but_sells_nothing(client, db):
    show = ShowFactory(
        title="Last Week",
        start_time=timezone.now() - timedelta(days=7),
        end_time=timezone.now() - timedelta(days=7, hours=-2),
    )
    TicketFactory(show=show)
    page = parse(client.get(f"/shows/{show.slug}/"))

    assert "This show has ended" in page.find("section", class_="show-hero").text()
    assert not page.find_all("input", type="number")
    assert "Sales ended" in page.find("section", id="tickets").text()


def test_head_requests_are_answered_like_get(client, night, frozen):
    assert client.head("/shows/friday-laughs/").status_code == 200
    assert client.head("/shows/friday-laughs/calendar.ics").status_code == 200


def test_a_show_with_no_ticket_types_yet_offers_nothing_in_its_json_ld(client, frozen):
    ShowFactory(title="Coming Soon", start_time=START, end_time=START + timedelta(hours=2))
    page = parse(client.get("/shows/coming-soon/"))

    assert "offers" not in json.loads(page.find("script", type="application/ld+json").text())
    assert "Tickets aren't on sale yet. Check back soon." in page.find("section", id="tickets").text()


def test_pay_what_you_can_from_nothing_says_so_rather_than_free(client, frozen):
    show = ShowFactory(title="New Material", start_time=START, end_time=START + timedelta(hours=2))
    TicketFactory(show=show, name="Pay what you can", price=Decimal("0.00"), is_donation_based=True)
    page = parse(client.get("/shows/new-material/"))

    assert ticket_types(page)["Pay what you can"].startswith("Pay what you can Pay what you can On sale")
    assert "Get tickets Pay what you can" in page.find("section", class_="show-hero").text()
