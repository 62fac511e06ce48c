"""PDF tickets (decoded back with a real QR reader), the calendar file and the order page's QR code."""

import re
from datetime import UTC, datetime

import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from piquetickets.orders.models import TicketAttendee
from piquetickets.orders.tickets import (
    order_ics,
    order_page_url,
    pdf_safe_text,
    qr_svg,
    show_when,
    ticket_pdf,
)
from tests.factories import (
    AttendeeFactory,
    OrderFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

# Friday 11 December 2026, 18:00 / 18:30 UTC = 19:00 / 19:30 in Berlin (CET, UTC+1).
DOORS_UTC = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
START_UTC = datetime(2026, 12, 11, 18, 30, tzinfo=UTC)
END_UTC = datetime(2026, 12, 11, 21, 0, tzinfo=UTC)


@pytest.fixture
def berlin_show():
    return ShowFactory(
        title="Late Night Laughs",
        time_zone="Europe/Berlin",
        door_time=DOORS_UTC,
        start_time=START_UTC,
        end_time=END_UTC,
        venue=VenueFactory(
            name="Kesselhaus", address="Schönhauser Allee 36", city="Berlin", state="", zip_code="10435", country="DE"
        ),
        producer=ProducerFactory(name="Pique Comedy", support_email="help@piquecomedy.example"),
    )


@pytest.fixture
def order_with_refund(berlin_show):
    """Two lines, three admissions, the second admission refunded: two valid tickets."""
    order = OrderFactory(show=berlin_show)
    general = TicketOrderFactory(order=order, ticket=TicketFactory(show=berlin_show, name="General admission"))
    vip = TicketOrderFactory(order=order, ticket=TicketFactory(show=berlin_show, name="VIP balcony"))
    # Created out of line order: pages still follow the lines, then the attendees' ids.
    second = AttendeeFactory(ticket_order=vip, first_name="Zoë", last_name="Ødegård")
    first = AttendeeFactory(ticket_order=general, first_name="Alex", last_name="Morgan")
    AttendeeFactory(ticket_order=general, first_name="Sam", last_name="Refunded", status=TicketAttendee.Status.REFUNDED)
    return order, [first, second]


def _pages(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    return [document[i] for i in range(len(document))]


def _page_text(page) -> str:
    return page.get_textpage().get_text_range()


def _qr_codes(page) -> list[str]:
    image = page.render(scale=175 / 72).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_show_when_is_in_the_shows_own_time_zone(berlin_show):
    assert show_when(berlin_show) == "Friday 11 December 2026 · Doors 7:00 PM · Show 7:30 PM CET"


def test_show_when_without_door_time_and_with_a_numeric_zone():
    show = ShowFactory(
        time_zone="Asia/Dubai", door_time=None, start_time=START_UTC, end_time=END_UTC, venue=VenueFactory()
    )
    assert show_when(show) == "Friday 11 December 2026 · Show 10:30 PM UTC+04"


def test_ticket_pdf_has_one_page_per_valid_attendee_with_a_decodable_qr(order_with_refund):
    order, valid = order_with_refund

    pages = _pages(ticket_pdf(order=order))

    assert len(pages) == 2
    assert [_qr_codes(page) for page in pages] == [[str(valid[0].uuid)], [str(valid[1].uuid)]]


def test_ticket_pdf_pages_say_what_when_where_and_who(order_with_refund):
    order, valid = order_with_refund
    reference = str(order.uuid)[:8].upper()

    first, second = (_page_text(page) for page in _pages(ticket_pdf(order=order)))

    for text in (first, second):
        assert "Late Night Laughs" in text
        assert "Kesselhaus" in text
        assert "Schönhauser Allee 36, Berlin, 10435, DE" in text
        assert "Friday 11 December 2026" in text
        assert "Doors 7:00 PM · Show 7:30 PM CET" in text
        assert reference in text
        assert "Show this code at the door. One entry per code." in text
        assert "help@piquecomedy.example" in text
    assert "General admission" in first
    assert "Alex Morgan" in first
    assert str(valid[0].uuid) in first
    assert "Admission ticket 1 of 2" in first
    assert "VIP balcony" in second
    assert "Zoë Ødegård" in second
    assert str(valid[1].uuid) in second
    assert "Sam" not in first + second


def test_ticket_pdf_without_venue_or_support_email():
    show = ShowFactory(venue=None, published=False, producer=ProducerFactory(support_email=""))
    attendee = AttendeeFactory(ticket_order=TicketOrderFactory(order=OrderFactory(show=show)))

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    text = _page_text(page)
    assert "Venue to be announced" in text
    assert "Questions about the show" not in text
    assert _qr_codes(page) == [str(attendee.uuid)]


def test_names_outside_the_pdf_fonts_degrade_instead_of_crashing(berlin_show):
    line = TicketOrderFactory(order=OrderFactory(show=berlin_show))
    attendee = AttendeeFactory(ticket_order=line, first_name="Łukasz\x07", last_name="Dvořák 李")

    (page,) = _pages(ticket_pdf(order=line.order))

    assert "Lukasz Dvorák ?" in _page_text(page)
    assert _qr_codes(page) == [str(attendee.uuid)]


def test_pdf_safe_text_keeps_cp1252_and_replaces_the_rest():
    assert pdf_safe_text("Zoë Ødegård — “Ünïcödé” €5") == "Zoë Ødegård — “Ünïcödé” €5"
    assert pdf_safe_text("Łódź\tŐrség\n😀") == "Lódz Orség ?"
    assert pdf_safe_text("Jose\u0301 Ngu\u0303\u0301n x\u20dd") == "José Ngun x"  # decomposed accents


def test_ticket_pdf_of_an_order_with_no_valid_tickets_says_so(berlin_show):
    line = TicketOrderFactory(order=OrderFactory(show=berlin_show))
    AttendeeFactory(ticket_order=line, status=TicketAttendee.Status.CANCELLED)

    (page,) = _pages(ticket_pdf(order=line.order))

    assert "This order has no valid tickets." in _page_text(page)
    assert _qr_codes(page) == []


# --- Calendar file ------------------------------------------------------------------------------


def _unfold(ics: bytes) -> list[str]:
    return ics.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")


def _property(lines: list[str], name: str) -> str:
    (value,) = (line.split(":", 1)[1] for line in lines if line.split(":", 1)[0] == name)
    return value


def test_order_ics_is_one_utc_event_with_crlf_lines_folded_at_75_octets(settings, order_with_refund):
    settings.SITE_URL = "https://tickets.example.com"
    order, _ = order_with_refund

    ics = order_ics(order=order)

    assert ics.endswith(b"END:VCALENDAR\r\n")
    physical = ics.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert max(len(line) for line in physical) <= 75
    lines = _unfold(ics)[:-1]
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines.count("BEGIN:VEVENT") == 1
    assert _property(lines, "UID") == f"order-{order.uuid}@tickets.example.com"
    assert _property(lines, "DTSTART") == "20261211T183000Z"
    assert _property(lines, "DTEND") == "20261211T210000Z"
    assert _property(lines, "DTSTAMP").endswith("Z")
    assert _property(lines, "SUMMARY") == "Late Night Laughs"
    assert _property(lines, "LOCATION") == r"Kesselhaus\, Schönhauser Allee 36\, Berlin\, 10435\, DE"
    url = f"https://tickets.example.com/orders/{order.public_token}/"
    assert _property(lines, "URL") == url
    assert _property(lines, "DESCRIPTION") == (
        r"2 tickets for Late Night Laughs.\nFriday 11 December 2026 · Doors 7:00 PM · Show 7:30 PM CET"
        rf"\nYour tickets and QR codes: {url}\nOrder {str(order.uuid)[:8].upper()}"
    )


def test_order_ics_escapes_text_and_never_folds_inside_a_character():
    show = ShowFactory(
        title="Rock, Paper; Scissors \\ Live\nTonight " + "é" * 80,
        venue=VenueFactory(name="Bar; Grill, & Co", address="1 Main St"),
    )
    order = OrderFactory(show=show)

    ics = order_ics(order=order)

    for physical in ics.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # each folded piece is whole UTF-8 characters
    lines = _unfold(ics)
    assert _property(lines, "SUMMARY") == "Rock\\, Paper\\; Scissors \\\\ Live\\nTonight " + "é" * 80
    assert _property(lines, "LOCATION").startswith("Bar\\; Grill\\, & Co\\, 1 Main St")


def test_order_ics_uid_is_stable_and_an_unset_venue_has_no_location(settings):
    settings.SITE_URL = "http://localhost:8080"
    order = OrderFactory(show=ShowFactory(venue=None, published=False))

    first, second = _unfold(order_ics(order=order)), _unfold(order_ics(order=order))

    assert _property(first, "UID") == _property(second, "UID") == f"order-{order.uuid}@localhost"
    assert not any(line.startswith("LOCATION") for line in first)
    assert _property(first, "DESCRIPTION").startswith("0 tickets for ")


# --- Order page helpers ------------------------------------------------------------------------


def test_order_page_url(settings):
    settings.SITE_URL = "https://tickets.example.com"
    order = OrderFactory()

    assert order_page_url(order) == f"https://tickets.example.com/orders/{order.public_token}/"


def _svg_to_image(svg: str) -> Image.Image:
    """Rasterise segno's SVG: one ``path`` of ``M``/``m`` moves and ``h`` runs of dark modules."""
    scale = int(re.search(r'transform="scale\((\d+)\)"', svg).group(1))
    width = int(re.search(r'width="(\d+)"', svg).group(1)) // scale
    image = Image.new("L", (width * 8, width * 8), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            row = int(y)  # the stroke runs along the middle of the module row
            draw.rectangle([x * 8, row * 8, (x + float(a)) * 8 - 1, row * 8 + 7], fill=0)
            x += float(a)
    return image


def test_qr_svg_encodes_the_value_and_is_labelled():
    value = "0b9e3c52-6f2e-4c1a-9d0a-3b1f2f5a8e11"

    svg = qr_svg(value, label='Ticket for "A" <B>')

    assert svg.startswith('<svg role="img" aria-label="Ticket for &quot;A&quot; &lt;B&gt;" viewBox="0 0 205 205" ')
    assert '<title>Ticket for "A" &lt;B&gt;</title>' in svg
    assert "<B>" not in svg
    assert svg.endswith("</svg>")
    assert [r.text for r in zxingcpp.read_barcodes(_svg_to_image(svg))] == [value]
