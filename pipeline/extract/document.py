"""The extract stage: a PDF file -> :class:`~pipeline.types.DocumentLayout`.

Two passes. The first streams the pages from a backend, turns each page's
glyphs into fragments (lines of print, a few hundred small records per page)
and releases the glyphs; it also counts what the later decisions need over the
whole document: edge-zone texts (running heads), font sizes (the body font) and
words (hyphenation evidence). The second pass reads each page's fragments in
column order and builds its blocks; paragraphs broken by a column or page end
are joined last, and heading levels are ranked over the whole document.

Bounding boxes are in points with the origin at the top left of the page as
it is read: the page's /Rotate applied and, when its text runs sideways (a
landscape table stored on a portrait page), turned further so the text reads
upright. ``Page.rotation`` is that total clockwise turn from the page as
stored, and ``Page.width``/``height`` are measured in the same frame.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from pipeline.errors import CONTENT_HINT, CorruptPdfError, DocumentTooLargeError, ImageOnlyPdfError, NoTextError
from pipeline.extract.garbled import is_garbled
from pipeline import registry
from pipeline.extract.backends import PdfInfo, check_opens, largest_content_stream, read_pages, sniff
from pipeline.extract.blocks import FootnoteNumbers, LayoutRules, Piece, stream_pieces
from pipeline.extract.columns import reading_order
from pipeline.extract.furniture import FurnitureIndex, FurnitureRules
from pipeline.extract.lines import Fragment, build_fragments
from pipeline.extract.orient import upright
from pipeline.extract.text import Vocabulary, ends_sentence, join_lines
from pipeline.types import Block, BlockKind, DocumentLayout, DocumentMeta, Page

SETTING_KEYS = (
    "furniture_zone",
    "furniture_min_repeat",
    "footnote_size_ratio",
    "footnote_zone",
    "min_column_gap",
    "image_only_max_chars",
    "heading_size_ratio",
    "max_heading_words",
    "garbled_min_share",
    "garbled_min_words",
    "max_content_mb",
)
# Deepest heading level reported; smaller heading styles share it.
MAX_HEADING_LEVEL = 6
_NUMBERING_DEPTH = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s")


@dataclass(frozen=True)
class _ReadPage:
    """What the first pass keeps of a page."""

    number: int
    width: float
    height: float
    rotation: int
    image_only: bool
    fragments: list[Fragment]
    garbled: bool = False


def slugify(text: str) -> str:
    """A file stem as a doc_id: lower-case ASCII letters, digits and dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "document"


def _check_settings(settings: dict[str, Any]) -> None:
    missing = [key for key in SETTING_KEYS if key not in settings]
    if missing:
        raise ValueError(
            f"extract settings lack {', '.join(missing)}: pass Config.settings['extract'] "
            f"(configs/settings.yaml), which defines {', '.join(SETTING_KEYS)}"
        )


def _read(path: Path, backend: str, password: str | None, max_pages: int | None, settings: dict[str, Any]) -> tuple[list[_ReadPage], FurnitureIndex, Counter[float], Vocabulary]:
    """First pass: pages -> fragments, and document-wide counts."""
    furniture = FurnitureIndex(settings["furniture_zone"])
    sizes: Counter[float] = Counter()
    vocabulary = Vocabulary()
    pages: list[_ReadPage] = []
    for page in read_pages(path, backend, password, max_pages, settings["max_content_mb"] << 20):
        glyphs, width, height, turn = upright(page)
        characters = len(glyphs)
        image_only = characters < settings["image_only_max_chars"] and page.has_images
        fragments = [] if image_only else build_fragments(glyphs, settings["min_column_gap"])
        del glyphs
        for fragment in fragments:
            sizes[fragment.size] += len(fragment.text)
        furniture.add_page(page.number, fragments, height)
        vocabulary.add_lines(f.text for f in fragments)
        garbled = is_garbled(" ".join(f.text for f in fragments), min_share=settings["garbled_min_share"],
                             min_words=settings["garbled_min_words"])
        pages.append(_ReadPage(page.number, width, height, (page.rotation + turn) % 360, image_only, fragments, garbled))
    return pages, furniture, sizes, vocabulary


