"""Render a :class:`~pipeline.types.DocumentLayout` as text, JSON or Markdown."""

from __future__ import annotations

import json
import re

from pipeline.types import Block, BlockKind, DocumentLayout

FORMATS = ("text", "json", "markdown")
_FOOTNOTE_MARKER = re.compile(r"^(\d{1,3}|[*†‡§]{1,3})[.)]?\s+")
_NOT_BODY = (BlockKind.FOOTNOTE, BlockKind.PULL_QUOTE)
_NUMBERED = re.compile(r"^\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s")


def render_text(layout: DocumentLayout) -> str:
    """The body in reading order, one block per paragraph, blank lines between.
    Footnotes, pull quotes (which repeat body text) and furniture are left out."""
    return "\n\n".join(b.text for b in layout.blocks if b.kind not in _NOT_BODY) + "\n"


def _markdown_block(block: Block) -> str:
    if block.kind is BlockKind.HEADING:
        return f"{'#' * (block.level or 1)} {block.text}"
    if block.kind is BlockKind.LIST_ITEM:
        return block.text if _NUMBERED.match(block.text) else f"- {block.text}"
    if block.kind is BlockKind.TABLE:
        rows = block.text.split("\n")
        width = max(row.count(" | ") for row in rows) + 1
        header, *body = [f"| {row} |" for row in rows]
        return "\n".join([header, "|" + " --- |" * width, *body])
    if block.kind is BlockKind.CAPTION:
        return f"*{block.text}*"
    if block.kind is BlockKind.PULL_QUOTE:
        return f"> {block.text}"
    return block.text


def render_markdown(layout: DocumentLayout) -> str:
    """Headings as #, list items as -, tables as Markdown tables, and each page's
    footnotes as [^n]: notes after its body."""
    parts: list[str] = []
    for page in layout.pages:
        if page.image_only:
            parts.append(f"<!-- page {page.number}: scanned image, no text layer -->")
        body = [b for b in page.blocks if b.kind is not BlockKind.FOOTNOTE]
        notes = [b for b in page.blocks if b.kind is BlockKind.FOOTNOTE]
        parts.extend(_markdown_block(b) for b in body)
        for note in notes:
            marker = _FOOTNOTE_MARKER.match(note.text)
            if marker:
                parts.append(f"[^{page.number}-{marker.group(1)}]: {note.text[marker.end():]}")
            else:
                parts.append(f"[^{page.number}]: {note.text}")
    return "\n\n".join(parts) + "\n"


def render(layout: DocumentLayout, fmt: str = "text") -> str:
    """``text``, ``json`` (``layout.to_dict()``) or ``markdown``."""
    if fmt == "text":
        return render_text(layout)
    if fmt == "json":
        return json.dumps(layout.to_dict(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "markdown":
        return render_markdown(layout)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
