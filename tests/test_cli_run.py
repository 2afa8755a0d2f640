"""``policygraph run`` as users call it: exit codes, messages, progress lines, --quiet and --verbose."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "run", *map(str, args)],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )


def _paper(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path), pagesize=A4)
    page.setFont("Helvetica", 11)
    page.drawString(72, 760, "The European Union should impose targeted sanctions on the officials responsible.")
    page.drawString(72, 740, "The Council adopted a package of measures in 2021.")
    page.save()
    return path


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("papers")
    _paper(folder / "good.pdf")
    (folder / "damaged.pdf").write_bytes(b"%PDF-1.7\n% a download cut short after the header")
    (folder / "README.md").write_text("notes on the papers", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def failed_run(papers, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("out")
    return out, _cli(papers, "--out", out)


def test_some_documents_failing_exits_2_with_plain_progress_lines_and_a_table(papers, failed_run):
    out, done = failed_run
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert "policygraph: processing 2 document(s)" in lines
    progress = [line for line in lines if line.startswith("policygraph: [")]
    assert len(progress) == 2
    assert any("[1/2]" in line for line in progress) and any("[2/2]" in line for line in progress)
    assert any("good: ok, 1 pages" in line for line in progress)
    assert any("damaged: failed (corrupt)" in line for line in progress)
    assert all("pages/s" in line and "eta" in line for line in progress)
    summary = next(line for line in lines if "document(s):" in line)
    assert "2 document(s): 1 ok, 1 failed, 1 other file(s) skipped" in summary
    table = lines[lines.index("policygraph: documents that failed (file | reason | message):") + 1:]
    assert len(table) == 1
    file, reason, message = (part.strip() for part in table[0].split(" | ", 2))
    assert (file, reason) == (str(papers / "damaged.pdf"), "corrupt")
    assert str(papers / "damaged.pdf") in message and "Traceback" not in done.stderr

    entries = {Path(e["path"]).name: e for e in json.loads((out / "manifest.json").read_text())["documents"]}
    assert entries["good.pdf"]["status"] == "ok"
    assert entries["damaged.pdf"]["status"] == "failed"
    assert entries["damaged.pdf"]["error"]["code"] == "corrupt"
    assert str(papers / "damaged.pdf") in entries["damaged.pdf"]["error"]["message"]
    assert entries["README.md"]["status"] == "skipped" and entries["README.md"]["error"]["code"] == "not_a_pdf"


def test_quiet_prints_only_the_summary_and_the_failures(papers, failed_run):
    out, _ = failed_run
    done = _cli(papers, "--out", out, "--quiet")
    assert done.returncode == 2  # the failure is remembered, not forgotten by the cache
    assert [line for line in done.stderr.splitlines() if line.startswith("policygraph: [")] == []
    assert "processing" not in done.stderr
    assert "1 failed" in done.stderr and "| corrupt |" in done.stderr


def test_verbose_adds_the_traceback_of_each_failure(papers, failed_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(failed_run[0], out)
    done = _cli(papers / "damaged.pdf", "--out", out, "--verbose", "--no-cache")
    assert done.returncode == 2
    assert f"traceback for {papers / 'damaged.pdf'}" in done.stderr
    assert "Traceback (most recent call last)" in done.stderr


def test_every_document_ok_exits_0(papers, failed_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(failed_run[0], out)  # the good paper is cached there: no worker needed
    done = _cli(papers / "good.pdf", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "1 document(s): 1 ok, 0 failed, 1 from the cache" in done.stderr
    assert json.loads((out / "manifest.json").read_text())["totals"]["failed"] == 0
    assert (out / "report.html").is_file() and (out / "recommendations.jsonl").is_file()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such-folder"], "no-such-folder: no such file or folder"),
        (["--jobs", "0"], "--jobs must be 1 or more, got 0"),
        (["--scheduler", "local"], "--scheduler only applies with --executor dask"),
        (["--executor", "dask"], "--executor dask needs --scheduler"),
        (["--config", "missing-settings.yaml"], "missing-settings.yaml: file: does not exist"),
    ],
)
def test_usage_and_configuration_errors_exit_1_with_a_message(papers, tmp_path, args, expected):
    paths = [] if args[0] == "no-such-folder" else [str(papers / "good.pdf")]
    done = _cli(*paths, *args, "--out", tmp_path / "out")
    assert done.returncode == 1, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_an_invalid_setting_exits_1_naming_file_and_entry(papers, tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("limits:\n  document_seconds: soon\n", encoding="utf-8")
    done = _cli(papers / "good.pdf", "--config", settings, "--out", tmp_path / "out")
    assert done.returncode == 1
    assert f"{settings}: limits.document_seconds: expected int, got 'soon'" in done.stderr


def test_an_output_path_that_is_a_file_exits_1(papers, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file", encoding="utf-8")
    done = _cli(papers / "good.pdf", "--out", taken)
    assert done.returncode == 1
    assert "exists and is not a folder" in done.stderr
