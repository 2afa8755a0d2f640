"""Lines -> blocks: footnotes, tables, paragraphs, headings, list items, captions.

Works on one stream of lines at a time (a column, or a full-width band) in
reading order. Every decision comes from geometry and type: font size and
weight against the document's body font, vertical gaps against the stream's
usual line gap, indentation, and whether the next line's first word would have
fit on the previous line (if it would, the previous line ended on purpose).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.extract.columns import Line, Stream
from pipeline.extract.text import Vocabulary, ends_sentence, join_lines
from pipeline.types import BBox, Block, BlockKind

BULLETS = "•▪◦●○■□◆◇►▶➢➤✓✔·‣⁃-–—*"
# Dashes and asterisks also occur at a line start inside running text, so they
# open a list item only where a new block may start anyway.
WEAK_BULLETS = frozenset("-–—*")
_BULLET = re.compile(rf"^([{re.escape(BULLETS)}])\s*(?=\S)")
_ENUMERATOR = re.compile(r"^(\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?=\S)")
_HEADING_NUMBER = re.compile(r"^(?:(\d{1,2}(?:\.\d{1,2})*)\.?|([A-Z])\.|([IVX]{1,5})\.)\s+\S")
_CAPTION = re.compile(r"^(?:table|figure|fig\.|chart|graph|map|box|exhibit|diagram|source|sources|note|notes)\b\s*[\dA-Z]*\s*[.:–-]?", re.IGNORECASE)
_FOOTNOTE_NUMBER = re.compile(r"^(\d{1,3}|[*†‡§]{1,3})[.)]?\s+\S")
# A caption's label is short and followed by punctuation ("Figure 3:", "Table A.").
_CAPTION_LABEL = re.compile(r"^\S+\s*[\dA-Z]{0,3}\s*[.:–-]")

# A vertical gap this many font sizes above the stream's usual line gap starts a
# new block.
PARAGRAPH_GAP_EMS = 0.4
# A first line indented by at least this many font sizes starts a paragraph.
INDENT_EMS = 0.8
# Sizes closer than this (points) are the same font size.
SIZE_TOLERANCE = 0.6
# Consecutive lines of several cells that make a table, and the narrowest
# strip (points) their cell gaps must share.
MIN_TABLE_ROWS = 3
MIN_TABLE_GUTTER = 2.0
# Gaps of one line that differ by less than this (points) are justified word
# spaces, not cell boundaries.
JUSTIFIED_GAP_SPREAD = 1.0


@dataclass(frozen=True)
class LayoutRules:
    """The extract settings that block building uses, with the document's body size."""

    body_size: float
    heading_size_ratio: float
    max_heading_words: int
    footnote_size_ratio: float
    footnote_zone: float

    def is_small(self, line: Line) -> bool:
        return line.size <= self.footnote_size_ratio * self.body_size

    def is_large(self, size: float) -> bool:
        return size >= self.heading_size_ratio * self.body_size


class Piece(NamedTuple):
    """A block with where it sits in its stream, for joining across breaks (a
    named tuple: pages make dozens)."""

    block: Block
    stream: tuple[int, int, int | None]  # page, band, column
    opens_stream: bool
    closes_stream: bool
    open_end: bool  # its last line runs to the right edge: the text goes on


class FootnoteNumbers:
    """The last footnote number seen, carried from page to page: a line that
    starts with a plain number opens a footnote only if the number comes next
    (so "18 Jan. 2023)" continuing a note is not note 18)."""

    def __init__(self) -> None:
        self.last: int | None = None

    def opens(self, number: str) -> bool:
        if not number.isdigit():
            return True
        value = int(number)
        return self.last is None or value in (self.last + 1, 1) or (value > self.last and value - self.last <= 3)

    def seen(self, number: str) -> None:
        if number.isdigit():
            self.last = int(number)


# --------------------------------------------------------------------------- line tests


def list_marker(text: str) -> str | None:
    """The bullet or enumerator opening a line, or None."""
    match = _BULLET.match(text) or _ENUMERATOR.match(text)
    return match.group(1) if match else None


