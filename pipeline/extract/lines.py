"""Glyphs -> rows -> fragments.

A *row* is every glyph that shares a line of print across the whole page
(both columns of a two-column page included). A *fragment* is a run of a row
without a wide gap: a line of one column, a table cell, a running head. Rows
are found from geometry only (never from the order glyphs come in), so both
backends produce the same fragments.
"""

from __future__ import annotations

from collections import Counter
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from pipeline.extract.glyphs import BoolArray, FloatArray, Glyph, GlyphArrays, IntArray

# A gap wider than this share of the font size separates two words. Kerning
# stays below it (within 0.05 em); the word spaces of tightly justified TeX
# lines go down to about 0.15 em and stay above it.
WORD_GAP_RATIO = 0.12
# Two glyphs share a row when their vertical overlap covers this share of the
# smaller one's height (a superscript overlaps its line's upper half).
ROW_OVERLAP = 0.5
# A glyph is a superscript when it is this much smaller than its line ...
SUPERSCRIPT_SIZE_RATIO = 0.85
# ... and its baseline sits this share of the line's font size above the line's.
SUPERSCRIPT_RAISE = 0.2
# A fragment is bold when this share of its letters is (a bold lead-in
# sentence followed by plain text on the same line is not a bold line).
BOLD_SHARE = 0.97
# Footnote and reference markers: what a superscript in body text may consist of.
MARKER_CHARS = frozenset("0123456789*†‡§¶,–-")


_X1, _TOP, _BOTTOM = itemgetter(2), itemgetter(3), itemgetter(4)  # Glyph fields
_READING_KEY = itemgetter(0, 1)  # (first glyph, piece) of a fragment being ordered


class Fragment(NamedTuple):
    """A run of glyphs on one line of print without a wide gap.

    A named tuple rather than a frozen dataclass: pages make dozens of these,
    and a tuple is made several times faster.
    """

    text: str  # body text: words joined by single spaces, superscript markers removed
    raw_text: str  # the same with superscript markers kept
    lead_marker: str  # a superscript marker that opens the fragment ("1" in "¹ See ..."), or ""
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size most of its characters have
    bold: bool  # (nearly) all of its letters are bold
    lead_bold: bool  # its first letter is bold (a bold run may go on from the line above)
    row: int  # index of the row on the page, top to bottom
    second_x0: float  # where its second word starts (the text after a bullet), or x1

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


def assign_rows(tops: list[float], bottoms: list[float]) -> list[int]:
    """The row of each group of glyphs sharing one (top, bottom), given sorted by
    (top, bottom): rows by vertical overlap, numbered top to bottom.

    The overlap test runs once per group, not per glyph. Each row is anchored on
    its tallest group so far, so that a superscript met first does not decide
    which glyphs belong to the row.

    (Conditional expressions stand for ``min``/``max`` here, choosing the same
    operand those do: this loop runs for every line of every page.)
    """
    row_of_group: list[int] = []
    anchors: list[tuple[float, float]] = []  # (top, bottom) of each row's tallest group
    open_rows: list[int] = []
    for top, bottom in zip(tops, bottoms):
        height = bottom - top
        height = 0.01 if 0.01 > height else height  # max(height, 0.01)
        # Rows whose anchor ends above this group's top can take no more glyphs.
        if open_rows and anchors[open_rows[0]][1] <= top:
            open_rows = [i for i in open_rows if anchors[i][1] > top]
        best, best_share = -1, ROW_OVERLAP
        for i in open_rows:
            anchor_top, anchor_bottom = anchors[i]
            # min(bottom, anchor_bottom) - max(top, anchor_top)
            overlap = (anchor_bottom if anchor_bottom < bottom else bottom) - (anchor_top if anchor_top > top else top)
            anchor_height = anchor_bottom - anchor_top
            smaller = anchor_height if anchor_height < height else height  # min(height, anchor_height)
            share = overlap / (0.01 if 0.01 > smaller else smaller)
            if share >= best_share:
                best, best_share = i, share
        if best < 0:
            anchors.append((top, bottom))
            open_rows.append(len(anchors) - 1)
            row_of_group.append(len(anchors) - 1)
            continue
        row_of_group.append(best)
        anchor_top, anchor_bottom = anchors[best]
        if height > anchor_bottom - anchor_top:
            anchors[best] = (top, bottom)
    return row_of_group