def _page_blocks(
    page: _ReadPage,
    furniture: FurnitureIndex,
    furniture_rules: FurnitureRules,
    rules: LayoutRules,
    min_gap: float,
    vocabulary: Vocabulary,
    numbers: FootnoteNumbers,
) -> tuple[list[Piece], list[Block], list[Block], int]:
    """Second pass for one page: body pieces, footnotes, furniture, columns."""
    body: list[Fragment] = []
    furniture_blocks: list[Block] = []
    for fragment, is_furniture in zip(page.fragments, furniture.furniture_flags(page.fragments, page.height, furniture_rules)):
        if is_furniture:
            kind = BlockKind.HEADER if fragment.top < page.height / 2 else BlockKind.FOOTER
            furniture_blocks.append(
                Block(fragment.raw_text, kind, page.number, (fragment.x0, fragment.top, fragment.x1, fragment.bottom), font_size=fragment.size, bold=fragment.bold)
            )
        else:
            body.append(fragment)
    streams, columns = reading_order(body, min_gap, rules.body_size)
    pieces: list[Piece] = []
    notes: list[Block] = []
    for stream in streams:
        stream_body, stream_notes = stream_pieces(stream, page.number, page.height, rules, vocabulary, numbers)
        pieces.extend(stream_body)
        notes.extend(stream_notes)
    return pieces, notes, furniture_blocks, columns


def _continues(first: Piece, second: Piece) -> bool:
    """Whether ``second`` carries on the paragraph ``first`` leaves unfinished.

    A paragraph that does not end a sentence goes on in a block that starts in
    lower case (after a column or page break, or a stray gap), or, across a
    column or page break, in one that starts the next column when the first
    piece's last line runs to the right edge.
    """
    a, b = first.block, second.block
    if a.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM) or b.kind is not BlockKind.PARAGRAPH:
        return False
    if ends_sentence(a.text) or abs((a.font_size or 0) - (b.font_size or 0)) > 0.6:
        return False
    if b.text[:1].islower():
        return a.kind is BlockKind.PARAGRAPH or first.stream != second.stream
    return first.stream != second.stream and first.closes_stream and second.opens_stream and first.open_end and b.text[:1].isalnum()


# Blocks that sit inside a paragraph's flow without interrupting it: pull
# quotes, captions, and small print set in another size (a copyright box at the
# foot of a column).
_ASIDE = (BlockKind.PULL_QUOTE, BlockKind.CAPTION)


def _aside(block: Block, continuation: Block) -> bool:
    return block.kind in _ASIDE or abs((block.font_size or 0) - (continuation.font_size or 0)) > 0.6
# How many asides a continuation may skip back over.
MAX_ASIDES_SKIPPED = 3


def join_continued(pieces: list[Piece], vocabulary: Vocabulary) -> list[Piece]:
    """Join paragraphs split by a column or page break into one block each."""
    joined: list[Piece] = []
    for piece in pieces:
        target = len(joined) - 1
        while target >= 0 and len(joined) - 1 - target < MAX_ASIDES_SKIPPED and _aside(joined[target].block, piece.block):
            target -= 1
        if target >= 0 and _continues(joined[target], piece):
            first = joined[target]
            second = piece.block
            block = dataclasses.replace(
                first.block,
                text=join_lines(first.block.text, second.text, vocabulary),
                continued_bboxes=first.block.continued_bboxes + ((second.page, second.bbox),) + second.continued_bboxes,
            )
            joined[target] = Piece(block, piece.stream, first.opens_stream, piece.closes_stream, piece.open_end)
        else:
            joined.append(piece)
    return joined


def _size_key(block: Block) -> float:
    return round((block.font_size or 0) * 2) / 2


def _heading_levels(pages: list[Page]) -> list[Page]:
    """Rank heading styles over the document: larger type is a higher level.

    Headings on a title page set larger than any heading after it are level 1
    (the title); the sizes used after the first page rank below it. Numbering
    depth ("5.1.3" is at least level 3) can only push a heading lower.
    """
    later_sizes = sorted({_size_key(b) for p in pages[1:] for b in p.blocks if b.kind is BlockKind.HEADING}, reverse=True)
    largest_later = later_sizes[0] if later_sizes else 0.0
    first_sizes = {_size_key(b) for b in (pages[0].blocks if pages else ()) if b.kind is BlockKind.HEADING}
    has_title = bool(later_sizes) and any(size > largest_later for size in first_sizes)
    ranked = later_sizes or sorted(first_sizes, reverse=True)

    def level(block: Block) -> int:
        size = _size_key(block)
        if has_title and size > largest_later:
            return 1
        base = 1 + int(has_title) + sum(1 for s in ranked if s > size)
        numbering = _NUMBERING_DEPTH.match(block.text)
        depth = numbering.group(1).count(".") if numbering else 0
        return min(max(base, depth + 1), MAX_HEADING_LEVEL)

    heading = BlockKind.HEADING
    return [
        dataclasses.replace(page, blocks=tuple(dataclasses.replace(b, level=level(b)) if b.kind is heading else b for b in page.blocks))
        if any(b.kind is heading for b in page.blocks)
        else page  # nothing to rank: the page as it is
        for page in pages
    ]


def _pdf_date(value: str | None) -> str | None:
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", value or "")
    if not match:
        return None
    return "-".join(part for part in match.groups() if part)


