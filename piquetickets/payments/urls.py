"""Pages of the payment flow that run on this site: the test provider's page and the cancel return."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("pay/test/<str:token>/", views.test_payment_page, name="test-pay"),
    path("pay/cancel/<str:token>/", views.payment_cancelled, name="cancel"),
]