def _split_at_gaps(glyphs: list[Glyph], min_gap: float) -> list[list[Glyph]]:
    """Cut a row (sorted by x) where the gap is wider than a column gutter can be
    narrow, dropping glyphs drawn twice on the same spot (fake bold, shadows)."""
    first = glyphs[0]
    pieces: list[list[Glyph]] = [[first]]
    piece = pieces[0]
    right = first.x1
    last = first
    for glyph in glyphs[1:]:
        if glyph.text == last.text and abs(glyph.x0 - last.x0) < 0.5 and abs(glyph.top - last.top) < 0.5:
            continue
        last = glyph
        gap = glyph.x0 - right
        if gap >= min_gap and gap >= glyph.bottom - glyph.top:
            piece = [glyph]
            pieces.append(piece)
        else:
            piece.append(glyph)
        if glyph.x1 > right:
            right = glyph.x1
    return pieces


def _plain_fragment(glyphs: list[Glyph], row: int, size: float) -> Fragment:
    """A fragment set in one size throughout: no superscripts to look for."""
    word_gap = WORD_GAP_RATIO * size
    first = glyphs[0]
    parts = [first[0]]
    prev_x1 = first[2]
    second_x0: float | None = None  # (coordinates may be negative: no sentinel value)
    for glyph in glyphs[1:]:
        if glyph[7] or glyph[1] - prev_x1 > word_gap:
            parts.append(" ")
            if second_x0 is None:
                second_x0 = glyph[1]
        parts.append(glyph[0])
        prev_x1 = glyph[2]
    text = " ".join("".join(parts).split())
    letters = [g[5] for g in glyphs if g[0].isalpha()]
    x1 = max(map(_X1, glyphs))
    return Fragment(
        text=text,
        raw_text=text,
        lead_marker="",
        x0=first[1],
        x1=x1,
        top=min(map(_TOP, glyphs)),
        bottom=max(map(_BOTTOM, glyphs)),
        size=size,
        bold=bool(letters) and sum(letters) >= BOLD_SHARE * len(letters),
        lead_bold=bool(letters) and letters[0],
        row=row,
        second_x0=x1 if second_x0 is None else second_x0,
    )


def _fragment(glyphs: list[Glyph], row: int) -> Fragment:
    # Hot loop over every glyph of the document: tuple indexes, not attribute
    # names (text 0, x0 1, x1 2, top 3, bottom 4, bold 5, space_before 7).
    heights = [g[4] - g[3] for g in glyphs]
    if max(heights) - min(heights) < 0.05:
        return _plain_fragment(glyphs, row, round(heights[0], 1))
    size = round(Counter(heights).most_common(1)[0][0], 1)
    small = SUPERSCRIPT_SIZE_RATIO * size
    baseline = max([g[4] for g in glyphs if g[4] - g[3] >= small] or [g[4] for g in glyphs])
    raise_limit = baseline - SUPERSCRIPT_RAISE * size
    word_gap = WORD_GAP_RATIO * size

    body: list[str] = []
    raw: list[str] = []
    lead_marker: list[str] = []
    seen_normal = False
    prev_x1: float | None = None
    second_x0: float | None = None  # (coordinates may be negative: no sentinel value)
    letters = bold_letters = 0
    lead_bold: bool | None = None
    x0 = top = float("inf")
    x1 = bottom = float("-inf")
    for glyph in glyphs:
        text, g_x0, g_x1, g_top, g_bottom = glyph[0], glyph[1], glyph[2], glyph[3], glyph[4]
        is_super = g_bottom - g_top < small and g_bottom <= raise_limit and all(c in MARKER_CHARS for c in text)
        if prev_x1 is not None and (glyph[7] or g_x0 - prev_x1 > word_gap):
            raw.append(" ")
            if not is_super:
                body.append(" ")
            if second_x0 is None:
                second_x0 = g_x0
        raw.append(text)
        if is_super:
            if not seen_normal:
                lead_marker.append(text)
        else:
            body.append(text)
            seen_normal = True
            if text.isalpha():
                letters += 1
                bold_letters += glyph[5]
                if lead_bold is None:
                    lead_bold = glyph[5]
        if g_bottom - g_top >= small:
            x0 = g_x0 if g_x0 < x0 else x0
            x1 = g_x1 if g_x1 > x1 else x1
            top = g_top if g_top < top else top
            bottom = g_bottom if g_bottom > bottom else bottom
        prev_x1 = g_x1
    if x0 == float("inf"):  # only small glyphs: their own box
        x0, x1 = min(g[1] for g in glyphs), max(g[2] for g in glyphs)
        top, bottom = min(g[3] for g in glyphs), max(g[4] for g in glyphs)
    return Fragment(
        text=" ".join("".join(body).split()),
        raw_text=" ".join("".join(raw).split()),
        lead_marker="".join(lead_marker).strip(),
        x0=x0,
        x1=x1,
        top=top,
        bottom=bottom,
        size=size,
        bold=letters > 0 and bold_letters >= BOLD_SHARE * letters,
        lead_bold=bool(lead_bold),
        row=row,
        second_x0=x1 if second_x0 is None else second_x0,
    )


