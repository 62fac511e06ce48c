"""Portal URLs: venues, performers and the producer profile."""

urlpatterns: list = []
