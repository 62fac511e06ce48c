"""PDF tickets (decoded back with a real QR reader), the calendar file and the order page's QR code."""

import ctypes
import logging
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import uharfbuzz
import zxingcpp
from django.db import connection
from fpdf import FPDF
from fpdf.fonts import TTFFont
from PIL import Image, ImageDraw

from piquetickets.core import fonts
from piquetickets.core.fonts import FacePDF, font_chain
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


# --- Names in every script ---------------------------------------------------------------------

# The name is drawn in bold; Droid Sans Fallback (CJK) comes in one weight only.
SANS, ARABIC, HEBREW, CJK = "NotoSansBold", "NotoSansArabicBold", "NotoSansHebrewBold", "DroidSansFallback"
KOREAN = "NanumGothicBold"
NAME_SIZE = 16  # points, as the ticket prints the attendee's name


@pytest.fixture
def unicode_fonts():
    """The fonts ``make fonts`` installs; without them these tests cannot say anything."""
    chain = font_chain()
    assert chain.missing == (), f"ticket fonts missing: {chain.missing} (run `make fonts`)"
    return chain


def _drawn_chars(page) -> list[tuple[str, str, float]]:
    """What pdfium reads from ``page``, character by character: the character (from the font's
    ToUnicode map), the name of the font that drew it without its subset tag, and the x of its origin."""
    textpage = page.get_textpage()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    x, y = ctypes.c_double(), ctypes.c_double()
    chars = []
    for index in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, name, len(name), ctypes.byref(flags))
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x, y)
        font = name.value.decode().split("+")[-1]
        chars.append((chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index)), font, x.value))
    return chars


def _drawn_name(page, name: str) -> list[tuple[str, str, float]]:
    """The characters of ``name``, found once on ``page``, as :func:`_drawn_chars` reads them."""
    drawn = _drawn_chars(page)
    text = "".join(char for char, _, _ in drawn)
    assert text.count(name) == 1, text
    start = text.index(name)
    return drawn[start : start + len(name)]


