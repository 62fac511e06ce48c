"""The show page and everything a buyer does from it: its calendar file and colours, the one-page
checkout, the seed's aliases, and "email me my tickets again".

- ``/shows/<slug>/``: what, when (in the show's own time zone), where, who, every ticket type with its
  all-in price and availability, add to calendar, share links, schema.org ``Event`` JSON-LD and the
  OpenGraph/Twitter tags. Drafts and deleted shows are 404 for everyone. The producer's page design
  comes as a small stylesheet at ``/shows/<slug>/theme.css?v=<version>`` (the CSP allows no inline
  style), with text contrast of at least 4.5:1 whatever colours the producer picked.
- ``/shows/<slug>/checkout/``: quantities, donations, promo code, buyer and ticket-holder names on one
  page; the live total comes from the same pricing function the order is made with. htmx posts the
  form with ``action=price|promo|remove_promo|update`` and gets back only the parts that change
  (``_checkout_live.html``, out-of-band swaps); without JavaScript the same actions re-render the
  page. ``action=pay`` parses the form with the API's own serializer (``CheckoutSerializer``) and calls
  the API's service (``checkout_start``) with the total the buyer saw and an idempotency key, then
  sends the buyer on (303) to pay. A refusal re-renders the page (422) with the input kept and the
  message by its field; nothing is written.
- ``/orders/resend/``: the links to an address's orders, by email, with the same answer whether or
  not it has any.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import strip_tags
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from piquetickets.core.cache import window_hits
from piquetickets.core.errors import ApplicationError
from piquetickets.core.fields import sanitize_html
from piquetickets.core.http import client_ip
from piquetickets.core.images import image_payload
from piquetickets.core.money import format_money, quantize
from piquetickets.core.pagecache import cached_page, kept_rows, page_tags
from piquetickets.emails.services import email_queue
from piquetickets.orders.api import CheckoutLineSerializer, CheckoutSerializer
from piquetickets.orders.errors import PromoCodeInvalid
from piquetickets.orders.models import Order
from piquetickets.orders.pricing import CartLine, PricedCart, fee_policy_for, price_cart
from piquetickets.orders.services import Buyer, checkout_quote, checkout_start, promo_code_find
from piquetickets.orders.tickets import _ics_fold, _ics_text, _ics_utc, clock_time, order_page_url, show_local
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tracking import meta_purchase_browser_remember
from piquetickets.shows.models import Show, Ticket, TicketPageDesign, TicketPromoCode
from piquetickets.shows.selectors import show_detail_queryset, tickets_left
from piquetickets.subscribers.services import subscriber_signup

logger = logging.getLogger(__name__)

ONLY_FEW_LEFT = 10  # "Only N left" from this many down
SITE_NAME = "PiqueTickets"


# --- the show -------------------------------------------------------------------------------------


def _public_show(slug: str) -> Show:
    """The published, not deleted show ``slug`` with what its page shows, or 404 (drafts are nobody's
    to see here, their own producer's neither: the portal previews them)."""
    show = (
        show_detail_queryset(active_tickets_only=True, with_price_from=False)
        .select_related("producer__financial")
        .filter(published=True, slug=slug)
        .first()
    )
    if show is None:
        raise Http404("No such show.")
    return show


def _page_show(slug: str, *, with_tickets_left: bool = True) -> Show:
    """:func:`_public_show` for the show page and its stylesheet: the rows kept between renders while
    no edit forgets them (``core.pagecache.kept_rows``), the tickets left read now (one query) unless
    ``with_tickets_left`` is false (the stylesheet shows none). When the ticket types read now are not
    those kept, the rows are read again."""
    show = kept_rows(f"show:{slug}", partial(_public_show, slug), tags=show_page_tags)
    if not settings.PAGE_DATA_SECONDS or not with_tickets_left:
        return show  # just read, with their availability; or for what needs none
    left = tickets_left(show_id=show.pk)
    if set(left) != {ticket.pk for ticket in show.ticket_types}:
        return _public_show(slug)
    for ticket in show.ticket_types:
        ticket.quantity_sold, ticket.held, ticket.remaining = left[ticket.pk]
    return show


def absolute_url(url: str) -> str:
    """``url`` on the site's address when it is a path (media on this site), else as it is."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _show_url(show: Show) -> str:
    return f"{settings.SITE_URL}{reverse('storefront:show', args=[show.slug])}"


def _local_label(show: Show, value: datetime) -> str:
    """``Fri 5 Dec, 10:00 AM CST``: a moment on the show's clock, short."""
    local = show_local(show, value)
    return f"{local:%a} {local.day} {local:%b}, {clock_time(local)} {zone_abbreviation(local)}"


def _iso(show: Show, value: datetime) -> str:
    """ISO 8601 with the show's UTC offset, e.g. ``2026-03-06T20:00:00-06:00``."""
    return show_local(show, value).replace(microsecond=0).isoformat()


def show_when(show: Show) -> dict:
    """The show's date and times on its own clock, with the zone."""
    start = show_local(show, show.start_time)
    end = show_local(show, show.end_time)
    doors = show_local(show, show.door_time) if show.door_time else None
    end_label = clock_time(end)
    if end.date() != start.date():
        end_label = f"{end_label} ({end:%a})"
    return {
        "date": f"{start:%A} {start.day} {start:%B} {start.year}",
        "short_date": f"{start:%a} {start.day} {start:%b}",
        "month": f"{start:%b}",
        "day": start.day,
        "doors": clock_time(doors) if doors else "",
        "doors_iso": _iso(show, show.door_time) if doors else "",
        "start": clock_time(start),
        "start_iso": _iso(show, show.start_time),
        "end": end_label,
        "end_iso": _iso(show, show.end_time),
        "zone": zone_abbreviation(start),
        "zone_place": show.time_zone.rsplit("/", 1)[-1].replace("_", " "),
    }


_HEADINGS = re.compile(r"<(/?)h[12](?=[\s>])", re.IGNORECASE)


def rich_text(value: str) -> str:
    """A producer's rich text, safe to show: sanitised again (it was on save) with its top-level
    headings made ``h3`` (the page has one ``h1`` and its own ``h2`` sections)."""
    return sanitize_html(_HEADINGS.sub(r"<\1h3", value or ""))


_BLOCK_TAGS = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|br|hr|blockquote|pre)\b[^>]*>", re.IGNORECASE)


