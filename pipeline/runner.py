"""Corpus runs: discovery, per-document isolation, cache, parallel map, outputs.

Decisions a user can rely on:

* **Discovery.** Every regular file under the given paths is considered,
  hidden files and folders excepted; a file is a PDF when its first kilobyte
  holds ``%PDF-`` or its name ends in ``.pdf``. Other files found in folders
  get a manifest entry with status ``skipped`` and code ``not_a_pdf`` and do
  not make the run fail; a non-PDF named on the command line is a failure.
  Symbolic links that lead outside the given paths are not followed (entry
  ``skipped``, code ``symlink_outside``) unless ``follow_symlinks``; followed
  folder links are visited once, so cycles end. The output folder is never
  read as input.
* **Isolation.** Each document runs in a worker process with a wall-clock
  timeout and an address-space ceiling (``limits`` in the settings); a
  document that exceeds them, or kills its worker, is recorded with its path
  and reason and the run goes on. Workers load spaCy and the classifiers
  before taking documents, so the timeout measures the document alone.
* **Cache.** Per-document results are cached in SQLite in the output folder
  (``pipeline.cache``), committed as each document finishes, keyed by the
  PDF bytes' hash and by the configuration and program versions (including a
  hash of the source of the stages that produce them, so an edited checkout
  never reuses stale results). Layouts have their own, narrower key, so a
  taxonomy change redoes recognition but not extraction. Typed failures that
  would recur (corrupt, encrypted ...) are cached too; timeouts and crashes
  are retried.
* **Unchanged re-runs.** When every document is cached, the documents, their
  bytes, the configuration files and all versions equal the previous run's
  (one fingerprint in ``manifest.json``) and the previous outputs are intact
  (their hashes in the manifest), the outputs are kept as they are and only
  the manifest is rewritten: no spaCy, scikit-learn or graph code is loaded,
  and the configuration is not even validated (its bytes are those of a run
  that validated it).
* **Crash safety.** Outputs are written to a staging folder inside the
  output folder, synced, marked complete and then renamed over the previous
  ones, the manifest last. A run killed before the mark leaves the previous
  outputs untouched; one killed during the renames is completed by the next
  run. A lock file keeps two runs from writing one folder at once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import dataclasses
import fcntl
import functools
import hashlib
import json
import logging
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from slugify import slugify

from pipeline import __version__
from pipeline.atomic import atomic_write_text, fsync_folder
from pipeline.cache import CachedFailure, CacheError, ResultCache, hash_file
from pipeline.config import DEFAULT_CONFIG_DIR, DEFAULT_SETTINGS, Config, load_config, read_yaml, validate_settings
from pipeline.errors import (
    ConfigError,
    DocumentError,
    DocumentTimeoutError,
    DocumentTooLargeError,
    BrokenLinkError,
    NotAPdfError,
    SymlinkOutsideError,
    UnreadableFileError,
    OutputError,
    UsageError,
    WorkerCrashError,
)
from pipeline.terminal import printable
from pipeline.types import DocumentLayout, DocumentMeta, DocumentResult

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
SNIFF_BYTES = 1024
CACHE_FILE = ".policygraph-cache.sqlite"
LOCK_FILE = ".policygraph.lock"
MANIFEST = "manifest.json"
STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-"
COMPLETE_MARKER = ".complete"
DASK_SCRATCH = ".dask-scratch"
# documents/<doc_id>.json must fit a file name (255 bytes) with room for a -N suffix
DOC_ID_MAX = 200
# Failures that come back every time for the same bytes and settings; the rest
# (timeouts, crashes, bugs) may pass on another try and are not cached.
CACHEABLE_FAILURES = frozenset({"empty_file", "not_a_pdf", "encrypted", "corrupt", "image_only", "no_text", "too_large"})
PACKAGE_DIR = Path(__file__).resolve().parent
# Source whose change alters extracted layouts: the extract stage and its records.
EXTRACT_SOURCES = ("extract", "types.py", "errors.py")
# Source whose change alters a document's results; the graph, exporters and report
# only shape the outputs, which the run's fingerprint covers (the whole package).
RESULT_SOURCES = (
    *EXTRACT_SOURCES, "segment.py", "recognise", "classify", "taxonomy", "config.py", "models.py", "runner.py",
)


# --------------------------------------------------------------------------
# Configuration, loaded only when documents need work


@dataclass(frozen=True)
class ConfigSource:
    """Where the configuration comes from; validated (``load``) only when documents need work.

    Validating the taxonomies imports spaCy, which alone costs seconds; a re-run
    that changes nothing only needs to know that no configuration input changed.
    """

    path: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, path: str | Path | None, overrides: dict[str, Any] | None = None) -> ConfigSource:
        return cls(None if path is None else str(path), tuple(sorted((overrides or {}).items())))

    def load(self) -> Config:
        return _load_config(self)

    def settings(self) -> dict[str, Any]:
        """The settings as ``load_config`` merges them.

        When they do not have the defaults' shape, the configuration is loaded
        properly instead, which names the file and entry at fault.
        """
        raw = _raw_settings(self)
        if raw is None or not _same_shape(raw[0], read_yaml(DEFAULT_SETTINGS)):
            return self.load().settings
        try:
            return validate_settings(raw[0], {})
        except ConfigError:
            return self.load().settings  # which names the file and the entry at fault

    def fingerprint(self) -> str | None:
        """A hash of every configuration input (settings, files' bytes); None when one cannot be read."""
        raw = _raw_settings(self)
        if raw is None:
            return None
        settings, files = raw
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
        for file in files:
            try:
                data = file.read_bytes()
            except OSError:
                return None
            digest.update(str(file.resolve()).encode() + b"\0" + data)
        return digest.hexdigest()[:16]


def _load_config(source: ConfigSource) -> Config:
    return load_config(source.path, dict(source.overrides))


def _merge_over(base: dict[str, Any], given: dict[str, Any]) -> None:
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_over(base[key], value)
        else:
            base[key] = value


def _same_shape(given: Any, default: Any) -> bool:
    """The same keys and value types as the defaults (an int where a float is expected is fine)."""
    if isinstance(default, dict):
        return isinstance(given, dict) and given.keys() == default.keys() and all(
            _same_shape(given[k], default[k]) for k in default
        )
    if isinstance(default, bool) or isinstance(given, bool):
        return isinstance(given, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(given, (int, float))
    return isinstance(given, type(default))


def _raw_settings(source: ConfigSource) -> tuple[dict[str, Any], tuple[Path, ...]] | None:
    """Settings merged like ``load_config`` does, without validation, and the files they name.

    None when anything is odd; the caller then loads the configuration properly,
    which reports the problem as a ConfigError.
    """
    try:
        defaults = read_yaml(DEFAULT_SETTINGS)
        settings = copy.deepcopy(defaults)
        files = [DEFAULT_SETTINGS]
        bases = {key: DEFAULT_CONFIG_DIR for key in defaults["paths"]}
        if source.path is not None:
            user_file = Path(source.path)
            user = read_yaml(user_file) or {}
            _merge_over(settings, user)
            files.append(user_file)
            for key in user.get("paths") or {}:
                bases[key] = user_file.resolve().parent
        for dotted, value in source.overrides:
            section, key = dotted.split(".", 1)
            settings[section][key] = value
        named = []
        for key in sorted(settings["paths"]):
            candidate = Path(settings["paths"][key])
            named.append(candidate if candidate.is_absolute() else bases[key] / candidate)
    except (ConfigError, KeyError, TypeError, AttributeError, ValueError):
        return None
    return settings, tuple(files + named)


# --------------------------------------------------------------------------
# Discovery


@dataclass(frozen=True)
class Candidate:
    """A file found under the given paths."""

    path: Path
    is_pdf: bool
    given: bool = False  # named on the command line rather than found in a folder
    refusal: DocumentError | None = None  # why it is not read at all (a link leading outside)


def looks_like_pdf(path: Path) -> bool:
    """True when the PDF signature sits in the first kilobyte (as readers accept it)."""
    try:
        with path.open("rb") as handle:
            return PDF_MAGIC in handle.read(SNIFF_BYTES)
    except OSError:
        return False


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    """``path`` (resolved) is one of ``roots`` or lies below one."""
    return any(path == root or root in path.parents for root in roots)


@dataclass
class _Discovery:
    roots: list[Path]
    excluded: list[Path]
    follow_symlinks: bool
    found: list[Candidate] = field(default_factory=list)
    seen_files: set[Path] = field(default_factory=set)
    seen_dirs: set[Path] = field(default_factory=set)

    def add_file(self, path: Path, *, given: bool = False) -> None:
        real = path.resolve()
        if real in self.seen_files:
            return
        self.seen_files.add(real)
        self.found.append(Candidate(path, path.suffix.lower() == ".pdf" or looks_like_pdf(path), given))

    def refuse(self, path: Path, error: DocumentError) -> None:
        log.warning("%s", error)
        self.found.append(Candidate(path, False, refusal=error))

    def visit_dir(self, folder: Path) -> None:
        real = folder.resolve()
        if real in self.seen_dirs or _inside(real, self.excluded):
            return
        self.seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            self.refuse(folder, UnreadableFileError(folder, f"the folder cannot be listed ({exc.strerror})"))
            return
        visible = [entry for entry in entries if not entry.name.startswith(".")]
        for entry in visible:
            if entry.is_dir(follow_symlinks=False):
                self.visit_dir(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                self.add_file(Path(entry.path))
            # sockets, pipes and devices are not documents (a pipe would block a reader)
        # links last, so that a file reached both ways keeps its own name
        for entry in visible:
            if entry.is_symlink():
                self.visit_link(Path(entry.path))

    def visit_link(self, link: Path) -> None:
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):
            self.refuse(link, BrokenLinkError(link, "the symbolic link leads to nothing"))
            return
        if not self.follow_symlinks and not _inside(target, self.roots):
            self.refuse(link, SymlinkOutsideError(link, f"the symbolic link leads to {target}, outside the given paths, and is not followed"))
            return
        if target.is_dir():
            self.visit_dir(link)
        elif target.is_file():
            self.add_file(link)


def check_given_paths(paths: Sequence[Path]) -> None:
    """Every path named on the command line exists and is a file or a folder."""
    for given in map(Path, paths):
        if not given.exists():
            raise UsageError(f"{given}: no such file or folder; pass PDF files or folders that hold them")
        if not (given.is_dir() or given.is_file()):
            raise UsageError(f"{given}: not a regular file or folder; pass PDF files or folders that hold them")


def discover(paths: Sequence[Path], *, follow_symlinks: bool = False, exclude: Sequence[Path] = ()) -> list[Candidate]:
    """Every regular file under ``paths`` (recursively), in sorted order, each once.

    Hidden files and folders are skipped, and so are folders in ``exclude``
    (the output folder) unless they are themselves one of ``paths``.
    """
    given_paths = [Path(p) for p in paths]
    check_given_paths(given_paths)
    roots = [p.resolve() for p in given_paths]
    excluded = [e.resolve() for e in map(Path, exclude) if e.resolve() not in roots]
    walk = _Discovery(roots=roots, excluded=excluded, follow_symlinks=follow_symlinks)
    for given in given_paths:
        if given.is_dir():
            walk.visit_dir(given)
        else:
            walk.add_file(given, given=True)
    return walk.found


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


# --------------------------------------------------------------------------
# Versions and cache keys


def _short_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@functools.cache
def source_digest(*parts: str) -> str:
    """A hash of the package's files (or of the named parts), trained models aside."""
    tops = [PACKAGE_DIR / part for part in parts] if parts else [PACKAGE_DIR]
    files: list[Path] = []
    for top in tops:
        if top.is_file():
            files.append(top)
            continue
        for path in top.rglob("*"):
            relative = path.relative_to(PACKAGE_DIR).parts
            if path.is_file() and "__pycache__" not in relative and relative[0] != "models":
                files.append(path)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def program_versions(model_package: str) -> dict[str, str]:
    """Versions that change results, from package metadata (without importing the libraries)."""
    from importlib.metadata import PackageNotFoundError, version

    from pipeline.models import model_version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "policygraph": __version__,
        "policygraph_source": source_digest(),
        "spacy": installed("spacy"),
        "spacy_model": f"{model_package} {installed(model_package.replace('_', '-'))}",
        "pdfplumber": installed("pdfplumber"),
        "pdfminer.six": installed("pdfminer.six"),
        "pypdfium2": installed("pypdfium2"),
        "scikit-learn": installed("scikit-learn"),
        "networkx": installed("networkx"),
        "classifiers": model_version(),
    }


@dataclass(frozen=True)
class CacheKeys:
    extract: str  # layouts: extraction settings, extract code, PDF libraries
    result: str  # results: the whole configuration and every version


def cache_keys(config: Config, versions: dict[str, str]) -> CacheKeys:
    extract = _short_hash(
        [config.settings["extract"], source_digest(*EXTRACT_SOURCES), versions["pdfplumber"],
         versions["pdfminer.six"], versions["pypdfium2"]]
    )
    per_document = {k: v for k, v in versions.items() if k != "policygraph_source"}
    return CacheKeys(extract=extract, result=_short_hash([config.hash, per_document, source_digest(*RESULT_SOURCES)]))


# --------------------------------------------------------------------------
# Per-document work (runs in worker processes)


@dataclass(frozen=True)
class DocumentTask:
    path: str
    doc_id: str
    digest: str
    size: int


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


def _error_record(exc: DocumentError, trace: str | None = None) -> dict[str, str]:
    record = {"code": exc.code, "message": str(exc)}
    if trace:
        record["traceback"] = trace
    return record


STAGES = ("extract", "segment", "recognise", "classify")
# The worker's own clock stops a document first and names the stage; the
# executor kills the worker this much later, should C code not let go.
KILL_GRACE_SECONDS = 10


def _running_stage(timings: dict[str, float], layout_cached: bool) -> str:
    """The stage a document was in: the first one that has not recorded its time."""
    for stage in STAGES:
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
        outcome["error"] = _error_record(exc, traceback.format_exc())
    except DocumentError as exc:
        trace = traceback.format_exc()
        if _exhausted_memory(exc):
            exc = _too_large_for_memory(task.path, config, stage())
        outcome["error"] = _error_record(exc, trace)
    except MemoryError:
        outcome["error"] = _error_record(_too_large_for_memory(task.path, config, stage()), traceback.format_exc())
    except RecursionError:
        exc = DocumentTooLargeError(task.path, f"its objects are nested too deeply to read (in the {stage()} stage)")
        outcome["error"] = _error_record(exc, traceback.format_exc())
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


def _init_worker(memory_mb: int, config: Config) -> None:
    """Cap the worker's memory, then load the models before any document's clock starts."""
    limit_memory(memory_mb)
    # pdfminer warns about every damaged stream it recovers from; the manifest says what failed
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        _nlp_for(config)
        _models_for(None)
    except Exception:  # noqa: BLE001 - the first document loads again and records the failure with its path
        log.debug("preloading the models failed; the first document will report why", exc_info=True)


def _check_output_rules(config: Config) -> None:
    """Validate the configuration files that only the graph stage reads (contradictions.yaml)."""
    from pipeline.graph import rules_for

    rules_for(config)


def _preload_output_stages(config: Config) -> None:
    """Import the graph and export stages and load the graph's lemmatiser while workers read.

    The main process waits idle while the documents are processed; doing this
    work then, instead of after the last document, takes seconds off every run.
    """
    try:
        import pipeline.export  # noqa: F401 - imported for its load time
        import pipeline.report  # noqa: F401 - imported for its load time
        from pipeline.graph import spacy_lemmatiser

        spacy_lemmatiser(str(config.get("segment.model")))
    except Exception:  # noqa: BLE001 - writing the outputs loads them again and reports what failed
        log.debug("preloading the output stages failed; writing the outputs will report why", exc_info=True)


# --------------------------------------------------------------------------
# Executors: each yields (task, outcome dict) as documents finish.

Todo = list[tuple[DocumentTask, dict | None]]


def _failure(task: DocumentTask, exc: DocumentError) -> dict[str, Any]:
    return {"doc_id": task.doc_id, "path": task.path, "pages": 0, "timings": {}, "error": _error_record(exc)}


# Set for the worker processes (they inherit the environment when started): one
# thread each, since parallelism comes from processes, and few malloc arenas,
# since every thread's stack and arena counts against the address-space ceiling.
WORKER_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2",
}