def _heading_style(line: Line, rules: LayoutRules) -> bool:
    return line.bold or rules.is_large(line.size)


def _first_word_width(line: Line) -> float:
    first = line.first
    return max(first.second_x0 - first.x0 - 0.25 * first.size, 0.0)


def _is_footnote_start(line: Line, numbers: FootnoteNumbers) -> bool:
    if line.first.lead_marker:
        return True
    match = _FOOTNOTE_NUMBER.match(line.raw_text)
    return bool(match) and numbers.opens(match.group(1))


# --------------------------------------------------------------------------- footnotes


def split_footnotes(lines: list[Line], page_height: float, rules: LayoutRules, numbers: FootnoteNumbers) -> tuple[list[Line], list[Line]]:
    """Split the stream's trailing small-font lines in the footnote zone that start
    with a marker (and the lines continuing them) from its body lines."""
    zone_top = (1.0 - rules.footnote_zone) * page_height
    start = len(lines)
    while start > 0 and rules.is_small(lines[start - 1]) and lines[start - 1].top >= zone_top:
        start -= 1
    tail = lines[start:]
    first_marker = next((i for i, line in enumerate(tail) if _is_footnote_start(line, numbers)), None)
    if first_marker is None:
        return lines, []
    # Lines just above the first marker, set like it and as tight, continue a
    # footnote from the previous page.
    begin = first_marker
    while begin > 0:
        above, below = tail[begin - 1], tail[begin]
        if abs(above.size - below.size) > 0.3 or below.top - above.bottom > 0.8 * below.size or _CAPTION.match(above.text):
            break
        begin -= 1
    cut = start + begin
    return lines[:cut], lines[cut:]


def footnote_texts(lines: list[Line], numbers: FootnoteNumbers) -> list[tuple[str, list[Line]]]:
    """Footnotes as (text, lines): a marker line opens one, the rest continue it.
    Where the notes use superscript markers, only those open a note."""
    superscripts = any(line.first.lead_marker for line in lines)
    notes: list[tuple[str, list[Line]]] = []
    for line in lines:
        marker = line.first.lead_marker
        if superscripts:
            number = marker
        else:
            match = _FOOTNOTE_NUMBER.match(line.raw_text)
            number = match.group(1) if match and numbers.opens(match.group(1)) else ""
        if number:
            numbers.seen(number.rstrip(".)"))
            notes.append((f"{marker} {line.text}" if marker else line.raw_text, [line]))
        elif notes:
            previous_text, previous_lines = notes[-1]
            notes[-1] = (join_lines(previous_text, line.text), previous_lines + [line])
        else:
            notes.append((line.raw_text, [line]))
    return notes


# --------------------------------------------------------------------------- segmentation


@dataclass
class _Draft:
    lines: list[Line]
    marker: str | None  # list marker of the first line
    table: bool = False
    heading_style: bool = False  # all its lines are set as headings

    def add(self, line: Line, heading_style: bool) -> None:
        self.lines.append(line)
        self.heading_style = self.heading_style and heading_style


def _gaps(line: Line) -> list[tuple[float, float]]:
    return [(a.x1, b.x0) for a, b in zip(line.fragments, line.fragments[1:])]


def _intersect(spans: list[tuple[float, float]], gaps: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(max(a, c), min(b, d)) for a, b in spans for c, d in gaps if min(b, d) - max(a, c) >= MIN_TABLE_GUTTER]


def _table_rows(lines: list[Line]) -> set[int]:
    """Indices of lines in runs of several multi-cell lines whose cell gaps line
    up (a table). Wide word spaces in justified text split lines too, but they
    are all alike within a line and do not line up from one line to the next."""
    def is_row(line: Line) -> bool:
        if len(line.fragments) < 2 or list_marker(line.first.text) is not None or _HEADING_NUMBER.match(line.first.text + " x"):
            return False
        widths = [b - a for a, b in _gaps(line)]
        return len(widths) < 2 or max(widths) - min(widths) > JUSTIFIED_GAP_SPREAD

    row_like = [is_row(line) for line in lines] + [False]
    if sum(row_like) < MIN_TABLE_ROWS:
        return set()  # a table is a run of at least that many row-like lines
    rows: set[int] = set()
    start, common = 0, []
    for index in range(len(lines) + 1):
        line = lines[index] if index < len(lines) else None
        shared = _intersect(common, _gaps(line)) if line is not None and row_like[index] and index > start else []
        if shared:
            common = shared
            continue
        if index - start >= MIN_TABLE_ROWS:
            rows.update(range(start, index))
        start = index
        common = _gaps(line) if line is not None and row_like[index] else []
        if not common:
            start = index + 1
    return rows


