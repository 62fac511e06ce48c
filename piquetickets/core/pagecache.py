"""Whole public pages from the cache: the storefront's show pages, lists, profiles and sitemap.

A view decorated with :func:`cached_page` is rendered once and then answered from the cache (Redis in
production, Django's local-memory cache otherwise) to every visitor it is the same for, for at most
``PAGE_CACHE_SECONDS`` (5 by default; 0 turns the cache off). Two rules keep it right:

- **Forgotten on change.** While it renders, the view names the things its page shows with
  :func:`page_tags` (``show:12``, ``venue:3``, ``list``...). Each tag has a version in the cache (a
  random token); the entry records the versions it was made with, and is only served while they are
  all still current. :func:`forget` gives tags new versions, at once and again when the transaction
  commits (a request reading the old rows before the commit may have stored them meanwhile), so an
  edit shows on the next request. ``storefront/apps.py`` connects it to the models' signals.
- **One round trip on a hit.** Each process keeps the entries it served lately in memory; a hit
  reads only the versions of the entry's tags from the cache (one ``MGET``), and the entry itself
  once per ``PAGE_CACHE_SECONDS``.
- **Never older than a few seconds.** What changes without an edit (tickets left, holds that lapse,
  image renditions written by the worker) shows when the entry is ``PAGE_CACHE_SECONDS`` old: then
  one request renders the page again while the others are answered with the old copy for at most
  ``STALE_GRACE`` seconds more (no stampede of renders when a busy page expires). Checkout never
  trusts a page: it counts and locks the rows itself.

What is never served from or stored into the cache: anything but GET and HEAD; a request with a
session cookie (signed in, or carrying per-visitor state) or with Django messages waiting; a
``?promo=`` link; an answer other than 200; an answer that sets a cookie or used a CSRF token (a
public page must hold nothing per visitor; such an answer is served as it is and logged). htmx
requests and full pages are kept apart (``HX-Request``, ``HX-History-Restore-Request``), and of the
query string only the parameters the view names count (so ``?utm_source=…`` links share an entry
and nobody can flood the cache with made-up addresses).

Public pages are sent gzip-compressed to clients that accept it (compressed once, when stored): they
hold no secret, so compression cannot leak one (BREACH). When the cache is down every request is a
miss served from the database (``core/cache.py``).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import pickle
import secrets
import time
from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

PREFIX = "page:"
STALE_GRACE = 2  # seconds an expired page may still be served while one request renders it again
EVERY_PAGE = "site"  # the tag every cached page has: forget("site") forgets them all
MIN_COMPRESS = 512  # bytes; smaller answers go as they are
SKIPPED_HEADERS = {"content-length", "content-encoding", "set-cookie"}

clock = time.time  # tests move it


def _tag_key(tag: str) -> str:
    return f"{PREFIX}tag:{tag}"


def page_tags(request: HttpRequest, *tags: str) -> None:
    """Say that the page being rendered for ``request`` shows ``tags`` (it is forgotten when one of
    them is); nothing when the page is not being cached."""
    wanted = getattr(request, "_page_tags", None)
    if wanted is not None:
        wanted.update(tags)


def _new_versions(tags: Iterable[str]) -> None:
    cache.set_many({_tag_key(tag): secrets.token_hex(8) for tag in tags}, timeout=None)


def in_use() -> bool:
    """Whether pages or their rows are kept at all (else there is nothing to forget)."""
    return bool(settings.PAGE_CACHE_SECONDS or settings.PAGE_DATA_SECONDS)


def forget(*tags: str) -> None:
    """Forget every cached page showing any of ``tags``: now, and again once the current transaction
    commits (at once outside one)."""
    tags = tuple(dict.fromkeys(tag for tag in tags if tag))
    if not tags or not in_use():
        return
    _new_versions(tags)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_new_versions, tags))


def _versions(tags: Iterable[str]) -> dict[str, str]:
    """The current version of each tag (by cache key), giving one to a tag that has none yet."""
    keys = sorted(_tag_key(tag) for tag in tags)
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), timeout=None)  # the first one made wins
            found[key] = cache.get(key)
    return found


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "promo" in request.GET:
        return False
    per_visitor = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    return not any(name in request.COOKIES for name in per_visitor)


def _entry_key(request: HttpRequest, query: tuple[str, ...]) -> str:
    params = sorted((name, value) for name in query for value in request.GET.getlist(name) if value != "")
    mode = "".join(
        flag for flag, header in (("h", "HX-Request"), ("r", "HX-History-Restore-Request")) if header in request.headers
    )
    identity = f"{request.path}?{urlencode(params)}#{mode}"
    return f"{PREFIX}{hashlib.sha256(identity.encode()).hexdigest()[:32]}"


def _accepts_gzip(request: HttpRequest) -> bool:
    accepted = request.headers.get("Accept-Encoding", "").replace(" ", "").lower()
    return any(part == "gzip" or (part.startswith("gzip;") and part[5:8] != "q=0") for part in accepted.split(","))


def _answer(entry: dict, request: HttpRequest, *, state: str) -> HttpResponse:
    use_gzip = entry["gzip"] is not None and _accepts_gzip(request)
    response = HttpResponse(entry["gzip"] if use_gzip else entry["body"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    response["X-Page-Cache"] = state
    _public(response)
    return response


def _public(response: HttpResponse) -> None:
    if not response.has_header("Cache-Control"):
        # Shared caches may keep it as long as we do (they can't be told of edits); browsers ask again.
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie", "HX-Request", "Accept-Encoding"])


def _compressed(body: bytes) -> bytes | None:
    return gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_COMPRESS else None


def _served_as_is(request: HttpRequest, response: HttpResponse, *, state: str) -> HttpResponse:
    """An answer that is not stored: as a public page (compressed) when it could have been one, else
    as the view made it (``bypass``: for this visitor only)."""
    if state != "bypass" and _storable(request, response, warn=False):
        return _answer(_entry(response), request, state=state)
    response["X-Page-Cache"] = state
    if state == "bypass":
        patch_cache_control(response, private=True, max_age=0)
        patch_vary_headers(response, ["Cookie"])
    return response


def _entry(response: HttpResponse) -> dict:
    headers = [(name, value) for name, value in response.items() if name.lower() not in SKIPPED_HEADERS]
    body = response.content
    return {"status": response.status_code, "headers": headers, "body": body, "gzip": _compressed(body)}


def _storable(request: HttpRequest, response: HttpResponse, *, warn: bool = True) -> bool:
    if response.status_code != 200 or response.streaming or response.has_header("Content-Encoding"):
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        if warn:
            logger.warning("Not caching %s: the page sets a cookie or holds a CSRF token.", request.path)
        return False
    control = response.get("Cache-Control", "")
    return "private" not in control and "no-store" not in control and "no-cache" not in control


# This process's copies of the entries it served lately: a hit then costs one round trip to the cache
# (the versions of its tags), not two, and no copy of the page over the wire.
_nearby: dict[str, dict] = {}
NEARBY_ENTRIES = 200


def _keep_nearby(key: str, entry: dict | None, *, store: dict[str, dict] = _nearby) -> None:
    store.pop(key, None)
    if entry is None:
        return
    store[key] = entry
    while len(store) > NEARBY_ENTRIES:
        del store[next(iter(store))]  # the one kept longest ago


def _rendered(response: HttpResponse) -> HttpResponse:
    """The response with its content made (a ``TemplateResponse``, e.g. the sitemap's, is lazy)."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response


def cached_page(*, query: tuple[str, ...] = ()) -> Callable:
    """Serve the decorated view's page from the cache (see the module's docstring). ``query``: the
    query-string parameters its page depends on; the others are ignored."""

    def decorate(view):
        @wraps(view)
        def serve(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if not seconds:
                return _served_as_is(request, _rendered(view(request, *args, **kwargs)), state="off")
            if not _cacheable(request):
                return _served_as_is(request, _rendered(view(request, *args, **kwargs)), state="bypass")
            key = _entry_key(request, query)
            entry = _nearby.get(key)
            if entry is None or clock() - entry["at"] >= seconds:
                entry = cache.get(key)  # another process may have rendered it meanwhile
                _keep_nearby(key, entry)
            if entry is not None and cache.get_many(list(entry["versions"])) == entry["versions"]:
                age = clock() - entry["at"]
                if age < seconds:
                    return _answer(entry, request, state="hit")
                if not cache.add(f"{key}:renewing", 1, timeout=STALE_GRACE):  # another request renders it
                    return _answer(entry, request, state="stale")
            request._page_tags = {EVERY_PAGE}
            response = _rendered(view(request, *args, **kwargs))
            if not _storable(request, response):
                return _served_as_is(request, response, state="uncacheable")
            entry = _entry(response)
            entry["at"] = clock()
            entry["versions"] = _versions(request._page_tags)
            cache.set(key, entry, timeout=seconds + STALE_GRACE)
            _keep_nearby(key, entry)
            cache.delete(f"{key}:renewing")
            return _answer(entry, request, state="miss")

        return serve

    return decorate


# --- a page's rows, kept between renders -----------------------------------------------------------

T = TypeVar("T")
_nearby_data: dict[str, dict] = {}


def kept_rows(key: str, load: Callable[[], T], *, tags: Callable[[T], Iterable[str]]) -> T:
    """What ``load()`` reads (model instances with what they prefetched), from the cache while none of
    ``tags(value)`` has been forgotten since, for at most ``PAGE_DATA_SECONDS`` (0: ``load()`` every
    time). The tags are the page cache's, so the same edits forget both (``forget``).

    For the parts of a page that change only by an edit: a page that is rendered anyway (the page
    cache is off, the visitor has a session, the cached copy has expired) then reads its rows with
    one round trip to the cache (the versions of its tags) instead of its queries. What changes
    without an edit (tickets left) must still be read each time by the caller. Each call returns its
    own copy (unpickled), which the caller may change. ``load()``'s exceptions (a 404) go through
    and nothing is kept. The longest a copy can outlive an edit is ``PAGE_DATA_SECONDS``: a request
    that read the rows just before an edit committed may store them after the edit's last ``forget``.
    """
    seconds = settings.PAGE_DATA_SECONDS
    if not seconds:
        return load()
    key = f"{PREFIX}rows:{key}"
    entry = _nearby_data.get(key)
    if entry is None or clock() - entry["at"] >= seconds:
        entry = cache.get(key)
        _keep_nearby(key, entry, store=_nearby_data)
    if entry is not None and cache.get_many(list(entry["versions"])) == entry["versions"]:
        return pickle.loads(entry["blob"])  # noqa: S301 - our own cache's bytes, written just below
    value = load()
    entry = {"blob": pickle.dumps(value), "versions": _versions(tags(value)), "at": clock()}
    cache.set(key, entry, timeout=seconds)
    _keep_nearby(key, entry, store=_nearby_data)
    return value