def _limited_pool(config: Config, workers: int):
    """Worker processes that start once, load the models, and run each document within the limits."""
    import multiprocessing

    import pebble

    for name, value in WORKER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)  # a user's own setting wins
    # spawn, not fork: a fresh interpreter per worker, no inherited locks or threads
    return pebble.ProcessPool(
        max_workers=workers, initializer=_init_worker, initargs=(config.get("limits.document_memory_mb"), config),
        context=multiprocessing.get_context("spawn"),
    )


def _schedule(pool: Any, task: DocumentTask, config: Config, layout: dict | None) -> Any:
    # the worker's clock names the stage; this kill is for code that ignores it
    timeout = config.get("limits.document_seconds") + KILL_GRACE_SECONDS
    return pool.schedule(run_task, args=(task, config, layout), timeout=timeout)


def _outcome_of(future: Any, task: DocumentTask, config: Config) -> dict[str, Any]:
    """A finished worker future as an outcome dict; a killed or lost worker costs this document only."""
    import pebble

    seconds = config.get("limits.document_seconds")
    memory_mb = config.get("limits.document_memory_mb")
    try:
        return future.result()
    except concurrent.futures.TimeoutError:
        return _failure(task, DocumentTimeoutError(
            task.path, f"it took longer than limits.document_seconds = {seconds} s and was stopped"))
    except pebble.ProcessExpired as expired:
        return _failure(task, WorkerCrashError(
            task.path, f"the worker process died (exit code {expired.exitcode}) while reading it, "
            f"for example by running out of memory (limits.document_memory_mb = {memory_mb})"))
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back; the run goes on
        return _failure(task, WorkerCrashError(task.path, f"its result was lost: {type(exc).__name__}: {exc}"))


