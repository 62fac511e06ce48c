from allauth.account.decorators import secure_admin_login
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from piquetickets.core.csp import csp_report
from piquetickets.core.views import api_not_found, health

# Only the webhook we use out of ``anymail.urls`` (same path, name and namespace): the other
# providers' endpoints would be reachable for nothing.
anymail_urls = (
    [
        path(
            "amazon_ses/tracking/",
            AmazonSESTrackingWebhookView.as_view(),
            name="amazon_ses_tracking_webhook",
        ),
    ],
    "anymail",
)

# Staff sign in where producers do (``/accounts/login/``): the same rate limits on failed attempts
# and the same two-factor step. The admin's own form would bypass both.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("health/", health, name="health"),
    path("csp-report/", csp_report, name="csp-report"),  # browsers report CSP violations here
    path("admin/", admin.site.urls),
    path("accounts/", include("piquetickets.accounts.urls")),  # django-allauth: the portal's sign-in, reset, two-factor
    path("dashboard/", include("piquetickets.portal.urls")),  # the producer portal
    path("api/v1/", include("piquetickets.api.urls")),
    re_path(r"^api/", api_not_found),  # JSON 404s even with DEBUG on (no HTML debug page)
    path("anymail/", include(anymail_urls)),  # SES delivery events (basic auth: ANYMAIL_WEBHOOK_SECRET)
    path("", include("piquetickets.payments.urls")),
    path("", include("piquetickets.storefront.urls")),
    path("", include("piquetickets.checkin_app.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "piquetickets.core.views.not_found"
handler500 = "piquetickets.core.views.server_error"
