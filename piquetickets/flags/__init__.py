"""Feature flags: django-waffle's flags, plus "on for these producers" (see ``models.Flag``)."""