def _run_local(tasks: Todo, config: Config, jobs: int) -> Iterator[tuple[DocumentTask, dict]]:
    """Worker processes with a per-document timeout and memory ceiling (pebble)."""
    pool = _limited_pool(config, max(1, min(jobs, len(tasks))))
    try:
        futures = {_schedule(pool, task, config, layout): task for task, layout in tasks}
        _preload_output_stages(config)
        for future in concurrent.futures.as_completed(futures):
            task = futures[future]
            yield task, _outcome_of(future, task, config)
        pool.close()
    finally:
        # stop, not join: on an interrupt the running documents are abandoned, not awaited
        pool.stop()
        pool.join()


# One limited worker per Dask worker process, kept for the next task with the same configuration.
_DASK_POOLS: dict[str, Any] = {}


def run_task_within_limits(task: DocumentTask, config: Config, cached_layout: dict | None = None) -> dict[str, Any]:
    """The Dask task: ``run_task`` in a worker process of its own, within the same limits as
    ``--executor local`` (memory ceiling, the clock, the page limit), so that every executor
    reports the same document the same way."""
    pool = _DASK_POOLS.get(config.hash)
    if pool is None:
        for stale in _DASK_POOLS.values():
            stale.stop()
        _DASK_POOLS.clear()
        pool = _DASK_POOLS[config.hash] = _limited_pool(config, 1)
    return _outcome_of(_schedule(pool, task, config, cached_layout), task, config)


