"""What a buyer takes to the door: PDF tickets with QR codes, a calendar file, the order page's QR.

Each admission (a :class:`~piquetickets.orders.models.TicketAttendee`) has its own UUID; the QR
code encodes exactly ``str(attendee.uuid)``, which is what the check-in scanner posts. Dates and
times are always shown in the show's own time zone (a buyer in another zone still sees the time
printed on the venue's door); the calendar file carries UTC so calendar apps convert it themselves.

The PDF uses reportlab's built-in Helvetica, which only covers the WinAnsi (cp1252) character set:
text is passed through :func:`pdf_safe_text` so that names outside it degrade to their closest
Latin letters (or ``?``) instead of crashing or printing black boxes.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .models import Order, TicketAttendee

VENUE_TBA = "Venue to be announced"
DOOR_NOTICE = "Show this code at the door. One entry per code."
QR_ERROR_LEVEL = "q"  # 25 % of the code may be smudged, creased or glared and it still scans.

# --- Shared facts about an order (also used by the order emails) ------------------------------


def order_reference(order: Order) -> str:
    """The short reference a buyer quotes to support: first 8 characters of the UUID, upper-case."""
    return str(order.uuid)[:8].upper()


def order_page_url(order: Order) -> str:
    """The buyer's order page (tickets and QR codes, no account needed), as an absolute URL."""
    return f"{settings.SITE_URL}/orders/{order.public_token}/"


def valid_attendees(order: Order) -> list[TicketAttendee]:
    """The order's admissions that still get someone in, by line then creation (a stable order)."""
    return list(
        TicketAttendee.objects.filter(ticket_order__order=order, status=TicketAttendee.Status.VALID)
        .select_related("ticket_order__ticket")
        .order_by("ticket_order_id", "id")
    )


def _zone_abbreviation(local: datetime) -> str:
    """``CST``, ``CET``…; zones without a letter abbreviation (``+04``) read as ``UTC+04``."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def clock_time(local: datetime) -> str:
    """``7:00 PM``: 12-hour clock without a leading zero, as printed on US tickets."""
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def show_local(show, value: datetime) -> datetime:
    """``value`` (aware) as wall-clock time in the show's own time zone."""
    return value.astimezone(ZoneInfo(show.time_zone))


def show_date(show) -> str:
    """The show's local start date, e.g. ``Friday 12 December 2026``."""
    start = show_local(show, show.start_time)
    return f"{start:%A} {start.day} {start:%B} {start.year}"


def show_times(show) -> str:
    """Door and start times in the show's zone, e.g. ``Doors 7:00 PM · Show 7:30 PM CST``."""
    start = show_local(show, show.start_time)
    parts = []
    if show.door_time:
        parts.append(f"Doors {clock_time(show_local(show, show.door_time))}")
    parts.append(f"Show {clock_time(start)} {_zone_abbreviation(start)}")
    return " · ".join(parts)


def show_when(show) -> str:
    """Date and times in one line: ``Friday 12 December 2026 · Doors 7:00 PM · Show 7:30 PM CST``."""
    return f"{show_date(show)} · {show_times(show)}"


def venue_address(venue) -> str:
    """One-line postal address: ``1 Main St, Chicago, IL 60601`` (the country added outside the US)."""
    region = " ".join(part for part in (venue.state, venue.zip_code) if part)
    parts = [venue.address, venue.city, region]
    if venue.country and venue.country != "US":
        parts.append(venue.country)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def venue_lines(show) -> tuple[str, str]:
    """``(venue name, address)`` for the show, or ``("Venue to be announced", "")``."""
    if show.venue is None:
        return VENUE_TBA, ""
    return show.venue.name, venue_address(show.venue)


# --- PDF tickets ------------------------------------------------------------------------------

_INK = HexColor("#1B1B1F")
_MUTED = HexColor("#5F6170")
_ACCENT = HexColor("#6D28D9")
_RULE = HexColor("#D9DAE2")
_CARD = white

# Letters with no decomposition that Helvetica's WinAnsi set cannot draw.
_LATIN_FALLBACKS = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ı": "i",
        "Ŀ": "L",
        "ŀ": "l",
        "Ŧ": "T",
        "ŧ": "t",
        "Ə": "E",
        "ə": "e",
        "ĸ": "k",
        "ŉ": "'n",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _is_mark(char: str) -> bool:
    """Accents and other combining marks (Unicode categories Mn, Mc, Me)."""
    return unicodedata.category(char).startswith("M")