def _usual_gap(lines: list[Line]) -> float:
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:]) if abs(a.size - b.size) <= SIZE_TOLERANCE and b.top >= a.bottom - 1]
    if len(gaps) >= 3:
        return statistics.median(gaps)
    return 0.25 * (lines[0].size if lines else 10.0)


@dataclass(frozen=True)
class _Frame:
    """A stream's margins and usual line gap."""

    left: float
    # The right edge of the lines set in each size (sizes that round to the
    # same 0.1 pt are one size), for each size a line of the stream has.
    right_by_size: dict[float, float]
    usual_gap: float

    def right(self, size: float) -> float:
        return self.right_by_size[size]


def _frame(lines: list[Line]) -> _Frame:
    # A stream has few sizes: each is rounded once.
    rounded = {size: round(size, 1) for size in {line.size for line in lines}}
    right_by_rounded: dict[float, float] = {}
    for line in lines:
        key = rounded[line.size]
        right_by_rounded[key] = max(right_by_rounded.get(key, 0.0), line.x1)
    right_by_size = {size: right_by_rounded[key] for size, key in rounded.items()}
    return _Frame(min([line.x0 for line in lines]), right_by_size, _usual_gap(lines))


def _style_changes(prev: Line, line: Line, prev_heading: bool, heading: bool) -> bool:
    if abs(line.size - prev.size) > SIZE_TOLERANCE:
        return True
    if heading == prev_heading:
        return False
    # A bold lead-in sentence that wraps onto a line where plain text follows it.
    return not (prev.bold and line.first.lead_bold and not ends_sentence(prev.text))


def _starts_block(prev: Line, line: Line, draft: _Draft, frame: _Frame, prev_heading: bool, heading: bool, marker: str | None) -> bool:
    """Whether ``line`` starts a new block after ``prev``, the last line of
    ``draft``; ``heading`` tells whether a line is set as a heading (see
    :func:`_heading_style`) and ``marker`` is the list marker ``line`` opens with."""
    left, usual_gap = frame.left, frame.usual_gap
    size = max(line.size, prev.size)
    if _style_changes(prev, line, prev_heading, heading):
        return True
    if line.top - prev.bottom > usual_gap + PARAGRAPH_GAP_EMS * size:
        return True
    if marker is not None:
        unambiguous = not (marker in WEAK_BULLETS or marker[0].isalnum() or marker[0] == "(")
        if unambiguous or draft.marker is not None or ends_sentence(prev.text):
            return True
    if heading:
        return False  # a heading set on several lines stays one block
    # The next line's first word would have fit: the previous line ended on purpose.
    if not prev.text.endswith("-") and prev.x1 + 0.3 * size + _first_word_width(line) < frame.right(prev.size) - 0.5 * size:
        return True
    if draft.marker is None and line.x0 - left >= INDENT_EMS * size and prev.x0 - left < 0.5 * size:
        return True
    if draft.marker is not None:
        text_start = draft.lines[0].first.second_x0
        if line.x0 < text_start - 0.5 * size and ends_sentence(prev.text):
            return True
    return False


