"""What every exporter shares: atomic writes and stable edge ids."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipeline.atomic import FILE_MODE, atomic_open, atomic_write_bytes, atomic_write_text  # noqa: F401 - re-exported for the writers

Record = TypeVar("Record")


def read_jsonl_records(path: str | Path, from_dict: Callable[[dict[str, Any]], Record], what: str) -> list[Record]:
    """The records of a JSON Lines file, blank lines skipped; a bad line is named with its number."""
    path = Path(path)
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: line {number}: expected {what}, got {line[:80]!r} ({exc})") from None
    return records


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


def edge_id(source: str, target: str, key: Any) -> str:
    """A readable id unique in the graph (a MultiDiGraph edge is (source, target, key))."""
    return f"{source}..{target}..{key}"


def rename_keys(data: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    return {renames.get(name, name): value for name, value in data.items()}


def inverse(renames: dict[str, str]) -> dict[str, str]:
    return {new: old for old, new in renames.items()}
