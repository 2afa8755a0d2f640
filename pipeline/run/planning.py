"""Planning: what each file of a run needs, and what the cache already holds.

PDFs get doc ids (slugs of their stems, made unique) and their bytes' hashes;
everything that will not be read gets its manifest entry at once. Cached
results and failures are looked up under the run's keys and rebound to this
run's doc ids; the rest become tasks, with a cached layout when there is one.
Typed failures that would recur (corrupt, encrypted ...) are cached too;
timeouts and crashes are retried.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slugify import slugify

from pipeline.cache import CachedFailure, CacheError, ResultCache, hash_file
from pipeline.errors import NotAPdfError, UnreadableFileError
from pipeline.run.discovery import Candidate
from pipeline.run.folder import CACHE_FILE
from pipeline.run.manifest import DocumentEntry, entry_for_error, layout_warnings
from pipeline.run.versions import CacheKeys
from pipeline.types import DocumentResult

log = logging.getLogger(__name__)

# documents/<doc_id>.json must fit a file name (255 bytes) with room for a -N suffix
DOC_ID_MAX = 200
# Failures that come back every time for the same bytes and settings; the rest
# (timeouts, crashes, bugs) may pass on another try and are not cached.
CACHEABLE_FAILURES = frozenset({"empty_file", "not_a_pdf", "encrypted", "corrupt", "image_only", "no_text", "too_large"})


@dataclass(frozen=True)
class DocumentTask:
    """A PDF to process, as it crosses to a worker process or a Dask worker."""

    path: str
    doc_id: str
    digest: str
    size: int


# each task with the layout dict the cache holds for its bytes, if any
Todo = list[tuple[DocumentTask, dict | None]]


def doc_id_base(path: Path) -> str:
    """The file stem as a slug: lower-case ASCII letters, digits and dashes; never empty."""
    return slugify(path.stem, max_length=DOC_ID_MAX) or "document"


def assign_doc_ids(paths: Sequence[Path]) -> list[str]:
    """Slugs of the file stems, made unique within the run (``-2``, ``-3`` ...)."""
    ids: list[str] = []
    used: set[str] = set()
    for path in paths:
        base = doc_id_base(path)
        doc_id, n = base, 1
        while doc_id in used:
            n += 1
            doc_id = f"{base}-{n}"
        used.add(doc_id)
        ids.append(doc_id)
    return ids


def count_pages(path: Path) -> int:
    """Page count, read cheaply with pdfium; 0 when it cannot tell (extraction then says why)."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return 0
    try:
        return len(pdf)
    finally:
        pdf.close()


@dataclass(frozen=True)
class PlannedDocument:
    """A file of the run: a PDF to look up or process, or an entry already decided."""

    path: str
    doc_id: str | None
    digest: str | None
    size: int = 0
    decided: DocumentEntry | None = None


def plan_documents(candidates: Sequence[Candidate], cache: ResultCache | None) -> list[PlannedDocument]:
    """Doc ids and bytes' hashes for the PDFs; entries for everything that will not be read."""
    plan: list[PlannedDocument] = []
    pdfs = [c for c in candidates if c.is_pdf]
    ids = dict(zip((c.path for c in pdfs), assign_doc_ids([c.path for c in pdfs])))
    for candidate in candidates:
        path = candidate.path
        if candidate.refusal is not None:
            plan.append(PlannedDocument(str(path), None, None, decided=entry_for_error(path, None, "skipped", candidate.refusal)))
        elif not candidate.is_pdf:
            error = NotAPdfError(path, "it is neither named .pdf nor starts with the PDF signature %PDF-")
            status = "failed" if candidate.given else "skipped"
            plan.append(PlannedDocument(str(path), None, None, decided=entry_for_error(path, None, status, error)))
        else:
            doc_id = ids[path]
            try:
                digest = cache.digest_of(path) if cache is not None else hash_file(path)
                size = path.stat().st_size
            except OSError as exc:
                error = UnreadableFileError(path, f"the file cannot be read ({exc.strerror})")
                plan.append(PlannedDocument(str(path), doc_id, None, decided=entry_for_error(path, doc_id, "failed", error)))
                continue
            plan.append(PlannedDocument(str(path), doc_id, digest, size))
    return plan