def plain_text(value: str, *, limit: int | None = None) -> str:
    """Rich text as one line of plain text (tags dropped, blocks apart, entities decoded), cut at ``limit``."""
    text = " ".join(html.unescape(strip_tags(_BLOCK_TAGS.sub(" ", value or ""))).split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return text


@dataclass
class Offer:
    """A ticket type as the pages show it: price with fees, where its sale stands, how many one may buy."""

    ticket: Ticket
    state: str  # on_sale, not_yet, ended, sold_out
    remaining: int
    max_quantity: int
    all_in: Decimal
    price_label: str
    fees_label: str
    status_label: str
    badge: str  # success, warning, danger, neutral
    description: str

    @property
    def on_sale(self) -> bool:
        return self.state == "on_sale"

    @property
    def field(self) -> str:
        return f"qty_{self.ticket.pk}"

    @property
    def amount_field(self) -> str:
        return f"amount_{self.ticket.pk}"

    @property
    def availability(self) -> str:
        """schema.org's word for it."""
        return {"on_sale": "InStock", "not_yet": "PreOrder"}.get(self.state, "SoldOut")


def _one_ticket_price(show: Show, ticket: Ticket, policy) -> PricedCart:
    return price_cart(show=show, lines=[CartLine(ticket=ticket, quantity=1)], promo=None, policy=policy)


def show_offers(show: Show, *, now: datetime | None = None) -> list[Offer]:
    """Every active ticket type of ``show`` (``show.ticket_types``, with availability), priced for one
    ticket by the one pricing function: fees included when the buyer pays them."""
    now = now or timezone.now()
    policy = fee_policy_for(show=show)
    currency = show.currency
    offers = []
    for ticket in show.ticket_types:
        remaining = max(int(getattr(ticket, "remaining", 0) or 0), 0)
        if show.end_time <= now or (ticket.sales_end is not None and ticket.sales_end <= now):
            state, status, badge = "ended", "Sales ended", "neutral"
        elif ticket.sales_start is not None and ticket.sales_start > now:
            state, status, badge = "not_yet", f"On sale {_local_label(show, ticket.sales_start)}", "neutral"
        elif remaining == 0:
            state, status, badge = "sold_out", "Sold out", "danger"
        elif remaining <= ONLY_FEW_LEFT:
            state, status, badge = "on_sale", f"Only {remaining} left", "warning"
        else:
            state, status, badge = "on_sale", "On sale", "success"
        priced = _one_ticket_price(show, ticket, policy)
        fees = priced.platform_fee + priced.processing_fee if priced.fees_passed_to_buyer else Decimal(0)
        if ticket.is_donation_based:
            price_label = f"From {format_money(priced.total, currency)}" if priced.total else "Pay what you can"
        elif priced.total == 0:
            price_label = "Free"
        else:
            price_label = format_money(priced.total, currency)
        fees_label = f"incl. {format_money(fees, currency)} fees" if fees else ""
        limits = [remaining, show.max_tickets_per_order, ticket.max_per_order or show.max_tickets_per_order]
        offers.append(
            Offer(
                ticket=ticket,
                state=state,
                remaining=remaining,
                max_quantity=min(limits) if state == "on_sale" else 0,
                all_in=priced.total,
                price_label=price_label,
                fees_label=fees_label,
                status_label=status,
                badge=badge,
                description=rich_text(ticket.description),
            )
        )
    return offers


def _picture(instance, field_name: str, names: tuple[str, ...]) -> dict | None:
    """``src``, ``srcset``, ``width`` and ``height`` of an uploaded image's WebP renditions ``names``
    (the original alone until they are made)."""
    payload = image_payload(instance, field_name)
    if payload is None:
        return None
    variants = sorted(
        (payload["variants"][name] for name in names if name in payload["variants"]), key=lambda v: v["width"]
    )
    if not variants:
        return {"src": payload["url"], "srcset": "", "width": None, "height": None, "largest": payload["url"]}
    largest = variants[-1]
    return {
        "src": largest["url"],
        "srcset": ", ".join(f"{v['url']} {v['width']}w" for v in variants),
        "width": largest["width"],
        "height": largest["height"],
        "largest": largest["url"],
    }


def show_banner(show: Show) -> dict | None:
    """The show's banner (its wide banner image, else its main image) for the top of its page."""
    return _picture(show, "banner_image", ("banner_small", "banner")) or _picture(show, "image", ("card", "large"))


BANNER_SIZES = "(min-width: 72rem) 72rem, 100vw"


def _video_link(url: str) -> dict | None:
    """The featured video as a link (the page loads nothing from another site: no frame, no thumbnail)."""
    if not url or not url.startswith(("https://", "http://")):
        return None
    host = re.sub(r"^www\.|^m\.", "", url.split("/", 3)[2].split(":")[0].lower())
    site = {"youtube.com": "YouTube", "youtu.be": "YouTube", "youtube-nocookie.com": "YouTube"}.get(host)
    site = site or {"vimeo.com": "Vimeo", "player.vimeo.com": "Vimeo"}.get(host, host)
    return {"url": url, "site": site}


def _map_url(show: Show) -> str:
    venue = show.venue
    query = ", ".join(p for p in (venue.name, venue.address, venue.city, venue.state, venue.zip_code) if p)
    return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": query})


def _venue_address_lines(venue) -> list[str]:
    region = " ".join(part for part in (venue.state, venue.zip_code) if part)
    second = ", ".join(part for part in (venue.city, region) if part)
    lines = [venue.address, second]
    if venue.country and venue.country != "US":
        lines.append(venue.country)
    return [line for line in lines if line]


def _share_links(show: Show, url: str) -> list[dict]:
    text = f"{show.title} — tickets on {SITE_NAME}"
    return [
        {
            "label": "Email",
            "kind": "email",
            "url": "mailto:?" + urlencode({"subject": show.title, "body": f"{text}\n{url}"}, quote_via=quote),
        },
        {"label": "X", "kind": "x", "url": "https://x.com/intent/post?" + urlencode({"text": text, "url": url})},
        {
            "label": "Facebook",
            "kind": "facebook",
            "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {"label": "WhatsApp", "kind": "whatsapp", "url": "https://wa.me/?" + urlencode({"text": f"{text} {url}"})},
    ]


# --- the producer's colours, kept readable ----------------------------------------------------------

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
INK = (29, 27, 34)  # --pq-ink
CANVAS = (246, 244, 248)  # --pq-canvas
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for body text


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two sRGB colours, 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], share_of_b: float) -> tuple[int, int, int]:
    """``a`` with ``share_of_b`` of ``b`` blended in, as a browser composites (in sRGB)."""
    return tuple(round(x + (y - x) * share_of_b) for x, y in zip(a, b, strict=True))


