"""Glyphs -> rows -> fragments.

A *row* is every glyph that shares a line of print across the whole page
(both columns of a two-column page included). A *fragment* is a run of a row
without a wide gap: a line of one column, a table cell, a running head. Rows
are found from geometry only (never from the order glyphs come in), so both
backends produce the same fragments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from pipeline.extract.glyphs import Glyph

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


_X0, _X1, _TOP, _BOTTOM = itemgetter(1), itemgetter(2), itemgetter(3), itemgetter(4)  # Glyph fields


@dataclass(frozen=True, slots=True)
class Fragment:
    """A run of glyphs on one line of print without a wide gap."""

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


def build_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Group glyphs into rows by vertical overlap, top to bottom.

    Glyphs with the same top and bottom (one font on one line) are grouped
    first, so the overlap test runs once per group. Each row is anchored on its
    tallest group so far, so that a superscript met first does not decide
    which glyphs belong to the row.
    """
    groups: dict[tuple[float, float], list[Glyph]] = {}
    for glyph in glyphs:
        key = (glyph.top, glyph.bottom)
        group = groups.get(key)
        if group is None:
            groups[key] = [glyph]
        else:
            group.append(glyph)
    rows: list[list[Glyph]] = []
    anchors: list[tuple[float, float]] = []  # (top, bottom) of each row's tallest group
    open_rows: list[int] = []
    for (top, bottom), members in sorted(groups.items()):
        height = max(bottom - top, 0.01)
        # Rows whose anchor ends above this group's top can take no more glyphs.
        if open_rows and anchors[open_rows[0]][1] <= top:
            open_rows = [i for i in open_rows if anchors[i][1] > top]
        best, best_share = -1, ROW_OVERLAP
        for i in open_rows:
            anchor_top, anchor_bottom = anchors[i]
            overlap = min(bottom, anchor_bottom) - max(top, anchor_top)
            share = overlap / max(min(height, anchor_bottom - anchor_top), 0.01)
            if share >= best_share:
                best, best_share = i, share
        if best < 0:
            rows.append(list(members))
            anchors.append((top, bottom))
            open_rows.append(len(rows) - 1)
            continue
        rows[best].extend(members)
        anchor_top, anchor_bottom = anchors[best]
        if height > anchor_bottom - anchor_top:
            anchors[best] = (top, bottom)
    return rows


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
    second_x0 = -1.0
    for glyph in glyphs[1:]:
        if glyph[7] or glyph[1] - prev_x1 > word_gap:
            parts.append(" ")
            if second_x0 < 0:
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
        second_x0=second_x0 if second_x0 >= 0 else x1,
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
    second_x0 = -1.0
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
            if second_x0 < 0:
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
        second_x0=second_x0 if second_x0 >= 0 else x1,
    )


def build_fragments(glyphs: list[Glyph], min_gap: float) -> list[Fragment]:
    """The page's fragments, row by row from the top, left to right in a row."""
    fragments: list[Fragment] = []
    for row_index, row in enumerate(build_rows(glyphs)):
        row.sort(key=_X0)
        for piece in _split_at_gaps(row, min_gap):
            fragment = _fragment(piece, row_index)
            if fragment.raw_text:
                fragments.append(fragment)
    return fragments