def rebind(result: DocumentResult, doc_id: str, path: str) -> DocumentResult:
    """A cached result under this run's doc id and path (the same bytes may have been renamed)."""
    if result.doc_id == doc_id and result.path == path:
        return result
    old_prefix = f"{result.doc_id}:"

    def new_id(record_id: str) -> str:
        return f"{doc_id}:{record_id[len(old_prefix):]}" if record_id.startswith(old_prefix) else record_id

    return dataclasses.replace(
        result,
        doc_id=doc_id,
        path=path,
        layout=dataclasses.replace(result.layout, doc_id=doc_id, path=path),
        entities=tuple(dataclasses.replace(e, doc_id=doc_id) for e in result.entities),
        recommendations=tuple(dataclasses.replace(r, doc_id=doc_id, id=new_id(r.id)) for r in result.recommendations),
    )


@contextlib.contextmanager
def open_cache(out_dir: Path) -> Iterator[ResultCache]:
    """The folder's cache; a damaged database is set aside and a new one started."""
    path = out_dir / CACHE_FILE
    try:
        cache = ResultCache(path).__enter__()
    except CacheError as exc:
        if not exc.damaged:
            raise
        aside = path.with_name(f"{path.name}.damaged-{uuid.uuid4().hex[:8]}")
        log.warning("%s; moved aside to %s, starting an empty cache", exc, aside.name)
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        cache = ResultCache(path).__enter__()
    try:
        yield cache
    finally:
        cache.__exit__(None, None, None)


def look_up(
    plan: Sequence[PlannedDocument], cache: ResultCache, keys: CacheKeys, use_cache: bool
) -> tuple[dict[str, DocumentResult], dict[str, DocumentEntry], Todo]:
    """Cached results and failures; the rest become tasks (with a cached layout when there is one)."""
    results: dict[str, DocumentResult] = {}
    entries: dict[str, DocumentEntry] = {}
    todo: Todo = []
    for planned in plan:
        if planned.decided is not None:
            entries[planned.path] = planned.decided
            continue
        assert planned.doc_id is not None and planned.digest is not None
        if use_cache:
            cached = cache.get_result(planned.digest, keys.result)
            if cached is not None:
                result = rebind(cached, planned.doc_id, planned.path)
                results[planned.doc_id] = dataclasses.replace(result, sentences=())
                entries[planned.path] = DocumentEntry(
                    planned.path, planned.doc_id, "ok", planned.digest, pages=len(result.layout.pages),
                    cache_hit=True, recommendations=len(result.recommendations), **layout_warnings(result.layout),
                )
                continue
            failure = cache.get_failure(planned.digest, keys.result)
            if failure is not None:
                entries[planned.path] = DocumentEntry(
                    planned.path, planned.doc_id, "failed", planned.digest, cache_hit=True,
                    error={"code": failure.code, "message": f"{planned.path}: {failure.reason}"},
                )
                continue
        layout = cache.get_layout(planned.digest, keys.extract) if use_cache else None
        if layout is not None:
            layout = dict(layout, doc_id=planned.doc_id, path=planned.path)
        todo.append((DocumentTask(planned.path, planned.doc_id, planned.digest, planned.size), layout))
    return results, entries, todo


def record_outcome(
    task: DocumentTask, outcome: dict[str, Any], cache: ResultCache, keys: CacheKeys,
    results: dict[str, DocumentResult], *, layout_cached: bool,
) -> DocumentEntry:
    """A worker's outcome into the cache (results, and failures that would recur), ``results`` and an entry."""
    timings = outcome.get("timings") or {}
    pages = int(outcome.get("pages") or 0)
    if "error" in outcome:
        error = dict(outcome["error"])
        trace = error.pop("traceback", None)
        if error["code"] in CACHEABLE_FAILURES:
            reason = error["message"].removeprefix(f"{task.path}: ")
            cache.put_failure(task.digest, keys.result, CachedFailure(error["code"], reason))
        return DocumentEntry(task.path, task.doc_id, "failed", task.digest, pages=pages, layout_cached=layout_cached,
                             seconds=timings, error=error, traceback=trace)
    result = DocumentResult.from_dict(outcome["result"])
    cache.put(task.digest, keys.extract, keys.result, result)
    # the outputs need no sentences; a large corpus should not hold them all
    results[task.doc_id] = dataclasses.replace(result, sentences=())
    return DocumentEntry(task.path, task.doc_id, "ok", task.digest, pages=len(result.layout.pages), layout_cached=layout_cached,
                         seconds=timings, recommendations=len(result.recommendations), **layout_warnings(result.layout))
