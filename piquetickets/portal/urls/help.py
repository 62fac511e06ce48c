"""Portal URLs: the help centre: knowledge categories and articles, searchable (``?q=``)."""

from django.urls import path

from piquetickets.portal.views import help

urlpatterns: list = [
    path("help/", help.help_index, name="help"),
    path("help/<slug:slug>/", help.help_article, name="help-article"),
]
