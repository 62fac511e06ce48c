"""Home, the show list, public profiles, selling with us, the newsletter sign-up and the favicon.

Every page reads through the shows domain's selectors (``show_list_public``, ``featured_list_public``,
the ``ShowFilter`` the API list uses too) and writes through the domain's services
(``subscriber_signup``, ``producer_interest_submit``); what is here is presentation: show cards, page
numbers, which fragment an htmx request gets back.

The newsletter form (``POST /subscribe/``, on the home page) takes no CSRF token, like its API twin
``/api/v1/subscribe/``: it acts for nobody signed in and changes nothing a session owns, and without
a per-visitor token the home page can be served from a cache to everyone. What protects it is a
budget per client address (``window_hits``). ``/sell/`` is an ordinary form (CSRF token, a budget per
address and a honeypot field).
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.cache import cache as django_cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from piquetickets.core.cache import window_hits
from piquetickets.core.fields import sanitize_html
from piquetickets.core.http import client_ip
from piquetickets.core.images import image_payload
from piquetickets.core.money import format_money
from piquetickets.core.pagecache import cached_page, kept_rows, page_tags
from piquetickets.orders.pricing import CartLine, fee_policy_for, price_cart
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time, show_local
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.producers.services import producer_interest_submit
from piquetickets.shows import selectors
from piquetickets.shows.models import Show
from piquetickets.subscribers.services import subscriber_signup
from piquetickets.venues.models import Venue

from ..forms.browse import ProducerInterestForm, ShowFilterForm, SubscribeForm

PAGE_SIZE = 12  # shows per page of /shows/ (fixed: the page size is not the buyer's to choose)
HOME_FEATURED = 4  # featured shows on the home page
HOME_UPCOMING = 8  # upcoming shows on the home page, after the featured ones
PROFILE_SHOWS = 12  # upcoming shows on a profile page; the rest are one click away on /shows/
FEW_LEFT = 10  # at or under this many tickets left, a card says "Only N left"

# Budgets per client address: (requests, seconds). A person signs up once; a bot tries thousands.
SUBSCRIBE_BUDGET = (10, 3600)
SELL_BUDGET = (5, 3600)

SUBSCRIBED = "Thanks! You're on the list. We'll email you when new shows go on sale."
OVER_BUDGET = "Too many tries from your network. Please wait an hour and try again."

CARD_SIZES = "(min-width: 72rem) 17rem, (min-width: 48rem) 45vw, 92vw"
FEATURE_SIZES = "(min-width: 72rem) 44rem, 92vw"

# --- helpers ------------------------------------------------------------------------------------


def _over_budget(request, scope: str, budget: tuple[int, int]) -> bool:
    """Count this request against ``scope``'s budget for the client's address; ``True`` when over it.

    A sliding window estimated from two fixed ones (as the API's throttle does). When the cache is
    unavailable nothing is counted and the request goes through.
    """
    allowed, seconds = budget
    now = time.time()
    number = int(now // seconds)
    key = f"storefront-{scope}:{client_ip(request) or 'unknown'}"
    counts = window_hits(django_cache, [(f"{key}:{number}", f"{key}:{number - 1}", 2 * seconds)])
    if not counts:
        return False
    current, previous = counts[0]
    return current + previous * (1 - (now % seconds) / seconds) > allowed


def _fragment(request) -> bool:
    """Whether to answer with the part of the page htmx swaps (not for a history restore)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


def _canonical(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def rich_text(value: str) -> str:
    """Rich text a producer wrote, ready for the page: sanitised on save, and once more here (a row
    written around the model, by ``update()`` or SQL, was never cleaned)."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - nh3 keeps formatting tags only


def _image(instance, field: str, renditions: tuple[str, ...], sizes: str) -> dict | None:
    """``{src, srcset, sizes, width, height}`` for an ``<img>`` of ``instance.<field>``: its WebP
    renditions (smallest first) when they have been made, else the uploaded original."""
    payload = image_payload(instance, field)
    if payload is None:
        return None
    variants = [payload["variants"][name] for name in renditions if name in payload["variants"]]
    if not variants:
        return {"src": payload["url"], "srcset": "", "sizes": "", "width": None, "height": None}
    variants.sort(key=lambda v: v["width"])
    return {
        "src": variants[0]["url"],
        "srcset": ", ".join(f"{v['url']} {v['width']}w" for v in variants),
        "sizes": sizes,
        "width": variants[0]["width"],
        "height": variants[0]["height"],
    }


def _initials(text: str) -> str:
    words = [w for w in text.replace("&", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:2])} and {len(names) - 2} more"


def _day(local, *, year: bool) -> str:
    return f"{local:%a} {local.day} {local:%b}" + (f" {local.year}" if year else "")


def all_in_price(show: Show, ticket) -> tuple:
    """``(total, fees_included)``: what one ``ticket`` costs the buyer in all, by the one pricing
    function (fees included when they are passed on; a donation-based ticket at its minimum)."""
    cart = price_cart(
        show=show, lines=[CartLine(ticket=ticket, quantity=1)], promo=None, policy=fee_policy_for(show=show)
    )
    return cart.total, cart.fees_passed_to_buyer and cart.total > cart.subtotal - cart.discount


def show_card(show: Show, *, lazy: bool = True, priority: bool = False, sizes: str = CARD_SIZES) -> dict:
    """What ``components/show_card.html`` shows of ``show``, read from a queryset that went through
    ``selectors.with_card_data`` (no query here)."""
    start = show_local(show, show.start_time)
    now = timezone.now()
    state = selectors.show_sale_state(show, now=now)
    price_label = price_note = ""
    if state.cheapest is not None and state.status in ("on_sale", "not_yet"):
        total, fees_included = all_in_price(show, state.cheapest)
        if state.cheapest.is_donation_based and total == 0:
            price_label = "Pay what you can"
        elif total == 0:
            price_label = "Free tickets available" if state.price_varies else "Free"
        else:
            amount = format_money(total, show.currency)
            price_label = f"From {amount}" if state.price_varies else amount
            price_note = "incl. fees" if fees_included else ""
    badge = None
    if state.status == "sold_out":
        badge = {"kind": "danger", "text": "Sold out"}
    elif state.status == "on_sale" and state.remaining <= FEW_LEFT:
        badge = {"kind": "warning", "text": f"Only {state.remaining} left"}
    elif state.status == "not_yet":
        opens = show_local(show, state.opens_at)
        badge = {"kind": "neutral", "text": f"On sale {_day(opens, year=opens.year != start.year)}"}
    elif state.status == "ended":
        badge = {"kind": "neutral", "text": "Sales closed"}
    elif state.status == "none":
        badge = {"kind": "neutral", "text": "Tickets coming soon"}
    venue = show.venue
    image = _image(show, "image", ("card", "large"), sizes)
    if image is None:
        image = _image(show, "banner_image", ("banner_small", "banner"), sizes)
    return {
        "url": reverse("storefront:show", args=[show.slug]),
        "title": show.title,
        "when_iso": start.isoformat(timespec="minutes"),
        "when_label": f"{_day(start, year=start.year != now.year)} · {clock_time(start)} {zone_abbreviation(start)}",
        "venue": venue.name if venue else "Venue to be announced",
        "venue_url": reverse("storefront:venue", args=[venue.slug]) if venue and venue.is_active else "",
        "city": venue.city if venue else "",
        "lineup": _names([p.name for p in show.performers.all()]),
        "image": image,
        "initials": _initials(show.title),
        "tone": show.pk % 6,
        "lazy": lazy,
        "priority": priority,
        "price_label": price_label,
        "price_note": price_note,
        "badge": badge,
    }


def _cards(shows, *, eager: int = 0, sizes: str = CARD_SIZES, first: bool = True) -> list[dict]:
    """Cards of ``shows``; the first ``eager`` images load at once (above the fold), the rest lazily.
    The page's first image (``first``: these cards open the page) is fetched before the others."""
    return [
        show_card(show, lazy=index >= eager, priority=first and index == 0 and eager > 0, sizes=sizes)
        for index, show in enumerate(shows)
    ]


def _page_numbers(page) -> list[int | None]:
    """The page numbers to link: the first, the last, and two either side of the current one; ``None``
    stands for a gap."""
    last, current = page.paginator.num_pages, page.number
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


# --- home ---------------------------------------------------------------------------------------


def _home(request, form: SubscribeForm, *, status: int = 200, subscribed: bool = False) -> HttpResponse:
    featured = list(selectors.with_card_data(selectors.featured_list_public(with_price_from=False))[:HOME_FEATURED])
    upcoming = selectors.with_card_data(selectors.show_list_public(with_price_from=False)).exclude(
        pk__in=[s.pk for s in featured]
    )
    upcoming = list(upcoming[:HOME_UPCOMING])
    feature_cards = _cards(featured[:1], eager=1, sizes=FEATURE_SIZES) + _cards(featured[1:], eager=3, first=False)
    context = {
        "featured": feature_cards,
        "upcoming": _cards(upcoming, eager=0 if featured else 4),
        "show_count": selectors.show_list_public(with_price_from=False).count(),
        "cities": selectors.show_cities_public(),
        "form": form,
        "subscribed": subscribed,
        "canonical": _canonical("/"),
    }
    return render(request, "storefront/browse/home.html", context, status=status)


@cached_page()
@require_safe
def home(request):
    """``/``: featured shows, then upcoming ones, a search box and the newsletter sign-up."""
    page_tags(request, "list")
    return _home(request, SubscribeForm())


@csrf_exempt  # see the module's docstring
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """``POST /subscribe/``: join the newsletter. The answer is the same whether or not the address was
    already on the list. Without JavaScript: 303 back to the home page's form with a thank-you (or the
    home page again, 422, with the error by the field). With htmx: the form's box, swapped in place."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("storefront:home") + "#subscribe", status=303)
    form = SubscribeForm(request.POST)
    status = 200
    if form.is_valid():
        if _over_budget(request, "subscribe", SUBSCRIBE_BUDGET):
            form.add_error(None, OVER_BUDGET)
            status = 429
        else:
            subscriber_signup(
                email=form.cleaned_data["email"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
                referer=request.headers.get("Referer", ""),
            )
    else:
        status = 422
        form.fields["email"].widget.attrs["autofocus"] = True  # back at the field, wherever the page opens
    if _fragment(request):
        context = {"form": form, "subscribed": status == 200}
        return _vary(render(request, "storefront/browse/_subscribe.html", context, status=status))
    if status == 200:
        messages.success(request, SUBSCRIBED)
        return _vary(HttpResponseRedirect(reverse("storefront:home") + "#subscribe", status=303))
    return _vary(_home(request, form, status=status))


# --- the show list ------------------------------------------------------------------------------


@cached_page(query=(*ShowFilterForm.FIELDS, "page"))
@require_safe
def show_list(request):
    """``/shows/``: upcoming public shows, filtered as the API's list is (``ShowFilter``), a page at a
    time. An htmx request (the filter form, the page links) gets the results region only."""
    page_tags(request, "list")
    # The filters' choices change only with the catalogue (an edit forgets "list"), or when a show ends:
    # a choice may outlive its last show by PAGE_DATA_SECONDS, and then finds no show.
    options = kept_rows("show-filter-options", selectors.show_filter_options, tags=lambda _: ["list"])
    filters = ShowFilterForm(request.GET, queryset=selectors.show_list_public(with_price_from=False), options=options)
    filters.is_valid()
    paginator = Paginator(selectors.with_card_data(filters.qs), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    active = filters.active
    context = {
        "form": filters.form,
        "page": page,
        "cards": _cards(page.object_list, eager=0 if page.number > 1 else 4),
        "count": paginator.count,
        "active": active,
        "chips": _filter_chips(filters.form, active),
        "query": urlencode(active),
        "page_numbers": _page_numbers(page),
        "more_open": bool(filters.form.errors),  # what is in use shows above the results
        "canonical": _canonical(reverse("storefront:show-list")),
        "fragment": _fragment(request),
    }
    if not context["fragment"]:
        return _vary(render(request, "storefront/browse/show_list.html", context))
    response = render(request, "storefront/browse/_results.html", context)
    # The address bar gets the filters in use only, not every empty field of the form.
    wanted = active | ({"page": page.number} if page.number > 1 else {})
    response["HX-Push-Url"] = reverse("storefront:show-list") + (f"?{urlencode(wanted)}" if wanted else "")
    return _vary(response)


def _filter_chips(form, active: dict[str, str]) -> list[dict]:
    """Each filter in use, as words, with the link that takes it away."""
    chips = []
    for name, value in active.items():
        field = form.fields[name]
        if name == "q":
            label = f"“{value}”"
        elif name in ("starts_after", "starts_before"):
            day = form.cleaned_data[name]
            label = f"{field.label} {_day(day, year=day.year != timezone.localdate().year)}"
        else:
            label = dict(field.widget.choices).get(value, value)
        rest = {k: v for k, v in active.items() if k != name}
        chips.append({"label": label, "remove": "?" + urlencode(rest) if rest else reverse("storefront:show-list")})
    return chips


# --- profiles -----------------------------------------------------------------------------------


def _upcoming_cards(shows) -> tuple[list[dict], int]:
    """Cards of the first ``PROFILE_SHOWS`` of ``shows`` (public, upcoming) and how many there are."""
    rows = list(selectors.with_card_data(shows)[: PROFILE_SHOWS + 1])
    count = len(rows) if len(rows) <= PROFILE_SHOWS else shows.count()
    return _cards(rows[:PROFILE_SHOWS], eager=3, first=False), count  # a desktop shows the first row at once


def _links(profile, names: tuple[tuple[str, str], ...]) -> list[dict]:
    return [{"label": label, "url": getattr(profile, field)} for field, label in names if getattr(profile, field)]


SOCIAL = (("instagram", "Instagram"), ("facebook", "Facebook"), ("twitter", "X (Twitter)"), ("youtube", "YouTube"))


def _profile(request, *, kind: str, profile, shows, filter_name: str, context: dict) -> HttpResponse:
    page_tags(request, "list", f"{kind}:{profile.pk}")
    cards, count = _upcoming_cards(shows)
    listed = f"{count} upcoming show{'s' if count != 1 else ''}" if count else "Shows"
    preposition = {"venue": "at", "performer": "with"}.get(kind, "by")
    image_url = (context.get("image") or {}).get("src", "")
    context |= {
        "meta_description": f"{listed} {preposition} {context['name']} on PiqueTickets.",
        "og_image": _canonical(image_url) if image_url.startswith("/") else image_url,  # sharing needs it whole
    }
    context |= {
        "kind": kind,
        "profile": profile,
        "cards": cards,
        "count": count,
        "more_url": f"{reverse('storefront:show-list')}?{urlencode({filter_name: profile.slug})}",
        "canonical": _canonical(request.path),
        "initials": _initials(context["name"]),
        "tone": profile.pk % 6,
    }
    return render(request, "storefront/browse/profile.html", context)


@cached_page()
@require_safe
def venue_profile(request, slug: str):
    """``/venues/<slug>/``: a venue's page (404 once it is switched off) with its upcoming public shows."""
    venue = Venue.objects.filter(slug=slug, is_active=True).first()
    if venue is None:
        raise Http404("No such venue.")
    address = ", ".join(part for part in (venue.address, venue.city, f"{venue.state} {venue.zip_code}".strip()) if part)
    return _profile(
        request,
        kind="venue",
        profile=venue,
        shows=selectors.show_list_public(with_price_from=False).filter(venue=venue),
        filter_name="venue",
        context={
            "name": venue.name,
            "subtitle": address,
            "about": rich_text(venue.description),
            "image": _image(venue, "venue_image", ("card", "large"), "(min-width: 60rem) 40rem, 100vw"),
            "address": address,
            "map_url": "https://www.openstreetmap.org/search?" + urlencode({"query": f"{address}, {venue.country}"}),
            "phone": venue.phone,
            "capacity": venue.capacity,
            "links": _links(venue, (("website", "Website"),)),
        },
    )


@cached_page()
@require_safe
def performer_profile(request, slug: str):
    """``/performers/<slug>/``: a performer's page with the upcoming public shows they are in."""
    performer = Performer.objects.filter(slug=slug).first()
    if performer is None:
        raise Http404("No such performer.")
    return _profile(
        request,
        kind="performer",
        profile=performer,
        shows=selectors.show_list_public(with_price_from=False).filter(performers=performer),
        filter_name="performer",
        context={
            "name": performer.name,
            "subtitle": performer.city,
            "about": rich_text(performer.bio),
            "image": _image(performer, "image", ("avatar", "large"), "12rem"),
            "links": _links(performer, (("website", "Website"), *SOCIAL, ("tiktok", "TikTok"))),
        },
    )


@cached_page()
@require_safe
def producer_profile(request, slug: str):
    """``/producers/<slug>/``: a producer's page (404 once switched off) with their upcoming public
    shows. Of the producer's contacts only the public support address shows."""
    producer = Producer.objects.filter(slug=slug, is_active=True).first()
    if producer is None:
        raise Http404("No such producer.")
    return _profile(
        request,
        kind="producer",
        profile=producer,
        shows=selectors.show_list_public(with_price_from=False).filter(producer=producer),
        filter_name="producer",
        context={
            "name": producer.name,
            "subtitle": "Producer",
            "about": rich_text(producer.bio),
            "image": _image(producer, "image", ("avatar", "large"), "12rem"),
            "support_email": producer.support_email,
            "links": _links(producer, (("website", "Website"), *SOCIAL, ("ticktock", "TikTok"))),
        },
    )


# --- selling with us ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def sell(request):
    """``/sell/``: the "sell tickets with us" lead form. A sent form goes 303 to the thank-you
    (``?sent=1``); errors come back by their fields, the input kept (422); over the address's budget,
    429. A bot that fills the honeypot is thanked and nothing is stored."""
    if request.method != "POST":
        if request.GET.get("sent") == "1":
            return render(request, "storefront/browse/sell_thanks.html", {"canonical": _canonical(request.path)})
        return _sell_page(request, ProducerInterestForm())
    form = ProducerInterestForm(request.POST)
    if form.is_bot:
        _over_budget(request, "sell", SELL_BUDGET)  # counted all the same
        return HttpResponseRedirect(reverse("storefront:sell") + "?sent=1", status=303)
    if not form.is_valid():
        return _sell_page(request, form, status=422)
    if _over_budget(request, "sell", SELL_BUDGET):
        form.add_error(None, OVER_BUDGET)
        return _sell_page(request, form, status=429)
    try:
        producer_interest_submit(
            data=form.interest_data(), ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _sell_page(request, form, status=422)
    return HttpResponseRedirect(reverse("storefront:sell") + "?sent=1", status=303)


def _sell_page(request, form: ProducerInterestForm, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "canonical": _canonical(reverse("storefront:sell"))}
    return render(request, "storefront/browse/sell.html", context, status=status)


# --- favicon ------------------------------------------------------------------------------------


@cache
def _favicon_bytes() -> bytes:
    found = finders.find("img/favicon.ico")
    if not found:
        from django.contrib.staticfiles.storage import staticfiles_storage

        with staticfiles_storage.open("img/favicon.ico") as handle:
            return handle.read()
    return Path(found).read_bytes()


@require_safe
@cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)
def favicon(request):
    """``/favicon.ico``: the site's icon (16, 32 and 48 px), for browsers and tools that ask for it
    there; pages name the SVG one. Cached for a year."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")