def _meta(info: PdfInfo, pages: list[Page]) -> DocumentMeta:
    """The title is the largest heading text on the first page (a title set as
    several blocks is joined); PDF metadata is only the fallback, because it is
    often stale (a template's title)."""
    first_headings = [b for b in (pages[0].blocks if pages else ()) if b.kind is BlockKind.HEADING]
    largest = max((b.font_size or 0 for b in first_headings), default=0)
    title = " ".join(b.text for b in first_headings if (b.font_size or 0) == largest) or None
    return DocumentMeta(
        title=title or info.metadata.get("Title") or None,
        author=info.metadata.get("Author") or None,
        publisher=None,
        date=_pdf_date(info.metadata.get("CreationDate")),
    )


def _no_text(path: Path, password: str | None, pages: list[_ReadPage], settings: dict[str, Any]) -> NoReturn:
    """Why a PDF with pages has no text at all: scans, a decompression bomb, or blank pages."""
    which = "its only page has no" if len(pages) == 1 else f"none of its {len(pages)} pages has a"
    scans = sum(p.image_only for p in pages)
    if scans:
        raise ImageOnlyPdfError(path, f"expected text, but {which} text layer ({scans} scanned image page(s))")
    limit = settings["max_content_mb"] << 20
    largest = largest_content_stream(path, password, limit)
    if largest is not None and largest[1] > limit:
        raise DocumentTooLargeError(
            path, f"page {largest[0]}'s content stream expands to more than extract.max_content_mb = "
            f"{settings['max_content_mb']} MB yet draws no text: a decompression bomb or a broken file",
            CONTENT_HINT,
        )
    raise NoTextError(path, f"expected text, but {which} text layer and no scanned image")


def extract_document(
    path: str | Path,
    *,
    settings: dict[str, Any],
    backend: str = "pdfplumber",
    password: str | None = None,
    doc_id: str | None = None,
    max_pages: int | None = None,
) -> DocumentLayout:
    """Read a PDF into pages of blocks in reading order.

    ``settings`` is ``Config.settings["extract"]``. ``max_pages`` reads only the
    first pages (for quick looks at long files). Raises the typed errors of
    :mod:`pipeline.errors` (empty, not a PDF, encrypted, corrupt, image-only).
    """
    if backend not in registry.BACKENDS:
        raise ValueError(f"unknown extraction backend {backend!r}: expected one of {', '.join(registry.BACKENDS)}")
    _check_settings(settings)
    path = Path(path)
    sniff(path)
    info = check_opens(path, password)
    read_pages_, furniture, sizes, vocabulary = _read(path, backend, password, max_pages, settings)
    if not read_pages_ and info.page_count and max_pages != 0:
        raise CorruptPdfError(path, f"expected {info.page_count} page(s) (as pdfium counts them), but the {backend} backend finds none in the page tree")
    if read_pages_ and not any(p.fragments for p in read_pages_):
        _no_text(path, password, read_pages_, settings)

    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    rules = LayoutRules(
        body_size=body_size,
        heading_size_ratio=settings["heading_size_ratio"],
        max_heading_words=settings["max_heading_words"],
        footnote_size_ratio=settings["footnote_size_ratio"],
        footnote_zone=settings["footnote_zone"],
    )
    furniture_rules = FurnitureRules(settings["furniture_zone"], settings["furniture_min_repeat"], len(read_pages_))

    pieces: list[Piece] = []
    notes_by_page: dict[int, list[Block]] = {}
    furniture_by_page: dict[int, list[Block]] = {}
    columns_by_page: dict[int, int] = {}
    numbers = FootnoteNumbers()
    for page in read_pages_:
        page_pieces, notes, furniture_blocks, columns = _page_blocks(page, furniture, furniture_rules, rules, settings["min_column_gap"], vocabulary, numbers)
        pieces.extend(page_pieces)
        notes_by_page[page.number] = notes
        furniture_by_page[page.number] = furniture_blocks
        columns_by_page[page.number] = columns

    body_by_page: dict[int, list[Block]] = {}
    for piece in join_continued(pieces, vocabulary):
        body_by_page.setdefault(piece.block.page, []).append(piece.block)

    pages = [
        Page(
            number=p.number,
            width=p.width,
            height=p.height,
            rotation=p.rotation,
            columns=columns_by_page[p.number],
            image_only=p.image_only,
            garbled=p.garbled,
            blocks=tuple(body_by_page.get(p.number, [])) + tuple(notes_by_page[p.number]),
            furniture=tuple(furniture_by_page[p.number]),
        )
        for p in read_pages_
    ]
    pages = _heading_levels(pages)
    return DocumentLayout(
        doc_id=doc_id or slugify(path.stem),
        path=str(path),
        pages=tuple(pages),
        meta=_meta(info, pages),
        backend=backend,
    )