def _reading_sort(glyphs: GlyphArrays) -> tuple[IntArray, IntArray]:
    """The order that reads the page row by row from the top, left to right in a
    row (glyphs at the same x keep the order they were read in), and each
    glyph's row in that order.

    Glyphs with the same top and bottom (one font on one line) form a group;
    groups are sorted by (top, bottom) and assigned to rows (:func:`assign_rows`),
    and one stable sort by (row, x0) orders the page.
    """
    by_box = np.lexsort((glyphs.bottom, glyphs.top))  # stable: ties keep reading order
    tops, bottoms = glyphs.top[by_box], glyphs.bottom[by_box]
    new_group = np.ones(len(by_box), dtype=np.bool_)
    new_group[1:] = (tops[1:] != tops[:-1]) | (bottoms[1:] != bottoms[:-1])
    starts = new_group.nonzero()[0]
    row_of_group = np.asarray(assign_rows(tops[starts].tolist(), bottoms[starts].tolist()), dtype=np.int64)
    rows = row_of_group[new_group.cumsum() - 1]
    # Row numbers sort by radix as 16-bit integers (stable, and faster than
    # 64-bit ones); a page with more rows than that keeps 64 bits.
    row_keys = rows.astype(np.int16) if len(row_of_group) < 2**15 else rows
    by_row = np.lexsort((glyphs.x0[by_box], row_keys))
    return by_box[by_row], rows[by_row]


def _running_right(x1: FloatArray, rows: IntArray) -> FloatArray:
    """For each glyph (sorted by row), the largest x1 of its row up to and including it.

    A running maximum that restarts at each row, in one exact pass: each x1 is
    replaced by its rank among the page's x1 values, and the key
    ``row * n + rank`` grows from row to row, so its running maximum stays
    within the current row. (Equal values get different ranks, in any order:
    whichever wins, the value is the same.)
    """
    by_value = x1.argsort()
    rank = np.empty(len(x1), dtype=np.int64)
    rank[by_value] = np.arange(len(x1))
    offset = rows * len(x1)
    return x1[by_value[np.maximum.accumulate(offset + rank) - offset]]


def _fragment_starts(g: GlyphArrays, rows: IntArray, min_gap: float) -> IntArray:
    """Where fragments start (as :func:`_split_at_gaps` cuts, for rows without
    glyphs drawn twice): at each row start, and after a gap wider than a column
    gutter can be narrow and than the glyph is tall."""
    starts = np.ones(len(g), dtype=np.bool_)
    if len(g) > 1:
        gap = g.x0[1:] - _running_right(g.x1, rows)[:-1]
        starts[1:] = (rows[1:] != rows[:-1]) | ((gap >= min_gap) & (gap >= g.bottom[1:] - g.top[1:]))
    return starts.nonzero()[0]


