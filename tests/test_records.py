"""One serialisation mechanism for every stage record: fields in order, rounding, typed reading."""

from __future__ import annotations

import json

import pytest

from pipeline.types import (
    Block, BlockKind, DocumentLayout, DocumentMeta, DocumentResult, EntityMention, Page, Recommendation, Sentence,
)

BLOCK = Block("Text", BlockKind.LIST_ITEM, 2, (1.004, 2.0, 3.336, 4.0), level=None, font_size=9.5,
              continued_bboxes=((3, (5.555, 6.0, 7.0, 8.0)),))
PAGE = Page(2, 595.276, 841.889, blocks=(BLOCK,), garbled=True)
LAYOUT = DocumentLayout("doc", "doc.pdf", (PAGE,), meta=DocumentMeta(title="T"), backend="pdfium")
SENTENCE = Sentence(0, "Text", 2, ((1.004, 2.0, 3.336, 4.0),), 0, BlockKind.LIST_ITEM, ("A", "B"), "Lead:", 0, 4)
MENTION = EntityMention("doc", "EU", "ORG", "eu", 2, (1.0, 2.0, 3.0, 4.0), 0, 0, 2)
RECOMMENDATION = Recommendation("doc:0", "doc", "Text", 2, (1.0, 2.0, 3.0, 4.0), ("A",), ("eu",), (), ("sanctions",),
                                "should", "do", False, 0.123456, 0)


def test_records_write_fields_in_order_with_their_rounding():
    assert list(PAGE.to_dict()) == ["number", "width", "height", "rotation", "columns", "image_only", "garbled",
                                    "blocks", "furniture"]
    assert list(LAYOUT.to_dict()) == ["doc_id", "path", "backend", "meta", "pages"]
    block = BLOCK.to_dict()
    assert block["kind"] == "list_item" and block["bbox"] == [1.0, 2.0, 3.34, 4.0]
    assert block["continued_bboxes"] == [[3, [round(5.555, 2), 6.0, 7.0, 8.0]]]
    assert PAGE.to_dict()["width"] == 595.28 and RECOMMENDATION.to_dict()["score"] == 0.1235
    assert SENTENCE.to_dict()["bboxes"] == [[1.0, 2.0, 3.34, 4.0]] and SENTENCE.to_dict()["section"] == ["A", "B"]


@pytest.mark.parametrize("record", [BLOCK, PAGE, LAYOUT, SENTENCE, MENTION, RECOMMENDATION])
def test_a_written_record_reads_back_as_its_rounded_self(record):
    data = json.loads(json.dumps(record.to_dict()))
    again = type(record).from_dict(data)
    assert again.to_dict() == record.to_dict()
    assert type(record).from_dict(json.loads(json.dumps(again.to_dict()))) == again


def test_a_document_result_reads_back_with_typed_nested_records():
    result = DocumentResult("doc", "doc.pdf", LAYOUT, (SENTENCE,), (MENTION,), (RECOMMENDATION,))
    again = DocumentResult.from_dict(json.loads(json.dumps(result.to_dict())))
    block = again.layout.pages[0].blocks[0]
    assert isinstance(block.kind, BlockKind) and isinstance(block.bbox, tuple)
    assert block.continued_bboxes == ((3, (round(5.555, 2), 6.0, 7.0, 8.0)),)
    assert again.recommendations[0].section == ("A",) and again.layout.meta.title == "T"


def test_hand_written_recommendations_get_the_reader_defaults():
    record = Recommendation.from_dict({"id": "d:1", "doc_id": "d", "text": "Act.", "page": "3"})
    assert record.page == 3 and record.bbox is None and record.addressees == ()
    assert (record.modality, record.polarity, record.score, record.sentence_index) == ("should", "do", 1.0, -1)


def test_a_missing_required_key_names_the_record_and_the_key():
    with pytest.raises(KeyError, match=r"a Sentence record needs the key 'text'"):
        Sentence.from_dict({"index": 0})
