"""Character records: what a backend reads from a page, and nothing more.

Both backends (pdfplumber, pdfium) turn a page into one :class:`GlyphArrays`:
the page's characters in *display* coordinates (points, origin top-left, the
page's /Rotate applied), each with the direction its text runs in, held as
columns (one array per field) so the layout analysis can work on a whole page
at once instead of on one Python object per character. The shared layout
analysis starts from these records only, which is what makes the two backends
produce the same blocks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


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
class GlyphArrays:
    """A page's glyphs as columns: ``text[i]``, ``x0[i]`` ... describe glyph ``i``,
    in the order the backend read them. Fields as in :class:`Glyph`."""

    text: list[str]
    x0: FloatArray
    x1: FloatArray
    top: FloatArray
    bottom: FloatArray
    bold: BoolArray
    direction: IntArray
    space_before: BoolArray

    def __len__(self) -> int:
        return len(self.text)

    @classmethod
    def empty(cls) -> GlyphArrays:
        nothing = np.empty(0, dtype=np.float64)
        return cls([], nothing, nothing, nothing, nothing, np.empty(0, dtype=np.bool_), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.bool_))

    @classmethod
    def from_glyphs(cls, glyphs: Sequence[Glyph]) -> GlyphArrays:
        if not glyphs:
            return cls.empty()
        text, x0, x1, top, bottom, bold, direction, space = zip(*glyphs)
        return cls(
            list(text),
            np.array(x0, dtype=np.float64),
            np.array(x1, dtype=np.float64),
            np.array(top, dtype=np.float64),
            np.array(bottom, dtype=np.float64),
            np.array(bold, dtype=np.bool_),
            np.array(direction, dtype=np.int64),
            np.array(space, dtype=np.bool_),
        )

    def take(self, indices: IntArray) -> GlyphArrays:
        """The glyphs at ``indices``, in that order."""
        return GlyphArrays(
            list(map(self.text.__getitem__, indices.tolist())),
            self.x0[indices],
            self.x1[indices],
            self.top[indices],
            self.bottom[indices],
            self.bold[indices],
            self.direction[indices],
            self.space_before[indices],
        )

    def to_glyphs(self) -> list[Glyph]:
        return [
            Glyph(*fields)
            for fields in zip(
                self.text,
                self.x0.tolist(),
                self.x1.tolist(),
                self.top.tolist(),
                self.bottom.tolist(),
                self.bold.tolist(),
                self.direction.tolist(),
                self.space_before.tolist(),
            )
        ]


@dataclass(frozen=True, slots=True)
class PageGlyphs:
    """A page as a backend read it."""

    number: int  # 1-based
    width: float
    height: float
    rotation: int  # the page's /Rotate, clockwise degrees
    has_images: bool  # checked only on pages with little text (see backends.IMAGE_CHECK_MAX_GLYPHS)
    glyphs: GlyphArrays


# Characters that carry no text: soft hyphens, zero-width spaces and joiners,
# the byte-order mark, and whitespace (word gaps are measured, not read).
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")

# Weight words in font names. Fonts name their weight in the PostScript name
# ("ABCDEF+OpenSans-Semibold", "Arial,Bold", "Helvetica-Black"); the subset
# prefix before "+" never does.
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultrabold|[-,]bd\b|[-,]sb\b", re.IGNORECASE)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=4096)
def normalise_char(text: str) -> str:
    """NFKC-normalise one glyph's text: ligatures become letters ("ﬁ" -> "fi"),
    odd spaces become plain spaces; invisible characters become ''."""
    if text in _INVISIBLE:
        return ""
    if _LONE_SURROGATE.search(text):
        # a broken ToUnicode map: a half of a UTF-16 pair cannot be written as UTF-8
        text = _LONE_SURROGATE.sub("\ufffd", text)
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
