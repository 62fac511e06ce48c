"""Portal URLs: the help centre: knowledge categories and articles, searchable."""

urlpatterns: list = []