def _page_fonts(page) -> set[tuple[str, bool]]:
    """``(base font name, embedded?)`` for every font the page's text objects use."""
    fonts = set()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        name = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
        fonts.add((name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return fonts


def _attendee(show, first_name: str, last_name: str = "") -> TicketAttendee:
    line = TicketOrderFactory(order=OrderFactory(show=show))
    return AttendeeFactory(ticket_order=line, first_name=first_name, last_name=last_name)


@pytest.mark.parametrize(
    ("first_name", "last_name", "fonts"),
    [
        pytest.param("Иван", "Петров", {SANS}, id="cyrillic"),
        pytest.param("王小明", "", {CJK}, id="chinese"),
        pytest.param("김민준", "", {KOREAN}, id="korean"),
        pytest.param("山田", "花子", {CJK}, id="japanese"),
        pytest.param("محمد", "", {ARABIC}, id="arabic"),
        pytest.param("Ελένη", "", {SANS}, id="greek"),
        pytest.param("דוד", "", {HEBREW}, id="hebrew"),
        pytest.param("Zoë", "Ñúñez", {SANS}, id="latin"),
    ],
)
def test_ticket_pdf_prints_a_name_in_any_script_with_a_font_that_has_it(
    berlin_show, unicode_fonts, first_name, last_name, fonts
):
    attendee = _attendee(berlin_show, first_name, last_name)

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    name = f"{first_name} {last_name}".strip()
    drawn = _drawn_name(page, name)  # pdfium reads the name back, in logical order
    assert {font for char, font, _ in drawn if char != " "} == fonts
    assert _qr_codes(page) == [str(attendee.uuid)]


def test_a_name_mixing_scripts_takes_each_run_from_a_font_that_has_it(berlin_show, unicode_fonts):
    attendee = _attendee(berlin_show, "Léa 王小明", "محمد Ελένη דוד")

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    drawn = _drawn_name(page, "Léa 王小明 محمد Ελένη דוד")
    words, fonts = [""], [set()]
    for char, font, _ in drawn:
        if char == " ":
            words.append("")
            fonts.append(set())
        else:
            words[-1] += char
            fonts[-1].add(font)
    assert list(zip(words, fonts, strict=True)) == [
        ("Léa", {SANS}),
        ("王小明", {CJK}),
        ("محمد", {ARABIC}),
        ("Ελένη", {SANS}),
        ("דוד", {HEBREW}),
    ]
    assert _qr_codes(page) == [str(attendee.uuid)]


def _advances(font_path, text: str) -> list[float]:
    """HarfBuzz's advance (points at the name's size) of the glyph for each character of ``text``,
    in logical order: the oracle for what a shaped line looks like, independent of the PDF code."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font_path)))
    font = uharfbuzz.Font(face)
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(font, buffer, {})
    advances = dict.fromkeys(range(len(text)), 0.0)
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        advances[info.cluster] += position.x_advance * NAME_SIZE / face.upem
    return [advances[i] for i in range(len(text))]


def test_arabic_is_shaped_joined_right_to_left(berlin_show, unicode_fonts):
    attendee = _attendee(berlin_show, "محمد")

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    drawn = _drawn_name(page, "محمد")
    xs = [x for _, _, x in drawn]
    assert xs == sorted(xs, reverse=True)  # the first letter is the rightmost
    assert len(set(xs)) == 4
    # Each glyph sits left of the previous letter's by its own advance. Shaped, the letters take their
    # joining forms (initial meem, medial hah and meem, final dal), whose advances differ from the
    # isolated letters' by half a point or more: the gaps show which forms were drawn.
    (arabic,) = (face for face in unicode_fonts.faces if face.family == "NotoSansArabic")
    gaps = [xs[i] - xs[i + 1] for i in range(3)]
    joined = _advances(arabic.bold, "محمد")[1:]
    isolated = [_advances(arabic.bold, letter)[0] for letter in "حمد"]
    assert gaps == pytest.approx(joined, abs=0.05)
    assert all(abs(gap - alone) > 0.5 for gap, alone in zip(gaps, isolated, strict=True))


def test_hebrew_is_drawn_right_to_left(berlin_show, unicode_fonts):
    attendee = _attendee(berlin_show, "דוד", "כהן")

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    xs = [x for _, _, x in _drawn_name(page, "דוד כהן")]
    assert xs == sorted(xs, reverse=True)


def test_ticket_fonts_are_embedded_as_subsets_and_a_cjk_ticket_stays_small(berlin_show, unicode_fonts):
    order = OrderFactory(show=berlin_show)
    line = TicketOrderFactory(order=order)
    AttendeeFactory(ticket_order=line, first_name="王小明", last_name="")
    AttendeeFactory(ticket_order=line, first_name="محمد", last_name="דוד Ελένη")

    pdf = ticket_pdf(order=order)

    assert len(pdf) < 200_000  # Droid Sans Fallback alone is 4 MB: only the glyphs used go in
    fonts = set().union(*(_page_fonts(page) for page in _pages(pdf)))
    assert ("Courier", False) in fonts  # the UUID under the QR code: a standard font, never embedded
    embedded = {name for name, is_embedded in fonts if is_embedded}
    assert embedded == {name for name, _ in fonts} - {"Courier"}
    assert all(re.fullmatch(r"[A-Z]{6}\+[\w-]+", name) for name in embedded), embedded  # subset tags
    assert {name.split("+")[1] for name in embedded} >= {"NotoSans", SANS, ARABIC, HEBREW, CJK}


def _lines_right_edges(page) -> list[tuple[str, float]]:
    """Each line of text pdfium reads from ``page`` with the right edge of its last character."""
    textpage = page.get_textpage()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    lines, text, edge = [], "", 0.0
    for index in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        if char in "\r\n":
            if text:
                lines.append((text, edge))
            text, edge = "", 0.0
            continue
        pdfium_c.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top)
        text, edge = text + char, max(edge, right.value)
    return [*lines, (text, edge)] if text else lines


def test_long_names_and_titles_wrap_inside_their_column_and_end_in_an_ellipsis(berlin_show, unicode_fonts):
    # As long as Show.title takes (200 characters: PostgreSQL refuses more).
    berlin_show.title = ("Late Night Laughs: the Whole Season in One Very Long Evening " * 4)[:200]
    berlin_show.save()
    line = TicketOrderFactory(order=OrderFactory(show=berlin_show))
    chinese = AttendeeFactory(ticket_order=line, first_name="王" * 60, last_name="")
    german = AttendeeFactory(ticket_order=line, first_name="Hubert", last_name="Wolfeschlegelsteinhausenbergerdorff")

    first, second = _pages(ticket_pdf(order=line.order))

    # The QR code's left edge: page width - margin - card padding - QR size (points).
    qr_left = 612 - 54 - 20 - 3.1 * 72
    for page, attendee in ((first, chinese), (second, german)):
        lines = _lines_right_edges(page)
        texts = [text for text, _ in lines]
        # At 16 pt, the smallest title size, cut at three lines; the producer's line follows.
        assert texts[1].startswith("Late Night Laughs: the Whole Season")
        assert texts[3].endswith("…")
        assert texts[4] == "Presented by Pique Comedy"
        start = texts.index("NAME") + 1
        name = texts[start : texts.index("ORDER")]
        assert all(edge <= qr_left - 20 for text, edge in lines[start : start + len(name)])
        assert _qr_codes(page) == [str(attendee.uuid)]
        if attendee is chinese:
            assert len(name) == 3
            assert name[0] == name[1] == "王" * len(name[0])
            assert name[2] == "王" * (len(name[2]) - 1) + "…"
        else:  # a word wider than the column is broken inside
            assert "".join(name) == "HubertWolfeschlegelsteinhausenbergerdorff"
            assert len(name) == 3


def test_the_font_subsetter_logs_nothing_below_warnings(berlin_show, unicode_fonts, caplog):
    attendee = _attendee(berlin_show, "王小明")

    with caplog.at_level(logging.INFO):
        ticket_pdf(order=attendee.ticket_order.order)

    assert [record.name for record in caplog.records if record.name.startswith("fontTools")] == []


def test_without_fonts_tickets_use_helvetica_and_degrade_names_with_one_warning(
    settings, berlin_show, tmp_path, caplog
):
    settings.TICKET_FONT_DIRS = [str(tmp_path / "no-fonts")]
    attendee = _attendee(berlin_show, "Łukasz\x07", "Dvořák 李")

    with caplog.at_level(logging.WARNING, logger="piquetickets.core.fonts"):
        pdf = ticket_pdf(order=attendee.ticket_order.order)
        ticket_pdf(order=attendee.ticket_order.order)

    (page,) = _pages(pdf)
    assert "Lukasz Dvorák ?" in _page_text(page)
    assert {font for _, font, _ in _drawn_chars(page)} == {"Helvetica", "Helvetica-Bold", "Courier"}
    assert _qr_codes(page) == [str(attendee.uuid)]
    assert [record.getMessage() for record in caplog.records] == [
        f"Ticket fonts missing from TICKET_FONT_DIRS ({tmp_path / 'no-fonts'}): NotoSans-Regular.ttf, "
        "NotoSansArabic-Regular.ttf, NotoSansHebrew-Regular.ttf (Debian: fonts-noto-core), "
        "NanumGothic.ttf (Debian: fonts-nanum), "
        "DroidSansFallbackFull.ttf (Debian: fonts-droid-fallback); PDF tickets print text those fonts "
        "would draw as '?' or its plain Latin letters (`make fonts` installs them)"
    ]


def test_without_noto_sans_tickets_use_helvetica_even_if_other_fonts_are_there(
    settings, berlin_show, tmp_path, unicode_fonts
):
    cjk = unicode_fonts.faces[-1]
    (tmp_path / "DroidSansFallbackFull.ttf").symlink_to(cjk.regular)
    settings.TICKET_FONT_DIRS = [str(tmp_path)]
    attendee = _attendee(berlin_show, "Łukasz", "Dvořák 李")

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    assert "Lukasz Dvorák ?" in _page_text(page)
    assert {font for _, font, _ in _drawn_chars(page)} == {"Helvetica", "Helvetica-Bold", "Courier"}


def test_an_unreadable_font_file_counts_as_missing(settings, berlin_show, tmp_path, caplog):
    (tmp_path / "NotoSans-Regular.ttf").write_bytes(b"not a font")
    settings.TICKET_FONT_DIRS = [str(tmp_path)]
    attendee = _attendee(berlin_show, "Zoë", "Ødegård")

    with caplog.at_level(logging.WARNING, logger="piquetickets.core.fonts"):
        (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    assert "Zoë Ødegård" in _page_text(page)
    assert {font for _, font, _ in _drawn_chars(page)} == {"Helvetica", "Helvetica-Bold", "Courier"}
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == f"Ticket font {tmp_path / 'NotoSans-Regular.ttf'} cannot be read"
    assert messages[1].startswith(f"Ticket fonts missing from TICKET_FONT_DIRS ({tmp_path}): NotoSans-Regular.ttf, ")
    assert len(messages) == 2


def test_a_missing_fallback_font_degrades_only_the_script_it_draws(settings, berlin_show, tmp_path, unicode_fonts):
    sans = unicode_fonts.faces[0]
    (tmp_path / "NotoSans-Regular.ttf").symlink_to(sans.regular)
    (tmp_path / "NotoSans-Bold.ttf").symlink_to(sans.bold)
    settings.TICKET_FONT_DIRS = [str(tmp_path)]
    attendee = _attendee(berlin_show, "Łukasz", "Dvořák 李 Ελένη")

    (page,) = _pages(ticket_pdf(order=attendee.ticket_order.order))

    drawn = _drawn_name(page, "Łukasz Dvořák ? Ελένη")
    assert {font for char, font, _ in drawn if char != " "} == {SANS}
    assert _qr_codes(page) == [str(attendee.uuid)]


# --- Fonts parsed once per process ------------------------------------------------------------


def _without_dates(pdf: bytes) -> bytes:
    """``pdf`` without its creation date and file ID (which hashes the date): what two builds of one
    order a second apart differ by."""
    pdf = re.sub(rb"/CreationDate \(D:[^)]*\)", b"/CreationDate ()", pdf)
    return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID []", pdf)


@pytest.fixture
def parsed_faces(monkeypatch):
    """An empty per-process face cache, and the list of (file, style) fpdf2's ``add_font`` parses."""
    monkeypatch.setattr(fonts, "_parsed", {})
    parsed = []
    add_font = FPDF.add_font

    def counting_add_font(pdf, family=None, style="", fname=None, **kwargs):
        parsed.append((Path(fname).name, style))
        return add_font(pdf, family, style, fname, **kwargs)

    monkeypatch.setattr(FPDF, "add_font", counting_add_font)
    return parsed


@pytest.fixture
def fpdf2_alone(monkeypatch):
    """``ticket_pdf`` as fpdf2 makes it without the face cache: ``add_font`` parses each face for the
    document and the output subsets the whole files with fontTools."""

    def build(order):
        with monkeypatch.context() as patch:
            patch.setattr(FacePDF, "add_face", lambda pdf, family, style, path: pdf.add_font(family, style, path))
            patch.setattr(FacePDF, "output", FPDF.output)
            return ticket_pdf(order=order)

    return build


def test_fpdf2s_font_object_is_still_the_one_the_face_cache_divides_between_faces_and_documents():
    # If an fpdf2 release adds, drops or renames an attribute of its font object, the cache may share
    # what is a document's own: decide where the new attribute belongs before upgrading.
    assert set(TTFFont.__slots__) == fonts.SHARED_FONT_ATTRIBUTES | fonts.DOCUMENT_FONT_ATTRIBUTES
    assert not fonts.SHARED_FONT_ATTRIBUTES & fonts.DOCUMENT_FONT_ATTRIBUTES


def test_each_face_is_parsed_once_per_process_and_two_pdfs_in_a_row_are_each_complete(
    berlin_show, unicode_fonts, parsed_faces
):
    first = _attendee(berlin_show, "王小明", "محمد")
    second = _attendee(berlin_show, "李华", "Ελένη דוד")

    pdfs = [ticket_pdf(order=first.ticket_order.order)]
    parsed_by_first = sorted(parsed_faces)
    pdfs.append(ticket_pdf(order=second.ticket_order.order))

    # Noto Sans regular and bold, then each fallback face in the weight the names need (bold; Droid
    # Sans Fallback has one weight), parsed by the first PDF that needs it: the second PDF parses
    # only Noto Sans Hebrew Bold, which the first did not need.
    assert parsed_by_first == [
        ("DroidSansFallbackFull.ttf", ""),
        ("NotoSans-Bold.ttf", "B"),
        ("NotoSans-Regular.ttf", ""),
        ("NotoSansArabic-Bold.ttf", "B"),
    ]
    assert sorted(parsed_faces) == sorted([*parsed_by_first, ("NotoSansHebrew-Bold.ttf", "B")])
    # Each PDF embeds the faces its text uses, in the weights it uses, and nothing else.
    assert [sorted(set(re.findall(rb"/BaseFont /MPDFAA\+(\w+)", pdf))) for pdf in pdfs] == [
        [b"DroidSansFallback", b"NotoSans", b"NotoSansArabicBold", b"NotoSansBold"],
        [b"DroidSansFallback", b"NotoSans", b"NotoSansBold", b"NotoSansHebrewBold"],
    ]
    (first_page,) = _pages(pdfs[0])
    (second_page,) = _pages(pdfs[1])
    assert {font for char, font, _ in _drawn_name(first_page, "王小明 محمد") if char != " "} == {CJK, ARABIC}
    assert {font for char, font, _ in _drawn_name(second_page, "李华 Ελένη דוד") if char != " "} == {CJK, SANS, HEBREW}
    assert _qr_codes(first_page) == [str(first.uuid)]
    assert _qr_codes(second_page) == [str(second.uuid)]
    embedded = {name.split("+")[1] for name, is_embedded in _page_fonts(second_page) if is_embedded}
    assert embedded == {"NotoSans", SANS, CJK, HEBREW}  # the second PDF carries none of the first's Arabic


def test_a_pdf_from_the_shared_faces_is_byte_for_byte_what_fpdf2_alone_makes(berlin_show, unicode_fonts, fpdf2_alone):
    # Two orders in a row, each compared with fpdf2's own: the second is not changed by the first.
    orders = [
        _attendee(berlin_show, "Léa 王小明", "محمد Ελένη דוד").ticket_order.order,
        _attendee(berlin_show, "Zoë", "Ødegård").ticket_order.order,
    ]

    pdfs = [ticket_pdf(order=order) for order in orders]

    assert [_without_dates(pdf) for pdf in pdfs] == [_without_dates(fpdf2_alone(order)) for order in orders]
    assert b"/FontFile2" in pdfs[0]


@pytest.mark.django_db(transaction=True)
def test_two_threads_drawing_different_names_at_once_each_get_their_own_pdf(berlin_show, unicode_fonts):
    orders = [
        _attendee(berlin_show, "王小明", "محمد").ticket_order.order,
        _attendee(berlin_show, "佐藤さくら", "Ελένη דוד").ticket_order.order,
    ]
    expected = [_without_dates(ticket_pdf(order=order)) for order in orders]
    rounds = 6
    start = threading.Barrier(len(orders))
    built: dict[int, list[bytes]] = {0: [], 1: []}

    def draw(index: int) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                built[index].append(_without_dates(ticket_pdf(order=orders[index])))
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(index,)) for index in range(len(orders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert built == {0: [expected[0]] * rounds, 1: [expected[1]] * rounds}
    for pdf, name in zip(expected, ("王小明 محمد", "佐藤さくら Ελένη דוד"), strict=True):
        (page,) = _pages(pdf)
        assert len(_drawn_name(page, name)) == len(name)


def test_a_face_the_cache_does_not_share_is_parsed_by_fpdf2_for_each_pdf_with_one_warning(
    berlin_show, unicode_fonts, parsed_faces, monkeypatch, caplog
):
    # As for a font that is not plain TrueType (CFF outlines, colour): here Noto Sans Hebrew.
    parse = fonts.ParsedFace.__init__

    def refuse_hebrew(face, path, style):
        if path.name.startswith("NotoSansHebrew"):
            raise ValueError("only plain TrueType fonts (glyf outlines, Unicode, no colour) are shared")
        parse(face, path, style)

    monkeypatch.setattr(fonts.ParsedFace, "__init__", refuse_hebrew)
    attendee = _attendee(berlin_show, "Zoë", "דוד")

    with caplog.at_level(logging.WARNING, logger="piquetickets.core.fonts"):
        pdfs = [ticket_pdf(order=attendee.ticket_order.order) for _ in range(2)]

    assert sorted(parsed_faces) == [
        ("NotoSans-Bold.ttf", "B"),
        ("NotoSans-Regular.ttf", ""),
        *[("NotoSansHebrew-Bold.ttf", "B")] * 2,  # the name is bold: the regular weight is not needed
    ]
    for pdf in pdfs:
        (page,) = _pages(pdf)
        assert [font for _, font, _ in _drawn_name(page, "Zoë דוד")] == [SANS] * 4 + [HEBREW] * 3
    hebrew = {face.family: face for face in unicode_fonts.faces}["NotoSansHebrew"]
    assert [record.getMessage() for record in caplog.records] == [
        f"Ticket font {hebrew.bold} is parsed again for every PDF: only plain TrueType fonts (glyf outlines, "
        "Unicode, no colour) are shared"
    ]


def test_a_face_pdf_refuses_the_outputs_that_would_skip_cutting_its_faces():
    pdf = FacePDF()

    with pytest.raises(ValueError, match="plain PDFs only"):
        pdf.output(linearize=True)


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
