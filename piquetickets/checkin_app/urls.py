"""The door staff's check-in page."""

from django.urls import path

from . import views

app_name = "checkin_app"
urlpatterns = [
    path("checkin/", views.checkin_page, name="app"),
]
