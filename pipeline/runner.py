"""Corpus runs: discovery, per-document isolation, cache, parallel map, outputs.

One document's failure never stops a run: each document runs in a worker
process with a wall-clock timeout and a memory ceiling, and its error is
recorded with its path and reason. Results are cached per document in SQLite
inside the output folder, committed as each document finishes, so a killed
run resumes where it stopped. Outputs are written into a staging folder and
swapped in at the end, so a crash never leaves half-written outputs.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from pipeline import __version__
from pipeline.cache import ResultCache
from pipeline.config import Config
from pipeline.errors import (
    DocumentError,
    DocumentTimeoutError,
    DocumentTooLargeError,
    NotAPdfError,
    UsageError,
    WorkerCrashError,
)
from pipeline.types import DocumentMeta, DocumentResult

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
SNIFF_BYTES = 1024
CACHE_FILE = ".policygraph-cache.sqlite"
STAGES = ("extract", "segment", "recognise", "classify")


# --------------------------------------------------------------------------
# Discovery


@dataclass(frozen=True)
class Candidate:
    """A file found under the given paths; ``is_pdf`` by content or extension."""

    path: Path
    is_pdf: bool


def looks_like_pdf(path: Path) -> bool:
    """True when the PDF signature sits in the first kilobyte (as readers accept it)."""
    try:
        with path.open("rb") as handle:
            return PDF_MAGIC in handle.read(SNIFF_BYTES)
    except OSError:
        return False


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == root or root in resolved.parents for root in roots)


def discover(paths: Sequence[Path], *, follow_symlinks: bool = False) -> list[Candidate]:
    """Every regular file under ``paths`` (recursively), sorted, each once.

    Hidden files and folders are skipped. Symbolic links that lead outside the
    given paths are not followed unless ``follow_symlinks``.
    """
    roots = [p.resolve() for p in paths]
    seen: set[Path] = set()
    found: list[Candidate] = []

    def consider(file: Path) -> None:
        if file.is_symlink() and not follow_symlinks and not _inside(file, roots):
            log.warning("%s: symbolic link leads outside the given folders; not followed (use --follow-symlinks)", file)
            return
        real = file.resolve()
        if real in seen or not real.is_file():
            return
        seen.add(real)
        found.append(Candidate(file, looks_like_pdf(file) or file.suffix.lower() == ".pdf"))

    for given in paths:
        if not given.exists():
            raise UsageError(f"{given}: no such file or folder")
        if given.is_file():
            consider(given)
            continue
        for dirpath, dirnames, filenames in os.walk(given, followlinks=follow_symlinks):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    consider(Path(dirpath) / name)
    return found


def assign_doc_ids(paths: Sequence[Path]) -> list[str]:
    """Slugs of the file stems, made unique within the run (``-2``, ``-3`` ...)."""
    ids: list[str] = []
    used: set[str] = set()
    for path in paths:
        base = slugify(path.stem) or "document"
        doc_id, n = base, 1
        while doc_id in used:
            n += 1
            doc_id = f"{base}-{n}"
        used.add(doc_id)
        ids.append(doc_id)
    return ids


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_pages(path: Path) -> int:
    """Page count for progress, read cheaply with pdfium; 0 when it cannot tell."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return 0
    try:
        return len(pdf)
    finally:
        pdf.close()


# --------------------------------------------------------------------------
# Per-document work (runs in worker processes)


@dataclass(frozen=True)
class DocumentTask:
    path: str
    doc_id: str
    digest: str


_WORKER_STATE: dict[str, Any] = {}


def _nlp_for(config: Config):
    """The spaCy pipeline with the actor ruler, loaded once per process and config."""
    cached = _WORKER_STATE.get("nlp")
    if cached is not None and cached[0] == config.hash:
        return cached[1]
    from pipeline.recognise.actors import add_actor_ruler
    from pipeline.segment import load_nlp

    nlp = load_nlp(config.settings)
    add_actor_ruler(nlp, config.actors)
    _WORKER_STATE["nlp"] = (config.hash, nlp)
    return nlp


def _models_for(models_dir: str | None = None):
    """The trained classifiers, loaded once per process."""
    cached = _WORKER_STATE.get("models")
    if cached is None or cached[0] != models_dir:
        from pipeline.models import load_models

        cached = (models_dir, load_models(models_dir))
        _WORKER_STATE["models"] = cached
    return cached[1]


