"""The IANA time zones a show or venue may use, read from the pinned ``tzdata`` package.

The same list backs the form choices and a database CHECK constraint, so a row with a made-up
zone name cannot be written even by raw SQL through the ORM's schema.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

DEFAULT_TIME_ZONE = "America/Chicago"


@cache
def iana_time_zones() -> tuple[str, ...]:
    """All zone names tzdata ships, sorted; ``Factory`` (a placeholder, not a place) left out."""
    names = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return tuple(sorted(n for n in names if n != "Factory"))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in iana_time_zones()]


# The zones most shows are in, named as people say them, above the ~600 of the full list in the forms.
COMMON_TIME_ZONES = (
    ("America/New_York", "US Eastern (New York)"),
    ("America/Chicago", "US Central (Chicago)"),
    ("America/Denver", "US Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "US Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Toronto", "Canada Eastern (Toronto)"),
    ("America/Vancouver", "Canada Pacific (Vancouver)"),
    ("Europe/London", "UK (London)"),
    ("Europe/Dublin", "Ireland (Dublin)"),
    ("Europe/Paris", "Central Europe (Paris, Berlin, Madrid)"),
    ("Australia/Sydney", "Australia Eastern (Sydney)"),
    ("Pacific/Auckland", "New Zealand (Auckland)"),
)


def time_zone_choices_grouped() -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's choices: the common zones first, then every zone by its IANA name."""
    return [("Common", list(COMMON_TIME_ZONES)), ("Every time zone", time_zone_choices())]


def time_zone_constraint(*, field: str, name: str):
    """A CHECK constraint that only admits IANA zone names in ``field``."""
    from django.db import models

    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": iana_time_zones()}),
        name=name,
        violation_error_message="Choose a valid IANA time zone, e.g. America/Chicago.",
    )


def validate_time_zone(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value not in iana_time_zones():
        raise ValidationError(
            "“%(value)s” is not a known time zone.", code="invalid_time_zone", params={"value": value}
        )
