"""Incremental runs: unchanged corpus does no work, a new paper is the only work, a taxonomy edit reuses layouts."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import pytest
from corpus_pdfs import write_theme
from run_helpers import REPO, entries_by_doc, manifest, outputs_snapshot

from pipeline.config import ConfigSource
from pipeline.run import corpus as runner
from pipeline.run import run_corpus


@pytest.fixture
def executed(monkeypatch) -> list[list[str]]:
    """The doc ids handed to an executor, run by run (the real executor still runs)."""
    calls: list[list[str]] = []
    real = runner._execute

    def spy(todo, context, scheduler):
        calls.append(sorted(task.doc_id for task, _ in todo))
        return real(todo, context, scheduler)

    monkeypatch.setattr(runner, "_execute", spy)
    return calls


def _run(papers: Path, out: Path, source: ConfigSource | None = None):
    return run_corpus([papers], out, source or ConfigSource.of(None), progress_stream=io.StringIO())


def _own_taxonomy(folder: Path) -> ConfigSource:
    """Settings naming a copy of the actor taxonomy that the test may edit."""
    folder.mkdir()
    shutil.copy(REPO / "configs" / "actors.yaml", folder / "actors.yaml")
    (folder / "settings.yaml").write_text("paths:\n  actors: actors.yaml\n", encoding="utf-8")
    return ConfigSource.of(folder / "settings.yaml")


def test_incremental_runs(tmp_path, executed):
    papers, out = tmp_path / "papers", tmp_path / "out"
    source = _own_taxonomy(tmp_path / "configs")
    write_theme(papers, "sanctions")
    write_theme(papers, "deterrence")

    started = time.perf_counter()
    cold = _run(papers, out, source)
    cold_seconds = time.perf_counter() - started
    assert (cold.processed, cold.failed, cold.recommendations) == (2, 0, 4)
    assert executed == [["deterrence", "sanctions"]]
    before = outputs_snapshot(out)

    # unchanged corpus: no worker, outputs kept, only the manifest rewritten
    started = time.perf_counter()
    again = _run(papers, out, source)
    again_seconds = time.perf_counter() - started
    assert again.outputs_reused and again.processed == 0
    assert executed == [["deterrence", "sanctions"]], "a worker ran for an unchanged corpus"
    assert all(e["cache_hit"] for e in manifest(out)["documents"])
    assert manifest(out)["run"]["processed"] == 0
    after = outputs_snapshot(out)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {k: v for k, v in before.items() if k != "manifest.json"}
    assert again_seconds < 0.05 * cold_seconds, (again_seconds, cold_seconds)

    # a third paper: only that one is processed, the others come from the cache
    write_theme(papers, "engagement")
    third = _run(papers, out, source)
    assert executed[-1] == ["engagement"]
    assert third.processed == 1 and not third.outputs_reused
    entries = entries_by_doc(out)
    assert {doc: e["cache_hit"] for doc, e in entries.items()} == {"deterrence": True, "sanctions": True, "engagement": False}
    assert {r["doc_id"] for r in _recommendations(out)} == {"deterrence", "sanctions", "engagement"}

    # a renamed file keeps its cached result under its new doc id
    (papers / "engagement.pdf").rename(papers / "Engagement Options.pdf")
    renamed = _run(papers, out, source)
    assert renamed.processed == 0 and executed[-1] == ["engagement"]
    assert entries_by_doc(out)["engagement-options"]["cache_hit"]
    assert {r["id"].split(":")[0] for r in _recommendations(out)} == {"deterrence", "sanctions", "engagement-options"}

    # a taxonomy edit redoes every result but reuses the extracted layouts
    actors = tmp_path / "configs" / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8") + "\n# a user's edit: any change counts\n", encoding="utf-8")
    edited = _run(papers, out, source)
    assert edited.processed == 3 and executed[-1] == ["deterrence", "engagement-options", "sanctions"]
    for entry in entries_by_doc(out).values():
        assert not entry["cache_hit"] and entry["layout_cached"]
        assert "extract" not in entry["seconds"], f"{entry['doc_id']}: the layout was extracted again"


def _recommendations(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "recommendations.jsonl").read_text(encoding="utf-8").splitlines()]
