"""Columns and reading order on one page.

A *gutter* is a vertical strip that no fragment crosses over a run of rows and
that separates text on several of them (the rows where a column-1 line and a
column-2 line sit side by side). The page is cut into *bands* of consecutive
rows: in a columnar band some gutters are open, in a full-width band none is
(a title, a wide paragraph, a table of contents). Bands are read top to
bottom; in a columnar band each column is read top to bottom, left to right.
This handles one, two and three columns and pages that mix full-width blocks
with columns, with no assumption about where the columns are.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from pipeline.extract.lines import Fragment

# A gutter needs side-by-side text on at least this many rows.
MIN_GUTTER_ROWS = 3
# A column is at least this many body font sizes wide, and this share of the
# text width: narrower "columns" are bullets, numbers or table cells.
MIN_COLUMN_EMS = 4.0
MIN_COLUMN_SHARE = 0.12
# The fragments on each side of a gutter are, in the median, at least this share
# of the minimum column width (table cells holding a number are narrower).
MIN_SIDE_FILL = 0.5
# A gutter carries at least this share of the page's busiest gutter's rows.
GUTTER_PEAK_SHARE = 0.25
# Slack (points) when testing whether a fragment crosses a gutter.
CROSS_SLACK = 1.0


@dataclass(frozen=True, slots=True)
class Gutter:
    left: float
    right: float

    def crossed_by(self, fragment: Fragment) -> bool:
        return fragment.x0 < self.left - CROSS_SLACK and fragment.x1 > self.right + CROSS_SLACK


@dataclass(frozen=True, slots=True)
class Line:
    """The fragments of one row inside one column, left to right."""

    fragments: tuple[Fragment, ...]
    text: str
    raw_text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def first(self) -> Fragment:
        return self.fragments[0]

    @property
    def cells(self) -> int:
        return len(self.fragments)


_LINE_BULLETS = " •▪◦●○■□–-*·►▶➢✓"
_X0 = attrgetter("x0")


def _text_length(fragment: Fragment) -> int:
    return len(fragment.text)


def make_line(fragments: list[Fragment]) -> Line:
    if len(fragments) == 1:  # most lines: one fragment
        only = fragments[0]
        return Line(
            (only,), only.text, only.raw_text, only.x0, only.x1, only.top, only.bottom, only.size, only.bold or not only.text.strip(_LINE_BULLETS)
        )
    fragments = sorted(fragments, key=_X0)
    # The size and weight of the line are those of most of its text.
    main = max(fragments, key=_text_length)
    x1, top, bottom = fragments[0].x1, fragments[0].top, fragments[0].bottom
    for fragment in fragments[1:]:
        x1 = fragment.x1 if fragment.x1 > x1 else x1
        top = fragment.top if fragment.top < top else top
        bottom = fragment.bottom if fragment.bottom > bottom else bottom
    return Line(
        tuple(fragments),
        " ".join([f.text for f in fragments if f.text]),
        " ".join([f.raw_text for f in fragments]),
        fragments[0].x0,
        x1,
        top,
        bottom,
        main.size,
        all(f.bold for f in fragments if f.text.strip(_LINE_BULLETS)),
    )


@dataclass(frozen=True, slots=True)
class Stream:
    """Lines read in order: one column of a band, or a full-width band."""

    band: int
    column: int | None  # None for a full-width band
    lines: tuple[Line, ...]


def _rows(fragments: list[Fragment]) -> list[list[Fragment]]:
    by_row: dict[int, list[Fragment]] = {}
    for fragment in fragments:
        by_row.setdefault(fragment.row, []).append(fragment)
    return [sorted(by_row[r], key=_X0) for r in sorted(by_row)]


def find_gutters(rows: list[list[Fragment]], min_gap: float, body_size: float) -> list[Gutter]:
    """Vertical strips between columns, found from side-by-side fragments."""
    all_fragments = [f for row in rows for f in row]
    if len(rows) < MIN_GUTTER_ROWS:
        return []
    left = min(f.x0 for f in all_fragments)
    right = max(f.x1 for f in all_fragments)
    min_width = max(MIN_COLUMN_EMS * body_size, MIN_COLUMN_SHARE * (right - left))
    pairs: list[tuple[Fragment, Fragment]] = []
    for row in rows:
        for a, b in zip(row, row[1:]):
            if b.x0 - a.x1 >= min_gap:
                pairs.append((a, b))
    if len(pairs) < MIN_GUTTER_ROWS:
        return []
    # How many side-by-side gaps cover each point across the page (a difference
    # array keeps this linear in the number of gaps).
    origin = int(left) - 1
    changes = np.zeros(int(right) - origin + 3, dtype=np.int64)
    spans = np.array([(int(a.x1) + 1 - origin, int(b.x0) - origin) for a, b in pairs], dtype=np.int64)
    spans = spans[spans[:, 1] >= spans[:, 0]]
    np.add.at(changes, spans[:, 0], 1)
    np.add.at(changes, spans[:, 1] + 1, -1)
    coverage = np.cumsum(changes)
    # A gutter is where most side-by-side gaps pass; wide word spaces of
    # justified lines that happen to line up are a small fraction of that.
    floor = max(MIN_GUTTER_ROWS, GUTTER_PEAK_SHARE * int(coverage.max()))
    gutters: list[Gutter] = []
    for start, stop in _runs(coverage >= MIN_GUTTER_ROWS):
        run_peak = int(coverage[start:stop].max())
        if run_peak < floor:
            continue
        # Keep the cores of the run, where at least half its gaps pass. A run
        # can hold several: rows where the middle column has no line pair the
        # first column with the third, and bridge the two gutters.
        for core_start, core_stop in _runs(coverage[start:stop] >= run_peak / 2):
            gutter = Gutter(float(start + core_start + origin - 1), float(start + core_stop - 1 + origin + 1))
            if _separates_columns(gutter, pairs, left, right, min_width):
                gutters.append(gutter)
    return gutters


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The [start, stop) index ranges where ``mask`` is set."""
    padded = np.zeros(len(mask) + 2, dtype=np.bool_)
    padded[1:-1] = mask
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _separates_columns(gutter: Gutter, pairs: list[tuple[Fragment, Fragment]], left: float, right: float, min_width: float) -> bool:
    if gutter.left - left < min_width or right - gutter.right < min_width:
        return False
    middle = (gutter.left + gutter.right) / 2
    sides = [(a, b) for a, b in pairs if a.x1 <= middle <= b.x0]
    if len(sides) < MIN_GUTTER_ROWS:
        return False
    left_fill = statistics.median(a.width for a, _ in sides)
    right_fill = statistics.median(b.width for _, b in sides)
    return min(left_fill, right_fill) >= MIN_SIDE_FILL * min_width


