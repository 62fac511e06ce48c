"""Portal URLs: orders and attendees: lists, search, detail, resend, refunds, CSV exports, door list."""

urlpatterns: list = []