def text_on(background: tuple[int, int, int], *others: tuple[int, int, int]) -> tuple[int, int, int]:
    """The text colour for ``background`` (and every colour in ``others`` it may also sit on): the
    site's ink or white, whichever reads better, or plain black or white when neither reaches 4.5:1."""
    backgrounds = (background, *others)
    for candidates in ((INK, WHITE), (BLACK, WHITE)):
        best = max(candidates, key=lambda c: min(contrast_ratio(c, bg) for bg in backgrounds))
        if min(contrast_ratio(best, bg) for bg in backgrounds) >= MIN_CONTRAST:
            return best
    return max((BLACK, WHITE), key=lambda c: min(contrast_ratio(c, bg) for bg in backgrounds))


def readable_on_light(color: tuple[int, int, int], *backgrounds: tuple[int, int, int]) -> tuple[int, int, int]:
    """``color`` as text on light ``backgrounds``: darkened step by step until it reaches 4.5:1 on each."""
    backgrounds = backgrounds or (WHITE, CANVAS)
    for step in range(21):
        candidate = _mix(color, BLACK, step / 20)
        if all(contrast_ratio(candidate, bg) >= MIN_CONTRAST for bg in backgrounds):
            return candidate
    return BLACK


@dataclass(frozen=True)
class Theme:
    """A show's page colours, each paired with a text colour that reads on it."""

    accent: str
    on_accent: str
    accent_hover: str
    on_accent_hover: str
    accent_ink: str
    hero: str
    on_hero: str
    hero_muted: str
    hero_image: str  # URL or ""
    hero_veil: float  # opacity of the hero colour over the image

    def css(self) -> str:
        rules = [
            ".show-theme{"
            f"--show-accent:{self.accent};--show-on-accent:{self.on_accent};"
            f"--show-accent-hover:{self.accent_hover};--show-on-accent-hover:{self.on_accent_hover};"
            f"--show-accent-ink:{self.accent_ink};--show-hero:{self.hero};--show-on-hero:{self.on_hero};"
            f"--show-hero-muted:{self.hero_muted};}}"
        ]
        if self.hero_image:
            r, g, b = _rgb(self.hero)
            veil = f"rgb({r} {g} {b} / {self.hero_veil:.2f})"
            url = self.hero_image.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "").replace("\r", "")
            rules.append(
                f'.show-theme .show-hero{{background-image:linear-gradient({veil},{veil}),url("{url}");'
                "background-size:cover;background-position:center;}"
            )
        return "\n".join(rules) + "\n"


def show_theme(design: TicketPageDesign) -> Theme:
    """The :class:`Theme` of a page design: the producer's colours as they chose them wherever they
    are backgrounds, with text that keeps a contrast of 4.5:1 or more on them.

    - Buttons are the primary colour, their text the site's ink or white, whichever reads (a colour
      always has one of black or white at 4.5:1 or more); hover is the colour darkened.
    - Where the primary colour is itself text (prices, links) on the page's light cards, it is
      darkened until it reads there.
    - The band at the top is the secondary colour. Over a background image it is laid as a veil, just
      opaque enough that its text reads on the veil over a white pixel and over a black one alike.
    """
    accent = _rgb(design.primary_color)
    hero = _rgb(design.secondary_color)
    hover = _mix(accent, BLACK, 0.15)
    on_hero = text_on(hero)
    muted = _mix(on_hero, hero, 0.2)
    if contrast_ratio(muted, hero) < MIN_CONTRAST:
        muted = on_hero
    image, veil = "", 1.0
    if design.background_image:
        picture = _picture(design, "background_image", ("background",))
        image = picture["src"] if picture else ""
        for veil in (0.7, 0.78, 0.85, 0.9, 0.95, 1.0):
            over_white, over_black = _mix(WHITE, hero, veil), _mix(BLACK, hero, veil)
            if min(contrast_ratio(on_hero, over_white), contrast_ratio(on_hero, over_black)) >= MIN_CONTRAST:
                muted = on_hero  # no lighter grey on an image
                break
    return Theme(
        accent=_hex(accent),
        on_accent=_hex(text_on(accent)),
        accent_hover=_hex(hover),
        on_accent_hover=_hex(text_on(hover)),
        accent_ink=_hex(readable_on_light(accent)),
        hero=_hex(hero),
        on_hero=_hex(on_hero),
        hero_muted=_hex(muted),
        hero_image=image,
        hero_veil=veil,
    )


def _design(show: Show) -> TicketPageDesign | None:
    return getattr(show, "page_design", None)


def _design_version(design: TicketPageDesign) -> str:
    parts = [design.primary_color, design.secondary_color, design.background_image.name or ""]
    parts.append(json.dumps(design.image_variants or {}, sort_keys=True))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def design_stylesheet_url(show: Show) -> str:
    """Where the show's page design is served as a stylesheet, or ``""`` when it has none."""
    design = _design(show)
    if design is None:
        return ""
    return f"{reverse('storefront:show-theme', args=[show.slug])}?{urlencode({'v': _design_version(design)})}"


def _design_stylesheet(request, show: Show) -> HttpResponse:
    design = _design(show)
    if design is None:
        raise Http404("This show has no page design.")
    response = HttpResponse(show_theme(design).css(), content_type="text/css; charset=utf-8")
    current = request.GET.get("v") == _design_version(design)
    # The address names the design's version, so a current one never changes; an old one is
    # answered with the current design, briefly.
    response["Cache-Control"] = "public, max-age=31536000, immutable" if current else "public, max-age=300"
    return response


# --- search engines and sharing --------------------------------------------------------------------


