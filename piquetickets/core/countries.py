"""Countries by their ISO 3166-1 alpha-2 code, read from the pinned ``tzdata`` package's ``iso3166.tab``
(the list the time zones are drawn from): a select of real countries, not two letters typed."""

from __future__ import annotations

from functools import cache
from importlib import resources

# Names as a producer would look for them (tzdata's are for picking a time zone).
RENAMED = {"GB": "United Kingdom"}
# Put first in the select: where most producers are.
FIRST = ("US", "CA", "GB", "IE", "AU", "NZ")


@cache
def countries() -> dict[str, str]:
    """``{"US": "United States", …}``, by code."""
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    rows = (line.split("\t", 1) for line in table.splitlines() if line and not line.startswith("#"))
    names = {code.strip(): name.strip() for code, name in rows}
    names.update(RENAMED)
    return names


def country_choices() -> list[tuple[str, str]]:
    """The most common countries first, then every country by name."""
    names = countries()
    rest = sorted((code for code in names if code not in FIRST), key=names.__getitem__)
    return [(code, names[code]) for code in (*FIRST, *rest)]
