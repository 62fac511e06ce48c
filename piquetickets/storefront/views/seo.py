"""What search engines read (``/sitemap.xml``, ``/robots.txt``) and the page the embeddable
"Buy tickets" widget frames (``/embed/shows/<slug>/``).

The sitemap lists the pages a buyer can find by browsing: every public upcoming show (published, not
deleted, not yet ended: the same rule as the show list), and the venues, performers and producers
that have at least one of those shows (their profile pages list them; a profile with nothing on is
not worth a crawl, and one known only from drafts would announce a draft). Its URLs are built on
``SITE_URL``, whatever host the crawler asked for.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core import signing
from django.db.models import F, Max, Q
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from piquetickets.core.csp import embeddable
from piquetickets.core.money import format_money
from piquetickets.core.pagecache import cached_page, page_tags
from piquetickets.orders.models import Order
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show
from piquetickets.venues.models import Venue

from . import shows

# Paths crawlers are asked to leave alone: private (orders, payments, door links, the portal, the
# admin), machine-facing (the API), or a copy of a public page meant for a frame (embed).
ROBOTS_DISALLOW = ("/admin/", "/api/", "/checkin/", "/orders/", "/pay/", "/embed/", "/dashboard/")
SITEMAP_MAX_AGE = 15 * 60  # seconds crawlers and proxies may keep the sitemap and robots.txt


class _SiteSitemap(Sitemap):
    """A sitemap whose URLs start with ``SITE_URL`` (scheme and host), not the request's host."""

    def get_urls(self, page=1, site=None, protocol=None):
        base = urlsplit(settings.SITE_URL)
        return super().get_urls(page=page, site=SimpleNamespace(domain=base.netloc), protocol=base.scheme or "https")

    def lastmod(self, item):
        return item.last_changed


def _public_upcoming(prefix: str = "") -> Q:
    """The public-show rule (``Show.objects.published().upcoming()``) seen from a related model."""
    return Q(**{f"{prefix}published": True, f"{prefix}is_deleted": False, f"{prefix}end_time__gt": timezone.now()})


