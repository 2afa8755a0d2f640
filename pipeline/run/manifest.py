"""The manifest: one entry per file of the run, the run's summary, and re-runs that change nothing.

When every document is cached, the documents, their bytes, the configuration
files and all versions equal the previous run's (one fingerprint in
``manifest.json``) and the previous outputs are intact (their hashes in the
manifest), the outputs are kept as they are and only the manifest is
rewritten: no spaCy, scikit-learn or graph code is loaded.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.atomic import atomic_write_text
from pipeline.cache import ResultCache
from pipeline.errors import DocumentError
from pipeline.run.context import RunContext
from pipeline.run.folder import MANIFEST, outputs_intact, read_manifest
from pipeline.types import DocumentLayout

if TYPE_CHECKING:  # planning builds entries from this module, so it is imported for types only
    from pipeline.run.planning import PlannedDocument


@dataclass(frozen=True)
class DocumentEntry:
    """One manifest entry."""

    path: str
    doc_id: str | None
    status: str  # ok | failed | skipped
    sha256: str | None = None
    pages: int = 0
    cache_hit: bool = False
    layout_cached: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    error: dict[str, str] | None = None
    recommendations: int = 0
    partial: bool = False  # read, but some pages' text was lost (scans without a text layer)
    pages_lost: list[int] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    traceback: str | None = None  # shown with --verbose; not written to the manifest

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("traceback")
        data["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentEntry:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class RunSummary:
    documents: int
    failed: int
    skipped: int
    cache_hits: int
    processed: int
    recommendations: int
    actors: int
    measures: int
    seconds: float
    outputs_reused: bool
    entries: list[DocumentEntry]
    out_dir: Path


def layout_warnings(layout: DocumentLayout) -> dict[str, Any]:
    """What a readable document lost: scanned pages without text, pages whose text layer is garbled."""
    scans, garbled = list(layout.image_only_pages), list(layout.garbled_pages)
    warnings = []
    if scans:
        warnings.append({
            "code": "partial", "pages": scans,
            "message": f"{len(scans)} of {len(layout.pages)} page(s) are scanned images without a text layer; "
            "their text is not read (OCR them, e.g. with ocrmypdf, and run again)",
        })
    if garbled:
        warnings.append({
            "code": "garbled_text", "pages": garbled,
            "message": f"the text layer of {len(garbled)} page(s) is garbled (OCR that read one script as another); "
            "it is kept in documents/ but not read for recommendations",
        })
    return {"partial": bool(scans), "pages_lost": scans, "warnings": warnings}


def entry_for_error(path: Path, doc_id: str | None, status: str, error: DocumentError) -> DocumentEntry:
    return DocumentEntry(str(path), doc_id, status, error={"code": error.code, "message": str(error)})


def summarise(
    entries: Sequence[DocumentEntry], *, processed: int, recommendations: int, actors: int, measures: int,
    started: float, outputs_reused: bool, out_dir: Path,
) -> RunSummary:
    """The run's summary: counts over ``entries`` (sorted by path) and over the outputs."""
    ordered = sorted(entries, key=lambda e: e.path)
    return RunSummary(
        documents=sum(1 for e in ordered if e.status != "skipped"),
        failed=sum(1 for e in ordered if e.status == "failed"),
        skipped=sum(1 for e in ordered if e.status == "skipped"),
        cache_hits=sum(1 for e in ordered if e.cache_hit),
        processed=processed,
        recommendations=recommendations,
        actors=actors,
        measures=measures,
        seconds=time.perf_counter() - started,
        outputs_reused=outputs_reused,
        entries=ordered,
        out_dir=out_dir,
    )


def build_manifest(context: RunContext, summary: RunSummary, outputs: dict[str, str]) -> dict[str, Any]:
    """The manifest of a run that wrote its outputs (``outputs``: relative path -> sha256)."""
    config = context.config
    return {
        "program": "policygraph",
        "versions": context.versions,
        "config": {"source": config.source, "hash": config.hash, "backend": config.get("extract.backend")},
        "run": {
            "fingerprint": context.fingerprint,
            "extract_key": context.keys.extract,
            "result_key": context.keys.result,
            "executor": context.executor,
            "jobs": context.jobs,
            "processed": summary.processed,
            "cache_hits": summary.cache_hits,
            "outputs_reused": False,
        },
        "totals": {
            "documents": summary.documents,
            "failed": summary.failed,
            "skipped": summary.skipped,
            "recommendations": summary.recommendations,
            "actors": summary.actors,
            "measures": summary.measures,
        },
        "seconds": round(summary.seconds, 3),
        "outputs": outputs,
        "documents": [e.to_dict() for e in summary.entries],
    }


def write_json_atomic(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def reusable_manifest(out_dir: Path, fingerprint: str, plan: Sequence[PlannedDocument], cache: ResultCache) -> dict | None:
    """The previous manifest when its outputs can stand for this run unchanged, else None."""
    previous = read_manifest(out_dir)
    try:
        run = previous["run"]  # type: ignore[index]
        if run["fingerprint"] != fingerprint:
            return None
        result_key = run["result_key"]
        entries = {e["path"]: e for e in previous["documents"]}  # type: ignore[index]
        for planned in plan:
            entry = entries[planned.path]
            if planned.decided is not None:
                continue
            if entry["status"] == "ok":
                if not cache.has_result(planned.digest, result_key):
                    return None
            elif entry["status"] != "failed" or cache.get_failure(planned.digest, result_key) is None:
                return None
        if not outputs_intact(out_dir, previous["outputs"]):  # type: ignore[index]
            return None
    except (KeyError, TypeError):
        return None
    return previous


def reuse_outputs(out_dir: Path, previous: dict[str, Any], plan: Sequence[PlannedDocument], started: float) -> RunSummary:
    """Keep the previous outputs for an unchanged re-run; only the manifest is rewritten."""
    by_path = {e["path"]: DocumentEntry.from_dict(e) for e in previous["documents"]}
    entries = []
    for planned in plan:
        entry = by_path[planned.path]
        if planned.decided is None:
            entry = dataclasses.replace(entry, cache_hit=True, seconds={})
        entries.append(entry)
    totals = previous.get("totals", {})
    summary = summarise(
        entries, processed=0, recommendations=int(totals.get("recommendations", 0)),
        actors=int(totals.get("actors", 0)), measures=int(totals.get("measures", 0)),
        started=started, outputs_reused=True, out_dir=out_dir,
    )
    manifest = dict(previous)
    manifest["run"] = dict(previous["run"], processed=0, cache_hits=summary.cache_hits, outputs_reused=True)
    manifest["seconds"] = round(summary.seconds, 3)
    manifest["documents"] = [e.to_dict() for e in summary.entries]
    write_json_atomic(out_dir / MANIFEST, manifest)
    return summary
