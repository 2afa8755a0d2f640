"""The machine's own failures and odd metadata give one clear line, never a traceback.

A full disk under --out (for the outputs and for SQLite's cache) and a PDF
whose /Title is not valid UTF-16 are made for real: a small tmpfs mounted by
the test (root only; skipped with the reason elsewhere) and a PDF written
by reportlab with its title bytes replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from corpus_pdfs import write_theme, write_with_lone_surrogate_title
from run_helpers import REPO, file_hashes, run_cli

STATE = (".policygraph-cache.sqlite", ".policygraph-cache.sqlite-wal", ".policygraph-cache.sqlite-shm", ".policygraph.lock")


@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int):
    folder.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path, leave_bytes: int) -> None:
    """Take all of the disk's free space but ``leave_bytes``."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with (disk / f"filler-{uuid.uuid4().hex}").open("wb") as handle:
        handle.truncate(0)
        remaining = max(0, free - leave_bytes)
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            remaining -= handle.write(chunk[: min(len(chunk), remaining)])


def _one_clear_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("policygraph: error:")]
    assert len(errors) == 1, stderr
    return errors[0]


@pytest.mark.parametrize(("leave_bytes", "words"), [
    (0, "disk I/O error"),                        # SQLite cannot even open the cache
    (64_000, "database or disk is full"),         # SQLite opens, but cannot store the new document
    (600_000, "No space left on device"),         # the cache fits, the outputs do not
])
def test_a_full_disk_under_out_is_one_line_and_the_previous_outputs_stay(tmp_path, leave_bytes, words):
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    with small_disk(tmp_path / "disk", 40) as disk:
        out = disk / "out"
        assert run_cli("run", papers, "--out", out).returncode == 0
        before = file_hashes(out, skip=STATE)
        write_theme(papers, "deterrence", pages=40)  # a new paper: its results need room
        fill(disk, leave_bytes)

        done = run_cli("run", papers, "--out", out)

        assert done.returncode == 1
        line = _one_clear_line(done.stderr)
        assert words in line and "free space" in line, line
        assert file_hashes(out, skip=STATE) == before


def test_a_lone_surrogate_in_the_title_does_not_stop_a_readable_document(tmp_path):
    papers = tmp_path / "papers"
    paper = write_with_lone_surrogate_title(papers / "odd-title.pdf")

    run = run_cli("run", papers, "--out", tmp_path / "out")
    extract = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(paper), "--format", "json"],
                             cwd=REPO, capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stdout + run.stderr
    entry = json.loads((tmp_path / "out" / "manifest.json").read_text())["documents"][0]
    assert entry["status"] == "ok" and entry["recommendations"] >= 2
    assert extract.returncode == 0 and "Traceback" not in extract.stderr
    assert "European Union should impose targeted sanctions" in extract.stdout