def pdf_safe_text(value: str) -> str:
    """``value`` limited to what the built-in PDF fonts can draw (cp1252), degrading gracefully.

    Control characters become spaces (runs of spaces collapse to one); a letter outside the set
    is replaced by its base letter (``ő`` → ``o``, ``Ł`` → ``L``) when it has one, else by ``?``.
    cp1252 letters such as ``ë Ø å`` are kept as they are.
    """
    value = unicodedata.normalize("NFC", _CONTROL.sub(" ", value)).translate(_LATIN_FALLBACKS)
    out = []
    for char in value:
        if _is_mark(char) and not _encodable(char):
            continue  # an accent NFC could not compose onto its letter: the letter alone reads fine
        if _encodable(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not _is_mark(c) and _encodable(c))
        out.append(base or "?")
    return re.sub(r" {2,}", " ", "".join(out)).strip()


@dataclass(frozen=True)
class _Page:
    """Layout constants for one US Letter page (points)."""

    width: float = LETTER[0]
    height: float = LETTER[1]
    margin: float = 0.75 * inch

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``; a word too long for a line is broken inside."""
    lines = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while stringWidth(line, font, size) > width:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _draw_wrapped(
    canvas: Canvas,
    text: str,
    *,
    x: float,
    y: float,
    width: float,
    font: str,
    size: float,
    leading: float,
    max_lines: int = 3,
) -> float:
    """Draw ``text`` wrapped to ``width`` with its first baseline at ``y``; return the next free y.

    Text longer than ``max_lines`` lines is cut with an ellipsis so it never runs into the QR code.
    """
    lines = _wrap(text, font, size, width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _ellipsize(" ".join(lines[max_lines - 1 :]), font, size, width)]
    for line in lines:
        canvas.setFont(font, size)
        canvas.drawString(x, y, line)
        y -= leading
    return y


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut to fit ``width`` on one line, ending in an ellipsis."""
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit_title(text: str, width: float) -> tuple[float, list[str]]:
    """The largest title size (28 down to 16 pt) at which ``text`` fits in three lines."""
    for size in (28, 24, 20, 18, 16):
        lines = _wrap(text, "Helvetica-Bold", size, width)
        if len(lines) <= 3:
            return size, lines
    return 16, [*lines[:2], _ellipsize(" ".join(lines[2:]), "Helvetica-Bold", 16, width)]


def _draw_qr(canvas: Canvas, value: str, *, x: float, y: float, size: float) -> None:
    """Draw ``value`` as a vector QR code with its quiet zone in a ``size`` square at (x, y).

    Dark modules of a row are merged into one rectangle, so no hairline seams appear between them
    when a viewer anti-aliases; vector output stays sharp at any zoom or print resolution.
    """
    qr = segno.make(value, error=QR_ERROR_LEVEL, micro=False)
    border = 4
    modules = qr.symbol_size(border=0)[0]
    unit = size / (modules + 2 * border)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    for row_index, row in enumerate(qr.matrix):
        top = y + size - (border + row_index) * unit
        col = 0
        while col < modules:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < modules and row[col]:
                col += 1
            canvas.rect(x + (border + start) * unit, top - unit, (col - start) * unit, unit, stroke=0, fill=1)


def _draw_label(
    canvas: Canvas, label: str, value: str, *, x: float, y: float, width: float, size: float, max_lines: int = 1
) -> float:
    """A small grey caps label with its value underneath; return the next free y."""
    canvas.setFillColor(_MUTED)
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(x, y, label.upper())
    canvas.setFillColor(_INK)
    bottom = _draw_wrapped(
        canvas,
        value,
        x=x,
        y=y - size - 4,
        width=width,
        font="Helvetica-Bold",
        size=size,
        leading=size + 3,
        max_lines=max_lines,
    )
    return bottom - 12


