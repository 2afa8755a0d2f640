"""Rendering a layout as text, JSON and Markdown."""

from __future__ import annotations

import json

import pytest

from pipeline.extract import render
from pipeline.types import Block, BlockKind, DocumentLayout, Page


def _layout() -> DocumentLayout:
    box = (50.0, 60.0, 300.0, 80.0)
    blocks = (
        Block("Findings", BlockKind.HEADING, 1, box, level=2, font_size=14.0, bold=True),
        Block("The regime holds.", BlockKind.PARAGRAPH, 1, box),
        Block("A quote pulled out.", BlockKind.PULL_QUOTE, 1, box),
        Block("Freeze assets.", BlockKind.LIST_ITEM, 1, box),
        Block("1. Open a corridor.", BlockKind.LIST_ITEM, 1, box),
        Block("Country | Share\nA | 8%", BlockKind.TABLE, 1, box),
        Block("Table 1. Shares", BlockKind.CAPTION, 1, box),
        Block("1 A source.", BlockKind.FOOTNOTE, 1, box, font_size=7.0),
    )
    furniture = (Block("Running head", BlockKind.HEADER, 1, box), Block("1", BlockKind.FOOTER, 1, box))
    pages = (Page(1, 595.0, 842.0, blocks=blocks, furniture=furniture), Page(2, 595.0, 842.0, image_only=True))
    return DocumentLayout("doc", "doc.pdf", pages)


def test_text_is_the_body_only():
    text = render(_layout(), "text")
    assert text.split("\n\n")[:4] == ["Findings", "The regime holds.", "Freeze assets.", "1. Open a corridor."]
    for absent in ("A source", "Running head", "A quote pulled out"):
        assert absent not in text


def test_json_round_trips():
    layout = _layout()
    assert DocumentLayout.from_dict(json.loads(render(layout, "json"))) == layout


def test_markdown_marks_headings_lists_tables_and_notes():
    markdown = render(_layout(), "markdown")
    for expected in ("## Findings", "- Freeze assets.", "1. Open a corridor.", "| Country | Share |", "| --- | --- |", "[^1-1]: A source.", "> A quote pulled out.", "page 2: scanned image"):
        assert expected in markdown
    assert "Running head" not in markdown


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="text, json, markdown"):
        render(_layout(), "html")
