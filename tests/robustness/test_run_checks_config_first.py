"""A run checks every configuration file before it opens the first PDF."""

from __future__ import annotations

import io
import shutil

import pytest
from corpus_pdfs import write_theme

from pipeline.config import DEFAULT_CONFIG_DIR
from pipeline.errors import ConfigError
from pipeline.config import ConfigSource
from pipeline.run import run_corpus


def test_a_broken_contradictions_file_stops_the_run_before_any_document(tmp_path):
    config_dir = tmp_path / "configs"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    (config_dir / "contradictions.yaml").write_text("oppositions: [not, a, mapping\n", encoding="utf-8")
    papers = tmp_path / "papers"
    write_theme(papers, "sanctions")
    progress = io.StringIO()

    with pytest.raises(ConfigError) as caught:
        run_corpus([papers], tmp_path / "out", ConfigSource.of(config_dir / "settings.yaml"), progress_stream=progress)

    assert caught.value.path == str(config_dir / "contradictions.yaml")
    assert progress.getvalue() == ""  # no document was started
    assert not (tmp_path / "out" / "manifest.json").exists()
