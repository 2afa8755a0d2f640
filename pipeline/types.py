"""Typed records that flow between the stages.

Every stage hands the next one frozen dataclasses from this module, so a stage
can be tested alone by building its input by hand. Records convert to and from
plain JSON-able dicts (``to_dict`` / ``from_dict``) because they cross process
boundaries (worker pools, Dask) and are cached in SQLite.

Coordinates follow pdfplumber: points, origin at the top-left of the page,
``(x0, top, x1, bottom)``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

BBox = tuple[float, float, float, float]


def _fields_of(record: Any) -> dict[str, Any]:
    """A frozen record's fields as a shallow dict, in field order.

    ``dataclasses.asdict`` deep-copies every nested tuple, which made caching
    and writing a long corpus spend most of its time copying.
    """
    return dict(vars(record))


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
class Block:
    """A run of text that reads as one unit: a paragraph, a heading, a list item."""

    text: str
    kind: BlockKind
    page: int  # 1-based
    bbox: BBox
    level: int | None = None  # heading level, 1 = top
    font_size: float | None = None
    bold: bool = False
    column: int | None = None  # 0-based column index on the page, None when full width
    # A paragraph split by a column or page break keeps one text; the pieces'
    # boxes beyond the first are kept here so provenance stays complete.
    continued_bboxes: tuple[tuple[int, BBox], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = _fields_of(self)
        data["kind"] = self.kind.value
        data["bbox"] = [round(v, 2) for v in self.bbox]
        data["continued_bboxes"] = [[p, [round(v, 2) for v in b]] for p, b in self.continued_bboxes]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            text=data["text"],
            kind=BlockKind(data["kind"]),
            page=int(data["page"]),
            bbox=tuple(data["bbox"]),  # type: ignore[arg-type]
            level=data.get("level"),
            font_size=data.get("font_size"),
            bold=bool(data.get("bold", False)),
            column=data.get("column"),
            continued_bboxes=tuple((int(p), tuple(b)) for p, b in data.get("continued_bboxes", ())),  # type: ignore[misc]
        )


@dataclass(frozen=True)
class Page:
    """One page: body blocks in reading order, furniture (headers/footers) aside."""

    number: int  # 1-based
    width: float
    height: float
    rotation: int = 0
    columns: int = 1
    image_only: bool = False
    blocks: tuple[Block, ...] = ()
    furniture: tuple[Block, ...] = ()
    garbled: bool = False  # a broken text layer (OCR mojibake): kept, but never read for recommendations

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "width": round(self.width, 2),
            "height": round(self.height, 2),
            "rotation": self.rotation,
            "columns": self.columns,
            "image_only": self.image_only,
            "garbled": self.garbled,
            "blocks": [b.to_dict() for b in self.blocks],
            "furniture": [b.to_dict() for b in self.furniture],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        return cls(
            number=int(data["number"]),
            width=float(data["width"]),
            height=float(data["height"]),
            rotation=int(data.get("rotation", 0)),
            columns=int(data.get("columns", 1)),
            image_only=bool(data.get("image_only", False)),
            blocks=tuple(Block.from_dict(b) for b in data.get("blocks", ())),
            furniture=tuple(Block.from_dict(b) for b in data.get("furniture", ())),
            garbled=bool(data.get("garbled", False)),
        )


@dataclass(frozen=True)
class DocumentMeta:
    """What the PDF's metadata or first page says about the document."""

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO date or year as found

    def to_dict(self) -> dict[str, Any]:
        return _fields_of(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        return cls(**{k: data.get(k) for k in ("title", "author", "publisher", "date")})


@dataclass(frozen=True)
class DocumentLayout:
    """The extract stage's output: a document's pages of blocks in reading order."""

    doc_id: str
    path: str
    pages: tuple[Page, ...]
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    backend: str = "pdfplumber"

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "backend": self.backend,
            "meta": self.meta.to_dict(),
            "pages": [p.to_dict() for p in self.pages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentLayout:
        return cls(
            doc_id=data["doc_id"],
            path=data["path"],
            backend=data.get("backend", "pdfplumber"),
            meta=DocumentMeta.from_dict(data.get("meta", {})),
            pages=tuple(Page.from_dict(p) for p in data["pages"]),
        )


@dataclass(frozen=True)
class Sentence:
    """A sentence (or list item, or heading) with its provenance and context."""

    index: int  # position in the document, 0-based
    text: str
    page: int
    bboxes: tuple[BBox, ...]
    block_index: int  # index of the block in DocumentLayout.blocks
    block_kind: BlockKind
    section: tuple[str, ...] = ()  # heading trail, outermost first
    list_lead: str | None = None  # for list items: the sentence that introduces the list
    start_char: int = 0  # offsets in the document's spaCy Doc text
    end_char: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = _fields_of(self)
        data["block_kind"] = self.block_kind.value
        data["bboxes"] = [[round(v, 2) for v in b] for b in self.bboxes]
        data["section"] = list(self.section)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sentence:
        return cls(
            index=int(data["index"]),
            text=data["text"],
            page=int(data["page"]),
            bboxes=tuple(tuple(b) for b in data["bboxes"]),  # type: ignore[misc]
            block_index=int(data["block_index"]),
            block_kind=BlockKind(data["block_kind"]),
            section=tuple(data.get("section", ())),
            list_lead=data.get("list_lead"),
            start_char=int(data.get("start_char", 0)),
            end_char=int(data.get("end_char", 0)),
        )


@dataclass(frozen=True)
class EntityMention:
    """A named entity or actor mention. ``actor_id`` is None for non-actors."""

    doc_id: str
    text: str
    label: str  # spaCy NER label, or ACTOR for gazetteer-only matches
    actor_id: str | None
    page: int
    bbox: BBox | None
    sentence_index: int
    start_char: int
    end_char: int

    def to_dict(self) -> dict[str, Any]:
        data = _fields_of(self)
        data["bbox"] = None if self.bbox is None else [round(v, 2) for v in self.bbox]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EntityMention:
        bbox = data.get("bbox")
        return cls(
            doc_id=data["doc_id"],
            text=data["text"],
            label=data["label"],
            actor_id=data.get("actor_id"),
            page=int(data["page"]),
            bbox=None if bbox is None else tuple(bbox),  # type: ignore[arg-type]
            sentence_index=int(data["sentence_index"]),
            start_char=int(data["start_char"]),
            end_char=int(data["end_char"]),
        )


@dataclass(frozen=True)
class Recommendation:
    """One recommendation unit, classified. The contract of recommendations.jsonl."""

    id: str  # "<doc_id>:<sentence index>"
    doc_id: str
    text: str
    page: int
    bbox: BBox | None
    section: tuple[str, ...]
    addressees: tuple[str, ...]
    targets: tuple[str, ...]
    instruments: tuple[str, ...]
    modality: str  # must | should | could
    polarity: str  # do | refrain
    reported: bool
    score: float
    sentence_index: int
    measure: str = ""  # the prescribed action: verb phrase and its object
    measure_id: str | None = None  # set by the graph stage
    targets_inferred: bool = False  # targets come from the paper's context, not this unit's text

    def to_dict(self) -> dict[str, Any]:
        data = _fields_of(self)
        data["bbox"] = None if self.bbox is None else [round(v, 2) for v in self.bbox]
        for key in ("section", "addressees", "targets", "instruments"):
            data[key] = list(data[key])
        data["score"] = round(self.score, 4)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recommendation:
        bbox = data.get("bbox")
        return cls(
            id=data["id"],
            doc_id=data["doc_id"],
            text=data["text"],
            page=int(data["page"]),
            bbox=None if bbox is None else tuple(bbox),  # type: ignore[arg-type]
            section=tuple(data.get("section", ())),
            addressees=tuple(data.get("addressees", ())),
            targets=tuple(data.get("targets", ())),
            instruments=tuple(data.get("instruments", ())),
            modality=data.get("modality", "should"),
            polarity=data.get("polarity", "do"),
            reported=bool(data.get("reported", False)),
            score=float(data.get("score", 1.0)),
            sentence_index=int(data.get("sentence_index", -1)),
            measure=data.get("measure", ""),
            measure_id=data.get("measure_id"),
            targets_inferred=bool(data.get("targets_inferred", False)),
        )


@dataclass(frozen=True)
class DocumentResult:
    """Everything the per-document stages produce; what the cache stores."""

    doc_id: str
    path: str
    layout: DocumentLayout
    sentences: tuple[Sentence, ...]
    entities: tuple[EntityMention, ...]
    recommendations: tuple[Recommendation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "layout": self.layout.to_dict(),
            "sentences": [s.to_dict() for s in self.sentences],
            "entities": [e.to_dict() for e in self.entities],
            "recommendations": [r.to_dict() for r in self.recommendations],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentResult:
        return cls(
            doc_id=data["doc_id"],
            path=data["path"],
            layout=DocumentLayout.from_dict(data["layout"]),
            sentences=tuple(Sentence.from_dict(s) for s in data["sentences"]),
            entities=tuple(EntityMention.from_dict(e) for e in data["entities"]),
            recommendations=tuple(Recommendation.from_dict(r) for r in data["recommendations"]),
        )
