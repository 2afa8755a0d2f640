"""What each document held: ``entities.jsonl`` (its entity and actor mentions) and ``documents/<doc_id>.json``
(its extracted layout, with the context read from its cover under ``context``), written from the per-document
results in doc id order."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pipeline.export.common import atomic_write_text, read_jsonl_records
from pipeline.types import DocumentLayout, DocumentResult, EntityMention


def write_entities(results: Iterable[DocumentResult], path: str | Path) -> Path:
    lines = [
        json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        for result in results for entity in result.entities
    ]
    return atomic_write_text(path, "".join(lines))


def read_entities(path: str | Path) -> list[EntityMention]:
    return read_jsonl_records(path, EntityMention.from_dict, "an entity mention record")


def write_documents(results: Iterable[DocumentResult], folder: str | Path) -> list[Path]:
    """One ``<doc_id>.json`` per document in ``folder``; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        atomic_write_text(folder / f"{result.doc_id}.json", json.dumps(_document_record(result), ensure_ascii=False, indent=1))
        for result in results
    ]


def _document_record(result: DocumentResult) -> dict:
    """The layout's keys, with the document's context before its pages (a reader of layouts ignores it)."""
    layout = result.layout.to_dict()
    pages = layout.pop("pages")
    return {**layout, "context": result.context.to_dict(), "pages": pages}


def read_documents(folder: str | Path) -> dict[str, DocumentLayout]:
    """The layouts in ``folder`` by doc id (the file stem)."""
    layouts = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            layouts[path.stem] = DocumentLayout.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: expected a document layout written by a run ({exc})") from None
    return layouts
