"""The whole of ../shared/pdfs and ../shared/corpus in one run: every file accounted for, the run completes.

Speed: the pdfium backend and ``limits.max_pages: 30`` keep this near a
minute on two cores. The five files over 30 pages (352 and 400 pages among
them) are then reported as ``too_large`` after a page count, which is itself
the point of the limit; the rest go through the whole pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_helpers import SHARED, manifest, run_cli

pytestmark = pytest.mark.slow

# Typed errors a document may end with; anything else (internal_error, crashed) is a bug.
TYPED_CODES = {"empty_file", "not_a_pdf", "encrypted", "corrupt", "image_only", "timeout", "too_large"}
SAMPLE_MIN_RECOMMENDATIONS = 20


@pytest.fixture(scope="module")
def folders() -> tuple[Path, Path]:
    pdfs, corpus = SHARED / "pdfs", SHARED / "corpus"
    if not (pdfs.is_dir() and corpus.is_dir()):
        pytest.skip(f"{SHARED.resolve()} is absent: the shared data folder is not beside the repository")
    return pdfs, corpus


def test_a_run_over_every_shared_file_completes_and_accounts_for_each(folders, tmp_path):
    pdfs, corpus = folders
    settings = tmp_path / "settings.yaml"
    settings.write_text("extract:\n  backend: pdfium\nlimits:\n  max_pages: 30\n", encoding="utf-8")
    out = tmp_path / "out"

    done = run_cli("run", pdfs, corpus, "--out", out, "--config", settings, "--jobs", "2", "--quiet", timeout=900)

    assert done.returncode == 2, done.stderr
    entries = {Path(e["path"]).resolve(): e for e in manifest(out)["documents"]}
    every_file = {p.resolve() for folder in folders for p in folder.iterdir() if p.is_file()}
    assert set(entries) == every_file
    for path, entry in entries.items():
        if entry["status"] == "ok":
            assert entry["error"] is None
            continue
        assert entry["status"] in ("failed", "skipped")
        assert entry["error"]["code"] in TYPED_CODES, f"{path.name}: {entry['error']}"
        assert str(path.name) in entry["error"]["message"]
    assert entries[(pdfs / "MANIFEST.md").resolve()]["status"] == "skipped"

    records = [json.loads(line) for line in (out / "recommendations.jsonl").read_text(encoding="utf-8").splitlines()]
    for sample in corpus.glob("*.pdf"):
        entry = entries[sample.resolve()]
        doc_id = entry["doc_id"]
        assert entry["status"] == "ok" and entry["pages"] > 10
        assert entry["recommendations"] >= SAMPLE_MIN_RECOMMENDATIONS
        assert sum(r["doc_id"] == doc_id for r in records) == entry["recommendations"]
        layout = json.loads((out / "documents" / f"{doc_id}.json").read_text(encoding="utf-8"))
        assert len(layout["pages"]) == entry["pages"]

    failed = [e for e in entries.values() if e["status"] == "failed"]
    assert failed
    table = done.stderr[done.stderr.index("documents that failed"):]
    for entry in failed:
        assert f"{entry['path']} | {entry['error']['code']} |" in table
