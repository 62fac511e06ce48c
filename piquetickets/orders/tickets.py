"""What a buyer takes to the door: PDF tickets with QR codes, a calendar file, the order page's QR.

Each admission (a :class:`~piquetickets.orders.models.TicketAttendee`) has its own UUID; the QR
code encodes exactly ``str(attendee.uuid)``, which is what the check-in scanner posts. Dates and
times are always shown in the show's own time zone (a buyer in another zone still sees the time
printed on the venue's door); the calendar file carries UTC so calendar apps convert it themselves.

The PDF is drawn with fpdf2 and prints names in any script: text is shaped by HarfBuzz (Arabic
letters join), laid out by the Unicode bidi algorithm (Arabic and Hebrew run right to left) and each
character is drawn with the first font of :func:`~piquetickets.core.fonts.font_chain` that has it
(Noto Sans for Latin, Greek and Cyrillic, Noto Sans Arabic, Noto Sans Hebrew, Droid Sans Fallback
for CJK), so a name mixing scripts takes each run from a font that can draw it. Fonts are embedded
as subsets of the glyphs used, and only when some text needs them. A character no font has prints
as its plain Latin letter or ``?``. Without the fonts (not installed, see ``make fonts``) the PDF
falls back to the built-in Helvetica, which only covers cp1252: text then goes through
:func:`pdf_safe_text`, never crashing or printing black boxes.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from fpdf.enums import MethodReturnValue

from piquetickets.core.fonts import Face, FacePDF, FontChain, font_chain

from .models import Order, TicketAttendee

VENUE_TBA = "Venue to be announced"
DOOR_NOTICE = "Show this code at the door. One entry per code."
QR_ERROR_LEVEL = "q"  # 25 % of the code may be smudged, creased or glared and it still scans.

# --- Shared facts about an order (also used by the order emails) ------------------------------


# A ticket's short code: the first 8 characters of its UUID, as the email, the order page, the door list
# and the CSV show it (``B8C49AC7``).
SHORT_CODE = re.compile(r"[0-9a-f]{8}")


def ticket_code_range(code: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The UUIDs a typed ticket code stands for (any case, ``#`` or spaces aside): its whole UUID (both
    ends equal), or the range of every UUID starting with its 8-character short code (read by a range of
    the UUID index, on SQLite as on PostgreSQL); ``None`` for neither."""
    typed = (code or "").strip().lower().replace(" ", "").lstrip("#")
    if SHORT_CODE.fullmatch(typed):
        return uuid.UUID(typed + "0" * 24), uuid.UUID(typed + "f" * 24)
    try:
        whole = uuid.UUID(typed)
    except ValueError:
        return None
    return whole, whole


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

_INK = "#1B1B1F"
_MUTED = "#5F6170"
_ACCENT = "#6D28D9"
_RULE = "#D9DAE2"
_CARD = "#FFFFFF"
_QR_DARK = "#000000"
_INCH = 72.0  # points

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


def _drawable_text(value: str, can_draw: Callable[[str], bool]) -> str:
    """``value`` limited to the characters ``can_draw`` accepts, degrading the others gracefully.

    Control characters become spaces (runs of spaces collapse to one); a letter that cannot be drawn
    is replaced by its base letter (``ő`` → ``o``, ``Ł`` → ``L``) when that can be, else by ``?``; a
    combining mark that cannot be drawn is dropped (the letter alone reads fine).
    """
    out = []
    for char in unicodedata.normalize("NFC", _CONTROL.sub(" ", value)):
        if can_draw(char):
            out.append(char)
        elif not _is_mark(char):
            plain = char.translate(_LATIN_FALLBACKS)
            if plain == char:
                plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not _is_mark(c))
            out.append(plain if plain and all(map(can_draw, plain)) else "?")
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def pdf_safe_text(value: str) -> str:
    """``value`` limited to what the built-in PDF fonts can draw (cp1252), degrading gracefully.

    Used when the Unicode fonts are missing. Control characters become spaces (runs of spaces
    collapse to one); a letter outside the set is replaced by its base letter (``ő`` → ``o``,
    ``Ł`` → ``L``) when it has one, else by ``?``. cp1252 letters such as ``ë Ø å`` are kept.
    """
    return _drawable_text(value, _encodable)


@dataclass(frozen=True)
class _Page:
    """Layout constants for one US Letter page (points)."""

    width: float = 8.5 * _INCH
    height: float = 11 * _INCH
    margin: float = 0.75 * _INCH

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin


class _TicketCanvas:
    """An fpdf2 document drawn the way the layout thinks: points from the page's bottom-left corner,
    text placed by its left, right or centre point on the baseline.

    With the Unicode fonts (:func:`~piquetickets.core.fonts.font_chain`) text is shaped by HarfBuzz,
    laid out in its own direction (Unicode bidi: Arabic and Hebrew run right to left) and each
    character is drawn with the first face of the chain that has it; a face's weight is embedded, as
    a subset of the glyphs used, only once some text in that weight needs it. Without them it is
    Helvetica and cp1252 (:func:`pdf_safe_text`). Every text method takes raw text and makes it
    drawable first.
    """

    def __init__(self, fonts: FontChain, page: _Page) -> None:
        self.fonts = fonts
        self.page = page
        self._added: list[tuple[Face, str]] = []  # (face, "" or "B") added so far, Noto Sans first
        # Measured widths and wrapped lines, by text, weight, size (and column width) and the faces
        # added so far: every page of an order repeats the show's lines, and fpdf2 shapes and lays
        # out text (bidi) afresh each time it measures it. Per document, as everything it draws.
        self._widths: dict[tuple, float] = {}
        self._lines: dict[tuple, list[str]] = {}
        pdf = FacePDF(unit="pt", format=(page.width, page.height))
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.c_margin = 0
        self.pdf = pdf
        if fonts.primary is None:
            pdf.core_fonts_encoding = "windows-1252"
        else:
            self._add_face(fonts.primary, "")
            if fonts.primary.bold:
                self._add_face(fonts.primary, "B")
            pdf.set_text_shaping(True)

    def _add_face(self, face: Face, style: str) -> None:
        self.pdf.add_face(face.family, style, face.bold if style else face.regular)
        self._added.append((face, style))
        fallbacks = {added.family for added, _ in self._added if added is not self.fonts.primary}
        order = [f.family for f in self.fonts.faces]
        # A face without a bold weight still draws its script in bold text.
        self.pdf.set_fallback_fonts(sorted(fallbacks, key=order.index), exact_match=False)

    def text(self, value: str, *, bold: bool) -> str:
        """``value`` as this document can draw it, adding the faces (in the weight) it needs."""
        if self.fonts.primary is None:
            return pdf_safe_text(value)
        text = _drawable_text(value, lambda char: self.fonts.face_for(char) is not None)
        for char in dict.fromkeys(text):  # in reading order, so a PDF's fonts are numbered the same every time
            face = self.fonts.face_for(char)
            if face is None:  # a "?" Noto Sans lacked
                continue
            style = "B" if bold and face.bold else ""
            if (face, style) not in self._added:
                self._add_face(face, style)
        return text

    def _set_font(self, *, bold: bool, size: float, mono: bool = False) -> None:
        primary = self.fonts.primary
        if mono:
            self.pdf.set_font("courier", "", size)  # only ever ASCII (a UUID)
        elif primary is None:
            self.pdf.set_font("helvetica", "B" if bold else "", size)
        else:
            self.pdf.set_font(primary.family, "B" if bold and primary.bold else "", size)

    def _string_width(self, text: str, *, bold: bool, size: float) -> float:
        """The width of ``text`` (drawable already) as fpdf2 draws it in this document's faces."""
        key = (text, bold, size, len(self._added))
        if key not in self._widths:
            self._set_font(bold=bold, size=size)
            self._widths[key] = self.pdf.get_string_width(text)
        return self._widths[key]

    def width(self, value: str, *, bold: bool, size: float) -> float:
        return self._string_width(self.text(value, bold=bold), bold=bold, size=size)

    def wrap(self, value: str, *, bold: bool, size: float, width: float) -> list[str]:
        """``value`` in lines no wider than ``width``; a word too long for a line is broken inside."""
        text = self.text(value, bold=bold)
        key = (text, bold, size, width, len(self._added))
        if key not in self._lines:
            if "\n" not in text and self._string_width(text, bold=bold, size=size) <= width:
                lines = [text]  # fits: fpdf2's line breaking (per-character shaping) would say so too
            else:
                self._set_font(bold=bold, size=size)
                lines = self.pdf.multi_cell(width, size, text, dry_run=True, output=MethodReturnValue.LINES)
            self._lines[key] = [line.strip() for line in lines] or [""]
        return self._lines[key]

    def draw(
        self,
        value: str,
        *,
        x: float,
        y: float,
        size: float,
        bold: bool = False,
        color: str = _INK,
        align: str = "left",
        mono: bool = False,
    ) -> None:
        """Draw ``value`` on the baseline ``y``, starting (``left``), ending (``right``) or centred at ``x``."""
        text = value if mono else self.text(value, bold=bold)
        if not text:
            return  # (fpdf2 reads a cell width of 0 as "up to the right margin")
        if align == "left":
            width = 0.0  # text starts at the cell's left edge: its width is not needed (0: up to the margin)
        elif mono:
            self._set_font(bold=bold, size=size, mono=True)
            width = self.pdf.get_string_width(text)
        else:
            width = self._string_width(text, bold=bold, size=size)
        self._set_font(bold=bold, size=size, mono=mono)
        left = {"left": x, "right": x - width, "center": x - width / 2}[align]
        self.pdf.set_text_color(color)
        # fpdf2 puts a cell's baseline at its top + 0.5 × height + 0.3 × font size.
        self.pdf.set_xy(left, self.page.height - y - 0.8 * size)
        self.pdf.cell(width, size, text)

    def rect(self, x: float, y: float, width: float, height: float, *, fill: str, radius: float = 0) -> None:
        self.pdf.set_fill_color(fill)
        top = self.page.height - y - height
        if radius:
            self.pdf.rect(x, top, width, height, style="DF", round_corners=True, corner_radius=radius)
        else:
            self.pdf.rect(x, top, width, height, style="F")

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.pdf.line(x1, self.page.height - y1, x2, self.page.height - y2)

    def stroke(self, color: str, width: float) -> None:
        self.pdf.set_draw_color(color)
        self.pdf.set_line_width(width)