class ShowSitemap(_SiteSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return (
            Show.objects.published()
            .upcoming()
            .annotate(last_changed=F("updated_at"))
            .only("slug", "updated_at")
            .order_by("start_time", "pk")
        )

    def location(self, item):
        return reverse("storefront:show", args=[item.slug])


class _ProfileSitemap(_SiteSitemap):
    """Profiles with a public upcoming show; lastmod is the later of the profile's own change and
    its shows' (a new show changes the profile page)."""

    changefreq = "weekly"
    priority = 0.5
    model = None
    route = ""
    extra_filter = Q()

    def items(self):
        upcoming = _public_upcoming("shows__")
        return (
            self.model.objects.filter(self.extra_filter, upcoming)
            .annotate(last_changed=Greatest("updated_at", Max("shows__updated_at", filter=upcoming)))
            .only("slug", "updated_at")
            .order_by("pk")
        )

    def location(self, item):
        return reverse(self.route, args=[item.slug])


class VenueSitemap(_ProfileSitemap):
    model = Venue
    route = "storefront:venue"
    extra_filter = Q(is_active=True)


class PerformerSitemap(_ProfileSitemap):
    model = Performer
    route = "storefront:performer"


class ProducerSitemap(_ProfileSitemap):
    model = Producer
    route = "storefront:producer"
    extra_filter = Q(is_active=True)


SITEMAPS = {"shows": ShowSitemap, "venues": VenueSitemap, "performers": PerformerSitemap, "producers": ProducerSitemap}


@cached_page(query=("p",))
@require_GET
@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def sitemap_xml(request):
    """``/sitemap.xml``: public upcoming shows, then venues, performers and producers with one."""
    page_tags(request, "list")
    return django_sitemap(request, sitemaps=SITEMAPS)


@require_GET
@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def robots_txt(request):
    """``/robots.txt``: everything public may be crawled; private and framed pages may not."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", ""]
    lines.append(f"Sitemap: {settings.SITE_URL}{reverse('storefront:sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# --- the embed page (the "Buy tickets" widget's overlay) --------------------------------------

EMBED_CHECKOUT_TEMPLATE = "storefront/embed/checkout.html"
EMBED_PAY_SALT = "storefront.embed.pay"
EMBED_PAY_MAX_AGE = 2 * 24 * 60 * 60  # a Stripe Checkout session lives at most a day
EMBED_POLL_SECONDS = 3


def _posted_from_this_site(request) -> bool:
    """Whether a POST comes from a page of this site (the embed page in its frame), by the headers
    browsers set and pages cannot: ``Origin`` (or, without it, ``Sec-Fetch-Site``).

    In the producer's page the frame's cookies are third-party: browsers keep them out (SameSite, and
    tracking protection), so Django's CSRF cookie cannot be relied on there. A forged POST from
    another site names that site as its ``Origin``; the frame's own forms name this one.
    """
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        here = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
        return origin == here or origin in settings.CSRF_TRUSTED_ORIGINS
    return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"


def _public_show(slug: str) -> Show:
    show = Show.objects.published().filter(slug=slug).only("pk", "slug", "title").first()
    if show is None:
        raise Http404("No such show.")
    return show


def _started_order(show, location: str):
    """The order a checkout just started, from where the checkout sends the buyer to pay: the test
    provider's page or the order page (both carry its token), or the payment provider's page (its
    checkout session id is a segment of the path)."""
    parts = urlsplit(location)
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    if match is not None and match.view_name in {"payments:test-pay", "storefront:order"}:
        return Order.objects.filter(show=show, public_token=match.kwargs["token"]).first()
    sessions = [segment for segment in parts.path.split("/") if segment.startswith("cs_")]
    return Order.objects.filter(show=show, session_id__in=sessions).first() if sessions else None


def _embed_order(request, show, token: str):
    """The overlay's last step for an order it started: pay in a new tab, then "You're in!" here."""
    order = Order.objects.filter(show=show, public_token=token).first()
    if order is None:
        raise Http404("No such order.")
    pay_url = ""
    if request.GET.get("pay") and order.status == Order.Status.PENDING:
        try:
            pay_url = signing.loads(request.GET["pay"], salt=EMBED_PAY_SALT, max_age=EMBED_PAY_MAX_AGE)
        except signing.BadSignature:
            pay_url = ""
    context = {
        "show": show,
        "order": order,
        "paid": order.status in {Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED},
        "pending": order.status == Order.Status.PENDING,
        "total": format_money(order.total, order.currency),
        "tickets": sum(line.quantity for line in order.ticket_orders.all()),
        "pay_url": pay_url,
        "order_url": reverse("storefront:order", args=[order.public_token]),
        "check_url": request.get_full_path(),
        "restart_url": reverse("storefront:embed-show", args=[show.slug]),
        "poll_seconds": EMBED_POLL_SECONDS,
    }
    template = "storefront/embed/_order_status.html" if request.htmx else "storefront/embed/order.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    response["Referrer-Policy"] = "no-referrer"  # the URL carries the order's token
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@embeddable()  # frame-ancestors: CSP_EMBED_FRAME_ANCESTORS (any https site unless set); X-Frame-Options dropped
@csrf_exempt  # see _posted_from_this_site: the frame's cookies are third-party
@never_cache
@require_http_methods(["GET", "POST"])
def embed_show(request, slug):
    """``/embed/shows/<slug>/``: the show's checkout for the "Buy tickets" widget's overlay frame.

    The checkout is the show page's own (``views/shows.py``'s ``checkout`` view, its form and service)
    rendered in the embed's frame-less layout, its forms posting back here. When it sends the buyer on
    to pay, the frame moves to ``?order=<token>``: the payment opens in a new top-level tab (a payment
    provider's page refuses to be framed, and its cookies would be third-party here), and the frame
    checks the order until it is paid and says so. Only this view may be framed.
    """
    if request.method == "POST" and not _posted_from_this_site(request):
        return render(request, "storefront/embed/refused.html", {"slug": slug}, status=403)
    token = request.GET.get("order", "")
    if token and request.method == "GET":
        return _embed_order(request, _public_show(slug), token)
    embed_url = reverse("storefront:embed-show", args=[slug])
    request.checkout_template = EMBED_CHECKOUT_TEMPLATE
    request.checkout_url = embed_url
    response = shows.checkout(request, slug)
    if response.status_code == 303:  # the checkout started: pay in a new tab, wait here
        location = response["Location"]
        order = _started_order(_public_show(slug), location)
        if order is None:  # not ours to follow: the buyer goes on to pay, in a new tab
            return render(request, "storefront/embed/pay.html", {"pay_url": location, "slug": slug})
        query = {"order": order.public_token}
        if order.status == Order.Status.PENDING:
            query["pay"] = signing.dumps(location, salt=EMBED_PAY_SALT)
        see_other = HttpResponse(status=303)
        see_other["Location"] = f"{embed_url}?{urlencode(query)}"
        return see_other
    return response