def _json_for_script(data) -> str:
    """JSON for a ``<script type="application/ld+json">``: nothing in it can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def event_json_ld(show: Show, offers: list[Offer], *, url: str, images: list[str], description: str) -> str:
    """schema.org ``Event`` for the show, as Google's event results read it."""
    venue = show.venue
    address = {
        "@type": "PostalAddress",
        "streetAddress": venue.address,
        "addressLocality": venue.city,
        "addressRegion": venue.state,
        "postalCode": venue.zip_code,
        "addressCountry": venue.country,
    }
    event = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": show.title,
        "url": url,
        "startDate": _iso(show, show.start_time),
        "endDate": _iso(show, show.end_time),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": venue.name,
            "address": {key: value for key, value in address.items() if value},
            "url": f"{settings.SITE_URL}{reverse('storefront:venue', args=[venue.slug])}",
        },
        "description": description,
        "organizer": {
            "@type": "Organization",
            "name": show.producer.name,
            "url": f"{settings.SITE_URL}{reverse('storefront:producer', args=[show.producer.slug])}",
        },
    }
    offers_ld = [
        {
            "@type": "Offer",
            "name": offer.ticket.name,
            "price": str(offer.all_in),
            "priceCurrency": show.currency,
            "availability": f"https://schema.org/{offer.availability}",
            "validFrom": _iso(show, offer.ticket.sales_start or show.published_at or show.created_at),
            "url": url,
        }
        for offer in offers
    ]
    if offers_ld:
        event["offers"] = offers_ld
    if show.door_time:
        event["doorTime"] = _iso(show, show.door_time)
    if images:
        event["image"] = images
    performers = list(show.performers.all())
    if performers:
        event["performer"] = [
            {
                "@type": "PerformingGroup",
                "name": performer.name,
                "url": f"{settings.SITE_URL}{reverse('storefront:performer', args=[performer.slug])}",
            }
            for performer in performers
        ]
    if show.age_restriction != Show.AgeRestriction.ALL_AGES:
        event["typicalAgeRange"] = show.age_restriction
    return _json_for_script(event)


# --- the show page ---------------------------------------------------------------------------------


def _performers(show: Show) -> list[dict]:
    return [
        {
            "name": performer.name,
            "url": reverse("storefront:performer", args=[performer.slug]),
            "city": performer.city,
            "picture": _picture(performer, "image", ("avatar",)),
            "initials": "".join(word[0] for word in performer.name.split()[:2]).upper(),
        }
        for performer in show.performers.all()
    ]


def show_facts(show: Show) -> dict:
    """What the show page and the checkout say about the show, beyond its tickets."""
    venue = show.venue
    return {
        "when": show_when(show),
        "venue": {
            "name": venue.name,
            "url": reverse("storefront:venue", args=[venue.slug]),
            "address_lines": _venue_address_lines(venue),
            "map_url": _map_url(show),
        },
        "producer": {
            "name": show.producer.name,
            "url": reverse("storefront:producer", args=[show.producer.slug]),
            "support_email": show.producer.support_email,
        },
        "banner": show_banner(show),
        "banner_sizes": BANNER_SIZES,
        "design_css": design_stylesheet_url(show),
        "ended": show.end_time <= timezone.now(),
    }


def _cheapest_label(offers: list[Offer], cheapest: Decimal | None, currency: str) -> str:
    """What the band at the top says tickets cost from: ``$22.52``, ``Free``, ``Pay what you can``."""
    if cheapest is None:
        return ""
    if cheapest > 0:
        return format_money(cheapest, currency)
    free = [offer for offer in offers if offer.all_in == 0]
    return "Pay what you can" if all(offer.ticket.is_donation_based for offer in free) else "Free"


@require_safe
def show_theme_css(request, slug: str):
    """``/shows/<slug>/theme.css?v=<version>``: the show's page design (the producer's colours) as a stylesheet."""
    return _design_stylesheet(request, _page_show(slug, with_tickets_left=False))


@cached_page()
@require_safe
def show_detail(request, slug: str):
    """The show page (from the cache for up to ``PAGE_CACHE_SECONDS``, forgotten when the show, its
    tickets, venue, producer or performers change: ``core/pagecache.py``)."""
    show = _page_show(slug)
    page_tags(request, *show_page_tags(show))
    offers = show_offers(show)
    facts = show_facts(show)
    url = _show_url(show)
    description = plain_text(show.description)
    banner = facts["banner"]
    square = _picture(show, "square_image", ("square",))
    images = [absolute_url(p["largest"]) for p in (banner, square) if p]
    on_sale = [offer for offer in offers if offer.on_sale]
    cheapest = min((offer.all_in for offer in on_sale or offers), default=None)
    meta_description = description or f"{show.title} at {show.venue.name}, {facts['when']['date']}."
    context = {
        "show": show,
        "offers": offers,
        "on_sale": on_sale,
        "max_total": show.max_tickets_per_order,
        "facts": facts,
        "canonical": url,
        "meta_description": plain_text(
            f"{facts['when']['short_date']} · {show.venue.name}, {show.venue.city}. {meta_description}", limit=160
        ),
        "og_image": images[0] if images else "",
        "json_ld": event_json_ld(show, offers, url=url, images=images, description=description),
        "description_html": rich_text(show.description),
        "video": _video_link(show.featured_video),
        "performers": _performers(show),
        "share_links": _share_links(show, url),
        "cheapest": cheapest,
        "cheapest_label": _cheapest_label(on_sale or offers, cheapest, show.currency),
        "checkout_url": reverse("storefront:checkout", args=[show.slug]),
        "calendar_url": reverse("storefront:show-ics", args=[show.slug]),
    }
    response = render(request, "storefront/shows/show.html", context)
    return response


def show_page_tags(show: Show) -> list[str]:
    """What the show page shows (``core.pagecache`` tags): the show, its venue, producer and performers."""
    tags = [f"show:{show.pk}", f"venue:{show.venue_id}", f"producer:{show.producer_id}"]
    return tags + [f"performer:{performer.pk}" for performer in show.performers.all()]


# --- calendar file ---------------------------------------------------------------------------------


