"""Layout analysis on small PDFs drawn by the tests: columns, furniture, footnotes,
hyphenation, headings, lists, rotation, scans."""

from __future__ import annotations

import io

import pytest
from extract_pdfs import BOLD_FONT, LEADING, normalise, sentences, words_in_order, wrap
from PIL import Image
from reportlab.lib.utils import ImageReader

from pipeline.errors import ImageOnlyPdfError
from pipeline.extract import extract_document, render
from pipeline.types import BlockKind

BACKENDS = ("pdfplumber", "pdfium")
COUNTING = "one two three four five six seven eight nine ten eleven twelve".split()


def _body(layout) -> str:
    return normalise(render(layout, "text"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_columns_are_read_column_by_column(make_pdf, extract_settings, backend):
    left = wrap(sentences("Left", 12), 230)
    right = wrap(sentences("Right", 12), 230)

    def page(w):
        w.paragraph(left, 50, 60, 230)
        w.paragraph(right, 315, 60, 230)

    layout = extract_document(make_pdf("two-columns.pdf", [page]), settings=extract_settings, backend=backend)
    text = _body(layout)
    assert words_in_order(text, "Left") + words_in_order(text, "Right") == COUNTING + COUNTING
    assert text.index("Left twelve") < text.index("Right one")
    assert layout.pages[0].columns == 2
    assert [(b.column, b.kind) for b in layout.blocks] == [(0, BlockKind.PARAGRAPH), (1, BlockKind.PARAGRAPH)]


def test_a_paragraph_continued_in_the_next_column_is_one_block(make_pdf, extract_settings):
    lines = wrap(sentences("Flow", 10) + " and it ends here.", 230)
    cut = len(lines) // 2
    while not lines[cut][0].islower():  # make column 2 start in lower case
        cut += 1

    def page(w):
        w.paragraph(lines[:cut], 50, 60, 230, justify_last=True)
        w.paragraph(lines[cut:], 315, 60, 230)

    layout = extract_document(make_pdf("continued-paragraph.pdf", [page]), settings=extract_settings)
    assert len(layout.blocks) == 1
    block = layout.blocks[0]
    assert block.text.endswith("and it ends here.") and block.text.startswith("Flow one")
    assert block.column == 0 and len(block.continued_bboxes) == 1


def test_full_width_title_then_two_columns(make_pdf, extract_settings):
    def page(w):
        w.line("A Mixed Layout Title", 50, 50, font=BOLD_FONT, size=18)
        top = w.text(sentences("Intro", 4), 50, 85, 495)
        w.paragraph(wrap(sentences("Left", 10), 230), 50, top + 10, 230)
        w.paragraph(wrap(sentences("Right", 10), 230), 315, top + 10, 230)

    layout = extract_document(make_pdf("mixed-full-width-and-columns.pdf", [page]), settings=extract_settings)
    text = _body(layout)
    assert text.index("A Mixed Layout Title") < text.index("Intro one") < text.index("Intro four") < text.index("Left one")
    assert words_in_order(text, "Left") == COUNTING[:10] and words_in_order(text, "Right") == COUNTING[:10]
    assert text.index("Left ten") < text.index("Right one")
    assert layout.blocks[0].kind is BlockKind.HEADING and layout.blocks[0].column is None
    assert layout.pages[0].columns == 2


def test_three_columns(make_pdf, extract_settings):
    def page(w):
        for x, prefix in ((40, "Alpha"), (222, "Bravo"), (404, "Charlie")):
            w.paragraph(wrap(sentences(prefix, 8), 150), x, 60, 150)

    layout = extract_document(make_pdf("three-columns.pdf", [page]), settings=extract_settings)
    text = _body(layout)
    for prefix in ("Alpha", "Bravo", "Charlie"):
        assert words_in_order(text, prefix) == COUNTING[:8]
    assert text.index("Alpha eight") < text.index("Bravo one") and text.index("Bravo eight") < text.index("Charlie one")
    assert layout.pages[0].columns == 3


def test_running_heads_feet_and_page_numbers_are_furniture(make_pdf, extract_settings):
    def page(number):
        def draw(w):
            w.line("Journal of Imaginary Policy", 50, 25, size=8)
            w.line(f"Issue 7, spring {2020 + number}", 430, 25, size=8)
            w.text(sentences(f"Page{number}", 5), 50, 90, 495)
            w.line(f"- {number} -", 290, 810, size=9)

        return draw

    layout = extract_document(make_pdf("running-head-and-page-numbers.pdf", [page(n) for n in range(1, 5)]), settings=extract_settings)
    text = render(layout, "text")
    assert "Imaginary" not in text and "Issue 7" not in text and "- 2 -" not in text
    for n in range(1, 5):
        assert f"Page{n} one states" in text
        furniture = {normalise(b.text) for b in layout.pages[n - 1].furniture}
        assert {"Journal of Imaginary Policy", f"- {n} -"} <= furniture
        assert all(b.kind in (BlockKind.HEADER, BlockKind.FOOTER) for b in layout.pages[n - 1].furniture)


def test_footnotes_are_separated_from_the_body(make_pdf, extract_settings):
    first = "Western governments imposed sanctions"

    def page(w):
        w.line(first + " on the regime in 2021 and they plan to", 50, 60, width=495)
        w.superscript("1", first, 50, 60)
        w.paragraph(wrap(sentences("Body", 6), 495), 50, 60 + LEADING, 495)
        w.line("1 The footnote names the source of this claim.", 50, 770, size=7.5)
        w.line("2 A second note, also set small at the foot.", 50, 780, size=7.5)

    layout = extract_document(make_pdf("footnotes-at-page-foot.pdf", [page]), settings=extract_settings)
    notes = [b for b in layout.blocks if b.kind is BlockKind.FOOTNOTE]
    assert [normalise(n.text) for n in notes] == [
        "1 The footnote names the source of this claim.",
        "2 A second note, also set small at the foot.",
    ]
    body = _body(layout)
    assert "imposed sanctions on the regime" in body, "the superscript marker is removed from the body"
    assert "footnote names" not in body and "second note" not in body
    assert layout.blocks[-1].kind is BlockKind.FOOTNOTE, "footnotes come after the page's body"
    assert "[^1-1]: The footnote names the source of this claim." in render(layout, "markdown")


def test_line_end_hyphenation_is_undone_and_real_hyphens_kept(make_pdf, extract_settings):
    lines = [
        "The movement relied on a broad and a rather strong self-",
        "organization of citizens and on the patient work of the pro-",
        "democracy groups of every city, and on the quick organi-",
        "zation of medical help across the many Belarus-",
        "Russia border crossings that stayed open after COVID-",
        "19 changed every plan of the proud white-red-",
        "white flag movement and its inter-",
        "national partners, who also favour counter-",
        "measures against the regime, as counter-measures work.",
    ]

    def page(w):
        w.paragraph(lines, 50, 60, 495)

    layout = extract_document(make_pdf("line-end-hyphenation.pdf", [page]), settings=extract_settings)
    text = _body(layout)
    for expected in ("strong self-organization of", "the pro-democracy groups", "quick organization of", "Belarus-Russia border",
                     "after COVID-19 changed", "white-red-white flag", "its international partners", "favour counter-measures against"):
        assert expected in text


def test_headings_have_levels(make_pdf, extract_settings):
    def page(w):
        w.line("1. INTRODUCTION", 50, 60, font=BOLD_FONT, size=15)
        top = w.text(sentences("Intro", 3), 50, 90, 495)
        w.line("1.1 Background of the study", 50, top + 6, font=BOLD_FONT, size=12)
        top = w.text(sentences("Background", 3), 50, top + 28, 495)
        w.line("A. Moscow Mechanism", 50, top + 6, font=BOLD_FONT, size=10)
        w.text(sentences("Mechanism", 3), 50, top + 24, 495)

    layout = extract_document(make_pdf("numbered-and-bold-headings.pdf", [page]), settings=extract_settings)
    headings = [(b.text, b.level) for b in layout.blocks if b.kind is BlockKind.HEADING]
    assert [text for text, _ in headings] == ["1. INTRODUCTION", "1.1 Background of the study", "A. Moscow Mechanism"]
    levels = [level for _, level in headings]
    assert levels[0] < levels[1] < levels[2]
    assert sum(b.kind is BlockKind.PARAGRAPH for b in layout.blocks) == 3
    markdown = render(layout, "markdown")
    assert f"{'#' * levels[0]} 1. INTRODUCTION" in markdown


def test_bullet_and_numbered_list_items(make_pdf, extract_settings):
    def page(w):
        w.line("We recommend the following measures:", 50, 60)
        items = [
            ("•", "Freeze the assets of officials responsible for the violence."),
            ("•", "Suspend the negotiations until every political prisoner is released and the police stop using force against peaceful protesters in the cities."),
            ("1.", "Open a humanitarian corridor."),
            ("2.", "Fund independent media."),
            ("a)", "Coordinate with partners."),
            ("(i)", "Report every quarter."),
        ]
        top = 60 + 2 * LEADING
        for marker, text in items:
            w.line(marker, 60, top)
            top = w.paragraph(wrap(text, 400), 80, top, 400) + 4
        w.text("After the list, an ordinary paragraph follows at the margin.", 50, top + 6, 495)

    layout = extract_document(make_pdf("bullets-and-numbered-items.pdf", [page]), settings=extract_settings)
    items = [normalise(b.text) for b in layout.blocks if b.kind is BlockKind.LIST_ITEM]
    assert items == [
        "Freeze the assets of officials responsible for the violence.",
        "Suspend the negotiations until every political prisoner is released and the police stop using force against peaceful protesters in the cities.",
        "1. Open a humanitarian corridor.",
        "2. Fund independent media.",
        "a) Coordinate with partners.",
        "(i) Report every quarter.",
    ]
    assert layout.blocks[-1].kind is BlockKind.PARAGRAPH
    assert "- Freeze the assets" in render(layout, "markdown")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rotated_page_reads_upright(make_pdf, extract_settings, backend):
    def page(w):
        w.text(sentences("Turned", 4), 50, 60, 495)

    layout = extract_document(make_pdf("rotated-page-90.pdf", [page], rotation=90), settings=extract_settings, backend=backend)
    assert words_in_order(_body(layout), "Turned") == COUNTING[:4]
    assert layout.pages[0].rotation in (0, 90, 180, 270)


def _scan_page(w):
    image = Image.new("L", (200, 280), 255)
    for y in range(20, 260, 12):  # dark bars: a picture of text, no text layer
        image.paste(0, (20, y, 180, y + 5))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    w.canvas.drawImage(ImageReader(buffer), 50, 200, 400, 560)


def test_an_image_only_page_among_text_pages_is_marked(make_pdf, extract_settings):
    def text_page(w):
        w.text(sentences("Typed", 3), 50, 60, 495)

    layout = extract_document(make_pdf("scan-between-text-pages.pdf", [text_page, _scan_page, text_page]), settings=extract_settings)
    assert [p.image_only for p in layout.pages] == [False, True, False]
    assert layout.image_only_pages == (2,)
    assert "scanned image" in render(layout, "markdown")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_document_of_scans_only_raises(make_pdf, extract_settings, backend):
    path = make_pdf("scans-only.pdf", [_scan_page, _scan_page])
    with pytest.raises(ImageOnlyPdfError) as raised:
        extract_document(path, settings=extract_settings, backend=backend)
    assert str(path) in str(raised.value) and "OCR" in str(raised.value)


def test_both_backends_give_the_same_blocks_on_a_generated_page(make_pdf, extract_settings):
    def page(w):
        w.line("Same Blocks", 50, 50, font=BOLD_FONT, size=16)
        w.paragraph(wrap(sentences("Left", 8), 230), 50, 90, 230)
        w.paragraph(wrap(sentences("Right", 8), 230), 315, 90, 230)

    path = make_pdf("backend-parity.pdf", [page])
    blocks = {b: [(x.kind, x.text, x.column) for x in extract_document(path, settings=extract_settings, backend=b).blocks] for b in BACKENDS}
    assert blocks["pdfplumber"] == blocks["pdfium"]