def _run_dask(
    tasks: Todo, config: Config, jobs: int, scheduler: str, scratch: Path, *, verbose: bool = False,
) -> Iterator[tuple[DocumentTask, dict]]:
    """The same per-document tasks on a Dask distributed cluster.

    Each Dask worker runs its documents in a limited worker process of its own
    (``run_task_within_limits``), so time, memory and page limits are those of
    the local executor. Dask's own INFO logging is shown only with --verbose.
    """
    try:
        import dask
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError("--executor dask needs the dask extra: pip install '.[dask]'") from None
    quiet_level = logging.INFO if verbose else logging.ERROR
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(quiet_level)
    cluster = None
    if scheduler == "local":
        # a daemonic worker may not start the limited worker process
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(
                n_workers=max(1, min(jobs, len(tasks))),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                local_directory=str(scratch),
                silence_logs=quiet_level,
            )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {
            client.submit(run_task_within_limits, task, config, layout,
                          key=f"policygraph-{task.doc_id}-{task.digest[:12]}", pure=False): task
            for task, layout in tasks
        }
        _preload_output_stages(config)
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker (KilledWorker) costs one document, not the run
                outcome = _failure(task, WorkerCrashError(task.path, f"the Dask task failed: {type(exc).__name__}: {exc}"))
            yield task, outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------
