"""The per-document task, as it runs in a worker process: the stages, the document's clock, the memory ceiling.

Each document runs in a worker process with a wall-clock timeout and an
address-space ceiling (``limits`` in the settings); a document that exceeds
them is recorded with its path, its reason and the stage it was in, and the
run goes on. Workers load spaCy and the classifiers before taking documents,
so the timeout measures the document alone. The stages themselves are
``pipeline.stages.analyse_document``, shared with training.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import resource
import signal
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline import registry
from pipeline.config import Config
from pipeline.errors import DocumentError, DocumentTimeoutError, DocumentTooLargeError
from pipeline.run.discovery import discover
from pipeline.run.planning import DocumentTask, assign_doc_ids, count_pages
from pipeline.types import DocumentLayout, DocumentResult

log = logging.getLogger(__name__)

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
    layout: DocumentLayout | None = None,
    timings: dict[str, float] | None = None,
    models_dir: str | None = None,
) -> DocumentResult:
    """Extract, segment, recognise and classify one document (in this process).

    ``layout`` skips extraction when a cached layout is at hand.
    """
    from pipeline.stages import analyse_document

    return analyse_document(path, doc_id, config, _nlp_for(config), _models_for(models_dir), layout=layout, timings=timings)


def predict_paths(paths: Sequence[Path], config: Config, models_dir: str | None = None) -> list:
    """Recommendations for the PDFs under ``paths``, in this process (for ``evaluate``)."""
    candidates = [c for c in discover([Path(p) for p in paths]) if c.is_pdf]
    recommendations = []
    for candidate, doc_id in zip(candidates, assign_doc_ids([c.path for c in candidates])):
        result = process_document(candidate.path, doc_id, config, models_dir=models_dir)
        recommendations.extend(result.recommendations)
    return recommendations


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a decompression bomb fails fast instead of swapping."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _exhausted_memory(exc: BaseException) -> bool:
    """A MemoryError anywhere in the chain: PDF readers wrap it in their own errors."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, MemoryError):
            return True
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
    return False


def error_record(exc: DocumentError, trace: str | None = None) -> dict[str, str]:
    """A document's failure as the manifest records it (the traceback is shown only with --verbose)."""
    record = {"code": exc.code, "message": str(exc)}
    if trace:
        record["traceback"] = trace
    return record


# the order in which a document's timings are recorded
DOCUMENT_STAGES = tuple(name for name, stage in registry.STAGES.items() if stage.per_document)


def _running_stage(timings: dict[str, float], layout_cached: bool) -> str:
    """The stage a document was in: the first one that has not recorded its time."""
    for stage in DOCUMENT_STAGES:
        if stage == "extract" and layout_cached:
            continue
        if stage not in timings:
            return stage
    return "classify"


class _ClockExpired(BaseException):
    """The document's time is up. A BaseException, like KeyboardInterrupt, so that no library's
    ``except Exception`` (pdfminer wraps its errors) can take it for one of its own."""


@contextlib.contextmanager
def _document_clock(seconds: float) -> Iterator[None]:
    """Raise _ClockExpired once ``seconds`` have passed (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # no signals off the main thread: the executor's own timeout applies
        return

    def expire(signum: int, frame: Any) -> None:
        raise _ClockExpired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_task(task: DocumentTask, config: Config, cached_layout: dict | None = None) -> dict[str, Any]:
    """Worker entry point: one document, every failure turned into a record.

    Returns a JSON-able dict so results cross process and cluster boundaries.
    """
    timings: dict[str, float] = {}
    outcome: dict[str, Any] = {"doc_id": task.doc_id, "path": task.path, "timings": timings, "pages": 0}
    stage = functools.partial(_running_stage, timings, cached_layout is not None)
    seconds = config.get("limits.document_seconds")
    try:
        with _document_clock(seconds):
            _run_stages(task, config, cached_layout, timings, outcome)
    except _ClockExpired:
        exc = DocumentTimeoutError(
            task.path, f"it took longer than limits.document_seconds = {seconds} s (in the {stage()} stage) and was stopped"
        )
        outcome["error"] = error_record(exc, traceback.format_exc())
    except DocumentError as exc:
        trace = traceback.format_exc()
        if _exhausted_memory(exc):
            exc = _too_large_for_memory(task.path, config, stage())
        outcome["error"] = error_record(exc, trace)
    except MemoryError:
        outcome["error"] = error_record(_too_large_for_memory(task.path, config, stage()), traceback.format_exc())
    except RecursionError:
        exc = DocumentTooLargeError(task.path, f"its objects are nested too deeply to read (in the {stage()} stage)")
        outcome["error"] = error_record(exc, traceback.format_exc())
    except Exception as exc:  # noqa: BLE001 - one document's bug must not end the run; recorded with traceback
        outcome["error"] = {
            "code": "internal_error",
            "message": f"{task.path}: unexpected {type(exc).__name__}: {exc} (in the {stage()} stage). Please report "
            "this with the file (run with --verbose for the traceback)",
            "traceback": traceback.format_exc(),
        }
    return outcome


def _run_stages(
    task: DocumentTask, config: Config, cached_layout: dict | None, timings: dict[str, float], outcome: dict[str, Any],
) -> None:
    """One document's stages in this process; the result goes into ``outcome``."""
    layout = None
    if cached_layout is not None:
        layout = DocumentLayout.from_dict(cached_layout)
        outcome["pages"] = len(layout.pages)
    else:
        pages = count_pages(Path(task.path))
        outcome["pages"] = pages
        max_pages = config.get("limits.max_pages")
        if pages > max_pages:
            raise DocumentTooLargeError(task.path, f"it has {pages} pages, more than limits.max_pages = {max_pages}")
    result = process_document(task.path, task.doc_id, config, layout=layout, timings=timings)
    outcome["pages"] = len(result.layout.pages)
    outcome["result"] = result.to_dict()


def _too_large_for_memory(path: str, config: Config, stage: str) -> DocumentTooLargeError:
    limit = config.get("limits.document_memory_mb")
    return DocumentTooLargeError(
        path, f"reading it needs more memory than limits.document_memory_mb = {limit} MB allows (in the {stage} stage)"
    )


def init_worker(memory_mb: int, config: Config) -> None:
    """Cap the worker's memory, then load the models before any document's clock starts."""
    limit_memory(memory_mb)
    # pdfminer warns about every damaged stream it recovers from; the manifest says what failed
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        _nlp_for(config)
        _models_for(None)
    except Exception:  # noqa: BLE001 - the first document loads again and records the failure with its path
        log.debug("preloading the models failed; the first document will report why", exc_info=True)