def _open_gutters_by_row(rows: list[list[Fragment]], gutters: list[Gutter], min_gap: float) -> list[frozenset[int]]:
    """For each row, the gutters that are open there: not crossed by the row and
    part of an uncrossed run of rows that has enough side-by-side support."""
    open_by_row: list[set[int]] = [set() for _ in rows]
    for g_index, gutter in enumerate(gutters):
        crossed = [any(gutter.crossed_by(f) for f in row) for row in rows]
        supported = [
            any(a.x1 <= gutter.left + CROSS_SLACK and b.x0 >= gutter.right - CROSS_SLACK and b.x0 - a.x1 >= min_gap for a, b in zip(row, row[1:]))
            for row in rows
        ]
        start = 0
        while start < len(rows):
            if crossed[start]:
                start += 1
                continue
            end = start
            while end < len(rows) and not crossed[end]:
                end += 1
            if sum(supported[start:end]) >= MIN_GUTTER_ROWS:
                for r in range(start, end):
                    open_by_row[r].add(g_index)
            start = end
    return [frozenset(s) for s in open_by_row]


def reading_order(fragments: list[Fragment], min_gap: float, body_size: float) -> tuple[list[Stream], int]:
    """The page's lines in reading order, as streams, and its number of columns."""
    rows = _rows(fragments)
    if not rows:
        return [], 1
    gutters = find_gutters(rows, min_gap, body_size)
    open_by_row = _open_gutters_by_row(rows, gutters, min_gap) if gutters else [frozenset()] * len(rows)

    streams: list[Stream] = []
    max_columns = 1
    band = 0
    start = 0
    while start < len(rows):
        key = open_by_row[start]
        end = start
        while end < len(rows) and open_by_row[end] == key:
            end += 1
        band_rows = rows[start:end]
        if not key:
            streams.append(Stream(band, None, tuple(make_line(row) for row in band_rows)))
        else:
            middles = sorted((gutters[g].left + gutters[g].right) / 2 for g in key)
            max_columns = max(max_columns, len(middles) + 1)
            by_column: list[list[Line]] = [[] for _ in range(len(middles) + 1)]
            for row in band_rows:
                pieces: dict[int, list[Fragment]] = {}
                for fragment in row:
                    centre = (fragment.x0 + fragment.x1) / 2
                    pieces.setdefault(sum(1 for m in middles if m < centre), []).append(fragment)
                for column, inside in pieces.items():
                    by_column[column].append(make_line(inside))
            for column, lines in enumerate(by_column):
                if lines:
                    streams.append(Stream(band, column, tuple(lines)))
        band += 1
        start = end
    return streams, max_columns
