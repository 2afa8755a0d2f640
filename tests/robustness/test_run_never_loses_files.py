"""A run never removes or overwrites a file that policygraph did not write.

Each case is one a user meets: writing the outputs into the folder that
holds the PDFs, into a folder of their own, and keeping notes beside a
previous run's outputs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from corpus_pdfs import write_theme
from run_helpers import REPO, file_hashes, manifest


def _policygraph(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=env)


def test_an_input_folder_inside_out_is_refused_and_kept(tmp_path):
    project = tmp_path / "proj"
    write_theme(project / "documents", "sanctions")
    before = file_hashes(project)

    done = _policygraph("run", "documents", "--out", ".", cwd=project)

    assert done.returncode == 1, done.stderr
    assert "lies inside the output folder" in done.stderr and "Traceback" not in done.stderr
    assert file_hashes(project) == before


def test_the_same_folder_as_input_and_output_is_refused(tmp_path):
    papers = tmp_path / "dir"
    write_theme(papers / "documents", "engagement", name="paper")
    before = file_hashes(papers)

    done = _policygraph("run", papers, "--out", papers, cwd=tmp_path)

    assert done.returncode == 1 and "lies inside the output folder" in done.stderr
    assert file_hashes(papers) == before


def test_a_folder_holding_the_users_own_files_is_refused(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "deterrence")
    out = tmp_path / "mine"
    (out / "documents").mkdir(parents=True)
    (out / "documents" / "notes.txt").write_text("my notes")
    (out / "report.html").write_text("<p>my own report</p>")
    before = file_hashes(out)

    done = _policygraph("run", papers, "--out", out, cwd=tmp_path)

    assert done.returncode == 1, done.stderr
    assert "did not write (documents, report.html)" in done.stderr and "Traceback" not in done.stderr
    assert file_hashes(out) == before  # no lock, no cache, nothing added or changed


def test_files_beside_a_previous_runs_outputs_are_kept_and_stale_outputs_go(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    write_theme(papers, "deterrence")
    out = tmp_path / "out"
    assert _policygraph("run", papers, "--out", out, cwd=tmp_path).returncode == 0
    (out / "documents" / "notes.txt").write_text("kept by the user")
    (out / "my-analysis.csv").write_text("a,b\n")

    (papers / "deterrence.pdf").unlink()
    write_theme(papers, "engagement")
    done = _policygraph("run", papers, "--out", out, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert (out / "documents" / "notes.txt").read_text() == "kept by the user"
    assert (out / "my-analysis.csv").read_text() == "a,b\n"
    assert sorted(p.name for p in (out / "documents").iterdir()) == ["engagement.json", "notes.txt", "sanctions.json"]
    assert "documents/deterrence.json" not in manifest(out)["outputs"]


def test_a_users_file_where_an_output_would_go_is_refused_before_anything_changes(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    out = tmp_path / "out"
    assert _policygraph("run", papers, "--out", out, cwd=tmp_path).returncode == 0
    (out / "documents" / "civil-society.json").write_text('{"the user": "wrote this"}')
    write_theme(papers, "civil-society")
    outputs_before = file_hashes(out, skip=(".policygraph-cache.sqlite", ".policygraph-cache.sqlite-wal",
                                            ".policygraph-cache.sqlite-shm", ".policygraph.lock"))

    done = _policygraph("run", papers, "--out", out, cwd=tmp_path)

    assert done.returncode == 1, done.stderr
    assert "documents/civil-society.json would be replaced, but policygraph did not write it" in done.stderr
    after = file_hashes(out, skip=(".policygraph-cache.sqlite", ".policygraph-cache.sqlite-wal",
                                   ".policygraph-cache.sqlite-shm", ".policygraph.lock"))
    assert after == outputs_before
