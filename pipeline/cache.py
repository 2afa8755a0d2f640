"""Per-document result cache: an SQLite database in the output folder.

Four tables:

* ``layouts``: extracted layouts keyed by the PDF bytes' hash and a key over
  the extraction settings, the extract code and the PDF libraries, so that a
  taxonomy or classifier change reuses them;
* ``results``: full per-document results keyed by the bytes' hash and a key
  over the whole configuration and every program and model version;
* ``failures``: typed errors that come back every time for the same bytes and
  configuration (corrupt, encrypted, image-only ...), so a re-run does not
  redo them; timeouts and crashes are not stored, they may pass next time;
* ``files``: the bytes' hash of each input path with its size, mtime and
  inode, so an unchanged file is not read again to be hashed.

Every write commits at once (WAL journal), so a killed run keeps each finished
document and the database stays consistent. Values are zlib-compressed JSON,
never pickles: a cache file is data, not code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PolicygraphError
from pipeline.types import DocumentResult

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS layouts (
    digest TEXT NOT NULL, extract_key TEXT NOT NULL, layout BLOB NOT NULL,
    PRIMARY KEY (digest, extract_key));
CREATE TABLE IF NOT EXISTS results (
    digest TEXT NOT NULL, result_key TEXT NOT NULL, result BLOB NOT NULL,
    PRIMARY KEY (digest, result_key));
CREATE TABLE IF NOT EXISTS failures (
    digest TEXT NOT NULL, result_key TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL,
    PRIMARY KEY (digest, result_key));
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
    digest TEXT NOT NULL);
"""
# sqlite waits this long for a lock held by another process before failing
BUSY_TIMEOUT_SECONDS = 30.0
_DIGEST_CHUNK = 1 << 20


class CacheError(PolicygraphError):
    """The cache database cannot be opened or written.

    ``damaged`` says the file itself is broken (set it aside and start afresh);
    otherwise the machine is at fault (a full disk, no permission) and the file
    is left as it is.
    """

    code = "cache_error"

    def __init__(self, message: str, *, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


# SQLite's own words for a machine that cannot write, as opposed to a broken file
_MACHINE_FAULTS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_BUSY")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """SQLite's own errors (a full disk: "database or disk is full") as one clear CacheError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise CacheError(
            f"{path}: the result cache cannot be written ({exc}); free space on the disk that holds --out, "
            "or choose an --out on another disk, and run again (finished documents are kept)"
        ) from None


@dataclass(frozen=True)
class CachedFailure:
    """A typed document error remembered for the same bytes and configuration."""

    code: str
    reason: str  # the error's reason, without the path (the file may have moved)


def _pack(data: Any) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 3)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


def hash_file(path: Path) -> str:
    """SHA-256 of the file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_DIGEST_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ResultCache:
    """JSON in SQLite. Use as a context manager; every ``put_*`` commits."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> ResultCache:
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                self._drop_all()
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            if self._db is not None:
                self._db.close()
                self._db = None
            if (getattr(exc, "sqlite_errorname", "") or "").startswith(_MACHINE_FAULTS):
                raise CacheError(
                    f"{self.path}: the result cache cannot be opened ({exc}); free space on the disk that holds "
                    "--out or fix its permissions, then run again"
                ) from None
            raise CacheError(
                f"{self.path}: the result cache cannot be opened ({exc}); delete the file "
                "(results are recomputed) or run with --no-cache", damaged=True,
            ) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _drop_all(self) -> None:
        # an older layout of the cache: its entries cannot be read, start afresh
        for table in ("layouts", "results", "failures", "files"):
            self.db.execute(f"DROP TABLE IF EXISTS {table}")

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("ResultCache used outside its with-block")
        return self._db

    # -- reads ----------------------------------------------------------------

    def get_result(self, digest: str, result_key: str) -> DocumentResult | None:
        row = self.db.execute(
            "SELECT result FROM results WHERE digest = ? AND result_key = ?", (digest, result_key)
        ).fetchone()
        if row is None:
            return None
        try:
            return DocumentResult.from_dict(_unpack(row[0]))
        except (zlib.error, ValueError, KeyError, TypeError):
            return None  # a damaged entry is a miss; the document is redone

    def has_result(self, digest: str, result_key: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM results WHERE digest = ? AND result_key = ?", (digest, result_key)
        ).fetchone()
        return row is not None

    def get_layout(self, digest: str, extract_key: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT layout FROM layouts WHERE digest = ? AND extract_key = ?", (digest, extract_key)
        ).fetchone()
        if row is None:
            return None
        try:
            return _unpack(row[0])
        except (zlib.error, ValueError):
            return None

    def get_failure(self, digest: str, result_key: str) -> CachedFailure | None:
        row = self.db.execute(
            "SELECT code, reason FROM failures WHERE digest = ? AND result_key = ?", (digest, result_key)
        ).fetchone()
        return None if row is None else CachedFailure(code=row[0], reason=row[1])

    def digest_of(self, path: Path) -> str:
        """The bytes' hash of ``path``, read again only when size, mtime or inode changed."""
        key = str(path.resolve())
        stat = path.stat()
        row = self.db.execute("SELECT size, mtime_ns, inode, digest FROM files WHERE path = ?", (key,)).fetchone()
        if row is not None and tuple(row[:3]) == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return row[3]
        digest = hash_file(path)
        with _writing(self.path), self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                (key, stat.st_size, stat.st_mtime_ns, stat.st_ino, digest),
            )
        return digest

    # -- writes (each commits) --------------------------------------------------

    def put(self, digest: str, extract_key: str, result_key: str, result: DocumentResult) -> None:
        """Store a finished document's layout and result in one transaction."""
        with _writing(self.path), self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO layouts VALUES (?, ?, ?)",
                (digest, extract_key, _pack(result.layout.to_dict())),
            )
            self.db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                (digest, result_key, _pack(result.to_dict())),
            )
            self.db.execute("DELETE FROM failures WHERE digest = ? AND result_key = ?", (digest, result_key))

    def put_failure(self, digest: str, result_key: str, failure: CachedFailure) -> None:
        with _writing(self.path), self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?)",
                (digest, result_key, failure.code, failure.reason),
            )

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

