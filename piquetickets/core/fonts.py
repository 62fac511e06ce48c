"""Unicode fonts for the PDFs the platform makes (tickets): found on disk, chosen character by character.

A buyer's name can be in any script, so one font is not enough. The faces below form a fallback
chain: each character is drawn with the first face that has a glyph for it, so a name that mixes
scripts takes each run of letters from a font that can draw it. The files come from Debian's
packages, installed by ``make fonts`` (part of ``make setup``) and by the Dockerfile:

============================  ===========================================  =====================
Face                          Scripts                                      Debian package
============================  ===========================================  =====================
Noto Sans (regular, bold)     Latin, Greek, Cyrillic (and the page's text)  ``fonts-noto-core``
Noto Sans Arabic              Arabic                                       ``fonts-noto-core``
Noto Sans Hebrew              Hebrew                                       ``fonts-noto-core``
Nanum Gothic (regular, bold)  Korean (Hangul only)                         ``fonts-nanum``
Droid Sans Fallback (Full)    Chinese, Japanese (one weight; no Hangul)    ``fonts-droid-fallback``
============================  ===========================================  =====================

All are TrueType files. The folders searched, in order, are the ``TICKET_FONT_DIRS`` setting (by
default Debian's ``/usr/share/fonts/truetype/noto``, ``…/droid`` and ``…/nanum``). A face
whose file is missing or unreadable is left out with one logged warning per process; without Noto
Sans (the face of the page's own text) the PDFs fall back to the built-in Helvetica (see
:mod:`piquetickets.orders.tickets`). Nothing here raises for a missing font.

Reading the faces' character maps takes a moment (Droid Sans Fallback maps 30,000 characters), so
the chain is read once per process and per list of folders.

fpdf2 parses a font file again for every document that adds it (``FPDF.add_font``: 10–200 ms a
face, the 4 MB CJK face the most) and subsets it with fontTools at output (as long again, since the
subsetter reads the whole file). :class:`FacePDF` does neither per document: each face is parsed by
fpdf2 once per process (:class:`ParsedFace`), each document gets its own light copy of fpdf2's font
object with a fresh subset map, and at output the glyphs the document used are cut out of the file by
HarfBuzz's subsetter (in C, well under a millisecond) before fpdf2's own fontTools pass makes the
embedded subset from that small font, as it would from the whole file. The PDF is byte for byte
what fpdf2 alone makes (``tests/orders/test_tickets.py`` compares them).
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import uharfbuzz as hb
from django.conf import settings
from fontTools.ttLib import TTFont, TTLibError
from fpdf import FPDF
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont
from fpdf.output import OutputProducer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaceFiles:
    """Where one face of the chain comes from: its family name and file names, and the package."""

    family: str
    regular: str
    bold: str | None
    package: str
    only: tuple[range, ...] = ()  # when set, the face draws only these characters (a script's block)


FACES: tuple[FaceFiles, ...] = (
    FaceFiles("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core"),
    FaceFiles("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "fonts-noto-core"),
    FaceFiles("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", "fonts-noto-core"),
    # Hangul only: Droid Sans Fallback has three Hangul syllables, and Chinese names keep Droid's Han.
    FaceFiles(
        "NanumGothic",
        "NanumGothic.ttf",
        "NanumGothicBold.ttf",
        "fonts-nanum",
        only=(range(0x1100, 0x1200), range(0x3130, 0x3190), range(0xA960, 0xA980), range(0xAC00, 0xD800)),
    ),
    FaceFiles("DroidSansFallback", "DroidSansFallbackFull.ttf", None, "fonts-droid-fallback"),
)


@dataclass(frozen=True)
class Face:
    """One usable face: its files (``bold`` is None when it has one weight) and the characters it draws."""

    family: str
    regular: Path
    bold: Path | None
    codepoints: frozenset[int] = field(repr=False)

    def draws(self, char: str) -> bool:
        return ord(char) in self.codepoints


@dataclass(frozen=True)
class FontChain:
    """The faces found, in fallback order (``faces[0]`` draws everything it can), and the missing ones."""

    faces: tuple[Face, ...]
    missing: tuple[FaceFiles, ...]
    _chosen: dict[str, Face | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def primary(self) -> Face | None:
        """Noto Sans, the face of the page's own text; without it the PDFs use Helvetica (cp1252)."""
        return self.faces[0] if self.faces and self.faces[0].family == FACES[0].family else None

    def face_for(self, char: str) -> Face | None:
        """The first face with a glyph for ``char``, or None when no face can draw it."""
        if char not in self._chosen:
            self._chosen[char] = next((face for face in self.faces if face.draws(char)), None)
        return self._chosen[char]


