"""Executors: each yields (task, outcome dict) as documents finish, under the same limits everywhere.

``run_local`` runs the tasks in worker processes on this machine (pebble);
``run_dask`` sends them to a Dask cluster, where each runs in a limited worker
process of its own inside a Dask worker. Both start workers through
``_limited_pool`` and read their futures through ``_outcome_of``, so a
document that is too slow, too large or kills its worker is reported the same
way by both. The executors are named in :mod:`pipeline.registry`.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline import registry
from pipeline.config import Config
from pipeline.errors import DocumentError, DocumentTimeoutError, UsageError, WorkerCrashError
from pipeline.run.context import RunContext
from pipeline.run.folder import DASK_SCRATCH
from pipeline.run.planning import DocumentTask, Todo
from pipeline.run.worker import error_record, init_worker, run_task

log = logging.getLogger(__name__)

# The worker's own clock stops a document first and names the stage; the
# executor kills the worker this much later, should C code not let go.
KILL_GRACE_SECONDS = 10


def execute(todo: Todo, context: RunContext, scheduler: str | None) -> Iterator[tuple[DocumentTask, dict]]:
    """The tasks run by the run's executor, each outcome as its document finishes."""
    runner = registry.resolve(registry.EXECUTOR_RUNNERS[context.executor].runner)
    return runner(todo, context, scheduler)


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


def _failure(task: DocumentTask, exc: DocumentError) -> dict[str, Any]:
    return {"doc_id": task.doc_id, "path": task.path, "pages": 0, "timings": {}, "error": error_record(exc)}


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
        max_workers=workers, initializer=init_worker, initargs=(config.get("limits.document_memory_mb"), config),
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


def run_local(tasks: Todo, context: RunContext, scheduler: str | None = None) -> Iterator[tuple[DocumentTask, dict]]:
    """Worker processes with a per-document timeout and memory ceiling (pebble); ``scheduler`` is unused."""
    config = context.config
    pool = _limited_pool(config, max(1, min(context.jobs, len(tasks))))
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


def run_dask(tasks: Todo, context: RunContext, scheduler: str | None) -> Iterator[tuple[DocumentTask, dict]]:
    """The same per-document tasks on a Dask distributed cluster (``scheduler``: an address or ``local``).

    Each Dask worker runs its documents in a limited worker process of its own
    (``run_task_within_limits``), so time, memory and page limits are those of
    the local executor. Dask's own INFO logging is shown only with --verbose.
    """
    config, scratch = context.config, context.out_dir / DASK_SCRATCH
    client, cluster = _dask_client(scheduler or "local", max(1, min(context.jobs, len(tasks))), scratch,
                                   logging.INFO if context.verbose else logging.ERROR)
    from dask.distributed import as_completed  # importable: the client above needed it

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


def _dask_client(scheduler: str, workers: int, scratch: Path, log_level: int) -> tuple[Any, Any]:
    """A client of the named scheduler, or of a local cluster of ``workers`` processes (then returned too)."""
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--executor dask needs the dask extra: pip install '.[dask]'") from None
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(log_level)
    if scheduler != "local":
        return Client(scheduler), None
    # a daemonic worker may not start the limited worker process
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            local_directory=str(scratch), silence_logs=log_level,
        )
    return Client(cluster), cluster