def _draw_wrapped(
    canvas: _TicketCanvas,
    text: str,
    *,
    x: float,
    y: float,
    width: float,
    size: float,
    leading: float,
    bold: bool = False,
    color: str = _INK,
    max_lines: int = 3,
) -> float:
    """Draw ``text`` wrapped to ``width`` with its first baseline at ``y``; return the next free y.

    Text longer than ``max_lines`` lines is cut with an ellipsis so it never runs into the QR code.
    """
    lines = canvas.wrap(text, bold=bold, size=size, width=width)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], _ellipsize(canvas, rest, bold=bold, size=size, width=width)]
    for line in lines:
        canvas.draw(line, x=x, y=y, size=size, bold=bold, color=color)
        y -= leading
    return y


def _ellipsize(canvas: _TicketCanvas, text: str, *, bold: bool, size: float, width: float) -> str:
    """``text`` cut to fit ``width`` on one line, ending in an ellipsis."""
    while text and canvas.width(text + "…", bold=bold, size=size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit_title(canvas: _TicketCanvas, text: str, width: float) -> tuple[float, list[str]]:
    """The largest title size (28 down to 16 pt) at which ``text`` fits in three lines."""
    for size in (28, 24, 20, 18, 16):
        lines = canvas.wrap(text, bold=True, size=size, width=width)
        if len(lines) <= 3:
            return size, lines
    return 16, [*lines[:2], _ellipsize(canvas, " ".join(lines[2:]), bold=True, size=16, width=width)]


def _draw_qr(canvas: _TicketCanvas, value: str, *, x: float, y: float, size: float) -> None:
    """Draw ``value`` as a vector QR code with its quiet zone in a ``size`` square at (x, y).

    Dark modules of a row are merged into one rectangle, so no hairline seams appear between them
    when a viewer anti-aliases; vector output stays sharp at any zoom or print resolution.
    """
    qr = segno.make(value, error=QR_ERROR_LEVEL, micro=False)
    border = 4
    modules = qr.symbol_size(border=0)[0]
    unit = size / (modules + 2 * border)
    canvas.rect(x, y, size, size, fill=_CARD)
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
            canvas.rect(x + (border + start) * unit, top - unit, (col - start) * unit, unit, fill=_QR_DARK)


def _draw_label(
    canvas: _TicketCanvas, label: str, value: str, *, x: float, y: float, width: float, size: float, max_lines: int = 1
) -> float:
    """A small grey caps label with its value underneath; return the next free y."""
    canvas.draw(label.upper(), x=x, y=y, size=8, bold=True, color=_MUTED)
    bottom = _draw_wrapped(
        canvas, value, x=x, y=y - size - 4, width=width, size=size, leading=size + 3, bold=True, max_lines=max_lines
    )
    return bottom - 12


def _draw_ticket_page(
    canvas: _TicketCanvas, *, order: Order, attendee: TicketAttendee, number: int, count: int
) -> None:
    show = order.show
    page = canvas.page
    left, right = page.margin, page.width - page.margin
    top = page.height - page.margin

    # Header: brand and "Ticket n of m".
    canvas.draw("PIQUETICKETS", x=left, y=top - 10, size=11, bold=True, color=_ACCENT)
    canvas.draw(f"Admission ticket {number} of {count}", x=right, y=top - 10, size=10, color=_MUTED, align="right")
    canvas.stroke(_RULE, 1)
    canvas.line(left, top - 22, right, top - 22)

    # The show: title, producer, when, where.
    y = top - 62
    size, lines = _fit_title(canvas, show.title, page.content_width)
    for line in lines:
        canvas.draw(line, x=left, y=y, size=size, bold=True)
        y -= size * 1.15
    width = page.content_width
    y = _draw_wrapped(
        canvas, f"Presented by {show.producer.name}", x=left, y=y - 2, width=width, size=11, leading=14, color=_MUTED
    )
    y = _draw_wrapped(canvas, show_date(show), x=left, y=y - 14, width=width, size=14, leading=18, bold=True)
    y = _draw_wrapped(canvas, show_times(show), x=left, y=y, width=width, size=13, leading=17)
    venue_name, address = venue_lines(show)
    y = _draw_wrapped(canvas, venue_name, x=left, y=y - 10, width=width, size=13, leading=17, bold=True)
    if address:
        y = _draw_wrapped(canvas, address, x=left, y=y, width=width, size=11, leading=14, color=_MUTED)

    # The ticket card: details on the left, the QR code on the right.
    qr_size = 3.1 * _INCH
    padding = 20
    card_height = qr_size + 2 * padding + 22
    card_top = y - 18
    card_bottom = card_top - card_height
    canvas.stroke(_RULE, 1.2)
    canvas.rect(left, card_bottom, page.content_width, card_height, fill=_CARD, radius=10)
    qr_x = right - padding - qr_size
    qr_y = card_top - padding - qr_size
    _draw_qr(canvas, str(attendee.uuid), x=qr_x, y=qr_y, size=qr_size)
    canvas.draw(str(attendee.uuid), x=qr_x + qr_size / 2, y=qr_y - 14, size=8, color=_MUTED, align="center", mono=True)

    details_x = left + padding
    details_width = qr_x - details_x - padding
    name = f"{attendee.first_name} {attendee.last_name}".strip() or "—"
    dy = card_top - padding - 8
    ticket_name = attendee.ticket_order.ticket.name
    dy = _draw_label(canvas, "Ticket", ticket_name, x=details_x, y=dy, width=details_width, size=16, max_lines=2)
    # The column's height budget (two lines of type, three of name) keeps it inside the card.
    dy = _draw_label(canvas, "Name", name, x=details_x, y=dy, width=details_width, size=16, max_lines=3)
    dy = _draw_label(canvas, "Order", order_reference(order), x=details_x, y=dy, width=details_width, size=13)
    _draw_label(canvas, "Admits", "1 person", x=details_x, y=dy, width=details_width, size=13)

    # Footer: what to do with it and whom to ask.
    fy = card_bottom - 34
    canvas.draw(DOOR_NOTICE, x=left, y=fy, size=12, bold=True)
    fy -= 18
    support = show.producer.support_email
    if support:
        fy = _draw_wrapped(
            canvas,
            f"Questions about the show? Contact {show.producer.name} at {support}.",
            x=left,
            y=fy,
            width=width,
            size=10,
            leading=13,
            color=_MUTED,
        )
    _draw_wrapped(
        canvas,
        "Keep this ticket private: anyone with the code can use it. Screenshots and prints both work.",
        x=left,
        y=fy,
        width=width,
        size=10,
        leading=13,
        color=_MUTED,
    )
    canvas.stroke(_RULE, 1)
    canvas.line(left, page.margin + 14, right, page.margin + 14)
    footer = f"Order {order_reference(order)} · Issued by PiqueTickets"
    canvas.draw(footer, x=left, y=page.margin, size=8, color=_MUTED)
    # Not the order page's URL: its token is the buyer's key, and a ticket gets passed around.
    host = urlsplit(settings.SITE_URL).hostname or ""
    canvas.draw(host, x=right, y=page.margin, size=8, color=_MUTED, align="right")


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
    canvas = _TicketCanvas(font_chain(), _Page())
    pdf = canvas.pdf
    # Document properties are PDF text strings (UTF-16 when needed), not drawn: no font limits them.
    pdf.set_title(_drawable_text(f"Tickets — {order.show.title}", lambda _char: True))
    pdf.set_author("PiqueTickets")
    pdf.set_subject(f"Order {order_reference(order)}")
    pdf.set_creator("PiqueTickets")
    for number, attendee in enumerate(attendees, start=1):
        pdf.add_page()
        _draw_ticket_page(canvas, order=order, attendee=attendee, number=number, count=len(attendees))
    if not attendees:
        pdf.add_page()
        margin, height = canvas.page.margin, canvas.page.height
        canvas.draw("This order has no valid tickets.", x=margin, y=height - margin - 20, size=16, bold=True)
        canvas.draw(f"Order {order_reference(order)}", x=margin, y=height - margin - 42, size=11)
    return bytes(pdf.output())


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
