"""Character records: what a backend reads from a page, and nothing more.

Both backends (pdfplumber, pdfium) turn a page into one plain list of
:class:`Glyph` records in *display* coordinates (points, origin top-left, the
page's /Rotate applied), each with the direction its text runs in. The shared
layout analysis starts from these records only, which is what makes the two
backends produce the same blocks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple


class Glyph(NamedTuple):
    """One character as drawn. ``direction`` is the clockwise angle (0, 90, 180,
    270) in which the text runs on the displayed page; 0 reads left to right.
    Space characters are not glyphs: they mark the next glyph ``space_before``."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool
    direction: int
    space_before: bool = False  # the PDF puts a space character before this glyph


@dataclass(frozen=True, slots=True)
class PageGlyphs:
    """A page as a backend read it."""

    number: int  # 1-based
    width: float
    height: float
    rotation: int  # the page's /Rotate, clockwise degrees
    has_images: bool  # checked only on pages with little text (see backends.IMAGE_CHECK_MAX_GLYPHS)
    glyphs: list[Glyph]


# Characters that carry no text: soft hyphens, zero-width spaces and joiners,
# the byte-order mark, and whitespace (word gaps are measured, not read).
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")

# Weight words in font names. Fonts name their weight in the PostScript name
# ("ABCDEF+OpenSans-Semibold", "Arial,Bold", "Helvetica-Black"); the subset
# prefix before "+" never does.
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultrabold|[-,]bd\b|[-,]sb\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def normalise_char(text: str) -> str:
    """NFKC-normalise one glyph's text: ligatures become letters ("ﬁ" -> "fi"),
    odd spaces become plain spaces; invisible characters become ''."""
    if text in _INVISIBLE:
        return ""
    normalised = unicodedata.normalize("NFKC", text)
    if normalised.isspace():
        return " "
    return "".join(ch for ch in normalised if ch not in _INVISIBLE)


@lru_cache(maxsize=1024)
def is_bold_font(fontname: str) -> bool:
    """Whether a font's name says it is bold (or heavier)."""
    return bool(_BOLD_NAME.search(fontname.split("+", 1)[-1]))


def quantise_direction(dx: float, dy: float) -> int:
    """The nearest of 0/90/180/270 (clockwise, y down) for a direction vector."""
    if abs(dx) >= abs(dy):
        return 0 if dx >= 0 else 180
    return 90 if dy > 0 else 270
