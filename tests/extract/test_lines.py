"""Glyphs -> fragments: the page-at-once ``build_fragments`` against the
glyph-by-glyph algorithm it replaced (kept here as the reference), on random
pages and on the pages of the sample papers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from extract_pdfs import CORPUS, SAMPLE_STEMS
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.backends import read_pages
from pipeline.extract.glyphs import Glyph, GlyphArrays, PageGlyphs
from pipeline.extract.lines import ROW_OVERLAP, _fragment, _split_at_gaps, build_fragments
from pipeline.extract.orient import upright

MIN_GAP = 9.0


def reference_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Rows as the glyph-by-glyph algorithm found them: glyphs grouped by
    (top, bottom), groups in sorted order joined to the row they overlap most."""
    groups: dict[tuple[float, float], list[Glyph]] = {}
    for glyph in glyphs:
        groups.setdefault((glyph.top, glyph.bottom), []).append(glyph)
    rows: list[list[Glyph]] = []
    anchors: list[tuple[float, float]] = []
    open_rows: list[int] = []
    for (top, bottom), members in sorted(groups.items()):
        height = max(bottom - top, 0.01)
        if open_rows and anchors[open_rows[0]][1] <= top:
            open_rows = [i for i in open_rows if anchors[i][1] > top]
        best, best_share = -1, ROW_OVERLAP
        for i in open_rows:
            anchor_top, anchor_bottom = anchors[i]
            share = (min(bottom, anchor_bottom) - max(top, anchor_top)) / max(min(height, anchor_bottom - anchor_top), 0.01)
            if share >= best_share:
                best, best_share = i, share
        if best < 0:
            rows.append(list(members))
            anchors.append((top, bottom))
            open_rows.append(len(rows) - 1)
        else:
            rows[best].extend(members)
            if height > anchors[best][1] - anchors[best][0]:
                anchors[best] = (top, bottom)
    return rows


def reference_fragments(glyphs: list[Glyph]) -> list:
    fragments = []
    for index, row in enumerate(reference_rows(glyphs)):
        row.sort(key=lambda g: g.x0)
        fragments += [f for f in (_fragment(piece, index) for piece in _split_at_gaps(row, MIN_GAP)) if f.raw_text]
    return fragments


@st.composite
def pages(draw) -> list[Glyph]:
    """Lines of words in a few sizes, with what makes the fast path step aside:
    superscript markers, glyphs drawn twice, letters in a smaller size on the
    line, wide gaps, overlapping lines, negative coordinates and glyphs read
    out of order."""
    glyphs: list[Glyph] = []
    origin = draw(st.sampled_from([0.0, -300.0, 40.5]))
    top = origin
    for _ in range(draw(st.integers(1, 6))):
        size = draw(st.sampled_from([7.0, 9.5, 10.0, 10.000001, 12.3]))
        top += draw(st.sampled_from([size * 1.2, size * 0.4, 0.0, 30.0]))
        x = origin + draw(st.floats(0, 50))
        for _ in range(draw(st.integers(1, 5))):
            bold = draw(st.booleans())
            for position, char in enumerate(draw(st.sampled_from(["the", "Acts", "1", "a-b", "—", "ﬁ", "Ü", ","]))):
                width = draw(st.sampled_from([2.0, 5.0, 0.3, 0.0]))
                raised = draw(st.sampled_from([0.0, 0.0, 0.0, 3.5]))
                height = size * draw(st.sampled_from([1.0, 1.0, 0.6]))
                glyph = Glyph(char, x, x + width, top - raised + size - height, top - raised + size, bold, 0, position == 0 and draw(st.booleans()))
                glyphs.append(glyph)
                if draw(st.integers(0, 9)) == 0:  # drawn twice, a little to the right
                    glyphs.append(glyph._replace(x0=x + 0.2, x1=x + width + 0.2))
                x += width + draw(st.sampled_from([0.0, 0.1, 1.0, -0.5]))
            x += draw(st.sampled_from([1.0, 2.5, 12.0, 40.0]))
    order = draw(st.permutations(range(len(glyphs))))
    return [glyphs[i] for i in order]


@settings(max_examples=300, deadline=None)
@given(pages())
def test_fragments_match_the_glyph_by_glyph_algorithm(glyphs):
    assert build_fragments(GlyphArrays.from_glyphs(glyphs), MIN_GAP) == reference_fragments(glyphs)


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_fragments_of_the_sample_papers_match(stem):
    path = CORPUS / f"{stem}.pdf"
    if not path.exists():
        pytest.skip(f"{path} is absent: the sample papers live in corpus/")
    checked = 0
    for page in read_pages(path, "pdfium", None):
        glyphs, *_ = upright(page)
        assert build_fragments(glyphs, MIN_GAP) == reference_fragments(glyphs.to_glyphs()), f"page {page.number}"
        checked += 1
    assert checked > 10


def test_an_empty_page_has_no_fragments():
    assert build_fragments(GlyphArrays.empty(), MIN_GAP) == []


def test_glyphs_off_any_page_are_dropped():
    on_page = Glyph("a", 10.0, 15.0, 100.0, 110.0, False, 0)
    glyphs = [on_page, on_page._replace(x0=9e15, x1=9e15 + 5), on_page._replace(top=math.nan), on_page._replace(x1=math.inf)]
    page = PageGlyphs(1, 595.0, 842.0, 0, False, GlyphArrays.from_glyphs(glyphs))
    kept, *_ = upright(page)
    assert kept.to_glyphs() == [on_page]
    assert np.isfinite(kept.x0).all()


@pytest.mark.parametrize("odd_text", [" \u0308", "a b", "x\u00a0", "\u2028", ""])
@pytest.mark.parametrize("where", [0, 2, 5])  # the page's first glyph, a fragment's last, the page's last
def test_glyph_texts_holding_whitespace_are_folded_like_the_reference(odd_text, where):
    """pdfium's glyph texts are single characters, but pdfminer's come from the
    font's ToUnicode map and may hold whitespace (or nothing): the page-at-once
    text assembly must fold them exactly as the glyph-by-glyph algorithm does."""
    texts = ["a", "b", "c", "d", "e", "f"]
    texts[where] = odd_text
    glyphs = [
        Glyph(text, 10.0 + 5.5 * (i % 3), 15.0 + 5.5 * (i % 3), 100.0 + 20 * (i // 3), 110.0 + 20 * (i // 3), False, 0, i % 3 == 1)
        for i, text in enumerate(texts)
    ]
    assert build_fragments(GlyphArrays.from_glyphs(glyphs), MIN_GAP) == reference_fragments(glyphs)
