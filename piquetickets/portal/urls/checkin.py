"""Portal URLs: check-in links: create, label, revoke, copy, QR; live counts."""

from django.urls import path

from piquetickets.portal.views import checkin

urlpatterns = [
    path("checkin/", checkin.checkin_overview, name="checkin-overview"),
    path("shows/<slug:slug>/checkin/", checkin.checkin_show, name="checkin-show"),
    path("shows/<slug:slug>/checkin/new/", checkin.checkin_create, name="checkin-create"),
    path("shows/<slug:slug>/checkin/<uuid:session_id>/", checkin.checkin_link, name="checkin-link"),
    path(
        "shows/<slug:slug>/checkin/<uuid:session_id>/revoke/", checkin.checkin_link_revoke, name="checkin-link-revoke"
    ),
    path("shows/<slug:slug>/checkin/<uuid:session_id>/qr.svg", checkin.checkin_link_qr, name="checkin-link-qr"),
]
