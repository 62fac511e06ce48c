"""Portal URLs: venues, performers and the producer profile."""

from django.urls import path

from piquetickets.portal.views import places

urlpatterns = [
    path("venues/", places.venue_list, name="venue-list"),
    path("venues/new/", places.venue_new, name="venue-create"),
    path("venues/<slug:slug>/", places.venue_edit, name="venue-edit"),
    path("venues/<slug:slug>/remove/", places.venue_remove_view, name="venue-remove"),
    path("performers/", places.performer_list, name="performer-list"),
    path("performers/new/", places.performer_new, name="performer-create"),
    path("performers/<slug:slug>/", places.performer_edit, name="performer-edit"),
    path("performers/<slug:slug>/remove/", places.performer_remove_view, name="performer-remove"),
    path("profile/", places.profile, name="profile"),
]