# Manifest entries and the run's summary


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


def _entry_for_error(path: Path, doc_id: str | None, status: str, error: DocumentError) -> DocumentEntry:
    return DocumentEntry(str(path), doc_id, status, error={"code": error.code, "message": str(error)})


# --------------------------------------------------------------------------
# Planning: what each file needs


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
            plan.append(PlannedDocument(str(path), None, None, decided=_entry_for_error(path, None, "skipped", candidate.refusal)))
        elif not candidate.is_pdf:
            error = NotAPdfError(path, "it is neither named .pdf nor starts with the PDF signature %PDF-")
            status = "failed" if candidate.given else "skipped"
            plan.append(PlannedDocument(str(path), None, None, decided=_entry_for_error(path, None, status, error)))
        else:
            doc_id = ids[path]
            try:
                digest = cache.digest_of(path) if cache is not None else hash_file(path)
                size = path.stat().st_size
            except OSError as exc:
                error = UnreadableFileError(path, f"the file cannot be read ({exc.strerror})")
                plan.append(PlannedDocument(str(path), doc_id, None, decided=_entry_for_error(path, doc_id, "failed", error)))
                continue
            plan.append(PlannedDocument(str(path), doc_id, digest, size))
    return plan


def run_fingerprint(config_fingerprint: str, versions: dict[str, str], plan: Sequence[PlannedDocument]) -> str:
    """One hash over everything the outputs depend on: configuration, versions, files and their bytes."""
    files = [(p.path, p.doc_id, p.digest, p.decided.status if p.decided else None) for p in plan]
    return _short_hash([config_fingerprint, versions, files])


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


# --------------------------------------------------------------------------
# The output folder: lock, staging, swap, recovery


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock for the run; a second run on the same folder is refused."""
    handle = (out_dir / LOCK_FILE).open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"{out_dir}: another policygraph run is writing to this folder; wait for it to end or choose another --out"
            ) from None
        yield
    finally:
        handle.close()  # closing releases the lock, as does the death of the process


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _staged_files(staging: Path) -> list[str]:
    """The staged outputs' relative paths, the manifest last (it marks the swap done)."""
    names = [
        path.relative_to(staging).as_posix() for path in staging.rglob("*")
        if path.is_file() and path.name != COMPLETE_MARKER
    ]
    return sorted(names, key=lambda n: (n == MANIFEST, n))


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Move the staged outputs over the previous ones file by file, the manifest last; idempotent.

    Only files are replaced, never folders, so a file the user keeps beside
    the outputs (in documents/ too) stays. Previous outputs that this run no
    longer writes are removed only when the marker lists them, which it does
    only for files the previous manifest says policygraph wrote.
    """
    names = _staged_files(staging)
    for name in names:
        if name != MANIFEST:
            target = out_dir / name
            _real_folder(out_dir, target.parent)
            os.replace(staging / name, target)  # replaces a symlink itself, never what it points to
    _remove_stale(out_dir, _marker_removals(staging))
    if MANIFEST in names:
        os.replace(staging / MANIFEST, out_dir / MANIFEST)
    for folder in {out_dir, *(p for p in (out_dir / "documents",) if p.is_dir())}:
        fsync_folder(folder)


def _real_folder(out_dir: Path, folder: Path) -> None:
    """``folder`` (inside ``out_dir``) as a real folder: a symbolic link planted there is replaced by one,
    so that nothing is written through it (what it points to is left alone)."""
    for part in [*reversed(folder.relative_to(out_dir).parents), folder.relative_to(out_dir)]:
        current = out_dir / part
        if current == out_dir:
            continue
        if current.is_symlink():
            current.unlink()
        elif current.exists() and not current.is_dir():
            raise UsageError(f"--out {out_dir}: {current} is a file where policygraph writes a folder; move it away")
        current.mkdir(exist_ok=True)


def _marker_removals(staging: Path) -> list[str]:
    try:
        marker = json.loads((staging / COMPLETE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # a marker from an older version lists nothing to remove
    removals = marker.get("remove", []) if isinstance(marker, dict) else []
    return [name for name in removals if isinstance(name, str) and _safe_relative(name)]


def _remove_stale(out_dir: Path, removals: Sequence[str]) -> None:
    for name in removals:
        target = out_dir / name
        if target.is_symlink() or target.is_file():
            target.unlink(missing_ok=True)


def recover_staging(out_dir: Path) -> None:
    """Finish a swap that a killed run had begun; drop staging folders it never completed."""
    for leftover in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
        if (leftover / COMPLETE_MARKER).is_file():
            log.warning("%s: completing the outputs of an interrupted run", leftover)
            _swap_in(leftover, out_dir)
        _remove(leftover)
    for old in out_dir.glob(f"{OLD_PREFIX}*"):  # left by versions that swapped whole folders
        _remove(old)
    _remove(out_dir / DASK_SCRATCH)


def half_swapped(out_dir: Path) -> Path | None:
    """A staging folder that a killed run had marked complete but not yet moved in, if any."""
    for leftover in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
        if (leftover / COMPLETE_MARKER).is_file():
            return leftover
    return None


def _previous_outputs(out_dir: Path) -> dict[str, str]:
    """The outputs (relative path -> sha256) that the folder's manifest says policygraph wrote."""
    previous = _read_manifest(out_dir)
    if not previous or previous.get("program") != "policygraph" or not isinstance(previous.get("outputs"), dict):
        return {}
    return {name: digest for name, digest in previous["outputs"].items() if isinstance(name, str) and _safe_relative(name)}