def _draw_ticket_page(
    canvas: Canvas, *, order: Order, attendee: TicketAttendee, number: int, count: int, page: _Page
) -> None:
    show = order.show
    left, right = page.margin, page.width - page.margin
    top = page.height - page.margin

    # Header: brand and "Ticket n of m".
    canvas.setFillColor(_ACCENT)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(left, top - 10, "PIQUETICKETS")
    canvas.setFillColor(_MUTED)
    canvas.setFont("Helvetica", 10)
    canvas.drawRightString(right, top - 10, f"Admission ticket {number} of {count}")
    canvas.setStrokeColor(_RULE)
    canvas.setLineWidth(1)
    canvas.line(left, top - 22, right, top - 22)

    # The show: title, producer, when, where.
    y = top - 62
    size, lines = _fit_title(pdf_safe_text(show.title), page.content_width)
    canvas.setFillColor(_INK)
    for line in lines:
        canvas.setFont("Helvetica-Bold", size)
        canvas.drawString(left, y, line)
        y -= size * 1.15
    canvas.setFillColor(_MUTED)
    y = _draw_wrapped(
        canvas,
        pdf_safe_text(f"Presented by {show.producer.name}"),
        x=left,
        y=y - 2,
        width=page.content_width,
        font="Helvetica",
        size=11,
        leading=14,
    )
    canvas.setFillColor(_INK)
    y = _draw_wrapped(
        canvas, show_date(show), x=left, y=y - 14, width=page.content_width, font="Helvetica-Bold", size=14, leading=18
    )
    y = _draw_wrapped(
        canvas, show_times(show), x=left, y=y, width=page.content_width, font="Helvetica", size=13, leading=17
    )
    venue_name, address = venue_lines(show)
    y = _draw_wrapped(
        canvas,
        pdf_safe_text(venue_name),
        x=left,
        y=y - 10,
        width=page.content_width,
        font="Helvetica-Bold",
        size=13,
        leading=17,
    )
    if address:
        canvas.setFillColor(_MUTED)
        y = _draw_wrapped(
            canvas, pdf_safe_text(address), x=left, y=y, width=page.content_width, font="Helvetica", size=11, leading=14
        )

    # The ticket card: details on the left, the QR code on the right.
    qr_size = 3.1 * inch
    padding = 20
    card_height = qr_size + 2 * padding + 22
    card_top = y - 18
    card_bottom = card_top - card_height
    canvas.setFillColor(_CARD)
    canvas.setStrokeColor(_RULE)
    canvas.setLineWidth(1.2)
    canvas.roundRect(left, card_bottom, page.content_width, card_height, 10, stroke=1, fill=1)
    qr_x = right - padding - qr_size
    qr_y = card_top - padding - qr_size
    _draw_qr(canvas, str(attendee.uuid), x=qr_x, y=qr_y, size=qr_size)
    canvas.setFillColor(_MUTED)
    canvas.setFont("Courier", 8)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 14, str(attendee.uuid))

    details_x = left + padding
    details_width = qr_x - details_x - padding
    name = pdf_safe_text(f"{attendee.first_name} {attendee.last_name}".strip()) or "—"
    dy = card_top - padding - 8
    dy = _draw_label(
        canvas,
        "Ticket",
        pdf_safe_text(attendee.ticket_order.ticket.name),
        x=details_x,
        y=dy,
        width=details_width,
        size=16,
        max_lines=2,
    )
    # The column's height budget (two lines of type, three of name) keeps it inside the card.
    dy = _draw_label(canvas, "Name", name, x=details_x, y=dy, width=details_width, size=16, max_lines=3)
    dy = _draw_label(canvas, "Order", order_reference(order), x=details_x, y=dy, width=details_width, size=13)
    _draw_label(canvas, "Admits", "1 person", x=details_x, y=dy, width=details_width, size=13)

    # Footer: what to do with it and whom to ask.
    canvas.setFillColor(_INK)
    fy = card_bottom - 34
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(left, fy, DOOR_NOTICE)
    canvas.setFillColor(_MUTED)
    fy -= 18
    support = show.producer.support_email
    if support:
        fy = _draw_wrapped(
            canvas,
            pdf_safe_text(f"Questions about the show? Contact {show.producer.name} at {support}."),
            x=left,
            y=fy,
            width=page.content_width,
            font="Helvetica",
            size=10,
            leading=13,
        )
    _draw_wrapped(
        canvas,
        "Keep this ticket private: anyone with the code can use it. Screenshots and prints both work.",
        x=left,
        y=fy,
        width=page.content_width,
        font="Helvetica",
        size=10,
        leading=13,
    )
    canvas.setStrokeColor(_RULE)
    canvas.line(left, page.margin + 14, right, page.margin + 14)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(left, page.margin, f"Order {order_reference(order)} · Issued by PiqueTickets")
    # Not the order page's URL: its token is the buyer's key, and a ticket gets passed around.
    canvas.drawRightString(right, page.margin, urlsplit(settings.SITE_URL).hostname or "")


