"""Buyer-facing pages."""

from django.urls import path

from . import views

app_name = "storefront"
urlpatterns = [
    path("orders/<str:token>/", views.order_page, name="order"),
    path("orders/<str:token>/tickets.pdf", views.order_tickets_pdf, name="order-pdf"),
    path("orders/<str:token>/calendar.ics", views.order_calendar, name="order-ics"),
]