def _duplicated_rows(g: GlyphArrays, rows: IntArray) -> set[int]:
    """Rows where a glyph may repeat the one before it on the same spot (fake
    bold, shadows): the same text less than half a point further right. Only
    these rows need :func:`_split_at_gaps`, which drops the repeats."""
    close = ((rows[1:] == rows[:-1]) & (g.x0[1:] - g.x0[:-1] < 0.5)).nonzero()[0] + 1
    text = g.text
    return {int(rows[i]) for i in close.tolist() if text[i] == text[i - 1]}


def _first_in(mask: BoolArray, starts: IntArray, ends: IntArray) -> IntArray:
    """For each span [start, end), the first index where ``mask`` is set, or -1."""
    hits = mask.nonzero()[0]
    if not len(hits):
        return np.full(len(starts), -1, dtype=np.int64)
    after = hits.searchsorted(starts)
    found = hits[np.minimum(after, len(hits) - 1)]
    return np.where((after < len(hits)) & (found < ends), found, -1)


def _letters(g: GlyphArrays, starts: IntArray, ends: IntArray) -> BoolArray:
    """Which glyphs are letters, as far as boldness needs to know: a fragment
    without a bold glyph is neither bold nor lead-bold whatever its letters, so
    only fragments with a bold glyph are looked at (the rest count as having
    no letters)."""
    with_bold = np.logical_or.reduceat(g.bold, starts)
    if with_bold.all():
        return np.fromiter(map(str.isalpha, g.text), dtype=np.bool_, count=len(g))
    letters = np.zeros(len(g), dtype=np.bool_)
    if with_bold.any():
        checked = with_bold.repeat(ends - starts).nonzero()[0]
        letters[checked] = np.fromiter(map(str.isalpha, map(g.text.__getitem__, checked.tolist())), dtype=np.bool_, count=len(checked))
    return letters


def _fragment_texts(texts: list[str], spaced: BoolArray, starts: IntArray, ends: IntArray) -> list[str]:
    """The text of each fragment: its glyphs' texts joined, a space before each
    glyph that is ``spaced``, whitespace folded (as :func:`_plain_fragment` does).

    When no glyph text is empty or holds whitespace, there is nothing to fold,
    and the page is joined once and cut at the fragment starts.
    """
    parts = list(texts)
    for i in spaced.nonzero()[0].tolist():
        parts[i] = " " + parts[i]
    joined = "".join(texts)
    # split() finds whitespace inside the text; it drops it at either end.
    if all(texts) and len(joined.split(maxsplit=1)) == 1 and not joined[0].isspace() and not joined[-1].isspace():
        # No glyph text holds a line break, so it can mark where fragments start.
        for i in starts[1:].tolist():
            parts[i] = "\n" + parts[i]
        return "".join(parts).split("\n")
    return [" ".join("".join(parts[start:end]).split()) for start, end in zip(starts.tolist(), ends.tolist())]


