"""Discovery and doc ids: which files a run reads, under which names, and which it refuses."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.config import ConfigSource
from pipeline.run import assign_doc_ids, discover, plan_documents

PDF_BYTES = b"%PDF-1.4\n% not a real document, only its signature\n"


def _touch(path: Path, data: bytes = PDF_BYTES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _names(candidates) -> list[str]:
    return [c.path.name for c in candidates]


def test_pdfs_are_found_by_content_and_by_extension_recursively(tmp_path):
    _touch(tmp_path / "a" / "paper.pdf")
    _touch(tmp_path / "a" / "b" / "download")  # a PDF without an extension
    _touch(tmp_path / "a" / "mail-prefix.bin", b"X-Junk: header\r\n\r\n" + PDF_BYTES)
    _touch(tmp_path / "notes.txt", b"plain text")
    _touch(tmp_path / "broken.PDF", b"<html>an error page saved as PDF</html>")
    found = {c.path.name: c.is_pdf for c in discover([tmp_path])}
    assert found == {"paper.pdf": True, "download": True, "mail-prefix.bin": True, "notes.txt": False, "broken.PDF": True}


def test_hidden_files_and_folders_are_skipped_and_order_is_sorted(tmp_path):
    _touch(tmp_path / "b.pdf")
    _touch(tmp_path / "a.pdf")
    _touch(tmp_path / ".hidden.pdf")
    _touch(tmp_path / ".git" / "inside.pdf")
    assert _names(discover([tmp_path])) == ["a.pdf", "b.pdf"]


def test_a_file_given_twice_or_through_its_folder_is_read_once(tmp_path):
    paper = _touch(tmp_path / "paper.pdf")
    assert _names(discover([tmp_path, paper, paper])) == ["paper.pdf"]


def test_missing_paths_are_a_usage_error_naming_them(tmp_path):
    with pytest.raises(UsageError, match="nope"):
        discover([tmp_path / "nope"])


def test_pipes_are_not_read(tmp_path):
    _touch(tmp_path / "paper.pdf")
    os.mkfifo(tmp_path / "pipe.pdf")
    assert _names(discover([tmp_path])) == ["paper.pdf"]
    with pytest.raises(UsageError, match="not a regular file"):
        discover([tmp_path / "pipe.pdf"])


def test_the_output_folder_is_not_read_as_input(tmp_path):
    _touch(tmp_path / "paper.pdf")
    _touch(tmp_path / "outputs" / "documents" / "old.pdf")
    assert _names(discover([tmp_path], exclude=[tmp_path / "outputs"])) == ["paper.pdf"]
    # unless the user names it as an input
    assert "old.pdf" in _names(discover([tmp_path / "outputs"], exclude=[tmp_path / "outputs"]))


def test_symlinks_leading_outside_are_refused_unless_followed(tmp_path):
    outside = tmp_path / "outside"
    _touch(outside / "secret.pdf")
    _touch(outside / "folder" / "deep.pdf")
    given = tmp_path / "given"
    _touch(given / "own.pdf")
    (given / "link.pdf").symlink_to(outside / "secret.pdf")
    (given / "dirlink").symlink_to(outside / "folder")

    found = discover([given])
    assert [c.path.name for c in found if c.refusal is None] == ["own.pdf"]
    refused = {c.path.name: c.refusal.code for c in found if c.refusal is not None}
    assert refused == {"dirlink": "symlink_outside", "link.pdf": "symlink_outside"}
    assert all(str(outside) in str(c.refusal) for c in found if c.refusal is not None)

    followed = discover([given], follow_symlinks=True)
    assert sorted(c.path.name for c in followed if c.refusal is None) == ["deep.pdf", "link.pdf", "own.pdf"]


def test_symlinks_inside_the_given_folder_are_read_once(tmp_path):
    _touch(tmp_path / "papers" / "real.pdf")
    (tmp_path / "alias.pdf").symlink_to(tmp_path / "papers" / "real.pdf")
    (tmp_path / "papers-again").symlink_to(tmp_path / "papers")
    found = discover([tmp_path])
    assert [(c.path.name, c.refusal) for c in found] == [("real.pdf", None)]


def test_symlink_cycles_end_when_following(tmp_path):
    _touch(tmp_path / "a" / "paper.pdf")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    found = discover([tmp_path], follow_symlinks=True)
    assert _names(found) == ["paper.pdf"]


def test_broken_links_get_an_entry_saying_so(tmp_path):
    _touch(tmp_path / "paper.pdf")
    (tmp_path / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    refused = [c for c in discover([tmp_path]) if c.refusal is not None]
    assert [(c.path.name, c.refusal.code) for c in refused] == [("gone.pdf", "broken_link")]


@pytest.mark.parametrize(
    "name",
    ["...pdf", "..pdf", "a..b.pdf", "back\\slash.pdf", "Лукашенка 2023.pdf", "rtl\u202eevil.pdf", "x" * 250 + ".pdf",
     "CON.pdf", "tab\tname.pdf", "per%2F..%2Fcent.pdf"],
)
def test_doc_ids_are_slugs_without_separators_or_dots(name):
    (doc_id,) = assign_doc_ids([Path("/papers") / name])
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", doc_id), doc_id
    assert len(f"{doc_id}.json".encode()) < 255


def test_doc_ids_are_unique_within_a_run():
    paths = [Path("a/Report.pdf"), Path("b/report.pdf"), Path("c/report-2.pdf"), Path("d/REPORT.pdf"), Path("e/...pdf")]
    ids = assign_doc_ids(paths)
    assert len(set(ids)) == len(ids)
    assert ids[:2] == ["report", "report-2"]


def test_non_pdfs_in_folders_are_skipped_but_named_ones_fail(tmp_path):
    _touch(tmp_path / "folder" / "README.md", b"# notes")
    given = _touch(tmp_path / "letter.docx", b"PK\x03\x04 a zip")
    plan = plan_documents(discover([tmp_path / "folder", given]), None)
    statuses = {Path(p.path).name: (p.decided.status, p.decided.error["code"]) for p in plan}
    assert statuses == {"README.md": ("skipped", "not_a_pdf"), "letter.docx": ("failed", "not_a_pdf")}
    assert all(p.path in p.decided.error["message"] for p in plan)


def test_config_fingerprint_follows_every_configuration_file(tmp_path):
    default = ConfigSource.of(None).fingerprint()
    assert default is not None and default == ConfigSource.of(None).fingerprint()
    assert ConfigSource.of(None, {"extract.backend": "pdfium"}).fingerprint() != default

    actors = tmp_path / "actors.yaml"
    actors.write_bytes((Path(__file__).resolve().parents[2] / "configs" / "actors.yaml").read_bytes())
    settings = tmp_path / "settings.yaml"
    settings.write_text("paths:\n  actors: actors.yaml\n", encoding="utf-8")
    own = ConfigSource.of(settings).fingerprint()
    assert own is not None and own != default
    actors.write_bytes(actors.read_bytes() + b"\n# an edit\n")
    assert ConfigSource.of(settings).fingerprint() != own


def test_unreadable_settings_give_no_fingerprint_so_the_run_validates_them(tmp_path):
    broken = tmp_path / "settings.yaml"
    broken.write_text("run: [unclosed\n", encoding="utf-8")
    assert ConfigSource.of(broken).fingerprint() is None
    assert ConfigSource.of(tmp_path / "missing.yaml").fingerprint() is None

