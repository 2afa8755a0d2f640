"""The two sample papers against paragraphs written down by reading the PDFs.

``tests/data/expected/<stem>.txt`` holds body paragraphs of several pages of
each paper, one a line, in reading order (two-column pages column by column,
footnote markers left out, line-end hyphenation undone). Each must be one
whole block of ``render(layout, "text")``, in that order.
``<stem>.notbody.txt`` holds running heads and footnote text that must never sit
inside a body paragraph.
"""

from __future__ import annotations

import re

import pytest
from extract_pdfs import CORPUS, DATA, SAMPLE_STEMS, normalise

from pipeline.extract import extract_document, render
from pipeline.types import BlockKind

EXPECTED = DATA / "expected"
# How often the astapenia paper's running foot is also body text: its title on
# the cover and the citation line on page 14 (read off the PDF).
RUNNING_FOOT = "Rethinking Western policy towards Belarus"


def _pdf(stem: str):
    path = CORPUS / f"{stem}.pdf"
    if not path.exists():
        pytest.skip(f"{path} is absent: the sample papers live in corpus/")
    return path


@pytest.fixture(scope="module")
def layouts(extract_settings):
    cache = {}

    def get(stem: str, backend: str):
        if (stem, backend) not in cache:
            cache[(stem, backend)] = extract_document(_pdf(stem), settings=extract_settings, backend=backend)
        return cache[(stem, backend)]

    return get


def _expected(stem: str, kind: str) -> list[str]:
    path = EXPECTED / f"{stem}.{kind}"
    return [normalise(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_expected_paragraphs_are_whole_blocks_in_order(layouts, stem):
    blocks = [normalise(b) for b in render(layouts(stem, "pdfplumber"), "text").split("\n\n")]
    position = 0
    missing = []
    for paragraph in _expected(stem, "txt"):
        try:
            position = blocks.index(paragraph, position) + 1
        except ValueError:
            missing.append(paragraph)
    assert not missing, f"{len(missing)} paragraphs are not whole blocks in order; first: {missing[0][:200]}"


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_no_running_head_page_number_or_footnote_inside_the_body(layouts, stem):
    layout = layouts(stem, "pdfplumber")
    body = [normalise(b.text) for b in layout.blocks if b.kind not in (BlockKind.FOOTNOTE, BlockKind.PULL_QUOTE)]
    for text in _expected(stem, "notbody.txt"):
        assert not [b for b in body if text in b], f"{text!r} sits inside a body block"
    assert not [b for b in body if re.fullmatch(r"\d{1,3}", b)], "a page number is a body block"
    notes = [b for b in layout.blocks if b.kind is BlockKind.FOOTNOTE]
    assert len(notes) >= 2
    for note in notes:
        text = normalise(note.text).split(" ", 1)[1]  # without its marker
        # (A note may repeat a table's source line on another page.)
        same_page = [normalise(b.text) for b in layout.pages[note.page - 1].blocks if b.kind is not BlockKind.FOOTNOTE]
        assert not [b for b in same_page if text in b], f"footnote {note.text[:60]!r} also sits in the body"
    if stem.startswith("astapenia"):
        assert sum(b.count(RUNNING_FOOT) for b in body) == 2


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_both_backends_produce_the_same_blocks(layouts, stem):
    plumber, pdfium = layouts(stem, "pdfplumber"), layouts(stem, "pdfium")
    assert [(p.columns, len(p.blocks), len(p.furniture)) for p in plumber.pages] == [(p.columns, len(p.blocks), len(p.furniture)) for p in pdfium.pages]
    for a, b in zip(plumber.blocks, pdfium.blocks):
        assert (a.kind, a.text, a.level, a.column, a.page) == (b.kind, b.text, b.level, b.column, b.page)
        assert max(abs(x - y) for x, y in zip(a.bbox, b.bbox)) <= 2.0


def test_two_column_pages_are_detected(layouts):
    layout = layouts("kharytonau-2020-global-actors-belarus", "pdfplumber")
    assert [p.number for p in layout.pages if p.columns == 2] == list(range(5, 15))
    assert all(p.columns == 1 for p in layouts("astapenia-2023-rethinking-western-policy-belarus", "pdfplumber").pages)
