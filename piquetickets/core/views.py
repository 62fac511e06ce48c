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
