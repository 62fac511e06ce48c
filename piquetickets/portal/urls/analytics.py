"""Portal URLs: analytics: by day, ticket type, promo code; refunds; check-in rate; CSV."""

urlpatterns: list = []