def _plain_fragments(g: GlyphArrays, starts: IntArray, ends: IntArray, rows: IntArray, wanted: IntArray) -> list[Fragment]:
    """The fragments at indices ``wanted``, each set in one size throughout (no
    superscripts to look for), built together: what :func:`_plain_fragment`
    makes of each. ``starts``/``ends`` cover the page."""
    count = len(g)
    heights = (g.bottom[starts] - g.top[starts]).tolist()
    rounded = {height: round(height, 1) for height in set(heights)}  # a page has few distinct heights
    sizes = list(map(rounded.__getitem__, heights))
    word_gap = np.repeat(WORD_GAP_RATIO * np.asarray(sizes, dtype=np.float64), ends - starts)
    gap = np.zeros(count, dtype=np.float64)
    gap[1:] = g.x0[1:] - g.x1[:-1]
    spaced = g.space_before | (gap > word_gap)
    spaced[starts] = False
    fragment_texts = _fragment_texts(g.text, spaced, starts, ends)
    x1 = np.maximum.reduceat(g.x1, starts)
    second = _first_in(spaced, starts, ends)  # where the second word starts
    second_x0 = np.where(second >= 0, g.x0[np.maximum(second, 0)], x1)
    letters = _letters(g, starts, ends)
    letter_count = np.add.reduceat(letters, starts)
    bold = (letter_count > 0) & (np.add.reduceat(letters & g.bold, starts) >= BOLD_SHARE * letter_count)
    lead = _first_in(letters, starts, ends)
    lead_bold = (lead >= 0) & g.bold[np.maximum(lead, 0)]
    top = np.minimum.reduceat(g.top, starts)
    bottom = np.maximum.reduceat(g.bottom, starts)
    if len(wanted) < len(starts):  # the others are built glyph by glyph
        keep = wanted.tolist()
        fragment_texts = [fragment_texts[i] for i in keep]
        sizes = [sizes[i] for i in keep]
        starts, x1, top, bottom = starts[wanted], x1[wanted], top[wanted], bottom[wanted]
        bold, lead_bold, rows, second_x0 = bold[wanted], lead_bold[wanted], rows[wanted], second_x0[wanted]
    # The fields in Fragment's order, one column each.
    fields = zip(
        fragment_texts,
        fragment_texts,
        repeat("", len(wanted)),
        g.x0[starts].tolist(),
        x1.tolist(),
        top.tolist(),
        bottom.tolist(),
        sizes,
        bold.tolist(),
        lead_bold.tolist(),
        rows.tolist(),
        second_x0.tolist(),
    )
    return list(map(Fragment._make, fields))


def _glyphs(g: GlyphArrays, start: int, end: int) -> list[Glyph]:
    return g.take(np.arange(start, end)).to_glyphs()


def build_fragments(glyphs: GlyphArrays, min_gap: float) -> list[Fragment]:
    """The page's fragments, row by row from the top, left to right in a row.

    The page is sorted once, and fragment boundaries, word gaps, boxes and
    boldness are computed for the whole page at once. Fragments that mix font
    sizes (superscript markers) and rows holding a glyph drawn twice go through
    the glyph-by-glyph :func:`_split_at_gaps` and :func:`_fragment`, which
    define the result.
    """
    if not len(glyphs):
        return []
    order, glyph_rows = _reading_sort(glyphs)
    g = glyphs.take(order)
    starts = _fragment_starts(g, glyph_rows, min_gap)
    ends = np.concatenate((starts[1:], [len(g)]))
    rows = glyph_rows[starts]
    heights = g.bottom - g.top
    plain = np.maximum.reduceat(heights, starts) - np.minimum.reduceat(heights, starts) < 0.05
    duplicated = _duplicated_rows(g, glyph_rows)
    if duplicated:
        plain &= ~np.isin(rows, list(duplicated))

    plain_indices = plain.nonzero()[0]
    fragments = _plain_fragments(g, starts, ends, rows, plain_indices)
    if len(plain_indices) < len(starts):
        # (first glyph, piece within a re-cut row, fragment): reading order.
        keyed = [(start, 0, fragment) for start, fragment in zip(starts[plain_indices].tolist(), fragments)]
        for index in np.flatnonzero(~plain).tolist():
            row = int(rows[index])
            if row not in duplicated:
                keyed.append((int(starts[index]), 0, _fragment(_glyphs(g, int(starts[index]), int(ends[index])), row)))
        for row in duplicated:
            start, end = np.searchsorted(glyph_rows, [row, row + 1]).tolist()
            for piece_index, piece in enumerate(_split_at_gaps(_glyphs(g, start, end), min_gap)):
                keyed.append((start, piece_index, _fragment(piece, row)))
        keyed.sort(key=_READING_KEY)
        fragments = [fragment for _, _, fragment in keyed]
    return [fragment for fragment in fragments if fragment.raw_text]