def process_document(
    path: str | Path,
    doc_id: str,
    config: Config,
    *,
    layout=None,
    timings: dict[str, float] | None = None,
    models_dir: str | None = None,
) -> DocumentResult:
    """Extract, segment, recognise and classify one document (in this process).

    ``layout`` skips extraction when a cached layout is at hand.
    """
    from pipeline.classify import classify_document
    from pipeline.extract import extract_document
    from pipeline.recognise.actors import actor_mentions
    from pipeline.recognise.recommendations import detect_recommendations
    from pipeline.segment import segment_layout

    timings = {} if timings is None else timings
    started = time.perf_counter()
    if layout is None:
        layout = extract_document(
            path,
            settings=config.settings["extract"],
            backend=config.get("extract.backend"),
            doc_id=doc_id,
        )
    timings["extract"] = time.perf_counter() - started

    started = time.perf_counter()
    nlp = _nlp_for(config)
    doc, sentences = segment_layout(layout, nlp, batch_size=config.get("segment.batch_size"))
    timings["segment"] = time.perf_counter() - started

    started = time.perf_counter()
    mentions = actor_mentions(doc, sentences, doc_id, config.actors)
    models = _models_for(models_dir)
    candidates = detect_recommendations(doc, sentences, mentions, models, config)
    timings["recognise"] = time.perf_counter() - started

    started = time.perf_counter()
    recommendations = classify_document(doc, sentences, candidates, mentions, layout, models, config)
    timings["classify"] = time.perf_counter() - started
    return DocumentResult(
        doc_id=doc_id,
        path=str(path),
        layout=layout,
        sentences=sentences,
        entities=tuple(mentions),
        recommendations=tuple(recommendations),
    )