def show_ics(show: Show) -> bytes:
    """An iCalendar file (RFC 5545) with the show as one event, times in UTC, the same UID every time
    (so adding it again updates the entry), written with the order calendar's helpers."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0] or "piquetickets"
    url = _show_url(show)
    when = show_when(show)
    doors = f"Doors {when['doors']} · " if when["doors"] else ""
    summary = plain_text(show.description, limit=500)
    description = "\n".join(
        part for part in (f"{doors}Show {when['start']} {when['zone']}", summary, f"Tickets: {url}") if part
    )
    address = ", ".join([show.venue.name, *_venue_address_lines(show.venue)])
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PiqueTickets//Shows//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:show-{show.pk}@{host}",
        f"DTSTAMP:{_ics_utc(timezone.now())}",
        f"DTSTART:{_ics_utc(show.start_time)}",
        f"DTEND:{_ics_utc(show.end_time)}",
        f"SUMMARY:{_ics_text(show.title)}",
        f"LOCATION:{_ics_text(address)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{url}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(_ics_fold(line) for line in lines)


@require_safe
def show_calendar(request, slug: str):
    show = _public_show(slug)
    response = HttpResponse(show_ics(show), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{show.slug}.ics"'
    return response


# --- checkout --------------------------------------------------------------------------------------

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
LIVE_ACTIONS = {"price", "promo", "remove_promo", "update"}
MAX_INPUT = 254  # characters kept of any one field (the longest field, an email address, fits)

# The API's parsing rules, in the page's words: (field kind, DRF error code) -> message.
MESSAGES = {
    ("first_name", "required"): "Enter your first name.",
    ("first_name", "blank"): "Enter your first name.",
    ("last_name", "required"): "Enter your last name.",
    ("last_name", "blank"): "Enter your last name.",
    ("email", "required"): "Enter your email address.",
    ("email", "blank"): "Enter your email address.",
    ("email", "invalid"): "Enter an email address like name@example.com.",
    ("promo_code", "max_length"): "Promo codes are at most 40 characters long.",
    ("quantity", "invalid"): "Enter a whole number of tickets.",
    ("quantity", "min_value"): "Enter 0 or more tickets.",
    ("quantity", "max_value"): "That's more tickets than one order may hold.",
    ("amount", "invalid"): "Enter an amount like 12.50.",
    ("amount", "max_digits"): "Enter an amount like 12.50.",
    ("amount", "max_decimal_places"): "Enter an amount like 12.50.",
    ("amount", "max_whole_digits"): "Enter an amount like 12.50.",
    ("amount", "min_value"): "Enter an amount like 12.50.",
    ("attendee_first", "blank"): "Enter a first name for this ticket, or leave both names empty.",
    ("attendee_first", "required"): "Enter a first name for this ticket, or leave both names empty.",
}
TOO_LONG = "Use {limit} characters or fewer."
OUT_OF_DATE = "This page was out of date, so nothing was bought. Check your order and press Pay again."


def _message(kind: str, detail) -> str:
    code = getattr(detail, "code", "")
    if code == "max_length" and (kind, code) not in MESSAGES:
        limit = re.search(r"\d+", str(detail))
        return TOO_LONG.format(limit=limit.group() if limit else "fewer")
    return MESSAGES.get((kind, code), str(detail))


def _first(details) -> object:
    """The first error of a DRF error list (or the thing itself)."""
    return details[0] if isinstance(details, list) and details else details


@dataclass
class Form:
    """The checkout form as posted (or pre-filled), its errors by field name, and errors of no field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    top: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str | None, message: str) -> None:
        if name is None:
            if message not in self.top:
                self.top.append(message)
        else:
            self.errors.setdefault(name, message)


def _field_names(offers: list[Offer], show: Show) -> list[str]:
    names = []
    for offer in offers:
        names += [offer.field, offer.amount_field]
        limit = max(offer.max_quantity, offer.ticket.max_per_order or 0, show.max_tickets_per_order)
        for n in range(1, min(limit, 100) + 1):
            names += [f"name_{offer.ticket.pk}_{n}_first", f"name_{offer.ticket.pk}_{n}_last"]
    return [
        *names,
        "promo_code",
        "first_name",
        "last_name",
        "email",
        "copy_buyer",
        "news",
        "idempotency_key",
        "expected_total",
        "priced_for",
    ]


def _read_form(source, offers: list[Offer], show: Show) -> Form:
    values = {name: source.get(name, "")[:MAX_INPUT].strip() for name in _field_names(offers, show)}
    if not values["promo_code"] and source.get("promo"):  # ?promo=CODE links
        values["promo_code"] = source.get("promo", "")[:MAX_INPUT].strip()
    if not KEY_PATTERN.match(values["idempotency_key"]):
        values["idempotency_key"] = secrets.token_urlsafe(24)
    return Form(values)


def _quantity(raw: str) -> int | None:
    """A posted quantity that is plainly a number (``None`` for anything the API should judge)."""
    try:
        return int(raw)
    except ValueError:
        return None


def _amount(raw: str) -> str:
    """A typed amount as the API reads it: ``$1,250.50`` → ``1250.50``."""
    return raw.replace("$", "").replace(",", "").replace(" ", "")


def _cart(form: Form, offers: list[Offer], *, only_on_sale: bool) -> list[tuple[Offer, CartLine, dict]]:
    """The lines the form asks for, each checked with the API's line rules (errors go to the form):
    ``(offer, cart line, the line as the API takes it)``. Quantities left at 0 are no line."""
    cart = []
    for offer in offers:
        raw = form.get(offer.field)
        if raw == "" or _quantity(raw) == 0 or (only_on_sale and not offer.on_sale):
            continue
        data = {"ticket": offer.ticket.pk, "quantity": raw}
        if offer.ticket.is_donation_based and form.get(offer.amount_field):
            data["amount"] = _amount(form.get(offer.amount_field))
        line = CheckoutLineSerializer(data=data)
        if not line.is_valid():
            if "quantity" in line.errors:
                form.error(offer.field, _message("quantity", _first(line.errors["quantity"])))
            if "amount" in line.errors:
                form.error(offer.amount_field, _message("amount", _first(line.errors["amount"])))
            continue
        valid = line.validated_data
        cart.append(
            (offer, CartLine(ticket=offer.ticket, quantity=valid["quantity"], amount=valid.get("amount")), data)
        )
    return cart


