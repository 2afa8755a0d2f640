"""The per-document cache: JSON in SQLite, keyed by bytes and settings, committed per document."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from pipeline import cache as cache_module
from pipeline.cache import CachedFailure, CacheError, ResultCache
from pipeline.run.planning import open_cache, rebind
from pipeline.types import (
    Block,
    BlockKind,
    DocumentLayout,
    DocumentResult,
    EntityMention,
    Page,
    Recommendation,
    Sentence,
)


def _result(doc_id: str = "paper", path: str = "papers/paper.pdf") -> DocumentResult:
    block = Block("The EU should impose sanctions.", BlockKind.PARAGRAPH, 1, (10.0, 20.0, 300.0, 40.0))
    layout = DocumentLayout(doc_id, path, (Page(1, 595.0, 842.0, blocks=(block,)),))
    sentence = Sentence(0, block.text, 1, (block.bbox,), 0, BlockKind.PARAGRAPH, ("Recommendations",))
    mention = EntityMention(doc_id, "EU", "ORG", "eu", 1, None, 0, 4, 6)
    recommendation = Recommendation(
        id=f"{doc_id}:0", doc_id=doc_id, text=block.text, page=1, bbox=block.bbox, section=("Recommendations",),
        addressees=("eu",), targets=(), instruments=("sanctions",), modality="should", polarity="do",
        reported=False, score=0.9, sentence_index=0, measure="impose sanctions",
    )
    return DocumentResult(doc_id, path, layout, (sentence,), (mention,), (recommendation,))


def test_results_and_layouts_round_trip(tmp_path):
    result = _result()
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        cache.put("d1", "ex1", "res1", result)
        assert cache.get_result("d1", "res1") == result
        assert cache.has_result("d1", "res1")
        assert cache.get_layout("d1", "ex1") == result.layout.to_dict()
        # another configuration or extraction key is a miss
        assert cache.get_result("d1", "res2") is None and not cache.has_result("d1", "res2")
        assert cache.get_layout("d1", "ex2") is None


def test_every_put_is_committed_and_visible_to_another_connection(tmp_path):
    path = tmp_path / "cache.sqlite"
    with ResultCache(path) as cache:
        cache.put("d1", "ex", "res", _result())
        cache.put_failure("d2", "res", CachedFailure("corrupt", "pdfminer cannot parse page 1"))
        # still open, as in a run that is killed now
        other = sqlite3.connect(path)
        assert other.execute("SELECT count(*) FROM results").fetchone() == (1,)
        assert other.execute("SELECT code FROM failures").fetchone() == ("corrupt",)
        other.close()


def test_values_are_compressed_json_never_pickles(tmp_path):
    path = tmp_path / "cache.sqlite"
    with ResultCache(path) as cache:
        cache.put("d1", "ex", "res", _result())
    db = sqlite3.connect(path)
    (blob,) = db.execute("SELECT result FROM results").fetchone()
    db.close()
    assert json.loads(zlib.decompress(blob))["doc_id"] == "paper"


def test_a_damaged_entry_is_a_miss_not_a_crash(tmp_path):
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        cache.put("d1", "ex", "res", _result())
        cache.db.execute("UPDATE results SET result = ?", (b"garbage",))
        cache.db.execute("UPDATE layouts SET layout = ?", (zlib.compress(b"{not json"),))
        assert cache.get_result("d1", "res") is None
        assert cache.get_layout("d1", "ex") is None


def test_a_success_replaces_a_remembered_failure(tmp_path):
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        cache.put_failure("d1", "res", CachedFailure("too_large", "it has 5000 pages"))
        assert cache.get_failure("d1", "res") == CachedFailure("too_large", "it has 5000 pages")
        cache.put("d1", "ex", "res", _result())
        assert cache.get_failure("d1", "res") is None


def test_unchanged_files_are_not_hashed_again(tmp_path, monkeypatch):
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(b"%PDF-1.4 first")
    calls: list[Path] = []
    real_hash = cache_module.hash_file
    monkeypatch.setattr(cache_module, "hash_file", lambda p: calls.append(p) or real_hash(p))
    with ResultCache(tmp_path / "cache.sqlite") as cache:
        first = cache.digest_of(paper)
        assert cache.digest_of(paper) == first
        assert len(calls) == 1
        paper.write_bytes(b"%PDF-1.4 second, longer")
        assert cache.digest_of(paper) != first
        assert len(calls) == 2


def test_a_cache_of_another_schema_version_starts_afresh(tmp_path):
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE results (digest TEXT, result_key TEXT, result BLOB, extra TEXT)")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    with ResultCache(path) as cache:
        cache.put("d1", "ex", "res", _result())
        assert cache.get_result("d1", "res") is not None
        assert cache.integrity_ok()


def test_a_file_that_is_not_a_database_is_reported_and_set_aside_by_the_run(tmp_path):
    path = tmp_path / ".policygraph-cache.sqlite"
    path.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(CacheError, match="cannot be opened"):
        ResultCache(path).__enter__()
    with open_cache(tmp_path) as cache:
        assert cache.integrity_ok()
    assert len(list(tmp_path.glob(".policygraph-cache.sqlite.damaged-*"))) == 1


def test_a_cached_result_is_rebound_to_the_file_name_of_this_run():
    moved = rebind(_result("old-name", "a/old-name.pdf"), "new-name", "b/new-name.pdf")
    assert moved.doc_id == moved.layout.doc_id == "new-name"
    assert moved.path == moved.layout.path == "b/new-name.pdf"
    assert [r.id for r in moved.recommendations] == ["new-name:0"]
    assert {r.doc_id for r in moved.recommendations} == {e.doc_id for e in moved.entities} == {"new-name"}
