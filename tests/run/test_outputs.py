"""The output folder: staged outputs swapped in file by file, interrupted swaps completed, one run at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.run.folder import COMPLETE_MARKER, MANIFEST, output_lock, outputs_intact
from pipeline.run.outputs import _output_hashes, _swap_in, recover_staging


def _outputs(folder: Path, version: str) -> Path:
    (folder / "documents").mkdir(parents=True)
    (folder / "documents" / f"paper-{version}.json").write_text(version)
    (folder / "recommendations.jsonl").write_text(f"{version}\n")
    (folder / MANIFEST).write_text(json.dumps({"version": version}))
    return folder


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_staged_run_replaces_what_it_wrote_and_keeps_the_rest(tmp_path):
    out = _outputs(tmp_path / "out", "old")
    (out / "documents" / "notes.txt").write_text("the user's own")
    staging = _outputs(out / ".staging-new", "new")
    # the marker lists the previous run's outputs that this run no longer writes
    (staging / COMPLETE_MARKER).write_text(json.dumps({"complete": True, "remove": ["documents/paper-old.json"]}))
    _swap_in(staging, out)
    assert {k: v for k, v in _tree(out).items() if not k.startswith(".staging")} == {
        "documents/notes.txt": "the user's own", "documents/paper-new.json": "new",
        "recommendations.jsonl": "new\n", MANIFEST: '{"version": "new"}',
    }


def test_a_swap_removes_nothing_that_the_marker_does_not_list(tmp_path):
    out = _outputs(tmp_path / "out", "old")
    staging = _outputs(out / ".staging-new", "new")
    (staging / COMPLETE_MARKER).write_text(json.dumps({"complete": True, "remove": ["../outside.txt", "/etc/passwd"]}))
    (tmp_path / "outside.txt").write_text("not ours")
    _swap_in(staging, out)
    assert (out / "documents" / "paper-old.json").read_text() == "old"  # not listed: kept
    assert (tmp_path / "outside.txt").read_text() == "not ours"


def test_staging_that_was_never_marked_complete_is_dropped(tmp_path):
    out = _outputs(tmp_path / "out", "old")
    before = _tree(out)
    _outputs(out / ".staging-killed", "half")
    recover_staging(out)
    assert _tree(out) == before
    assert not (out / ".staging-killed").exists()


def test_a_swap_cut_short_is_completed_by_the_next_run(tmp_path):
    out = _outputs(tmp_path / "out", "old")
    staging = _outputs(out / ".staging-complete", "new")
    (staging / COMPLETE_MARKER).write_text("complete\n")
    # the killed run had already moved one file in, and an old folder aside
    (staging / "recommendations.jsonl").replace(out / "recommendations.jsonl")
    (out / "documents").replace(out / ".old-documents-1234")
    recover_staging(out)
    assert _tree(out) == {"documents/paper-new.json": "new", "recommendations.jsonl": "new\n", MANIFEST: '{"version": "new"}'}
    assert not list(out.glob(".staging-*")) and not list(out.glob(".old-*"))


def test_a_symlink_planted_in_the_output_folder_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "recommendations.jsonl").symlink_to(victim)
    (out / "documents").symlink_to(tmp_path)
    _swap_in(_outputs(out / ".staging-x", "new"), out)
    assert victim.read_text() == "precious"
    assert not (out / "recommendations.jsonl").is_symlink() and not (out / "documents").is_symlink()
    assert (tmp_path / "victim.txt").exists()


def test_output_hashes_detect_a_changed_or_missing_output(tmp_path):
    out = _outputs(tmp_path / "out", "v")
    hashes = _output_hashes(out)
    assert set(hashes) == {"documents/paper-v.json", "recommendations.jsonl"}
    assert outputs_intact(out, hashes)
    (out / "recommendations.jsonl").write_text("edited by hand\n")
    assert not outputs_intact(out, hashes)
    assert not outputs_intact(out, {"../outside.txt": hashes["documents/paper-v.json"]})


def test_one_run_at_a_time_per_output_folder(tmp_path):
    with output_lock(tmp_path):
        with pytest.raises(UsageError, match="another policygraph run"):
            with output_lock(tmp_path):
                pass
    with output_lock(tmp_path):  # released when the first run ends
        pass
