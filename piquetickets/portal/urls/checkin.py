"""Portal URLs: check-in links: create, label, revoke, copy, QR; live counts."""

urlpatterns: list = []
