"""Portal URLs: payouts: Stripe Connect onboarding, status, Express dashboard link, money per show."""

urlpatterns: list = []
