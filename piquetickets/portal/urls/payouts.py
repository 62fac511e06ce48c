"""Portal URLs: payouts: Stripe Connect onboarding, status, Express dashboard link, money per show."""

from django.urls import path

from piquetickets.portal.views import payouts

urlpatterns = [
    path("payouts/", payouts.payouts, name="payouts"),
    path("payouts/connect/", payouts.payouts_connect, name="payouts-connect"),
    path("payouts/return/", payouts.payouts_return, name="payouts-return"),
    path("payouts/refresh/", payouts.payouts_refresh_link, name="payouts-refresh"),
    path("payouts/stripe-dashboard/", payouts.payouts_dashboard, name="payouts-dashboard"),
]
