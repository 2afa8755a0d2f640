"""Helpers for corpus-run tests: the CLI in a subprocess, output snapshots and comparisons."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
# What a run keeps in --out besides its outputs: the cache and the lock.
RUN_STATE = (".policygraph-cache.sqlite", ".policygraph-cache.sqlite-wal", ".policygraph-cache.sqlite-shm", ".policygraph.lock")


def cli_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", *map(str, args)]


def run_cli(*args: str | Path, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``policygraph ARGS`` in a subprocess (not a terminal), from the repository."""
    return subprocess.run(
        cli_command(*args), cwd=REPO, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def entries_by_doc(out: Path) -> dict[str, dict[str, Any]]:
    return {e["doc_id"]: e for e in manifest(out)["documents"] if e["doc_id"]}


def file_hashes(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """SHA-256 of every file below ``folder`` by relative path (symlinks as their target text)."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if relative.split("/")[0] in skip:
            continue
        if path.is_symlink():
            hashes[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            hashes[relative + "/"] = "dir"
    return hashes


def outputs_snapshot(out: Path) -> dict[str, str]:
    """The outputs' bytes by file, without the cache and the lock."""
    return file_hashes(out, skip=RUN_STATE)


def _canonical(value: Any) -> Any:
    """JSON with keys sorted and lists of records sorted: order-free, content-exact."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return value


def _manifest_for_comparison(data: dict[str, Any]) -> dict[str, Any]:
    """The manifest without what legitimately differs between equal runs: timings and how they ran."""
    documents = [
        {k: v for k, v in entry.items() if k not in ("seconds", "cache_hit", "layout_cached")}
        for entry in data["documents"]
    ]
    return {"documents": documents, "totals": data["totals"], "versions": data["versions"]}


def normalised_outputs(out: Path) -> dict[str, Any]:
    """Every output of a run, each in an order-free form (lines sorted, JSON keys and records sorted)."""
    import pandas as pd

    found: dict[str, Any] = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if not path.is_file() or relative.split("/")[0] in RUN_STATE:
            continue
        if relative == "manifest.json":
            found[relative] = _manifest_for_comparison(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix in (".json", ".cyjs"):
            found[relative] = _canonical(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            found[relative] = sorted(frame.to_json(orient="records", lines=True).splitlines())
        else:
            found[relative] = sorted(path.read_text(encoding="utf-8").splitlines())
    return found
