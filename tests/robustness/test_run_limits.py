"""Per-document limits: a decompression bomb and a very slow document are stopped, the run goes on."""

from __future__ import annotations

import io
import json
from pathlib import Path

from corpus_pdfs import decompression_bomb_pdf, slow_pdf, write_theme
from run_helpers import entries_by_doc

from pipeline.config import ConfigSource
from pipeline.run import run_corpus

# inflates to 4 GiB, beyond the default 3072 MB ceiling; about 4 MB on disk
BOMB_INFLATED_BYTES = 4 << 30


def _recommendation_doc_ids(out: Path) -> set[str]:
    return {json.loads(line)["doc_id"] for line in (out / "recommendations.jsonl").read_text().splitlines()}


def test_a_decompression_bomb_is_stopped_by_the_default_memory_ceiling(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    (papers / "bomb.pdf").write_bytes(decompression_bomb_pdf(BOMB_INFLATED_BYTES))
    assert (papers / "bomb.pdf").stat().st_size < 8 << 20

    # default limits: the same ceiling must leave room for spaCy and numpy in the worker; the
    # content check that stops bombs before they are read is off, so that the ceiling is what is tested
    settings = tmp_path / "settings.yaml"
    settings.write_text("extract:\n  max_content_mb: 100000\n")
    summary = run_corpus([papers], tmp_path / "out", ConfigSource.of(settings), progress_stream=io.StringIO())

    entries = entries_by_doc(tmp_path / "out")
    assert entries["bomb"]["status"] == "failed"
    assert entries["bomb"]["error"]["code"] == "too_large"
    assert "limits.document_memory_mb = 3072" in entries["bomb"]["error"]["message"]
    assert str(papers / "bomb.pdf") in entries["bomb"]["error"]["message"]
    assert entries["sanctions"]["status"] == "ok" and entries["sanctions"]["recommendations"] == 2
    assert _recommendation_doc_ids(tmp_path / "out") == {"sanctions"}
    assert summary.failed == 1


def test_slow_and_oversized_documents_are_stopped_and_the_run_goes_on(tmp_path):
    papers = tmp_path / "papers"
    write_theme(papers, "deterrence", name="a-normal-paper")
    write_theme(papers, "engagement", name="b-long-paper", pages=3)
    # ~30 s of layout work without a limit; the worker is killed after 3 s
    (papers / "c-slow.pdf").write_bytes(slow_pdf(200_000))
    settings = tmp_path / "settings.yaml"
    settings.write_text("limits:\n  document_seconds: 3\n  max_pages: 2\n", encoding="utf-8")

    summary = run_corpus([papers], tmp_path / "out", ConfigSource.of(settings), jobs=1, progress_stream=io.StringIO())

    entries = entries_by_doc(tmp_path / "out")
    assert entries["c-slow"]["error"]["code"] == "timeout"
    assert "limits.document_seconds = 3 s" in entries["c-slow"]["error"]["message"]
    assert entries["b-long-paper"]["error"]["code"] == "too_large"
    assert "3 pages, more than limits.max_pages = 2" in entries["b-long-paper"]["error"]["message"]
    assert entries["a-normal-paper"]["status"] == "ok"
    assert _recommendation_doc_ids(tmp_path / "out") == {"a-normal-paper"}
    assert (summary.failed, summary.processed) == (2, 3)