def _foreign_in_the_way(out_dir: Path, staged: Sequence[str], ours: dict[str, str]) -> list[str]:
    """Paths where a staged output would land on something policygraph did not write."""
    in_the_way = []
    for name in staged:
        if name == MANIFEST:
            continue
        target = out_dir / name
        parents = [out_dir / Path(*Path(name).parts[:i]) for i in range(1, len(Path(name).parts))]
        if any(p.exists() and not p.is_dir() or p.is_symlink() for p in parents):
            in_the_way.append(name)
        elif target.is_dir() and not target.is_symlink():
            in_the_way.append(name)
        elif (target.exists() or target.is_symlink()) and name not in ours:
            in_the_way.append(name)
    return in_the_way


def _stale_outputs(out_dir: Path, staged: Sequence[str], ours: dict[str, str]) -> list[str]:
    """Previous outputs this run does not write again, still as policygraph wrote them."""
    stale = []
    for name in sorted(set(ours) - set(staged)):
        target = out_dir / name
        if target.is_file() and not target.is_symlink() and hash_file(target) == ours[name]:
            stale.append(name)
    return stale


def _output_hashes(folder: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative not in (MANIFEST, COMPLETE_MARKER):
            hashes[relative] = hash_file(path)
    return hashes


def _safe_relative(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts


def _outputs_intact(out_dir: Path, hashes: dict[str, str]) -> bool:
    for name, digest in hashes.items():
        path = out_dir / name
        if not _safe_relative(name) or not path.is_file():
            return False
        if hash_file(path) != digest:
            return False
    return True


def _write_json_atomic(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --------------------------------------------------------------------------
# Unchanged re-runs: keep the outputs, rewrite the manifest


def _reusable_manifest(out_dir: Path, fingerprint: str, plan: Sequence[PlannedDocument], cache: ResultCache) -> dict | None:
    """The previous manifest when its outputs can stand for this run unchanged, else None."""
    previous = _read_manifest(out_dir)
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
        if not _outputs_intact(out_dir, previous["outputs"]):  # type: ignore[index]
            return None
    except (KeyError, TypeError):
        return None
    return previous


def _reuse_outputs(out_dir: Path, previous: dict[str, Any], plan: Sequence[PlannedDocument], started: float) -> RunSummary:
    by_path = {e["path"]: DocumentEntry.from_dict(e) for e in previous["documents"]}
    entries = []
    for planned in plan:
        entry = by_path[planned.path]
        if planned.decided is None:
            entry = dataclasses.replace(entry, cache_hit=True, seconds={})
        entries.append(entry)
    totals = previous.get("totals", {})
    summary = RunSummary(
        documents=sum(1 for e in entries if e.status != "skipped"),
        failed=sum(1 for e in entries if e.status == "failed"),
        skipped=sum(1 for e in entries if e.status == "skipped"),
        cache_hits=sum(1 for e in entries if e.cache_hit),
        processed=0,
        recommendations=int(totals.get("recommendations", 0)),
        actors=int(totals.get("actors", 0)),
        measures=int(totals.get("measures", 0)),
        seconds=time.perf_counter() - started,
        outputs_reused=True,
        entries=sorted(entries, key=lambda e: e.path),
        out_dir=out_dir,
    )
    manifest = dict(previous)
    manifest["run"] = dict(previous["run"], processed=0, cache_hits=summary.cache_hits, outputs_reused=True)
    manifest["seconds"] = round(summary.seconds, 3)
    manifest["documents"] = [e.to_dict() for e in summary.entries]
    _write_json_atomic(out_dir / MANIFEST, manifest)
    return summary


# --------------------------------------------------------------------------
# The run


@dataclass(frozen=True)
class RunContext:
    """What every step of one run needs to know."""

    out_dir: Path
    config: Config
    versions: dict[str, str]
    keys: CacheKeys
    fingerprint: str | None
    executor: str
    jobs: int
    started: float
    verbose: bool = False


def _own_state(name: str) -> bool:
    """Files and folders a run keeps in --out besides its outputs: lock, cache, staging, scratch."""
    return name in (LOCK_FILE, CACHE_FILE, f"{CACHE_FILE}-wal", f"{CACHE_FILE}-shm", DASK_SCRATCH) or name.startswith(
        (STAGING_PREFIX, OLD_PREFIX, f"{CACHE_FILE}.damaged-")
    )


def _check_folder_is_ours(out_dir: Path) -> None:
    """Refuse a non-empty folder that holds no previous run's manifest: its files are the user's."""
    try:
        foreign = sorted(entry.name for entry in os.scandir(out_dir) if not _own_state(entry.name))
    except OSError as exc:
        raise UsageError(f"--out {out_dir}: the output folder cannot be listed ({exc.strerror})") from None
    if not foreign or (_read_manifest(out_dir) or {}).get("program") == "policygraph":
        return
    shown = ", ".join(printable(name) for name in foreign[:5]) + (" ..." if len(foreign) > 5 else "")
    raise UsageError(
        f"--out {out_dir}: the folder already holds files that policygraph did not write ({shown}); "
        "policygraph writes only into a new or empty folder or into the output folder of an earlier run "
        "(one with its manifest.json). Choose another --out, for example a new folder"
    )


def check_inputs_outside(paths: Sequence[Path], out_dir: Path) -> None:
    """An input inside --out could be replaced by the outputs: refuse before anything is written."""
    out = out_dir.resolve()
    for given in paths:
        real = Path(given).resolve()
        if real == out or out in real.parents:
            raise UsageError(
                f"{given}: this input lies inside the output folder --out {out_dir}, where the outputs are "
                "written; choose an --out outside the inputs (for example --out outputs next to them)"
            )


def _prepare_out_dir(out_dir: Path) -> Path:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: exists and is not a folder; name a folder (it is created when missing)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out_dir}: cannot create the output folder ({exc.strerror})") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out_dir}: the output folder is not writable; choose another with --out")
    _check_folder_is_ours(out_dir)
    return out_dir


def _check_executor(executor: str, scheduler: str | None) -> None:
    if executor == "dask" and not scheduler:
        raise UsageError("--executor dask needs --scheduler ADDRESS (tcp://host:8786) or --scheduler local")
    if executor != "dask" and scheduler:
        raise UsageError(f"--scheduler only applies with --executor dask (the executor is {executor})")


@contextlib.contextmanager
def _open_cache(out_dir: Path) -> Iterator[ResultCache]:
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


def run_corpus(
    paths: Sequence[Path],
    out_dir: Path,
    config: Config | ConfigSource,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    follow_symlinks: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    progress_stream: TextIO | None = None,
) -> RunSummary:
    """Process every PDF under ``paths`` and write all outputs into ``out_dir``.

    ``config`` may be a loaded :class:`Config` or a :class:`ConfigSource`, which
    is only loaded when some document needs work. ``jobs`` and ``executor``
    default to the settings' ``run`` section.
    """
    from pipeline.progress import Progress

    started = time.perf_counter()
    source = config if isinstance(config, ConfigSource) else None
    settings = source.settings() if source is not None else config.settings  # type: ignore[union-attr]
    executor = executor or settings["run"]["executor"]
    jobs = int(jobs or settings["run"]["jobs"])
    if jobs < 1:
        raise UsageError(f"jobs must be 1 or more, got {jobs}")
    _check_executor(executor, scheduler)
    use_cache = use_cache and bool(settings["run"]["cache"])
    check_given_paths(paths)  # before --out is created: a mistyped path leaves nothing behind
    check_inputs_outside(paths, Path(out_dir))
    out_dir = _prepare_out_dir(Path(out_dir))

    with output_lock(out_dir):
        recover_staging(out_dir)
        candidates = discover(paths, follow_symlinks=follow_symlinks, exclude=[out_dir])
        with _open_cache(out_dir) as cache:
            plan = plan_documents(candidates, cache if use_cache else None)
            versions = program_versions(settings["segment"]["model"])
            config_fingerprint = source.fingerprint() if source is not None else f"config:{config.hash}"  # type: ignore[union-attr]
            fingerprint = run_fingerprint(config_fingerprint, versions, plan) if config_fingerprint else None
            if use_cache and fingerprint is not None:
                previous = _reusable_manifest(out_dir, fingerprint, plan, cache)
                if previous is not None:
                    summary = _reuse_outputs(out_dir, previous, plan, started)
                    Progress(total_docs=0, total_bytes=0, quiet=quiet, stream=progress_stream).summary(summary)
                    return summary

            loaded = source.load() if source is not None else config
            _check_output_rules(loaded)  # before the first PDF, not after the last
            context = RunContext(
                out_dir=out_dir, config=loaded, versions=versions, keys=cache_keys(loaded, versions),  # type: ignore[arg-type]
                fingerprint=fingerprint, executor=executor, jobs=jobs, started=started, verbose=verbose,
            )
            results, entries, todo = _look_up(plan, cache, context.keys, use_cache)
            progress = Progress(
                total_docs=len(todo), total_bytes=sum(t.size for t, _ in todo), quiet=quiet,
                stream=progress_stream, verbose=verbose,
            )
            if todo:
                _process(todo, context, scheduler, cache, results, entries, progress)
        summary = write_outputs(context, results, entries, processed=len(todo))
    progress.summary(summary)
    return summary


def _process(
    todo: Todo, context: RunContext, scheduler: str | None, cache: ResultCache,
    results: dict[str, DocumentResult], entries: dict[str, DocumentEntry], progress: Any,
) -> None:
    """Run the tasks; record each outcome in the cache, the entries and the progress as it arrives."""
    with_layout = {task.path for task, layout in todo if layout is not None}
    with progress:
        for task, outcome in _execute(todo, context, scheduler):
            entry = _record_outcome(task, outcome, cache, context.keys, results, layout_cached=task.path in with_layout)
            entries[task.path] = entry
            progress.advance(_finished(task, entry))


def _finished(task: DocumentTask, entry: DocumentEntry):
    from pipeline.progress import Finished

    return Finished(
        doc_id=task.doc_id, pages=entry.pages, size=task.size, status=entry.status,
        error_code=entry.error["code"] if entry.error else None,
    )


def _execute(todo: Todo, context: RunContext, scheduler: str | None) -> Iterator[tuple[DocumentTask, dict]]:
    if context.executor == "dask":
        return _run_dask(todo, context.config, context.jobs, scheduler or "local", context.out_dir / DASK_SCRATCH,
                         verbose=context.verbose)
    return _run_local(todo, context.config, context.jobs)


def _look_up(
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


def _record_outcome(
    task: DocumentTask, outcome: dict[str, Any], cache: ResultCache, keys: CacheKeys,
    results: dict[str, DocumentResult], *, layout_cached: bool,
) -> DocumentEntry:
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


# --------------------------------------------------------------------------
# Outputs


def _jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def write_outputs(
    context: RunContext,
    results: dict[str, DocumentResult],
    entries: dict[str, DocumentEntry],
    *,
    processed: int,
) -> RunSummary:
    """Build the corpus graph and write every output into a staging folder, then swap it in."""
    from pipeline.graph import build_graph

    out_dir, config = context.out_dir, context.config
    ordered = [results[k] for k in sorted(results)]
    recommendations = [r for res in ordered for r in res.recommendations]
    documents: dict[str, DocumentMeta] = {res.doc_id: res.layout.meta for res in ordered}
    graph, recommendations = build_graph(recommendations, documents, config)
    entry_list = sorted(entries.values(), key=lambda e: e.path)
    summary = RunSummary(
        documents=sum(1 for e in entry_list if e.status != "skipped"),
        failed=sum(1 for e in entry_list if e.status == "failed"),
        skipped=sum(1 for e in entry_list if e.status == "skipped"),
        cache_hits=sum(1 for e in entry_list if e.cache_hit),
        processed=processed,
        recommendations=len(recommendations),
        actors=sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "actor"),
        measures=sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "measure"),
        seconds=time.perf_counter() - context.started,
        outputs_reused=False,
        entries=entry_list,
        out_dir=out_dir,
    )
    try:
        _stage_and_swap(context, ordered, graph, recommendations, summary)
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OutputError(
            f"--out {out_dir}: the outputs cannot be written ({exc.strerror}); free space on that disk or choose "
            "another --out, and run again: the previous outputs are as they were, and finished documents are cached"
        ) from None
    return summary


