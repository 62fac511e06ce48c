from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from piquetickets.core.views import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("piquetickets.api.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "piquetickets.core.views.not_found"
handler500 = "piquetickets.core.views.server_error"