def predict_paths(paths: Sequence[Path], config: Config, models_dir: str | None = None) -> list:
    """Recommendations for the PDFs under ``paths``, in this process (for ``evaluate``)."""
    candidates = [c for c in discover([Path(p) for p in paths]) if c.is_pdf]
    recommendations = []
    for candidate, doc_id in zip(candidates, assign_doc_ids([c.path for c in candidates])):
        result = process_document(candidate.path, doc_id, config, models_dir=models_dir)
        recommendations.extend(result.recommendations)
    return recommendations


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a decompression bomb fails fast."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_task(task: DocumentTask, config: Config, cached_layout: dict | None = None) -> dict[str, Any]:
    """Worker entry point: one document, every failure turned into a record.

    Returns a JSON-able dict so results cross process and cluster boundaries.
    """
    from pipeline.types import DocumentLayout

    timings: dict[str, float] = {}
    outcome: dict[str, Any] = {"doc_id": task.doc_id, "path": task.path, "timings": timings}
    try:
        max_pages = config.get("limits.max_pages")
        pages = count_pages(Path(task.path))
        if pages > max_pages:
            raise DocumentTooLargeError(task.path, f"it has {pages} pages, more than limits.max_pages = {max_pages}")
        layout = DocumentLayout.from_dict(cached_layout) if cached_layout else None
        result = process_document(task.path, task.doc_id, config, layout=layout, timings=timings)
        outcome["result"] = result.to_dict()
    except DocumentError as exc:
        outcome["error"] = {"code": exc.code, "message": str(exc)}
    except MemoryError:
        limit = config.get("limits.document_memory_mb")
        exc = DocumentTooLargeError(task.path, f"it needs more memory than limits.document_memory_mb = {limit}")
        outcome["error"] = {"code": exc.code, "message": str(exc)}
    except RecursionError:
        exc = DocumentTooLargeError(task.path, "its objects are nested too deeply to read")
        outcome["error"] = {"code": exc.code, "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one document's bug must not end the run; recorded with traceback
        outcome["error"] = {
            "code": "internal_error",
            "message": f"{task.path}: unexpected {type(exc).__name__}: {exc}. Please report this with the file",
            "traceback": traceback.format_exc(),
        }
    return outcome


def _init_worker(memory_mb: int) -> None:
    limit_memory(memory_mb)


# --------------------------------------------------------------------------
# Executors: each yields (task, outcome dict) as documents finish.


def _run_local(tasks: list[tuple[DocumentTask, dict | None]], config: Config, jobs: int) -> Iterator[tuple[DocumentTask, dict]]:
    """Worker processes with a per-document timeout and memory ceiling (pebble)."""
    import multiprocessing

    import pebble

    seconds = config.get("limits.document_seconds")
    memory_mb = config.get("limits.document_memory_mb")
    context = multiprocessing.get_context("spawn")
    with pebble.ProcessPool(max_workers=jobs, initializer=_init_worker, initargs=(memory_mb,), context=context) as pool:
        futures = {
            pool.schedule(run_task, args=(task, config, layout), timeout=seconds): task for task, layout in tasks
        }
        for future in concurrent.futures.as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except concurrent.futures.TimeoutError:
                exc: DocumentError = DocumentTimeoutError(
                    task.path, f"it took longer than limits.document_seconds = {seconds} s and was stopped"
                )
                outcome = {"doc_id": task.doc_id, "path": task.path, "error": {"code": exc.code, "message": str(exc)}}
            except pebble.ProcessExpired as expired:
                exc = WorkerCrashError(task.path, f"the worker process died (exit code {expired.exitcode}) while reading it")
                outcome = {"doc_id": task.doc_id, "path": task.path, "error": {"code": exc.code, "message": str(exc)}}
            yield task, outcome


def _run_dask(tasks: list[tuple[DocumentTask, dict | None]], config: Config, jobs: int, scheduler: str) -> Iterator[tuple[DocumentTask, dict]]:
    """The same per-document tasks on a Dask distributed cluster."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError("--executor dask needs the dask extra: pip install '.[dask]'") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {
            client.submit(run_task, task, config, layout, key=f"policygraph-{task.doc_id}-{task.digest[:12]}", pure=False): task
            for task, layout in tasks
        }
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------
# The run


@dataclass
class DocumentEntry:
    """One manifest entry."""

    path: str
    doc_id: str | None
    status: str  # ok | failed | skipped
    pages: int = 0
    cache_hit: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    error: dict[str, str] | None = None
    recommendations: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return data


@dataclass
class RunSummary:
    documents: int
    failed: int
    skipped: int
    recommendations: int
    actors: int
    measures: int
    seconds: float
    entries: list[DocumentEntry]
    out_dir: Path


def _versions(config: Config) -> dict[str, str]:
    """Versions that change results: read from package metadata, without importing spaCy."""
    from importlib.metadata import PackageNotFoundError, version

    from pipeline.models import model_version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    model = config.get("segment.model")
    return {
        "policygraph": __version__,
        "spacy": installed("spacy"),
        "spacy_model": f"{model} {installed(model.replace('_', '-'))}",
        "pdfplumber": installed("pdfplumber"),
        "pypdfium2": installed("pypdfium2"),
        "classifiers": model_version(),
    }


def run_corpus(
    paths: Sequence[Path],
    out_dir: Path,
    config: Config,
    *,
    use_cache: bool = True,
    scheduler: str | None = None,
    follow_symlinks: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    progress_stream=None,
) -> RunSummary:
    """Process every PDF under ``paths`` and write all outputs into ``out_dir``."""
    from pipeline.progress import Progress

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    candidates = discover(paths, follow_symlinks=follow_symlinks)
    pdfs = [c for c in candidates if c.is_pdf]
    doc_ids = assign_doc_ids([c.path for c in pdfs])
    versions = _versions(config)
    backend = config.get("extract.backend")
    extract_key = hashlib.sha256(
        json.dumps([config.settings["extract"], versions["policygraph"]], sort_keys=True).encode()
    ).hexdigest()[:16]
    result_key = hashlib.sha256(json.dumps([config.hash, versions], sort_keys=True).encode()).hexdigest()[:16]

    entries: dict[str, DocumentEntry] = {}
    for candidate in candidates:
        if not candidate.is_pdf:
            exc = NotAPdfError(candidate.path, "it does not start with the PDF signature %PDF-")
            entries[str(candidate.path)] = DocumentEntry(
                str(candidate.path), None, "skipped", error={"code": exc.code, "message": str(exc)}
            )

    results: dict[str, DocumentResult] = {}
    todo: list[tuple[DocumentTask, dict | None]] = []
    page_counts: dict[str, int] = {}
    with ResultCache(out_dir / CACHE_FILE) as cache:
        for candidate, doc_id in zip(pdfs, doc_ids):
            path = str(candidate.path)
            try:
                digest = file_digest(candidate.path)
            except OSError as exc:
                entries[path] = DocumentEntry(path, doc_id, "failed", error={"code": "unreadable", "message": f"{path}: cannot be read: {exc.strerror}"})
                continue
            task = DocumentTask(path=path, doc_id=doc_id, digest=digest)
            cached = cache.get_result(digest, result_key, doc_id) if use_cache else None
            if cached is not None:
                cached = dataclasses.replace(cached, path=path)
                results[doc_id] = cached
                entries[path] = DocumentEntry(path, doc_id, "ok", pages=len(cached.layout.pages), cache_hit=True,
                                              recommendations=len(cached.recommendations))
                continue
            layout = cache.get_layout(digest, extract_key, backend) if use_cache else None
            if layout is not None:
                layout = dict(layout, doc_id=doc_id, path=path)
            page_counts[path] = count_pages(candidate.path)
            todo.append((task, layout))

        jobs = int(config.get("run.jobs"))
        progress = Progress(
            total_docs=len(todo),
            total_pages=sum(page_counts.values()),
            quiet=quiet,
            stream=progress_stream,
        )
        if todo:
            if scheduler:
                stream = _run_dask(todo, config, jobs, scheduler)
            else:
                stream = _run_local(todo, config, jobs)
            with progress:
                for task, outcome in stream:
                    entry = _record_outcome(task, outcome, cache, digest_key=(extract_key, result_key, backend), results=results, verbose=verbose)
                    entries[task.path] = entry
                    progress.advance(task.doc_id, page_counts.get(task.path, 0), entry.status, entry.error)

    summary = write_outputs(out_dir, results, entries, config, versions, started)
    progress.summary(summary)
    return summary


def _record_outcome(task, outcome, cache, *, digest_key, results, verbose) -> DocumentEntry:
    extract_key, result_key, backend = digest_key
    timings = outcome.get("timings") or {}
    if "error" in outcome:
        error = dict(outcome["error"])
        if verbose and "traceback" in error:
            print(error["traceback"], file=sys.stderr)
        error.pop("traceback", None)
        return DocumentEntry(task.path, task.doc_id, "failed", seconds=timings, error=error)
    result = DocumentResult.from_dict(outcome["result"])
    cache.put(task.digest, extract_key, backend, result_key, result)
    results[task.doc_id] = result
    return DocumentEntry(task.path, task.doc_id, "ok", pages=len(result.layout.pages), seconds=timings,
                         recommendations=len(result.recommendations))


# --------------------------------------------------------------------------
# Outputs


def _jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def write_outputs(
    out_dir: Path,
    results: dict[str, DocumentResult],
    entries: dict[str, DocumentEntry],
    config: Config,
    versions: dict[str, str],
    started: float,
) -> RunSummary:
    """Build the corpus graph and write every output, swapped in at the end."""
    from pipeline.export import write_all
    from pipeline.graph import build_graph
    from pipeline.report import write_report

    ordered = [results[k] for k in sorted(results)]
    recommendations = [r for res in ordered for r in res.recommendations]
    documents: dict[str, DocumentMeta] = {res.doc_id: res.layout.meta for res in ordered}
    graph, recommendations = build_graph(recommendations, documents, config)

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        (staging / "documents").mkdir()
        for res in ordered:
            (staging / "documents" / f"{res.doc_id}.json").write_text(
                json.dumps(res.layout.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        (staging / "entities.jsonl").write_text(
            _jsonl(e.to_dict() for res in ordered for e in res.entities), encoding="utf-8"
        )
        write_all(graph, recommendations, staging)
        write_report(graph, recommendations, staging / "report.html")
        elapsed = time.perf_counter() - started
        entry_list = sorted(entries.values(), key=lambda e: e.path)
        manifest = {
            "program": "policygraph",
            "versions": versions,
            "config": {"source": config.source, "hash": config.hash, "backend": config.get("extract.backend")},
            "seconds": round(elapsed, 3),
            "documents": [e.to_dict() for e in entry_list],
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    measures = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "measure")
    actors = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "actor")
    entry_list = sorted(entries.values(), key=lambda e: e.path)
    return RunSummary(
        documents=sum(1 for e in entry_list if e.status != "skipped"),
        failed=sum(1 for e in entry_list if e.status == "failed"),
        skipped=sum(1 for e in entry_list if e.status == "skipped"),
        recommendations=len(recommendations),
        actors=actors,
        measures=measures,
        seconds=time.perf_counter() - started,
        entries=entry_list,
        out_dir=out_dir,
    )


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Move the staged outputs over the previous ones, each by an atomic rename."""
    for item in sorted(staging.iterdir()):
        target = out_dir / item.name
        if item.is_dir():
            old = None
            if target.exists():
                old = out_dir / f".old-{item.name}-{os.getpid()}"
                os.replace(target, old)
            os.replace(item, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(item, target)

