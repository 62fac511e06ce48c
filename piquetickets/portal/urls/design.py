"""Portal URLs: a show's page design with a live preview (the embed snippet is on the show's page)."""

from django.urls import path

from piquetickets.portal.views import design

urlpatterns = [
    path("shows/<slug:slug>/design/", design.show_design, name="show-design"),
    path("shows/<slug:slug>/design/preview/", design.show_design_preview, name="show-design-preview"),
    path("shows/<slug:slug>/design/theme.css", design.show_design_css, name="show-design-css"),
]
