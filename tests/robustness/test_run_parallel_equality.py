"""Serial, ``--jobs 2`` and ``--executor dask --scheduler local`` runs write the same outputs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from corpus_pdfs import THEMES, write_theme
from run_helpers import normalised_outputs, outputs_snapshot

from pipeline.config import ConfigSource
from pipeline.run import run_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    papers = tmp_path_factory.mktemp("papers")
    for theme in THEMES:
        write_theme(papers, theme, pages=2)
    (papers / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (papers / "notes.txt").write_text("not a paper", encoding="utf-8")
    return papers


@pytest.fixture(scope="module")
def serial(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    summary = run_corpus([corpus], out, ConfigSource.of(None), jobs=1, progress_stream=io.StringIO())
    assert (summary.documents, summary.failed, summary.skipped) == (5, 1, 1)
    assert summary.recommendations >= 2 * len(THEMES)
    return out


def _assert_same_outputs(expected: Path, actual: Path) -> None:
    want, got = normalised_outputs(expected), normalised_outputs(actual)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from the serial run's"
    # stronger than the acceptance asks, and what makes diffs of outputs useful: the same bytes
    bytes_of = {k: v for k, v in outputs_snapshot(actual).items() if k != "manifest.json"}
    assert bytes_of == {k: v for k, v in outputs_snapshot(expected).items() if k != "manifest.json"}


def test_two_worker_processes_write_what_one_writes(corpus, serial, tmp_path):
    summary = run_corpus([corpus], tmp_path, ConfigSource.of(None), jobs=2, progress_stream=io.StringIO())
    assert summary.processed == 5
    _assert_same_outputs(serial, tmp_path)


@pytest.mark.slow
def test_a_local_dask_cluster_writes_what_one_process_writes(corpus, serial, tmp_path):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed (pip install '.[dask]')")
    summary = run_corpus(
        [corpus], tmp_path, ConfigSource.of(None), jobs=2, executor="dask", scheduler="local",
        progress_stream=io.StringIO(),
    )
    assert summary.processed == 5
    _assert_same_outputs(serial, tmp_path)
    assert not (tmp_path / ".dask-scratch").exists()
