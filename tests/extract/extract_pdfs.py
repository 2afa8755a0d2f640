"""Helpers for the extract tests: paths, and small PDFs drawn with reportlab.

The generated PDFs place every line explicitly (and justify it to its column
width), so each test controls exactly the layout it checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
DATA = REPO / "tests" / "data"
CORPUS = REPO / "corpus"
SAMPLE_STEMS = ("astapenia-2023-rethinking-western-policy-belarus", "kharytonau-2020-global-actors-belarus")

# Bitstream Vera ships with reportlab; embedded TrueType fonts carry a Unicode
# map, as the fonts of real papers do (the base-14 fonts do not, for "•").
pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
pdfmetrics.registerFont(TTFont("Vera-Bold", "VeraBd.ttf"))
BODY_FONT = "Vera"
BOLD_FONT = "Vera-Bold"
BODY_SIZE = 10.0
LEADING = 12.5


def normalise(text: str) -> str:
    return " ".join(text.split())


def wrap(text: str, width: float, font: str = BODY_FONT, size: float = BODY_SIZE) -> list[str]:
    """Greedy line breaking at ``width`` points."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@dataclass
class Writer:
    """Draws lines on one reportlab page; y runs down from the top like pdfplumber's."""

    canvas: Canvas
    height: float

    def line(self, text: str, x: float, top: float, *, font: str = BODY_FONT, size: float = BODY_SIZE, width: float | None = None) -> None:
        """One line whose baseline sits ``size`` below ``top``; justified to ``width`` when given."""
        obj = self.canvas.beginText(x, self.height - top - size)
        obj.setFont(font, size)
        gaps = text.count(" ")
        if width is not None and gaps:
            obj.setWordSpace(max(width - stringWidth(text, font, size), 0.0) / gaps)
        obj.textLine(text)
        self.canvas.drawText(obj)

    def paragraph(
        self,
        lines: Iterable[str],
        x: float,
        top: float,
        width: float,
        *,
        font: str = BODY_FONT,
        size: float = BODY_SIZE,
        leading: float = LEADING,
        indent: float = 0.0,
        justify_last: bool = False,
    ) -> float:
        """Justified lines (the last one ragged); returns the top of the next line."""
        lines = list(lines)
        for i, text in enumerate(lines):
            last = i == len(lines) - 1
            left = x + (indent if i == 0 else 0.0)
            self.line(text, left, top, font=font, size=size, width=None if (last and not justify_last) else width - (left - x))
            top += leading
        return top

    def text(self, text: str, x: float, top: float, width: float, *, gap: float = 6.0, **style) -> float:
        """A paragraph wrapped to ``width``; returns the top of the next paragraph."""
        return self.paragraph(wrap(text, width, style.get("font", BODY_FONT), style.get("size", BODY_SIZE)), x, top, width, **style) + gap

    def superscript(self, marker: str, after: str, x: float, top: float, *, size: float = BODY_SIZE) -> None:
        """A raised small marker right after the text ``after`` drawn at (x, top)."""
        left = x + stringWidth(after, BODY_FONT, size)
        self.canvas.setFont(BODY_FONT, size * 0.6)
        self.canvas.drawString(left, self.height - top - size + size * 0.4, marker)


@dataclass
class PdfFactory:
    """Builds a PDF page by page: each page is a function drawing with a Writer."""

    folder: Path
    made: list[Path] = field(default_factory=list)

    def __call__(
        self,
        name: str,
        pages: Iterable[Callable[[Writer], None]],
        *,
        pagesize: tuple[float, float] = A4,
        rotation: int = 0,
        encrypt=None,
    ) -> Path:
        path = self.folder / name
        canvas = Canvas(str(path), pagesize=pagesize, encrypt=encrypt)
        for draw in pages:
            if rotation:
                canvas.setPageRotation(rotation)
            draw(Writer(canvas, pagesize[1]))
            canvas.showPage()
        canvas.save()
        self.made.append(path)
        return path


def sentences(prefix: str, count: int) -> str:
    """Distinct, countable filler: '<prefix> one is ..., <prefix> two ...'."""
    numbers = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split()
    return " ".join(f"{prefix} {numbers[i % len(numbers)]} states a plain fact about the {prefix.lower()} column here." for i in range(count))


def words_in_order(text: str, prefix: str) -> list[str]:
    """The counting words after each occurrence of ``prefix`` in ``text``."""
    return re.findall(rf"{prefix} (\w+) states", text)
