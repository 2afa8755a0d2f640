"""Each document's status says what happened to it, and the same limits hold under every executor.

The files are made by the tests: a 300 MB content-stream bomb, a paper with
five scanned pages out of six, a broken OCR text layer, a 4 GiB bomb that only
the memory ceiling stops.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from corpus_pdfs import decompression_bomb_pdf, write_garbled, write_partly_scanned, write_theme
from run_helpers import SHARED, entries_by_doc, run_cli

from pipeline.config import ConfigSource
from pipeline.run import run_corpus


def _run(papers: Path, out: Path, settings_text: str = "", **options) -> dict:
    settings = None
    if settings_text:
        settings = out.parent / f"{out.name}-settings.yaml"
        settings.write_text(settings_text, encoding="utf-8")
    stream = io.StringIO()
    run_corpus([papers], out, ConfigSource.of(settings), progress_stream=stream, **options)
    return {"entries": entries_by_doc(out), "printed": stream.getvalue()}


def _recommendations(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "recommendations.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("backend", ["pdfplumber", "pdfium"])
def test_a_300_mb_content_bomb_is_too_large_not_image_only(tmp_path, backend):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "bomb.pdf").write_bytes(decompression_bomb_pdf(300 << 20))

    run = _run(papers, tmp_path / "out", f"extract:\n  backend: {backend}\n")

    error = run["entries"]["bomb"]["error"]
    assert error["code"] == "too_large", error
    assert "extract.max_content_mb = 64 MB" in error["message"]


def test_a_paper_with_five_of_six_pages_scanned_is_read_in_part_and_says_so(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    write_partly_scanned(papers / "mostly-scanned.pdf", text_pages=1, scanned_pages=5)

    run = _run(papers, tmp_path / "out")

    entry = run["entries"]["mostly-scanned"]
    assert entry["status"] == "ok" and entry["partial"] is True
    assert entry["pages_lost"] == [2, 3, 4, 5, 6]
    assert [w["code"] for w in entry["warnings"]] == ["partial"]
    assert "5 of 6 page(s) are scanned images" in run["printed"]


def test_a_garbled_text_layer_is_flagged_and_gives_no_recommendations(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    write_garbled(papers / "garbled.pdf")

    run = _run(papers, tmp_path / "out")

    entry = run["entries"]["garbled"]
    assert entry["status"] == "ok" and entry["partial"] is False
    assert [(w["code"], w["pages"]) for w in entry["warnings"]] == [("garbled_text", [2])]
    assert "garbled_text" in run["printed"]
    pages = {r["page"] for r in _recommendations(tmp_path / "out")}
    assert pages == {1}  # the clean page's prescriptions only


def test_the_shared_broken_ocr_form_gives_no_recommendations(tmp_path):
    form = SHARED / "pdfs" / "issue12963.pdf"
    if not form.is_file():
        pytest.skip(f"{form} is not here (the shared PDFs sit beside the repository)")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "form.pdf").write_bytes(form.read_bytes())

    run = _run(papers, tmp_path / "out")

    warnings = run["entries"]["form"]["warnings"]
    assert warnings and warnings[0]["code"] == "garbled_text"
    assert _recommendations(tmp_path / "out") == []


def test_the_memory_ceiling_holds_under_dask_as_locally_and_names_the_stage(tmp_path):
    pytest.importorskip("dask.distributed")
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    (papers / "bomb.pdf").write_bytes(decompression_bomb_pdf(5 << 29))  # 2.5 GiB
    settings = tmp_path / "settings.yaml"
    # the ceiling alone stops it (the content check is off), set low to keep the test short
    settings.write_text("extract:\n  max_content_mb: 100000\nlimits:\n  document_memory_mb: 2048\n", encoding="utf-8")

    done = run_cli("run", papers, "--out", tmp_path / "out", "--config", settings,
                   "--executor", "dask", "--scheduler", "local")

    assert done.returncode == 2, done.stderr
    entries = entries_by_doc(tmp_path / "out")
    assert entries["bomb"]["error"]["code"] == "too_large", entries["bomb"]["error"]
    assert "limits.document_memory_mb = 2048 MB" in entries["bomb"]["error"]["message"]
    assert "(in the extract stage)" in entries["bomb"]["error"]["message"]
    assert entries["sanctions"]["status"] == "ok"
    assert " INFO " not in done.stderr and "distributed." not in done.stderr  # Dask is quiet without --verbose


def test_inspect_refuses_a_folder_left_half_swapped(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    out = tmp_path / "out"
    assert run_cli("run", papers, "--out", out).returncode == 0
    staging = out / ".staging-killed"
    staging.mkdir()
    (staging / "report.html").write_text("the newer half")
    (staging / ".complete").write_text(json.dumps({"complete": True, "remove": []}))

    done = run_cli("inspect", out)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "a run was stopped while it replaced these outputs" in done.stderr
