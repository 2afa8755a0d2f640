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

from bisect import bisect_left
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from pipeline.extract.glyphs import FloatArray
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


class Line(NamedTuple):
    """The fragments of one row inside one column, left to right (a named
    tuple, like :class:`Fragment`, because pages make dozens)."""

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


def make_line(fragments: list[Fragment]) -> Line:
    """The line made of one row's fragments in one column, given left to right
    (sorted by x0, as :func:`_rows` sorts them)."""
    if len(fragments) == 1:  # most lines: one fragment
        only = fragments[0]
        return Line(
            (only,), only.text, only.raw_text, only.x0, only.x1, only.top, only.bottom, only.size, only.bold or not only.text.strip(_LINE_BULLETS)
        )
    texts, raw_texts, _, _, x1s, tops, bottoms, sizes, bolds, *_ = zip(*fragments)  # Fragment's fields
    # The size and weight of the line are those of most of its text (the
    # first of its longest fragments).
    lengths = list(map(len, texts))
    return Line(
        tuple(fragments),
        " ".join([text for text in texts if text]),
        " ".join(raw_texts),
        fragments[0].x0,
        max(x1s),
        min(tops),
        max(bottoms),
        sizes[lengths.index(max(lengths))],
        all([bold for bold, text in zip(bolds, texts) if text.strip(_LINE_BULLETS)]),
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
    return [sorted(by_row[r], key=_X0) if len(by_row[r]) > 1 else by_row[r] for r in sorted(by_row)]


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Side-by-side fragments (a gap of a column gutter's width between them),
    as arrays: the left fragment's right edge and width, the right fragment's
    left edge and width."""

    left_x1: FloatArray
    left_width: FloatArray
    right_x0: FloatArray
    right_width: FloatArray

    @classmethod
    def of(cls, pairs: list[tuple[Fragment, Fragment]]) -> _Pairs:
        return cls(
            np.array([a.x1 for a, _ in pairs], dtype=np.float64),
            np.array([a.x1 - a.x0 for a, _ in pairs], dtype=np.float64),
            np.array([b.x0 for _, b in pairs], dtype=np.float64),
            np.array([b.x1 - b.x0 for _, b in pairs], dtype=np.float64),
        )


def find_gutters(rows: list[list[Fragment]], min_gap: float, body_size: float) -> list[Gutter]:
    """Vertical strips between columns, found from side-by-side fragments."""
    if len(rows) < MIN_GUTTER_ROWS:
        return []
    found = [(a, b) for row in rows if len(row) > 1 for a, b in zip(row, row[1:]) if b.x0 - a.x1 >= min_gap]
    if len(found) < MIN_GUTTER_ROWS:
        return []
    left = min([f.x0 for row in rows for f in row])
    right = max([f.x1 for row in rows for f in row])
    min_width = max(MIN_COLUMN_EMS * body_size, MIN_COLUMN_SHARE * (right - left))
    # How many side-by-side gaps cover each point across the page (a difference
    # array keeps this linear in the number of gaps).
    origin = int(left) - 1
    changes = np.zeros(int(right) - origin + 3, dtype=np.int64)
    span_starts = np.array([int(a.x1) + 1 - origin for a, _ in found], dtype=np.int64)
    span_ends = np.array([int(b.x0) - origin for _, b in found], dtype=np.int64)
    kept = span_ends >= span_starts
    if np.count_nonzero(kept) < MIN_GUTTER_ROWS:
        return []  # no point is covered by enough gaps
    np.add.at(changes, span_starts[kept], 1)
    np.add.at(changes, span_ends[kept] + 1, -1)
    coverage = changes.cumsum()
    pairs = _Pairs.of(found)
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
    edges = (padded[1:] != padded[:-1]).nonzero()[0]
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _median(values: FloatArray) -> float:
    """The median as :func:`statistics.median` computes it (the mean of the
    middle two of an even number)."""
    ordered = np.sort(values).tolist()
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _separates_columns(gutter: Gutter, pairs: _Pairs, left: float, right: float, min_width: float) -> bool:
    if gutter.left - left < min_width or right - gutter.right < min_width:
        return False
    middle = (gutter.left + gutter.right) / 2
    beside = (pairs.left_x1 <= middle) & (middle <= pairs.right_x0)
    if np.count_nonzero(beside) < MIN_GUTTER_ROWS:
        return False
    left_fill = _median(pairs.left_width[beside])
    right_fill = _median(pairs.right_width[beside])
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
            streams.append(Stream(band, None, tuple(map(make_line, band_rows))))
        else:
            middles = sorted((gutters[g].left + gutters[g].right) / 2 for g in key)
            max_columns = max(max_columns, len(middles) + 1)
            by_column: list[list[Line]] = [[] for _ in range(len(middles) + 1)]
            for row in band_rows:
                pieces: dict[int, list[Fragment]] = {}
                for fragment in row:
                    centre = (fragment.x0 + fragment.x1) / 2
                    pieces.setdefault(bisect_left(middles, centre), []).append(fragment)  # the gutters left of it
                for column, inside in pieces.items():
                    by_column[column].append(make_line(inside))
            for column, lines in enumerate(by_column):
                if lines:
                    streams.append(Stream(band, column, tuple(lines)))
        band += 1
        start = end
    return streams, max_columns
