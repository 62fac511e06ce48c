"""Portal URLs: a show's page design with a live preview, and the embed snippet."""

urlpatterns: list = []