def _name_rows(form: Form, cart) -> list[dict]:
    """One row per ticket in the cart, for its holder's name."""
    rows = []
    for offer, line, _ in cart:
        for n in range(1, line.quantity + 1):
            first, last = f"name_{offer.ticket.pk}_{n}_first", f"name_{offer.ticket.pk}_{n}_last"
            rows.append(
                {
                    "label": f"{offer.ticket.name}, ticket {n}" if line.quantity > 1 else offer.ticket.name,
                    "first": {"name": first, "value": form.get(first), "error": form.errors.get(first, "")},
                    "last": {"name": last, "value": form.get(last), "error": form.errors.get(last, "")},
                }
            )
    return rows


def cart_signature(lines: list[CartLine], promo_code: str, currency: str) -> str:
    """What a total was worked out for: the lines (ticket type, quantity, amount) and the promo code."""
    canonical = [
        [line.ticket.pk, line.quantity, None if line.amount is None else str(quantize(line.amount, currency))]
        for line in sorted(lines, key=lambda line: line.ticket.pk)
    ]
    text = json.dumps([canonical, promo_code.strip().upper()], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _promo_words(promo: TicketPromoCode, currency: str) -> str:
    if promo.discount_type == TicketPromoCode.DiscountType.PERCENT:
        words = f"{promo.discount.normalize():f}% off"
    else:
        words = f"{format_money(promo.discount, currency)} off each ticket"
    limited = [ticket.name for ticket in promo.tickets.all()]
    if limited:
        words += f" {', '.join(limited)}"
    return words


def _summary(priced: PricedCart | None, currency: str) -> dict | None:
    if priced is None:
        return None
    fees = priced.platform_fee + priced.processing_fee if priced.fees_passed_to_buyer else Decimal(0)
    return {
        "lines": [
            {
                "label": f"{line.quantity} × {line.ticket.name}",
                "each": format_money(line.unit_price, currency),
                "amount": format_money(line.subtotal, currency),
                "quantity": line.quantity,
            }
            for line in priced.lines
        ],
        "discount": format_money(-priced.discount, currency) if priced.discount else "",
        "fees": format_money(fees, currency) if fees else "",
        "total": format_money(priced.total, currency),
        "total_value": str(priced.total),
        "count": priced.ticket_count,
        "free": priced.total == 0,
    }


def _place(error: ApplicationError, offers: list[Offer], *, rendered: set[str]) -> str | None:
    """The form field a service's refusal is about (``None``: the top of the form)."""
    ticket = error.extra.get("ticket")
    by_pk = {offer.ticket.pk: offer for offer in offers}
    if error.code == "promo_code_invalid":
        return "promo_code"
    if ticket in by_pk:
        name = by_pk[ticket].amount_field if error.code == "donation_too_low" else by_pk[ticket].field
        if name in rendered:
            return name
    return None


def _checkout_context(request, show: Show, offers: list[Offer], form: Form, *, action: str = "", notice: str = ""):
    """Everything the checkout page (or its live parts) shows for ``form``: the cart of what is on
    sale, the promo code's state, the total from ``checkout_quote`` and the form's errors."""
    currency = show.currency
    on_sale = [offer for offer in offers if offer.on_sale]
    rendered = {offer.field for offer in on_sale} | {o.amount_field for o in on_sale if o.ticket.is_donation_based}
    for offer in offers:  # what is no longer on sale leaves the form; the refusal says why
        if not offer.on_sale:
            form.values[offer.field] = ""
    cart = _cart(form, on_sale, only_on_sale=True)
    lines = [line for _, line, _ in cart]

    promo, promo_message = None, ""
    if action == "remove_promo":
        form.values["promo_code"] = ""
    code = form.get("promo_code")
    if code and "promo_code" not in form.errors:
        try:
            promo = promo_code_find(show=show, code=code)
        except PromoCodeInvalid as refusal:
            form.error("promo_code", refusal.message)
    priced = None
    if lines:
        try:
            priced = checkout_quote(show=show, lines=lines, promo_code=promo.code if promo else "")
        except ApplicationError as refusal:
            form.error(_place(refusal, offers, rendered=rendered), refusal.message)
    summary = _summary(priced, currency)
    if promo is not None:
        promo_message = f"{promo.code.upper()}: {_promo_words(promo, currency)}."
        if priced is not None and not priced.discount:
            promo_message += " It doesn't apply to the tickets you've chosen."

    signature = cart_signature(lines, promo.code if promo else "", currency) if priced else ""
    form.values["expected_total"] = summary["total_value"] if summary else ""
    form.values["priced_for"] = signature
    errors_in_order = [
        (name, form.errors[name]) for name in _field_names(offers, show) if name in form.errors and name in form.values
    ]
    announce = ""
    if form.top:
        announce = f"Error: {form.top[0]}"
    elif errors_in_order:
        announce = f"Error: {errors_in_order[0][1]}"
    elif summary:
        announce = f"Total {summary['total']} for {summary['count']} ticket{'s' if summary['count'] != 1 else ''}."
        if action in {"promo", "update"} and promo_message:
            announce = f"Promo code applied. {announce}"
    elif action == "remove_promo":
        announce = "Promo code removed."
    if action == "remove_promo" and summary:
        announce = f"Promo code removed. {announce}"

    rows = _name_rows(form, cart)
    pay_label = "Continue"
    if summary:
        pay_label = "Get tickets" if summary["free"] else f"Pay {summary['total']}"
    return {
        "show": show,
        "offers": offers,
        "on_sale": on_sale,
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "top_errors": form.top,
        "error_list": errors_in_order,
        "problem_count": len(errors_in_order) + len(form.top),
        "ticket_rows": [
            {
                "offer": offer,
                "value": form.get(offer.field) or "0",
                "error": form.errors.get(offer.field, ""),
                "amount": form.get(offer.amount_field),
                "amount_error": form.errors.get(offer.amount_field, ""),
                "minimum": format_money(offer.ticket.price, currency),
                "symbol": "$" if currency == "USD" else currency,
            }
            for offer in offers
        ],
        "notice": notice,
        "summary": summary,
        "promo": promo,
        "promo_message": promo_message,
        "rows": rows,
        "names_open": any(form.get(row[part]["name"]) for row in rows for part in ("first", "last"))
        or any(row[part]["error"] for row in rows for part in ("first", "last"))
        or bool(form.get("copy_buyer")),
        "announce": announce,
        "pay_label": pay_label,
        "hold_minutes": show.hold_minutes,
        "facts": show_facts(show),
        "checkout_url": getattr(request, "checkout_url", "") or reverse("storefront:checkout", args=[show.slug]),
        "show_url": reverse("storefront:show", args=[show.slug]),
        "resend_url": reverse("storefront:resend-tickets"),
        "currency": currency,
        "sales_open": bool(on_sale) and show.end_time > timezone.now(),
    }


def _no_index(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_vary_headers(response, ["HX-Request"])
    return response


CHECKOUT_TEMPLATE = "storefront/shows/checkout.html"


def _render_checkout(request, context: dict, *, status: int = 200) -> HttpResponse:
    """The checkout page; another page that serves this checkout (the embed, ``views/seo.py``) sets
    ``request.checkout_template`` (one extending this one) and ``request.checkout_url`` (where its
    forms post)."""
    template = getattr(request, "checkout_template", "") or CHECKOUT_TEMPLATE
    return _no_index(render(request, template, context, status=status))


def _api_request(show: Show, form: Form, cart) -> tuple[dict, set[tuple[int, int]]]:
    """The form as ``POST /api/v1/checkout/create-session/`` takes it, and the name rows filled in
    with the buyer's name (``(line index, row index)``): a row left empty before a named one."""
    first, last = form.get("first_name"), form.get("last_name")
    filled: set[tuple[int, int]] = set()
    tickets = []
    for index, (offer, line, data) in enumerate(cart):
        names = []
        for n in range(1, line.quantity + 1):
            pair = [form.get(f"name_{offer.ticket.pk}_{n}_first"), form.get(f"name_{offer.ticket.pk}_{n}_last")]
            if index == 0 and n == 1 and form.get("copy_buyer"):
                pair = [first, last]
            names.append(pair)
        named = [i for i, (given, family) in enumerate(names) if given or family]
        attendees = []
        for i in range(named[-1] + 1 if named else 0):
            given, family = names[i]
            if not given and not family:
                given, family = first, last
                filled.add((index, i))
            attendees.append({"first_name": given, "last_name": family})
        tickets.append({**data, "attendees": attendees} if attendees else dict(data))
    body = {
        "show": show.slug,
        "tickets": tickets,
        "promo_code": form.get("promo_code"),
        "first_name": first,
        "last_name": last,
        "email": form.get("email"),
        "phone": "",
        "expected_total": form.get("expected_total") or None,
        "idempotency_key": form.get("idempotency_key"),
    }
    return body, filled


def _indexed(errors) -> list[tuple[int, object]] | None:
    """The errors of a list's items, by index (DRF gives a list, or a dict of the failing indexes)."""
    if isinstance(errors, list) and all(isinstance(item, dict) for item in errors):
        return list(enumerate(errors))
    if isinstance(errors, dict) and errors and all(isinstance(key, int) for key in errors):
        return sorted(errors.items())
    return None


def _api_errors(form: Form, errors: dict, cart, filled: set[tuple[int, int]]) -> None:
    """Put ``CheckoutSerializer``'s errors on the form's fields, in the page's words. An empty cart's
    error is left out: the service's own words say it (see :func:`_pay`)."""
    for name in ("first_name", "last_name", "email", "promo_code"):
        if name in errors:
            form.error(name, _message(name, _first(errors[name])))
    if "expected_total" in errors or "idempotency_key" in errors:
        form.values["idempotency_key"] = secrets.token_urlsafe(24)
        form.error(None, OUT_OF_DATE)
    if "show" in errors:
        form.error(None, str(_first(errors["show"])))
    lines = _indexed(errors.get("tickets"))
    for index, problems in lines or []:
        if not isinstance(problems, dict) or index >= len(cart):
            continue
        offer = cart[index][0]
        if "quantity" in problems:
            form.error(offer.field, _message("quantity", _first(problems["quantity"])))
        if "amount" in problems:
            form.error(offer.amount_field, _message("amount", _first(problems["amount"])))
        if "ticket" in problems:
            form.error(offer.field, str(_first(problems["ticket"])))
        for i, name_problems in _indexed(problems.get("attendees")) or []:
            if not isinstance(name_problems, dict) or (index, i) in filled:
                continue
            for part, suffix in (("first_name", "first"), ("last_name", "last")):
                if part in name_problems:
                    field_name = f"name_{offer.ticket.pk}_{i + 1}_{suffix}"
                    form.error(field_name, _message(f"attendee_{suffix}", _first(name_problems[part])))
    if "non_field_errors" in errors:
        form.error(None, str(_first(errors["non_field_errors"])))


def _pay(request, show: Show, offers: list[Offer], form: Form) -> HttpResponse:
    """Buy what the form asks for, through the API's parsing and service, or say why not."""
    cart = _cart(form, offers, only_on_sale=False)
    body, filled = _api_request(show, form, cart)
    serializer = CheckoutSerializer(data=body)
    if not serializer.is_valid():
        _api_errors(form, serializer.errors, cart, filled)
    if not cart and not any(name.startswith(("qty_", "amount_")) for name in form.errors):
        try:
            checkout_quote(show=show, lines=[])
        except ApplicationError as refusal:  # "Choose at least one ticket." (or: not on sale)
            form.error(None, refusal.message)
    if form.errors or form.top:
        return _render_checkout(request, _checkout_context(request, show, offers, form), status=422)

    data = serializer.validated_data
    seen_for = form.get("priced_for")
    if seen_for != cart_signature(data["lines"], data["promo_code"], show.currency) or data["expected_total"] is None:
        # The buyer hasn't seen this cart's total yet (no JavaScript, or a change still on its way).
        context = _checkout_context(request, show, offers, form, notice="review")
        if context["error_list"] or context["top_errors"]:
            return _render_checkout(request, context, status=422)
        return _render_checkout(request, context)
    try:
        started = checkout_start(
            show=data["show"],
            lines=data["lines"],
            buyer=Buyer(first_name=data["first_name"], last_name=data["last_name"], email=data["email"]),
            promo_code=data["promo_code"],
            expected_total=data["expected_total"],
            idempotency_key=data["idempotency_key"],
        )
    except ApplicationError as refusal:
        on_sale = {offer.field for offer in offers if offer.on_sale}
        on_sale |= {offer.amount_field for offer in offers if offer.on_sale and offer.ticket.is_donation_based}
        form.error(_place(refusal, offers, rendered=on_sale), refusal.message)
        fresh = show_offers(_public_show(show.slug))  # availability as it is now
        return _render_checkout(request, _checkout_context(request, show, fresh, form), status=422)
    meta_purchase_browser_remember(order=started.order, request=request)  # when Meta's Conversions API is on
    if form.get("news"):
        _subscribe(request, data)
    return _see_other(started.redirect_url)


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _subscribe(request, data: dict) -> None:
    """The buyer's opt-in to news, once their order is made (never worth failing a purchase over)."""
    try:
        subscriber_signup(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            referer=request.META.get("HTTP_REFERER", ""),
        )
    except Exception:
        logger.exception("Could not sign up the buyer of a %s order for news.", data["show"].slug)


@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request, slug: str):
    """The one-page checkout (see the module's docstring for its actions)."""
    show = _public_show(slug)
    offers = show_offers(show)
    if request.method == "GET":
        form = _read_form(request.GET, offers, show)
        for offer in offers:  # a pay-what-you-can amount starts at the minimum
            if offer.ticket.is_donation_based and not form.get(offer.amount_field):
                form.values[offer.amount_field] = str(quantize(offer.ticket.price, show.currency))
        context = _checkout_context(request, show, offers, form)
        context["error_list"], context["top_errors"] = [], []  # a link's mistakes show by their fields only
        return _render_checkout(request, context)
    form = _read_form(request.POST, offers, show)
    action = request.POST.get("action", "pay")
    if action in LIVE_ACTIONS:
        context = _checkout_context(request, show, offers, form, action=action)
        if request.htmx:
            context["live_promo"] = action != "price"
            return _no_index(render(request, "storefront/shows/_checkout_live.html", context))
        failed = bool(context["error_list"] or context["top_errors"])
        return _render_checkout(request, context, status=422 if failed else 200)
    return _pay(request, show, offers, form)


# --- the seed's addresses --------------------------------------------------------------------------


@require_GET
def checkout_alias(request):
    """``/checkout/?show=<slug>``: the show's checkout (a ``promo`` goes along)."""
    slug = request.GET.get("show", "")
    if not slug:
        return redirect("storefront:show-list")
    show = _public_show(slug)
    url = reverse("storefront:checkout", args=[show.slug])
    if request.GET.get("promo"):
        url += "?" + urlencode({"promo": request.GET["promo"][:40]})
    return redirect(url)


@never_cache
@require_GET
def order_confirmation_alias(request):
    """``/order-confirmation/?order=<token>``: the order page of a known order, else 404."""
    token = request.GET.get("order", "")
    order = Order.objects.filter(public_token=token).only("public_token").first() if token else None
    if order is None:
        raise Http404("No such order.")
    response = redirect(reverse("storefront:order", args=[order.public_token]))
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- "email me my tickets again" -------------------------------------------------------------------

RESENDS_PER_ADDRESS = 3  # an hour, per email address asked about
RESENDS_PER_CLIENT = 10  # an hour, per IP address asking
RESEND_ORDERS_LISTED = 20
RESEND_ANSWER = (
    "If {email} has tickets for upcoming shows, we've sent it an email with a link to each order. "
    "It can take a few minutes to arrive; check your spam folder too."
)
RESEND_TOO_OFTEN = "You've asked several times in the last hour. Try again later, or check your spam folder."


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _resend_allowed(request, email: str) -> bool:
    """Whether this request may send: per email address and per client, each counted for an hour."""
    hour = int(time.time() // 3600)
    counts = window_hits(
        cache,
        [
            (f"resend:email:{_email_key(email)}:{hour}", None, 3600),
            (f"resend:client:{client_ip(request) or 'unknown'}:{hour}", None, 3600),
        ],
    )
    if counts is None:  # the cache is down: the email's own hourly key still stops repeats
        return True
    return counts[0][0] <= RESENDS_PER_ADDRESS and counts[1][0] <= RESENDS_PER_CLIENT


def order_links_email(*, email: str, now: datetime | None = None):
    """Queue one email to ``email`` with a link to each of its paid orders for shows not over yet;
    nothing when it has none. Once per address per hour (the email's idempotency key), through
    ``email_queue``. Returns the email's tracking row, or ``None``."""
    now = now or timezone.now()
    orders = list(
        Order.objects.filter(
            email__iexact=email.strip(),
            status__in=[Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED],
            show__end_time__gt=now,
            show__is_deleted=False,
        )
        .select_related("show__venue", "show__producer")
        .order_by("show__start_time", "pk")[:RESEND_ORDERS_LISTED]
    )
    if not orders:
        return None
    listed = []
    for order in orders:
        show = order.show
        when = show_when(show)
        times = f"Doors {when['doors']} · Show {when['start']}" if when["doors"] else f"Show {when['start']}"
        listed.append(
            {
                "title": show.title,
                "date": when["date"],
                "times": f"{times} {when['zone']}",
                "venue": show.venue.name if show.venue else "",
                "url": order_page_url(order),
                "reference": str(order.uuid)[:8].upper(),
            }
        )
    context = {"orders": listed, "site_url": settings.SITE_URL}
    text = render_to_string("storefront/shows/email/order_links.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return email_queue(
        to=orders[0].email,
        subject="Your tickets on PiqueTickets" if len(orders) > 1 else f"Your tickets for {orders[0].show.title}",
        text=text,
        html=render_to_string("storefront/shows/email/order_links.html", context),
        category="order_links",
        idempotency_key=f"order-links:{_email_key(email)}:{int(now.timestamp() // 3600)}",
    )


def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def resend_tickets(request):
    """Ask for the links to one's orders by email. The answer is the same whether or not the address
    has orders; each address and each client may ask a few times an hour."""
    email, error, status = "", "", 200
    if request.method == "POST":
        email = request.POST.get("email", "")[:MAX_INPUT].strip()
        if not email:
            error, status = "Enter your email address.", 422
        elif not _valid_email(email):
            error, status = "Enter an email address like name@example.com.", 422
        elif not _resend_allowed(request, email):
            error, status = RESEND_TOO_OFTEN, 429
        else:
            order_links_email(email=email)
            messages.success(request, RESEND_ANSWER.format(email=email))
            return _see_other(reverse("storefront:resend-tickets"))
    response = render(
        request,
        "storefront/shows/resend.html",
        {"email": email, "error": error, "sent": list(messages.get_messages(request))},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
