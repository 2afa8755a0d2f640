"""``policygraph extract``: it loads only what reading one PDF needs, and checks only the settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAPER = REPO / "corpus" / "astapenia-2023-rethinking-western-policy-belarus.pdf"

# Libraries `extract --backend pdfium` has no use for: spaCy and the learners
# come with the taxonomies and later stages, pdfminer with the other backend.
NOT_FOR_PDFIUM = ("spacy", "thinc", "sklearn", "scipy", "pdfminer", "pdfplumber", "pydantic")

LOADED_AFTER_EXTRACT = """
import sys
from pipeline.cli import main
code = main(sys.argv[1:])
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


def _extract(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LOADED_AFTER_EXTRACT, "extract", *map(str, args)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_extract_with_pdfium_loads_no_nlp_library_nor_pdfminer():
    result = _extract("--backend", "pdfium", "--format", "json", PAPER)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stderr.split())
    assert "pypdfium2" in loaded
    assert not loaded & set(NOT_FOR_PDFIUM), f"extract --backend pdfium imported {sorted(loaded & set(NOT_FOR_PDFIUM))}"


def test_extract_still_refuses_a_bad_setting(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("extract:\n  furniture_zone: 0.9\n", encoding="utf-8")
    result = _extract("--config", settings, PAPER)
    assert result.returncode == 1
    assert "extract.furniture_zone" in result.stderr and "expected a number < 0.5" in result.stderr


@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
def test_extract_reads_no_taxonomy(tmp_path, backend):
    settings = tmp_path / "settings.yaml"
    settings.write_text("paths:\n  actors: missing-actors.yaml\n", encoding="utf-8")
    result = _extract("--config", settings, "--backend", backend, PAPER)
    assert result.returncode == 0, result.stderr
    assert "Belarus" in result.stdout