def ticket_pdf(*, order: Order) -> bytes:
    """One US Letter page per valid admission of ``order``, each with its QR code; the PDF's bytes.

    Pages follow the order's lines, then the attendees' creation order, so the same order always
    prints the same way. Refunded and cancelled admissions are left out; an order with none left
    still yields a valid one-page PDF saying so. US Letter because buyers on a US platform print
    at home on Letter paper with default settings, and it reads fine zoomed on a phone; a
    ticket-sized page would print small in a corner.
    """
    order = Order.objects.select_related("show__venue", "show__producer").get(pk=order.pk)
    attendees = valid_attendees(order)
    page = _Page()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(pdf_safe_text(f"Tickets — {order.show.title}"))
    canvas.setAuthor("PiqueTickets")
    canvas.setSubject(f"Order {order_reference(order)}")
    canvas.setCreator("PiqueTickets")
    for number, attendee in enumerate(attendees, start=1):
        _draw_ticket_page(canvas, order=order, attendee=attendee, number=number, count=len(attendees), page=page)
        canvas.showPage()
    if not attendees:
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(page.margin, page.height - page.margin - 20, "This order has no valid tickets.")
        canvas.setFont("Helvetica", 11)
        canvas.drawString(page.margin, page.height - page.margin - 42, f"Order {order_reference(order)}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- QR code for the web page -----------------------------------------------------------------


def qr_svg(value: str, *, label: str = "Ticket QR code", scale: int = 5) -> str:
    """``value`` as an inline ``<svg>`` QR code (no XML declaration) for an HTML page.

    The SVG carries a ``<title>`` and ``role="img"``/``aria-label`` for screen readers, and an
    explicit white background with its quiet zone so it scans on a dark page too. ``scale`` is the
    size of one module in CSS pixels; the ``viewBox`` lets CSS resize it.
    """
    qr = segno.make(value, error=QR_ERROR_LEVEL, micro=False)
    svg = qr.svg_inline(scale=scale, dark="#000", light="#fff", title=label, svgclass="ticket-qr")
    width, height = qr.symbol_size(scale=scale)
    # A viewBox lets the page size it with CSS (width: 100%) and stay sharp.
    attributes = f'role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}"'
    return svg.replace("<svg ", f"<svg {attributes} ", 1)


# --- Calendar file ----------------------------------------------------------------------------


def _ics_text(value: str) -> str:
    r"""Escape an iCalendar TEXT value (RFC 5545 §3.3.11): ``\\ ; ,`` and newlines as ``\n``."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", "", value)  # other control characters are not allowed


def _ics_utc(value: datetime) -> str:
    return value.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def _ics_fold(line: str) -> bytes:
    """One content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    out = bytearray()
    width = 0
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if width + len(encoded) > limit:
            out += b"\r\n "
            width = 1  # the continuation line's leading space counts
        out += encoded
        width += len(encoded)
    return bytes(out) + b"\r\n"


def order_ics(*, order: Order) -> bytes:
    """An iCalendar file (RFC 5545) with the order's show as one event, times in UTC.

    The event's UID is ``order-<order uuid>@<site host>``: the same on every call, so sending the
    file again (say, after the show moved) updates the buyer's calendar entry instead of adding a
    second one. ``DTSTAMP`` is the time the file was made, as the RFC asks.
    """
    order = Order.objects.select_related("show__venue", "show__producer").get(pk=order.pk)
    show = order.show
    host = urlsplit(settings.SITE_URL).hostname or "piquetickets"
    count = len(valid_attendees(order))
    url = order_page_url(order)
    description = "\n".join(
        [
            f"{count} ticket{'s' if count != 1 else ''} for {show.title}.",
            show_when(show),
            f"Your tickets and QR codes: {url}",
            f"Order {order_reference(order)}",
        ]
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PiqueTickets//Tickets//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:order-{order.uuid}@{host}",
        f"DTSTAMP:{_ics_utc(timezone.now())}",
        f"DTSTART:{_ics_utc(show.start_time)}",
        f"DTEND:{_ics_utc(show.end_time)}",
        f"SUMMARY:{_ics_text(show.title)}",
    ]
    if show.venue is not None:
        venue_name, address = venue_lines(show)
        lines.append(f"LOCATION:{_ics_text(', '.join(p for p in (venue_name, address) if p))}")
    lines += [
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{url}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(_ics_fold(line) for line in lines)
