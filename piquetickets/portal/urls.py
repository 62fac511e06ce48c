"""The producer portal, under ``/dashboard/`` (see ``views/__init__.py`` for the areas).

Every URL here is in the authorization matrix (``tests/portal/test_authorization_matrix.py``): a new
one without its cases there fails that test.
"""

from django.urls import path

from .views import dashboard, producers

app_name = "portal"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # which producer the user acts for
    path("producers/", producers.producer_choose_page, name="producers"),
    path("producers/switch/", producers.producer_switch, name="producer-switch"),
]
