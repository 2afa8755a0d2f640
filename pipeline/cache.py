"""Per-document result cache: an SQLite database in the output folder.

Two tables: extracted layouts keyed by the PDF bytes' hash, the extraction
settings and the backend (so a taxonomy change does not redo extraction), and
full results keyed by the bytes' hash and a key over the whole configuration
and the program and model versions. Every ``put`` commits, so a killed run
keeps each finished document.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from pipeline.types import DocumentResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS layouts (
    digest TEXT NOT NULL, extract_key TEXT NOT NULL, backend TEXT NOT NULL, layout BLOB NOT NULL,
    PRIMARY KEY (digest, extract_key, backend));
CREATE TABLE IF NOT EXISTS results (
    digest TEXT NOT NULL, result_key TEXT NOT NULL, result BLOB NOT NULL,
    PRIMARY KEY (digest, result_key));
"""


def _pack(data: Any) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 3)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


class ResultCache:
    """JSON in SQLite, never pickles: a cache file is data, not code."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> ResultCache:
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("ResultCache used outside its with-block")
        return self._db

    def get_result(self, digest: str, result_key: str, doc_id: str) -> DocumentResult | None:
        row = self.db.execute(
            "SELECT result FROM results WHERE digest = ? AND result_key = ?", (digest, result_key)
        ).fetchone()
        if row is None:
            return None
        try:
            result = DocumentResult.from_dict(_unpack(row[0]))
        except (zlib.error, ValueError, KeyError, TypeError):
            return None  # a damaged entry is a miss; the document is redone
        if result.doc_id != doc_id:
            return None  # the same bytes under another name: ids are baked into records
        return result

    def get_layout(self, digest: str, extract_key: str, backend: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT layout FROM layouts WHERE digest = ? AND extract_key = ? AND backend = ?",
            (digest, extract_key, backend),
        ).fetchone()
        if row is None:
            return None
        try:
            return _unpack(row[0])
        except (zlib.error, ValueError):
            return None

    def put(self, digest: str, extract_key: str, backend: str, result_key: str, result: DocumentResult) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO layouts VALUES (?, ?, ?, ?)",
                (digest, extract_key, backend, _pack(result.layout.to_dict())),
            )
            self.db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                (digest, result_key, _pack(result.to_dict())),
            )
