"""Segment: no unit crosses a block; units carry page, section path, kind and list lead-in."""

from __future__ import annotations

from pipeline.segment import segment_layout, verb_lemmas
from pipeline.types import Block, BlockKind, DocumentLayout, Page


def _block(text, kind, page=1, level=None):
    return Block(text=text, kind=kind, page=page, bbox=(10.0, 10.0, 200.0, 30.0), level=level)


def _layout(*pages_blocks):
    pages = tuple(
        Page(number=n, width=595.0, height=842.0, blocks=tuple(blocks)) for n, blocks in enumerate(pages_blocks, start=1)
    )
    return DocumentLayout(doc_id="constructed", path="constructed.pdf", pages=pages)


LAYOUT = _layout(
    [
        _block("1. Introduction", BlockKind.HEADING, level=1),
        _block("The EU imposed sanctions in 2021. Russia will continue to help", BlockKind.PARAGRAPH),
        _block("Heading glued to nothing", BlockKind.HEADING, level=2),
    ],
    [
        _block("8. Conclusions and recommendations", BlockKind.HEADING, page=2, level=1),
        _block("A. Recommendations for the EU", BlockKind.HEADING, page=2, level=2),
        _block("The EU should:", BlockKind.PARAGRAPH, page=2),
        _block("• Introduce targeted sanctions. Freeze the assets of officials.", BlockKind.LIST_ITEM, page=2),
        _block("1 A footnote that says something.", BlockKind.FOOTNOTE, page=2),
        _block("– Recognise the council", BlockKind.LIST_ITEM, page=2),
        _block("B. Recommendations for NATO", BlockKind.HEADING, page=2, level=2),
        _block("NATO should reinforce its presence.", BlockKind.PARAGRAPH, page=2),
    ],
)


def test_units_never_cross_blocks_and_keep_offsets(nlp):
    doc, sentences = segment_layout(LAYOUT, nlp)
    blocks = LAYOUT.blocks
    for sentence in sentences:
        assert doc.text[sentence.start_char : sentence.end_char] == sentence.text
        assert sentence.text in " ".join(blocks[sentence.block_index].text.split())
    # the paragraph without a final full stop is not glued to the following heading
    assert any(s.text == "Russia will continue to help" for s in sentences)
    assert [s.text for s in sentences if s.block_kind is BlockKind.HEADING] == [
        "1. Introduction",
        "Heading glued to nothing",
        "8. Conclusions and recommendations",
        "A. Recommendations for the EU",
        "B. Recommendations for NATO",
    ]


def test_every_unit_has_page_bbox_and_section_path(nlp):
    _, sentences = segment_layout(LAYOUT, nlp)
    for sentence in sentences:
        assert sentence.page in (1, 2)
        assert sentence.bboxes
        assert sentence.section
    nato = next(s for s in sentences if s.text.startswith("NATO should"))
    assert nato.section == ("8. Conclusions and recommendations", "B. Recommendations for NATO")


def test_list_items_lose_bullets_split_into_sentences_and_keep_their_lead(nlp):
    _, sentences = segment_layout(LAYOUT, nlp)
    items = [s for s in sentences if s.block_kind is BlockKind.LIST_ITEM]
    assert [s.text for s in items] == ["Introduce targeted sanctions.", "Freeze the assets of officials.", "Recognise the council"]
    assert all(s.list_lead == "The EU should:" for s in items)
    assert all(s.list_lead is None for s in sentences if s.block_kind is not BlockKind.LIST_ITEM)


def test_the_doc_carries_the_parse_and_entities(nlp):
    doc, _ = segment_layout(LAYOUT, nlp)
    assert doc.has_annotation("DEP")
    assert any(ent.text == "NATO" for ent in doc.ents)


def test_verb_lemmas_come_from_the_model(nlp):
    verbs = verb_lemmas(nlp)
    assert {"recognize", "impose", "ratify"} <= verbs


def test_cover_titles_do_not_scope_numbered_sections(nlp):
    layout = _layout(
        [
            _block("A Study of Things", BlockKind.HEADING, level=1),
            _block("Contents", BlockKind.HEADING, level=2),
            _block("1. Introduction", BlockKind.HEADING, level=3),
            _block("Text of the introduction.", BlockKind.PARAGRAPH),
            _block("2. Recommendations", BlockKind.HEADING, level=3),
            _block("A. For the EU", BlockKind.HEADING, level=4),
            _block("The EU should act.", BlockKind.PARAGRAPH),
        ]
    )
    _, sentences = segment_layout(layout, nlp)
    act = next(s for s in sentences if s.text == "The EU should act.")
    assert act.section == ("2. Recommendations", "A. For the EU")
