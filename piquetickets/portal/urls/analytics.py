"""Portal URLs: analytics: by day, ticket type, promo code; refunds; check-in rate; CSV.

The page is behind the feature flag ``portal_analytics`` (off: 404); its tables download as CSV with
``?chart=<name>&format=csv`` on the same URL.
"""

from django.urls import path

from piquetickets.portal.views import analytics

urlpatterns: list = [
    path("analytics/", analytics.analytics, name="analytics"),
]
