"""Writing a run's outputs: a staging folder, marked complete, then moved in file by file, the manifest last.

A run killed before the mark leaves the previous outputs untouched; one
killed during the moves is completed by the next run (``recover_staging``).
Only files the previous manifest lists are replaced or removed: a staged
output that would land on a file policygraph did not write stops the run
before anything is changed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.atomic import fsync_folder
from pipeline.cache import hash_file
from pipeline.errors import OutputError, UsageError
from pipeline.run.context import RunContext
from pipeline.run.folder import (
    COMPLETE_MARKER, DASK_SCRATCH, MANIFEST, OLD_PREFIX, STAGING_PREFIX, read_manifest, remove, safe_relative,
)
from pipeline.run.manifest import DocumentEntry, RunSummary, build_manifest, summarise, write_json_atomic
from pipeline.types import DocumentMeta, DocumentResult

log = logging.getLogger(__name__)


REPORT_FILE = "report.html"


def write_outputs(
    context: RunContext,
    results: dict[str, DocumentResult],
    entries: dict[str, DocumentEntry],
    *,
    processed: int,
) -> RunSummary:
    """Build the corpus graph and write every output into a staging folder, then swap it in."""
    from pipeline.graph import build_graph

    out_dir = context.out_dir
    ordered = [results[k] for k in sorted(results)]
    documents: dict[str, DocumentMeta] = {res.doc_id: res.layout.meta for res in ordered}
    contexts = {res.doc_id: res.context for res in ordered}
    graph, recommendations = build_graph([r for res in ordered for r in res.recommendations], documents, context.config,
                                         contexts=contexts)
    kinds = Counter(data.get("kind") for _, data in graph.nodes(data=True))
    summary = summarise(
        list(entries.values()), processed=processed, recommendations=len(recommendations), actors=kinds["actor"],
        measures=kinds["measure"], started=context.started, outputs_reused=False, out_dir=out_dir,
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
        write_all(graph, recommendations, staging, results=ordered)
        write_report(graph, recommendations, staging / REPORT_FILE)
        write_json_atomic(staging / MANIFEST, build_manifest(context, summary, _output_hashes(staging)))
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
        remove(staging)


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
    return [name for name in removals if isinstance(name, str) and safe_relative(name)]


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
        remove(leftover)
    for old in out_dir.glob(f"{OLD_PREFIX}*"):  # left by versions that swapped whole folders
        remove(old)
    remove(out_dir / DASK_SCRATCH)


def half_swapped(out_dir: Path) -> Path | None:
    """A staging folder that a killed run had marked complete but not yet moved in, if any."""
    for leftover in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
        if (leftover / COMPLETE_MARKER).is_file():
            return leftover
    return None


def _previous_outputs(out_dir: Path) -> dict[str, str]:
    """The outputs (relative path -> sha256) that the folder's manifest says policygraph wrote."""
    previous = read_manifest(out_dir)
    if not previous or previous.get("program") != "policygraph" or not isinstance(previous.get("outputs"), dict):
        return {}
    return {name: digest for name, digest in previous["outputs"].items() if isinstance(name, str) and safe_relative(name)}


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

