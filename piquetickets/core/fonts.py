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
Droid Sans Fallback (Full)    Chinese, Japanese, Korean (one weight only)  ``fonts-droid-fallback``
============================  ===========================================  =====================

All are TrueType files. The folders searched, in order, are the ``TICKET_FONT_DIRS`` setting (by
default Debian's ``/usr/share/fonts/truetype/noto`` and ``/usr/share/fonts/truetype/droid``). A face
whose file is missing or unreadable is left out with one logged warning per process; without Noto
Sans (the face of the page's own text) the PDFs fall back to the built-in Helvetica (see
:mod:`piquetickets.orders.tickets`). Nothing here raises for a missing font.

Reading the faces' character maps takes a moment (Droid Sans Fallback maps 30,000 characters), so
the chain is read once per process and per list of folders.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont, TTLibError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaceFiles:
    """Where one face of the chain comes from: its family name and file names, and the package."""

    family: str
    regular: str
    bold: str | None
    package: str


FACES: tuple[FaceFiles, ...] = (
    FaceFiles("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core"),
    FaceFiles("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "fonts-noto-core"),
    FaceFiles("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", "fonts-noto-core"),
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
