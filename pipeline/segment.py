"""Segment: extracted blocks become one spaCy Doc per document, with sentence units.

Each block is parsed as its own small Doc (``nlp.pipe``) and the pieces are
joined with ``Doc.from_docs``, so no sentence can cross a block boundary: a
heading, list item or footnote is never glued to a paragraph. The stage's
contract is the tuple of :class:`~pipeline.types.Sentence` records: every unit
carries page, bboxes, block kind, its section path (the trail of headings above
it) and, for list items, the sentence that introduces the list. A heading is
one unit; a list item is split into sentences like a paragraph (ANNOTATION.md:
one unit per sentence or bullet), each keeping the list's lead-in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.types import Block, BlockKind, DocumentLayout, Sentence

# Blocks whose text is never split into several units.
SINGLE_UNIT_KINDS = frozenset({BlockKind.HEADING, BlockKind.CAPTION})
# Blocks that do not interrupt a list or carry section context.
ASIDE_KINDS = frozenset({BlockKind.FOOTNOTE, BlockKind.CAPTION, BlockKind.TABLE, BlockKind.PULL_QUOTE})

_SPACES = re.compile(r"\s+")
_BULLET = re.compile(r"^[•▪●◦·∙‣⁃■□➢►*\-–—]\s*")


# Verb base forms of each loaded pipeline, by id of its vocab, for later stages
# that must spot imperatives the tagger mislabels (capitalised headings).
_VERB_LEMMAS: dict[int, frozenset[str]] = {}


def load_nlp(settings: dict[str, Any]) -> Language:
    """Load the spaCy pipeline named in ``settings["segment"]``, without unused components."""
    segment = settings["segment"]
    nlp = spacy.load(segment["model"], disable=list(segment.get("disable", [])))
    verb_lemmas(nlp)
    return nlp


def verb_lemmas(nlp_or_doc: Any) -> frozenset[str]:
    """The model's verb base forms (its lemmatizer's lookup index); empty when it has none."""
    key = id(nlp_or_doc.vocab)
    if key in _VERB_LEMMAS:
        return _VERB_LEMMAS[key]
    verbs: frozenset[str] = frozenset()
    if isinstance(nlp_or_doc, Language) and "lemmatizer" in nlp_or_doc.component_names:
        lookups = nlp_or_doc.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            verbs = frozenset(lookups.get_table("lemma_index").get("verb", []))
        _VERB_LEMMAS[key] = verbs
    return verbs


def _unit_text(block: Block) -> str:
    """Block text with whitespace collapsed; a list item loses its bullet glyph (kept in the kind)."""
    text = _SPACES.sub(" ", block.text).strip()
    if block.kind is BlockKind.LIST_ITEM:
        text = _BULLET.sub("", text) or text
    return text


def _unit_spans(block: Block, block_doc: Doc, text: str) -> list[tuple[int, int]]:
    """Character spans (within the block's own doc, whose text is ``text``) of the block's units."""
    if block.kind in SINGLE_UNIT_KINDS or not block_doc.has_annotation("SENT_START"):
        return [(0, len(text))] if text.strip() else []
    spans = []
    for sent in block_doc.sents:
        if sent.text.strip():
            spans.append((sent.start_char, sent.end_char))
    return spans


_NUMBERED_HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[A-Z]|[IVXLC]+)[.)]\s+\S")


def _front_matter_levels(blocks: Sequence[Block]) -> int | None:
    """The shallowest level of numbered headings ("1. Introduction", "A. ..."), if the document numbers them.

    Unnumbered headings above that level (a cover title, "Contents") are front
    matter: they do not scope the numbered sections, so they stay out of
    section paths.
    """
    levels = [b.level or 1 for b in blocks if b.kind is BlockKind.HEADING and _NUMBERED_HEADING.match(b.text)]
    return min(levels) if len(levels) >= 2 else None


def _heading_trail(trail: list[tuple[int, str]], block: Block) -> list[tuple[int, str]]:
    """The heading trail after ``block``, a heading: deeper or equal levels are replaced."""
    level = block.level or 1
    kept = [(lvl, text) for lvl, text in trail if lvl < level]
    kept.append((level, _SPACES.sub(" ", block.text).strip()))
    return kept


def segment_layout(layout: DocumentLayout, nlp: Language, *, batch_size: int = 64) -> tuple[Doc, tuple[Sentence, ...]]:
    """Parse a document's body blocks and return its Doc and its sentence units.

    Furniture (headers, footers) is not in ``layout.blocks``; footnotes and
    tables are kept as their own units so entity mentions in them are found.
    Pages whose text layer is garbled are not read: mojibake is not advice.
    """
    blocks = [b for page in layout.pages if not page.garbled for b in page.blocks if b.text.strip()]
    texts = [_unit_text(b) for b in blocks]
    block_docs = list(nlp.pipe(texts, batch_size=batch_size))
    doc = Doc.from_docs(block_docs, ensure_whitespace=True) if block_docs else nlp.make_doc("")

    sentences: list[Sentence] = []
    numbered_level = _front_matter_levels(blocks)
    trail: list[tuple[int, str]] = []
    last_body_sentence: str | None = None
    list_lead: str | None = None
    in_list = False
    offset = 0
    all_blocks = layout.blocks
    block_positions = {id(b): i for i, b in enumerate(all_blocks)}
    for block, block_doc in zip(blocks, block_docs):
        if block.kind is BlockKind.HEADING:
            if numbered_level is not None and (block.level or 1) < numbered_level and not _NUMBERED_HEADING.match(block.text):
                trail = []  # a cover title or "Contents": front matter, not a section
            else:
                trail = _heading_trail(trail, block)
            in_list = False
            list_lead = None
        elif block.kind is BlockKind.LIST_ITEM:
            if not in_list:
                list_lead = last_body_sentence
                in_list = True
        elif block.kind not in ASIDE_KINDS:
            in_list = False
            list_lead = None

        bboxes = (block.bbox,) + tuple(b for _, b in block.continued_bboxes)
        section = tuple(text for _, text in trail)
        block_text = block_doc.text  # Doc.text re-joins every token: read it once per block
        for start, end in _unit_spans(block, block_doc, block_text):
            text = block_text[start:end].strip()
            lead = len(block_text[start:end]) - len(block_text[start:end].lstrip())
            sentence = Sentence(
                index=len(sentences),
                text=text,
                page=block.page,
                bboxes=bboxes,
                block_index=block_positions[id(block)],
                block_kind=block.kind,
                section=section,
                list_lead=list_lead if block.kind is BlockKind.LIST_ITEM else None,
                start_char=offset + start + lead,
                end_char=offset + start + lead + len(text),
            )
            sentences.append(sentence)
            if block.kind in (BlockKind.PARAGRAPH, BlockKind.PULL_QUOTE) or (
                block.kind is BlockKind.LIST_ITEM and text.endswith(":")
            ):
                last_body_sentence = text
        # from_docs puts one space between block docs (ensure_whitespace)
        offset += len(block_text) + (0 if block_text.endswith(" ") else 1)
    return doc, tuple(sentences)


def sentence_spans(doc: Doc, sentences: Sequence[Sentence]):
    """The spaCy span of each sentence unit (None where offsets fall inside a token)."""
    return [doc.char_span(s.start_char, s.end_char, alignment_mode="expand") for s in sentences]
