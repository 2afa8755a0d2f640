"""contradictions.yaml is read by the configuration layer, which imports no stage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.errors import ConfigError
from pipeline.taxonomy.contradictions import load_contradictions


def test_rules_are_read_with_their_cues_normalised(tmp_path):
    path = tmp_path / "contradictions.yaml"
    path.write_text(
        "oppositions:\n  - reason: engage vs isolate\n    a: {cues: [' Engage ']}\n    b: {cues: [isolate]}\n"
        "head_words: {measure: 4}\nlimiters: [Only]\n", encoding="utf-8")
    rules = load_contradictions(path, known_instruments=["sanctions"])
    assert rules.oppositions[0].a.cues == ("engage",) and rules.head_words_measure == 4 and rules.limiters == ("only",)


def test_a_bad_entry_names_the_file_and_entry(tmp_path):
    path = tmp_path / "contradictions.yaml"
    path.write_text("same_document: maybe\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_contradictions(path)
    assert caught.value.entry == "same_document" and "expected true or false, got 'maybe'" in str(caught.value)


def test_loading_the_configuration_imports_no_stage():
    code = (
        "import sys\nfrom pipeline.config import load_config\nload_config()\n"
        "stages = ('extract', 'segment', 'recognise', 'classify', 'graph', 'export', 'report', 'run')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in [['pipeline', s] for s in stages]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
