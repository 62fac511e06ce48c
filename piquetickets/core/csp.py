"""Content-Security-Policy: the middleware that sends it, the per-view opt-in for pages meant to be
shown in a frame on another site, and the endpoint browsers report violations to.

The policy itself is ``CONTENT_SECURITY_POLICY`` in ``config/settings.py`` (django-csp). It allows no
inline script or style on any page: every script and stylesheet is a file served by the app. The
Django admin is the one exception, with its own policy (``CSP_ADMIN_DIRECTIVES``), because the admin
theme (django-unfold) runs Alpine.js, which evaluates its ``x-…`` attributes as code, and writes inline
styles. ``docs/security.md`` describes it all.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .cache import window_hits
from .http import client_ip

logger = logging.getLogger("piquetickets.csp")

REPORT_GROUP = "csp"  # the ``report-to`` group, named in the ``Reporting-Endpoints`` header
REPORT_MAX_BYTES = 32 * 1024  # a browser's batch of a few reports is well under this
REPORTS_LOGGED_PER_REQUEST = 20
REPORT_CONTENT_TYPES = ("application/csp-report", "application/reports+json", "application/json")
LOGGED_CHARS = 300


# --- the policy's origins -------------------------------------------------------------------


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL; ``None`` for a path or anything else."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def media_origins(
    *,
    media_url: str | None,
    custom_domain: str | None = None,
    bucket: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> list[str]:
    """Where uploaded images are served from, when that is not this site: an absolute ``MEDIA_URL``, or
    the S3 bucket's address (its custom domain, else the endpoint or AWS's bucket host names)."""
    origins = [origin_of(media_url)]
    if bucket:
        if custom_domain:
            origins.append(f"https://{custom_domain.strip('/').split('/')[0]}")
        elif endpoint_url:
            origins.append(origin_of(endpoint_url))
        else:
            # boto3 names objects on the bucket's own host: global, or regional outside us-east-1.
            origins.append(f"https://{bucket}.s3.amazonaws.com")
            if region:
                origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return list(dict.fromkeys(origin for origin in origins if origin))


def _checked_sources(sources: Iterable[str]) -> list[str]:
    """Sources a setting or a view adds to a directive, refused if they could end it or add another."""
    checked = []
    for source in sources:
        if source in {"'self'", "'none'"}:
            checked.append(source)
            continue
        if not source or any(char in source for char in " ;,\t\r\n\"'"):
            raise ImproperlyConfigured(f"Not a single CSP source: {source!r}")
        checked.append(source)
    return checked


# --- the middleware -------------------------------------------------------------------------


def _is_admin(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and "admin" in match.namespaces)


# Each distinct policy is built once per process: the header string depends only on the settings,
# whether the view is the admin's and what the view changed (``_csp_replace``...), not on the request.
# A response that used a nonce is built every time (the nonce is in it). Cleared when a setting changes
# (tests override them).
_built: dict[tuple, str] = {}
BUILT_POLICIES = 256  # distinct policies kept; past that, new ones are built every time


@receiver(setting_changed)
def _forget_built_policies(**kwargs: Any) -> None:
    _built.clear()
    _reports_to_group.cache_clear()


def _frozen(value: Any) -> Any:
    """A view's changes to the policy (dicts of lists) as a hashable key."""
    if isinstance(value, dict):
        return tuple(sorted((str(key), _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(_frozen(item) for item in value)
    return str(value) if value is not None and not isinstance(value, bool | int) else value


@lru_cache(maxsize=64)
def _reports_to_group(policy: str) -> bool:
    return any(directive.strip().startswith(f"report-to {REPORT_GROUP}") for directive in policy.split(";"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the admin's own policy and the ``Reporting-Endpoints`` header.

    The admin's views (namespace ``admin``) get ``CSP_ADMIN_DIRECTIVES`` in place of the same
    directives of the site's policy; every other directive stays as strict as elsewhere. A response
    whose policy names a ``report-to`` group also says where that group's reports go.

    The headers are django-csp's, byte for byte; each distinct policy string is built once per process.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if _is_admin(request):
            parts.replace = {**settings.CSP_ADMIN_DIRECTIVES, **(parts.replace or {})}
        return parts

    def _policy(self, request: HttpRequest, response: HttpResponseBase, *, report_only: bool) -> str:
        suffix = "_ro" if report_only else ""
        nonce = getattr(request, "_csp_nonce", None)
        if nonce is None:
            key = (
                report_only,
                _is_admin(request),
                _frozen(getattr(response, f"_csp_config{suffix}", None)),
                _frozen(getattr(response, f"_csp_update{suffix}", None)),
                _frozen(getattr(response, f"_csp_replace{suffix}", None)),
            )
            policy = _built.get(key)
            if policy is not None:
                return policy
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        policy = build_policy(**asdict(parts), report_only=report_only)
        if nonce is None and len(_built) < BUILT_POLICIES:
            _built[key] = policy
        return policy

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        # django-csp's ``process_response`` with the policy strings from ``_policy``.
        exempted_debug_codes = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
        if response.status_code in exempted_debug_codes and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = self._policy(request, response, report_only=report_only)
            if policy and header not in response and getattr(response, exempt, False) is False:
                prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
                if not request.path_info.startswith(tuple(prefixes)):
                    response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            # Past this point a nonce could no longer make it into the header: asking for one is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)

        reports_to_group = any(
            _reports_to_group(response[header]) for header in (HEADER, HEADER_REPORT_ONLY) if header in response
        )
        if reports_to_group and "Reporting-Endpoints" not in response:
            # Absolute: the Reporting API's endpoints are URLs (a relative one is resolved, per its spec,
            # but not by every browser that implements it).
            endpoint = request.build_absolute_uri(_report_path())
            response["Reporting-Endpoints"] = f'{REPORT_GROUP}="{endpoint}"'
        return response


def _report_path() -> str:
    path = _built.get(("report-path",))
    if path is None:
        path = _built[("report-path",)] = str(settings.CSP_REPORT_URL)
    return path


# --- pages that may be framed ---------------------------------------------------------------


def embeddable(*origins: str) -> Callable:
    """Let pages on ``origins`` show this view in a frame (``frame-ancestors``), e.g.
    ``@embeddable("https://venue.example")``; with no arguments, the origins in the
    ``CSP_EMBED_FRAME_ANCESTORS`` setting. Every other page may be framed by no one.

    The view's ``X-Frame-Options: DENY`` is dropped too: browsers that know ``frame-ancestors`` ignore
    that header, and the older ones that don't would otherwise refuse the frame. With no origins
    given nor configured the view stays unframeable (both headers as everywhere else).
    """
    _checked_sources(origins)

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def framed_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            allowed = list(origins) or _checked_sources(settings.CSP_EMBED_FRAME_ANCESTORS)
            if allowed:
                for attribute in ("_csp_replace", "_csp_replace_ro"):
                    replace = dict(getattr(response, attribute, None) or {})
                    replace["frame-ancestors"] = allowed
                    setattr(response, attribute, replace)
                response.xframe_options_exempt = True
            return response

        return framed_view

    return decorator


class EmbeddableMixin:
    """:func:`embeddable` for a class-based view: ``frame_ancestors = ("https://venue.example",)``, or
    empty for the ``CSP_EMBED_FRAME_ANCESTORS`` setting."""

    frame_ancestors: Sequence[str] = ()

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:
        return embeddable(*cls.frame_ancestors)(super().as_view(**initkwargs))  # type: ignore[misc]


# --- the report endpoint --------------------------------------------------------------------


def _clean(value: Any, *, url: bool = False) -> str:
    """A report field fit for a log line: text, printable, short; a URL without its query string (the
    check-in page's URL carries its door token) and fragment."""
    if value is None:
        return ""
    text = str(value)
    if url:
        text = text.split("#", 1)[0].split("?", 1)[0]
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text[:LOGGED_CHARS]


def _violations(payload: Any) -> list[dict[str, str]]:
    """The violations in a report body, in one shape, whichever way the browser sent them: the
    ``report-uri`` form (``{"csp-report": {...}}``) or the Reporting API's list of reports."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        report = payload["csp-report"]
        reports = [
            {
                "document": report.get("document-uri"),
                "directive": report.get("effective-directive") or report.get("violated-directive"),
                "blocked": report.get("blocked-uri"),
                "source": report.get("source-file"),
                "line": report.get("line-number"),
                "sample": report.get("script-sample"),
                "disposition": report.get("disposition"),
            }
        ]
    elif isinstance(payload, list):
        reports = [
            {
                "document": body.get("documentURL"),
                "directive": body.get("effectiveDirective"),
                "blocked": body.get("blockedURL"),
                "source": body.get("sourceFile"),
                "line": body.get("lineNumber"),
                "sample": body.get("sample"),
                "disposition": body.get("disposition"),
            }
            for item in payload
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(body := item.get("body"), dict)
        ]
    else:
        return []
    return [
        {
            "document": _clean(report["document"], url=True),
            "directive": _clean(report["directive"]),
            "blocked": _clean(report["blocked"], url=True),
            "source": _clean(report["source"], url=True),
            "line": _clean(report["line"]),
            "sample": _clean(report["sample"]),
            "disposition": _clean(report["disposition"]) or "enforce",
        }
        for report in reports
        if report["directive"]
    ]


def _over_budget(request: HttpRequest) -> bool:
    """One page with a broken script can send a report a second, and anyone can post here: each
    address gets ``CSP_REPORTS_PER_MINUTE`` reports a minute (not counted when the cache is down)."""
    minute = int(time.time() // 60)
    key = f"csp-report:{client_ip(request) or 'unknown'}"
    counts = window_hits(cache, [(f"{key}:{minute}", f"{key}:{minute - 1}", 120)])
    return bool(counts) and counts[0][0] > settings.CSP_REPORTS_PER_MINUTE


@csrf_exempt  # browsers post reports without a token (and without cookies)
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log each violation a browser reports, at WARNING: the page, the directive, what was blocked.

    Answers ``204`` (also for a report of no violation), ``400`` for a body that is not a report,
    ``413`` past ``REPORT_MAX_BYTES``, ``415`` for another content type, ``429`` over the address's
    budget. Nothing is stored; a report is never worth a ``500``.
    """
    content_type = request.content_type or ""
    if content_type not in REPORT_CONTENT_TYPES:
        return HttpResponse(status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if declared > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    if _over_budget(request):
        return HttpResponse(status=429)
    try:
        payload = json.loads(request.read(REPORT_MAX_BYTES))  # WSGI reads no further than CONTENT_LENGTH
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return HttpResponse(status=400)
    if not isinstance(payload, dict | list):
        return HttpResponse(status=400)
    violations = _violations(payload)
    for violation in violations[:REPORTS_LOGGED_PER_REQUEST]:
        logger.warning(
            "CSP violation (%s) on %s: %s blocked %s%s",
            violation["disposition"],
            violation["document"] or "?",
            violation["directive"],
            violation["blocked"] or "?",
            f" at {violation['source']}:{violation['line']}" if violation["source"] else "",
            extra={"csp_violation": violation},
        )
    return HttpResponse(status=204)
