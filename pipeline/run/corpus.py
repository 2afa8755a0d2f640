"""``run_corpus``: a corpus run from the paths given to the outputs written, each step in its own module.

discovery -> planning (doc ids, bytes' hashes, cache look-up) -> an executor
(worker processes or Dask) -> outputs (staging, swap, manifest). A re-run that
changes nothing keeps its outputs and only rewrites the manifest, without
loading the configuration's taxonomies or any stage.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from pipeline.cache import ResultCache
from pipeline.config import Config, ConfigSource
from pipeline.errors import UsageError
from pipeline.run.context import RunContext
from pipeline.run.discovery import check_given_paths, discover
from pipeline.run.executors import execute
from pipeline.run.folder import check_inputs_outside, output_lock, prepare_out_dir
from pipeline.run.manifest import DocumentEntry, RunSummary, reusable_manifest, reuse_outputs
from pipeline.run.outputs import recover_staging, write_outputs
from pipeline.run.planning import DocumentTask, Todo, look_up, open_cache, plan_documents, record_outcome
from pipeline.run.versions import cache_keys, program_versions, run_fingerprint
from pipeline.types import DocumentResult


def _check_executor(executor: str, scheduler: str | None) -> None:
    if executor == "dask" and not scheduler:
        raise UsageError("--executor dask needs --scheduler ADDRESS (tcp://host:8786) or --scheduler local")
    if executor != "dask" and scheduler:
        raise UsageError(f"--scheduler only applies with --executor dask (the executor is {executor})")


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
    out_dir = prepare_out_dir(Path(out_dir))

    with output_lock(out_dir):
        recover_staging(out_dir)
        candidates = discover(paths, follow_symlinks=follow_symlinks, exclude=[out_dir])
        with open_cache(out_dir) as cache:
            plan = plan_documents(candidates, cache if use_cache else None)
            versions = program_versions(settings["segment"]["model"])
            config_fingerprint = source.fingerprint() if source is not None else config.hash  # type: ignore[union-attr]
            fingerprint = run_fingerprint(config_fingerprint, versions, plan) if config_fingerprint else None
            if use_cache and fingerprint is not None:
                previous = reusable_manifest(out_dir, fingerprint, plan, cache)
                if previous is not None:
                    summary = reuse_outputs(out_dir, previous, plan, started)
                    Progress(total_docs=0, total_bytes=0, quiet=quiet, stream=progress_stream).summary(summary)
                    return summary

            # loading validates every configuration file, before the first PDF is opened
            loaded = source.load() if source is not None else config
            context = RunContext(
                out_dir=out_dir, config=loaded, versions=versions, keys=cache_keys(loaded, versions),  # type: ignore[arg-type]
                fingerprint=fingerprint, executor=executor, jobs=jobs, started=started, verbose=verbose,
            )
            results, entries, todo = look_up(plan, cache, context.keys, use_cache)
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
            entry = record_outcome(task, outcome, cache, context.keys, results, layout_cached=task.path in with_layout)
            entries[task.path] = entry
            progress.advance(_finished(task, entry))


def _finished(task: DocumentTask, entry: DocumentEntry):
    from pipeline.progress import Finished

    return Finished(
        doc_id=task.doc_id, pages=entry.pages, size=task.size, status=entry.status,
        error_code=entry.error["code"] if entry.error else None,
    )


def _execute(todo: Todo, context: RunContext, scheduler: str | None) -> Iterator[tuple[DocumentTask, dict]]:
    # a seam of its own, so that tests can see which documents a run sends to work
    return execute(todo, context, scheduler)