def _stage_and_swap(context: RunContext, ordered: list[DocumentResult], graph: Any, recommendations: list,
                    summary: RunSummary) -> None:
    """Every output into a staging folder, marked complete, then moved over the previous outputs."""
    from pipeline.export import write_all
    from pipeline.report import write_report

    out_dir = context.out_dir
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        os.chmod(staging, 0o755)
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
        manifest = _manifest(context, summary, _output_hashes(staging))
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        staged, ours = _staged_files(staging), _previous_outputs(out_dir)
        in_the_way = _foreign_in_the_way(out_dir, staged, ours)
        if in_the_way:
            raise UsageError(
                f"--out {out_dir}: {', '.join(in_the_way[:5])}{' ...' if len(in_the_way) > 5 else ''} "
                "would be replaced, but policygraph did not write it (it is not in the folder's manifest.json); "
                "move it away or choose another --out. Nothing was changed"
            )
        marker = {"complete": True, "remove": _stale_outputs(out_dir, staged, ours)}
        # durable before the mark: after it, a crash is completed, never undone
        os.sync()
        (staging / COMPLETE_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        fsync_folder(staging)
        _swap_in(staging, out_dir)
    finally:
        _remove(staging)


def _manifest(context: RunContext, summary: RunSummary, outputs: dict[str, str]) -> dict[str, Any]:
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
