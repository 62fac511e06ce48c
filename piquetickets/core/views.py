import logging
import sys

from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from .errors import ServiceUnavailable
from .health import system_health
from .outages import is_outage, outage_reported

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request):
    """``200`` with every component ``ok``; ``503`` naming what is down.

    What went wrong (which may name internal hosts and ports) is logged, and shown to signed-in staff only.
    """
    components = system_health()
    down = sorted(name for name, state in components.items() if state["status"] != "ok")
    # Who is asking is read from the session in the database: not while the database is down.
    staff = "database" not in down and request.user.is_authenticated and request.user.is_staff
    if not staff:
        components = {name: {"status": state["status"]} for name, state in components.items()}
    body = {"status": "ok" if not down else "down", "down": down, "components": components}
    return JsonResponse(body, status=200 if not down else 503)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404 for any URL: JSON in the API's error shape under ``/api/``, the HTML page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found", "extra": {}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def _routed(path: str, urlconf) -> bool:
    """Whether ``path`` reaches a real view (not the catch-all below)."""
    try:
        return resolve(path, urlconf).func is not api_not_found
    except Resolver404:
        return False


@csrf_exempt  # it changes nothing; a CSRF refusal would answer HTML where the API answers JSON
def api_not_found(request, path: str = ""):
    """Every ``/api/`` URL that matches no route: the API's JSON 404 (with DEBUG on too, where Django would
    show its HTML debug page), or a redirect to the same URL with the slash it lacks, as
    ``APPEND_SLASH`` does for pages (308, so a POST stays a POST)."""
    if not request.path_info.endswith("/") and _routed(f"{request.path_info}/", getattr(request, "urlconf", None)):
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{request.path}/" + (f"?{query}" if query else ""), status=308)
    return not_found(request)


def csrf_failure(request, reason: str = ""):
    """403 for a form sent without a valid CSRF token: the site's own page (Django's has an inline style the
    Content-Security-Policy blocks), or the API's error shape under ``/api/``."""
    if _wants_json(request):
        return JsonResponse(
            {"detail": "CSRF check failed: send the X-CSRFToken header.", "code": "permission_denied", "extra": {}},
            status=403,
        )
    return HttpResponse(render_to_string("403_csrf.html"), status=403)


def outage_answer(error: BaseException | None) -> tuple[dict, dict[str, str]]:
    """The API's 503 body and headers for an outage, which is logged once a minute (not per request)."""
    if error is not None:
        outage_reported(error)
    seconds = ServiceUnavailable.retry_after_seconds
    body = ServiceUnavailable(extra={"retry_after_seconds": seconds}).as_dict()
    return body, {"Retry-After": str(seconds), "Cache-Control": "no-store"}


def service_unavailable(request, error: BaseException | None = None) -> HttpResponse:
    """503 with ``Retry-After``: the API's error shape under ``/api/``, the "try again" page elsewhere.

    Touches neither the database nor the session: it answers precisely when they are down.
    """
    body, headers = outage_answer(error)
    if _wants_json(request):
        response = JsonResponse(body, status=503, headers=headers)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503, headers=headers)
    response._has_been_logged = True  # logged once a minute above; Django would log each
    return response


def server_error(request):
    """500, or 503 when the uncaught error was an outage (e.g. the session store's database in a middleware)."""
    if is_outage(sys.exc_info()[1]):
        return service_unavailable(request, sys.exc_info()[1])
    if _wants_json(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side. It has been logged.", "code": "server_error", "extra": {}},
            status=500,
        )
    return HttpResponse(render_to_string("500.html"), status=500)


class OutageMiddleware:
    """A view that meets an outage (database or broker not answering) answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return service_unavailable(request, exception)
        return None