def segment(lines: list[Line], rules: LayoutRules) -> list[_Draft]:
    """Cut a stream's body lines into drafts of blocks."""
    if not lines:
        return []
    frame = _frame(lines)
    table_rows = _table_rows(lines)
    # Each line's style, found once (each line is compared with two neighbours).
    headings = [_heading_style(line, rules) for line in lines]
    markers = [list_marker(line.text) for line in lines]
    drafts: list[_Draft] = []
    for index, line in enumerate(lines):
        heading = headings[index]
        in_table = index in table_rows
        if drafts and in_table and drafts[-1].table and index - 1 in table_rows:
            drafts[-1].add(line, heading)
            continue
        if in_table:
            drafts.append(_Draft([line], None, table=True, heading_style=heading))
            continue
        # The last line of the last draft is the line before this one.
        if not drafts or drafts[-1].table or _starts_block(lines[index - 1], line, drafts[-1], frame, headings[index - 1], heading, markers[index]):
            drafts.append(_Draft([line], markers[index], heading_style=heading))
        else:
            drafts[-1].add(line, heading)
    return drafts


# --------------------------------------------------------------------------- classification


def _bbox(lines: list[Line]) -> BBox:
    if len(lines) == 1:  # most blocks: one line
        return (lines[0].x0, lines[0].top, lines[0].x1, lines[0].bottom)
    return (min([l.x0 for l in lines]), min([l.top for l in lines]), max([l.x1 for l in lines]), max([l.bottom for l in lines]))


def _draft_text(draft: _Draft, vocabulary: Vocabulary | None) -> str:
    if draft.table:
        return "\n".join(" | ".join(f.text for f in line.fragments) for line in draft.lines)
    text = ""
    for line in draft.lines:
        text = join_lines(text, line.text, vocabulary)
    return text


def _kind(draft: _Draft, text: str, rules: LayoutRules) -> BlockKind:
    if draft.table:
        return BlockKind.TABLE
    if _CAPTION.match(text) and _CAPTION_LABEL.match(text):
        return BlockKind.CAPTION
    if draft.heading_style:
        words = len(text.split())
        numbered = bool(_HEADING_NUMBER.match(text))
        if words <= rules.max_heading_words and (not ends_sentence(text) or words <= 8 or numbered or text.endswith(":")):
            if draft.marker is None or numbered:
                return BlockKind.HEADING
    if draft.marker is None and ends_sentence(text) and all(rules.is_large(line.size) for line in draft.lines):
        # Long text set larger than the body: a quote pulled out for display.
        return BlockKind.PULL_QUOTE
    if draft.marker is not None:
        return BlockKind.LIST_ITEM
    return BlockKind.PARAGRAPH


def _strip_bullet(text: str) -> str:
    match = _BULLET.match(text)
    return text[match.end():] if match else text


def stream_pieces(
    stream: Stream,
    page_number: int,
    page_height: float,
    rules: LayoutRules,
    vocabulary: Vocabulary | None,
    numbers: FootnoteNumbers,
) -> tuple[list[Piece], list[Block]]:
    """A stream's body blocks (as pieces) and its footnote blocks."""
    body_lines, note_lines = split_footnotes(list(stream.lines), page_height, rules, numbers)
    drafts = segment(body_lines, rules)
    right = max([line.x1 for line in body_lines], default=0.0)
    pieces: list[Piece] = []
    for index, draft in enumerate(drafts):
        text = _draft_text(draft, vocabulary)
        kind = _kind(draft, text, rules)
        if kind is BlockKind.LIST_ITEM:
            text = _strip_bullet(text)
        if not text.strip():
            continue
        font_size = round(draft.lines[0].size, 2)
        bold = all([line.bold for line in draft.lines])
        # Block's fields in order (text, kind, page, bbox, level, font_size,
        # bold, column): its generated __init__ takes positions much faster
        # than keywords, and a page makes dozens of blocks.
        block = Block(text, kind, page_number, _bbox(draft.lines), None, font_size, bold, stream.column)
        last = draft.lines[-1]
        open_end = last.x1 >= right - last.size
        pieces.append(Piece(block, (page_number, stream.band, stream.column), index == 0, index == len(drafts) - 1, open_end))
    notes = [
        Block(text=text, kind=BlockKind.FOOTNOTE, page=page_number, bbox=_bbox(lines), font_size=round(lines[0].size, 2), column=stream.column)
        for text, lines in footnote_texts(note_lines, numbers)
    ]
    return pieces, notes
