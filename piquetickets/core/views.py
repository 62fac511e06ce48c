from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import system_health


@never_cache
@require_GET
def health(request):
    """``200`` with every component ``ok``; ``503`` naming what is down."""
    components = system_health()
    down = sorted(name for name, state in components.items() if state["status"] != "ok")
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


def server_error(request):
    if _wants_json(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side. It has been logged.", "code": "server_error", "extra": {}},
            status=500,
        )
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)
