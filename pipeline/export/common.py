"""What every exporter shares: atomic writes and stable edge ids."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# Exported files are read by other people's tools: readable by all, like any
# file the user would have written, not the private 0600 of a temp file.
FILE_MODE = 0o644

# Formats that put an edge's endpoints in the same dict as its attributes
# (node-link and Cytoscape JSON) would let the CONTRADICTS attribute `target`
# overwrite the endpoint; there it is written under another name.
JSON_EDGE_RENAMES = {"target": "target_actor", "source": "source_actor", "id": "edge_attr_id", "key": "edge_attr_key"}


# Characters XML 1.0 cannot hold at all (PDF text sometimes carries them, e.g.
# form feeds); GraphML and GEXF readers reject a file that contains one.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """``value`` with the characters XML cannot hold removed (non-strings unchanged)."""
    return XML_INVALID.sub("", value) if isinstance(value, str) else value


def xml_safe_attributes(data: dict[str, Any]) -> dict[str, Any]:
    return {name: xml_safe(value) for name, value in data.items()}


# A cell starting with one of these is run as a formula by spreadsheets (OWASP,
# "CSV Injection"); so is one starting with a tab or carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"


def neutralise_formula(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading trigger gets a ``'`` before it.

    A cell that itself starts with ``'`` gets one too, so :func:`restore_formula`
    undoes exactly what was done.
    """
    if text.startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_ESCAPE):
        return FORMULA_ESCAPE + text
    return text


def restore_formula(text: str) -> str:
    return text[1:] if text.startswith(FORMULA_ESCAPE) else text


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temp file beside ``path``; on success fsync it and rename it over ``path``.

    Readers of ``path`` see either the old file or the complete new one, never
    a half-written file, even if the process dies mid-write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, FILE_MODE)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    # The rename itself is durable only once the folder entry is on disk.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # platforms that cannot open folders (Windows) have no folder fsync
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse fsync on folders; the data itself is synced
    finally:
        os.close(descriptor)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return Path(path)


def edge_id(source: str, target: str, key: Any) -> str:
    """A readable id unique in the graph (a MultiDiGraph edge is (source, target, key))."""
    return f"{source}..{target}..{key}"


def rename_keys(data: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    return {renames.get(name, name): value for name, value in data.items()}


def inverse(renames: dict[str, str]) -> dict[str, str]:
    return {new: old for old, new in renames.items()}
