"""CSV downloads of the portal's lists, streamed: a file of 10,000 rows or 1,000,000 is written as it is
read, in constant memory.

- The rows come from a queryset read with ``.iterator(chunk_size=…)`` (server-side cursor on
  PostgreSQL), so neither the database driver nor Django holds the whole result.
- UTF-8 with a byte-order mark, so that Excel opens names like *Zoë* or *김민준* correctly.
- Spreadsheet formula injection is neutralised: a cell starting with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return, or with spaces or line breaks and then one of those (spreadsheets skip
  leading blanks before a formula), gets a leading ``'``, so a buyer called ``=HYPERLINK(…)`` (or
  `` =HYPERLINK(…)``) stays text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

BOM = "\ufeff"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
BLANKS = " \n\t\r\u00a0\u3000"  # what a spreadsheet may skip before reading ``=``
_DANGER = frozenset(DANGEROUS_STARTS)
_BLANK = frozenset(BLANKS)
CHUNK_SIZE = 2000  # rows read from the database at a time
ROWS_PER_WRITE = 200  # rows joined into one piece of the response


def cell(value) -> str:
    """One CSV cell as text: ``None`` empty, booleans ``yes``/``no``, the rest ``str()``; a text that a
    spreadsheet would take for a formula gets a leading ``'``."""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    text = str(value)
    return "'" + text if _dangerous(text) else text


def _dangerous(text: str) -> bool:
    first = text[:1]
    return first in _DANGER or (first in _BLANK and text.lstrip(BLANKS)[:1] in _DANGER)


class _Line:
    """A file-like object whose ``write`` returns what it was given (``csv.writer`` then formats a row
    into a string we yield, with nothing kept)."""

    def write(self, value: str) -> str:
        return value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The lines of a CSV file (BOM and header first), a few hundred rows per piece."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(header)
    batch: list[str] = []
    danger, blank = _DANGER, _BLANK
    for row in rows:
        # cell() for every value, inlined: an export writes hundreds of thousands of cells
        batch.append(
            writer.writerow(
                [
                    ("'" + v if v[:1] in danger or (v[:1] in blank and _dangerous(v)) else v)
                    if v.__class__ is str
                    else (("yes" if v else "no") if v.__class__ is bool else v)
                    for v in row
                ]
            )
        )
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A streamed ``text/csv`` download named ``filename`` (ASCII, no quotes: made by :func:`csv_filename`)."""
    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in csv_rows(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_filename(*parts: str, now: datetime | None = None) -> str:
    """``orders-friday-laughs-2026-11-29.csv``: the parts (slugs), then today's date; only letters,
    digits and ``-`` so no header can be broken by a show's slug."""
    now = timezone.localdate(now) if now is not None else timezone.localdate()
    words = [
        ("".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in p)).strip("-") for p in parts
    ]
    stem = "-".join(word for word in words if word)[:120]
    return f"{stem}-{now:%Y-%m-%d}.csv"
