"""The output folder: its own files' names, the lock, and the checks that keep a run from touching what it did not write.

A non-empty folder without a previous run's manifest is refused, and so is an
input inside ``--out``; only files the previous manifest lists count as ours.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.cache import hash_file
from pipeline.errors import UsageError
from pipeline.terminal import printable

CACHE_FILE = ".policygraph-cache.sqlite"
LOCK_FILE = ".policygraph.lock"
MANIFEST = "manifest.json"
STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-"
COMPLETE_MARKER = ".complete"
DASK_SCRATCH = ".dask-scratch"


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


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def safe_relative(name: str) -> bool:
    """A manifest's path that stays inside the output folder (a tampered manifest cannot reach out)."""
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts


def outputs_intact(out_dir: Path, hashes: dict[str, str]) -> bool:
    """Every output the manifest lists is still there with the bytes it had."""
    for name, digest in hashes.items():
        path = out_dir / name
        if not safe_relative(name) or not path.is_file():
            return False
        if hash_file(path) != digest:
            return False
    return True


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The folder's manifest.json as a mapping; None when there is none or it is unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


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
    if not foreign or (read_manifest(out_dir) or {}).get("program") == "policygraph":
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


def prepare_out_dir(out_dir: Path) -> Path:
    """The output folder, created when missing; refused when it is not writable or holds the user's files."""
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