def font_chain() -> FontChain:
    """The fallback chain from the ``TICKET_FONT_DIRS`` folders (read once per process)."""
    return _load_chain(tuple(str(folder) for folder in settings.TICKET_FONT_DIRS))


def _find(name: str, folders: tuple[str, ...]) -> Path | None:
    return next((Path(folder) / name for folder in folders if (Path(folder) / name).is_file()), None)


def _codepoints(path: Path) -> frozenset[int] | None:
    """The characters ``path``'s font maps to glyphs, or None if it is not a font fontTools can read."""
    try:
        with TTFont(path, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except (OSError, TTLibError, AssertionError, KeyError, ValueError):  # fontTools' own errors, or a broken file
        logger.exception("Ticket font %s cannot be read", path)
        return None


@functools.cache
def _load_chain(folders: tuple[str, ...]) -> FontChain:
    faces, missing = [], []
    for files in FACES:
        regular = _find(files.regular, folders)
        codepoints = _codepoints(regular) if regular else None
        if codepoints and files.only:
            codepoints = frozenset(c for c in codepoints if any(c in block for block in files.only))
        if regular is None or not codepoints:
            missing.append(files)
            continue
        bold = _find(files.bold, folders) if files.bold else None
        faces.append(Face(files.family, regular, bold, codepoints))
    if missing:
        by_package: dict[str, list[str]] = {}
        for files in missing:
            by_package.setdefault(files.package, []).append(files.regular)
        logger.warning(
            "Ticket fonts missing from TICKET_FONT_DIRS (%s): %s; PDF tickets print text those fonts would "
            "draw as '?' or its plain Latin letters (`make fonts` installs them)",
            ", ".join(folders),
            ", ".join(f"{', '.join(names)} (Debian: {package})" for package, names in by_package.items()),
        )
    return FontChain(tuple(faces), tuple(missing))


# --- Faces parsed once per process, for fpdf2 documents ----------------------------------------


class _Widths(dict):
    """Advance widths by character (fpdf2's ``TTFFont.cw``) that answer the face's default width for a
    character the face lacks without storing it, as fpdf2's ``defaultdict`` does: shared by every
    document, reading it never changes it."""

    __slots__ = ("default",)

    def __init__(self, widths: dict[int, float], default: float) -> None:
        super().__init__(widths)
        self.default = default

    def __missing__(self, key: int) -> float:
        return self.default


class _DrawingGlyphs:
    """What fpdf2 reads of a face's fontTools font while it draws shaped text: a glyph's name from its
    id and the advance widths (``hmtx``). A document's font holds this instead of the fontTools font
    until output, so nothing a document does can reach the parsed face every document shares; fpdf2
    asking for anything else fails loudly (AttributeError, KeyError) rather than corrupting it."""

    __slots__ = ("_glyph_order", "_hmtx")

    def __init__(self, glyph_order: list[str], hmtx) -> None:
        self._glyph_order = glyph_order
        self._hmtx = hmtx

    def getGlyphName(self, glyph_id: int) -> str:  # fontTools' name
        return self._glyph_order[glyph_id]

    def __getitem__(self, tag: str):
        if tag != "hmtx":
            raise KeyError(f"{tag!r}: a document's font reads only glyph names and hmtx while it draws")
        return self._hmtx


class _DocumentFont(TTFFont):
    """fpdf2's font object for one document, sharing its face's parsed data (see :class:`ParsedFace`)."""

    __slots__ = ("face",)


# fpdf2's TTFFont attributes (2.8), by whether a face's documents share them or each has its own.
# A test compares these with ``TTFFont.__slots__``: an fpdf2 release that adds or renames one fails it.
SHARED_FONT_ATTRIBUTES = frozenset(
    {
        "type", "name", "ttffile", "scale", "cmap", "glyph_ids", "cw", "emphasis", "up", "ut", "sp", "ss",
        "is_compressed", "is_cff", "is_cid_keyed", "is_symbol", "cff_ros", "collection_font_number",
        "palette_index", "unicode_range",
    }
)  # fmt: skip
DOCUMENT_FONT_ATTRIBUTES = frozenset(
    {"i", "fontkey", "desc", "subset", "missing_glyphs", "biggest_size_pt", "color_font", "_hbfont", "ttfont"}
)

# The tables fpdf2's fontTools pass drops (fontTools' defaults and fpdf2's own list), dropped by
# HarfBuzz's first cut already: it need not subset what the second pass throws away.
_DROPPED_TABLES = (
    "JSTF", "DSIG", "EBDT", "EBLC", "EBSC", "PCLT", "LTSH", "Feat", "Glat", "Gloc", "Silf", "Sill",
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "SVG ", "CPAL", "COLR",
)  # fmt: skip


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


class ParsedFace:
    """One TrueType file in one style, parsed by fpdf2 once per process and shared read-only by every
    document that uses it (:func:`parsed_face`); thread-safe, as web threads and the worker may draw
    PDFs at once.

    Kept: fpdf2's font object as ``add_font`` built it (its character map, widths, glyph ids and PDF
    font descriptor), the glyph order and advances that drawing reads, and a HarfBuzz face of the file
    (shaping and subsetting read it, in C, without a lock). Not kept: fontTools' parsed tables, which
    only ``add_font`` and the output's subsetter need.
    """

    def __init__(self, path: Path, style: str) -> None:
        scratch = FPDF()
        scratch.add_font("face", style, path)
        font = scratch.fonts[f"face{style}"]
        ttfont = font.ttfont
        if "glyf" not in ttfont or font.is_compressed or font.is_symbol or font.color_font is not None:
            raise ValueError("only plain TrueType fonts (glyf outlines, Unicode, no colour) are shared")
        self.path = path
        self.style = style
        self._font = font
        self._glyph_order: list[str] = list(ttfont.getGlyphOrder())
        self._glyph_ids: dict[str, int] = dict(ttfont.getReverseGlyphMap())
        self._drawing = _DrawingGlyphs(self._glyph_order, ttfont["hmtx"])
        unicodes: dict[int, list[int]] = defaultdict(list)
        for unicode, glyph_name in font.cmap.items():
            unicodes[self._glyph_ids[glyph_name]].append(unicode)
        # Tuples of ints, which the garbage collector stops tracking: 30,000 lists would stay tracked.
        self._unicodes = {glyph_id: tuple(chars) for glyph_id, chars in unicodes.items()}
        # fpdf2's widths are a defaultdict, which stores the default width of each missing character read.
        font.cw = _Widths(font.cw, font.desc.missing_width)
        font.ttfont = self._drawing
        font.subset = None
        ttfont.close()
        self._hb_face = hb.Face(hb.Blob.from_file_path(str(path)))

    def document_font(self, *, fontkey: str, index: int) -> TTFFont:
        """A font object for one document: the shared parsed data, and its own subset map, glyph list,
        font descriptor (output numbers it as a PDF object) and HarfBuzz font (shaping sets its size)."""
        font = _DocumentFont.__new__(_DocumentFont)
        for name in SHARED_FONT_ATTRIBUTES:
            if hasattr(self._font, name):
                setattr(font, name, getattr(self._font, name))
        font.face = self
        font.i = index
        font.fontkey = fontkey
        font.desc = copy.copy(self._font.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.color_font = None
        font._hbfont = HarfBuzzFont(self._hb_face)
        font.ttfont = self._drawing
        font.subset = SubsetMap(font)
        return font

    def cut(self, glyph_names: list[str]) -> TTFont:
        """A fontTools font of just ``glyph_names`` (plus glyphs 0–3, which fpdf2's subsetter adds as
        fontTools recommends), their components and their characters, for fpdf2's output to subset.

        HarfBuzz cuts them out of the file and keeps their relative order; the cut gets back the
        names of the whole font, so fpdf2 finds each glyph by the name it recorded while drawing.
        """
        glyph_ids = {self._glyph_ids[name] for name in glyph_names} | set(range(min(4, len(self._glyph_order))))
        wanted = hb.SubsetInput()
        wanted.glyph_set.update(glyph_ids)
        wanted.unicode_set.update(unicode for glyph_id in glyph_ids for unicode in self._unicodes.get(glyph_id, ()))
        wanted.drop_table_tag_set.update(_tag(name) for name in _DROPPED_TABLES)
        wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE
        plan = hb.SubsetPlan(self._hb_face, wanted)
        new_to_old = plan.new_to_old_glyph_mapping
        cut = TTFont(BytesIO(plan.execute().blob.data), recalcTimestamp=False)
        cut.setGlyphOrder([self._glyph_order[new_to_old[new]] for new in range(len(new_to_old))])
        return cut


_parsed: dict[tuple[Path, str], ParsedFace | None] = {}
_parsing = threading.Lock()


def parsed_face(path: Path, style: str = "") -> ParsedFace | None:
    """The file ``path`` in ``style`` (``""`` or ``"B"``) parsed by fpdf2, once per process; None (and
    one warning) for a file the cache does not share (not plain TrueType: CFF outlines, colour)."""
    key = (Path(path), style)
    if key not in _parsed:
        with _parsing:  # one thread parses; the others wait for it rather than parse it again
            if key not in _parsed:
                try:
                    _parsed[key] = ParsedFace(Path(path), style)
                except ValueError as error:
                    logger.warning("Ticket font %s is parsed again for every PDF: %s", path, error)
                    _parsed[key] = None
    return _parsed[key]


class _CutFacesFirst(OutputProducer):
    """fpdf2's output, after each shared face's document font has been given the cut of the glyphs
    this document used: fpdf2's fontTools subsetter, which rewrites the font it is given in place,
    then works on the document's own small font, never on what documents share."""

    def bufferize(self) -> bytearray:
        for font in self.fpdf.fonts.values():
            if isinstance(font, _DocumentFont):
                font.ttfont = font.face.cut(font.subset.get_all_glyph_names())
        return super().bufferize()


class FacePDF(FPDF):
    """An fpdf2 document whose TrueType fonts come from the per-process :func:`parsed_face` cache.

    :meth:`add_face` is ``add_font`` without the parsing; :meth:`output` makes the same PDF as fpdf2.
    """

    def add_face(self, family: str, style: str, path: Path) -> None:
        """Make ``path`` usable as ``family`` in ``style`` (``""`` or ``"B"``), as ``add_font`` does."""
        fontkey = f"{family.lower()}{style}"
        if fontkey in self.fonts:
            raise ValueError(f"font {fontkey!r} already added")
        face = parsed_face(path, style)
        if face is None:
            self.add_font(family, style, path)
        else:
            self.fonts[fontkey] = face.document_font(fontkey=fontkey, index=len(self.fonts) + 1)

    def output(self, name="", *, linearize: bool = False, output_producer_class=OutputProducer):
        if linearize or output_producer_class is not OutputProducer:
            raise ValueError("FacePDF makes plain PDFs only: its output cuts the shared faces first")
        return super().output(name, output_producer_class=_CutFacesFirst)
