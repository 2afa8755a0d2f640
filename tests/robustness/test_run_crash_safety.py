"""A run killed with SIGKILL mid-way: previous outputs intact, cache consistent, the next run resumes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from corpus_pdfs import write_theme
from run_helpers import REPO, cli_command, entries_by_doc, manifest, outputs_snapshot, run_cli

CACHE = ".policygraph-cache.sqlite"


def _committed_digests(cache: Path) -> set[str]:
    """Digests of the results committed so far, read as another process would."""
    if not cache.exists():
        return set()
    db = sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=5)
    try:
        return {row[0] for row in db.execute("SELECT digest FROM results")}
    except sqlite3.OperationalError:  # the table is not created yet
        return set()
    finally:
        db.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_killed_run_loses_nothing(tmp_path):
    papers, out = tmp_path / "papers", tmp_path / "out"
    write_theme(papers, "sanctions")
    first = run_cli("run", papers, "--out", out, "--quiet")
    assert first.returncode == 0, first.stderr
    previous_outputs = outputs_snapshot(out)
    previous_manifest = (out / "manifest.json").read_bytes()

    # three more papers, long enough that the run is still busy when the first one is committed
    new = [write_theme(papers, theme, pages=6) for theme in ("deterrence", "civil-society", "engagement")]
    new_digests = {_sha256(p): p for p in new}
    committed_before = _committed_digests(out / CACHE)
    run = subprocess.Popen(
        cli_command("run", papers, "--out", out, "--jobs", "1", "--quiet"),
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        finished: set[str] = set()
        while not finished and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            finished = (_committed_digests(out / CACHE) - committed_before) & set(new_digests)
        assert run.poll() is None, "the run ended before it could be killed; make the papers longer"
        assert finished, "no new document was committed in time"
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        try:  # the killed run's workers, if any outlived it (the run leads its own process group)
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    # 1. the previous outputs are intact, byte for byte
    assert outputs_snapshot(out) == previous_outputs
    assert (out / "manifest.json").read_bytes() == previous_manifest

    # 2. the cache is consistent and holds the finished document
    db = sqlite3.connect(out / CACHE)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in db.execute("SELECT digest FROM results")}
    finally:
        db.close()
    assert finished <= stored

    # 3. the next run resumes: the finished document is not redone
    resumed = run_cli("run", papers, "--out", out, "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    entries = entries_by_doc(out)
    done_ids = {new_digests[d].stem for d in finished}
    for doc_id in done_ids | {"sanctions"}:
        assert entries[doc_id]["cache_hit"], f"{doc_id} was processed again"
    assert manifest(out)["run"]["processed"] == 3 - len(done_ids)
    assert all(e["status"] == "ok" for e in entries.values())
    assert not list(out.glob(".staging-*"))
