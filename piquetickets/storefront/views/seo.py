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
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import F, Max, Q
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.shows.models import Show
from piquetickets.venues.models import Venue

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


@require_GET
@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def sitemap_xml(request):
    """``/sitemap.xml``: public upcoming shows, then venues, performers and producers with one."""
    return django_sitemap(request, sitemaps=SITEMAPS)


@require_GET
@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def robots_txt(request):
    """``/robots.txt``: everything public may be crawled; private and framed pages may not."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", ""]
    lines.append(f"Sitemap: {settings.SITE_URL}{reverse('storefront:sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def embed_show(request, slug):
    raise Http404
