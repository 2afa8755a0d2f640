"""Typed records that flow between the stages.

Every stage hands the next one frozen dataclasses from this module, so a stage
can be tested alone by building its input by hand. Records convert to and from
plain JSON-able dicts (``to_dict`` / ``from_dict``) because they cross process
boundaries (worker pools, Dask) and are cached in SQLite; one mechanism,
:class:`pipeline.records.JsonRecord`, does it for all of them from their fields
(field order is key order; ``round`` and ``missing`` options as marked).

Coordinates follow pdfplumber: points, origin at the top-left of the page,
``(x0, top, x1, bottom)``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pipeline.records import JsonRecord, field

BBox = tuple[float, float, float, float]


class BlockKind(str, enum.Enum):
    """What a block of text is on the page."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    FOOTNOTE = "footnote"
    TABLE = "table"
    CAPTION = "caption"
    PULL_QUOTE = "pull_quote"
    HEADER = "header"
    FOOTER = "footer"

    @property
    def is_furniture(self) -> bool:
        """Running heads, footers and page numbers: kept aside, never body."""
        return self in (BlockKind.HEADER, BlockKind.FOOTER)


@dataclass(frozen=True)
class Block(JsonRecord):
    """A run of text that reads as one unit: a paragraph, a heading, a list item."""

    text: str
    kind: BlockKind
    page: int  # 1-based
    bbox: BBox = field(round=2)
    level: int | None = None  # heading level, 1 = top
    font_size: float | None = None
    bold: bool = False
    column: int | None = None  # 0-based column index on the page, None when full width
    # A paragraph split by a column or page break keeps one text; the pieces'
    # boxes beyond the first are kept here so provenance stays complete.
    continued_bboxes: tuple[tuple[int, BBox], ...] = field(round=2, default=())


@dataclass(frozen=True)
class Page(JsonRecord):
    """One page: body blocks in reading order, furniture (headers/footers) aside."""

    number: int  # 1-based
    width: float = field(round=2)
    height: float = field(round=2)
    rotation: int = 0
    columns: int = 1
    image_only: bool = False
    # a broken text layer (OCR mojibake): kept, but never read for recommendations;
    # keyword-only so that it is written before the blocks yet not passed by position
    garbled: bool = field(default=False, kw_only=True)
    blocks: tuple[Block, ...] = ()
    furniture: tuple[Block, ...] = ()


@dataclass(frozen=True)
class DocumentMeta(JsonRecord):
    """What the PDF's metadata or first page says about the document."""

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO date or year as found


@dataclass(frozen=True)
class DocumentContext(JsonRecord):
    """What a reader takes from a document's cover (the recognise stage reads it). Actor fields hold actor ids."""

    genre: str = "paper_or_brief"
    title: str | None = None
    date: str | None = None
    issuers: tuple[str, ...] = ()  # the body that issues it, a state that tables a draft
    audience: tuple[str, ...] = ()  # whom it is written for or about
    # why each field has its value: the phrase it was read from
    evidence: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class DocumentLayout(JsonRecord):
    """The extract stage's output: a document's pages of blocks in reading order."""

    doc_id: str
    path: str
    # keyword-only: written (and so in documents/*.json) before the pages, passed by name
    backend: str = field(default="pdfplumber", kw_only=True)
    meta: DocumentMeta = field(default_factory=DocumentMeta, kw_only=True)
    pages: tuple[Page, ...]

    @property
    def blocks(self) -> tuple[Block, ...]:
        """All body blocks of the document, in reading order."""
        return tuple(b for p in self.pages for b in p.blocks)

    @property
    def image_only_pages(self) -> tuple[int, ...]:
        return tuple(p.number for p in self.pages if p.image_only)

    @property
    def garbled_pages(self) -> tuple[int, ...]:
        return tuple(p.number for p in self.pages if p.garbled)


@dataclass(frozen=True)
class Sentence(JsonRecord):
    """A sentence (or list item, or heading) with its provenance and context."""

    index: int  # position in the document, 0-based
    text: str
    page: int
    bboxes: tuple[BBox, ...] = field(round=2)
    block_index: int  # index of the block in DocumentLayout.blocks
    block_kind: BlockKind
    section: tuple[str, ...] = ()  # heading trail, outermost first
    list_lead: str | None = None  # for list items: the sentence that introduces the list
    start_char: int = 0  # offsets in the document's spaCy Doc text
    end_char: int = 0


@dataclass(frozen=True)
class EntityMention(JsonRecord):
    """A named entity or actor mention. ``actor_id`` is None for non-actors."""

    doc_id: str
    text: str
    label: str  # spaCy NER label, or ACTOR for gazetteer-only matches
    actor_id: str | None = field(missing=None)
    page: int
    bbox: BBox | None = field(round=2, missing=None)
    sentence_index: int
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Recommendation(JsonRecord):
    """One recommendation unit, classified. The contract of recommendations.jsonl."""

    id: str  # "<doc_id>:<sentence index>"
    doc_id: str
    text: str
    page: int
    # a reader gives hand-written records without these keys the values below
    bbox: BBox | None = field(round=2, missing=None)
    section: tuple[str, ...] = field(missing=())
    addressees: tuple[str, ...] = field(missing=())
    targets: tuple[str, ...] = field(missing=())
    instruments: tuple[str, ...] = field(missing=())
    modality: str = field(missing="should")  # must | should | could
    polarity: str = field(missing="do")  # do | refrain
    reported: bool = field(missing=False)
    score: float = field(round=4, missing=1.0)
    sentence_index: int = field(missing=-1)
    measure: str = ""  # the prescribed action: verb phrase and its object
    measure_id: str | None = None  # set by the graph stage
    targets_inferred: bool = False  # targets come from the paper's context, not this unit's text
    # who makes the recommendation (ANNOTATION.md section 2), and why a unit has none
    issuers: tuple[str, ...] = ()
    issuer_reason: str | None = None


@dataclass(frozen=True)
class DocumentResult(JsonRecord):
    """Everything the per-document stages produce; what the cache stores."""

    doc_id: str
    path: str
    layout: DocumentLayout
    sentences: tuple[Sentence, ...]
    entities: tuple[EntityMention, ...]
    recommendations: tuple[Recommendation, ...]
    context: DocumentContext = field(default_factory=DocumentContext, missing=DocumentContext())
