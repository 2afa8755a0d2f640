"""Reading gold and predicted units (JSONL, ANNOTATION.md section 4), checking each line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError

LABEL_FIELDS = ("addressees", "targets", "issuers", "instruments")


def load_units(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file of gold or predicted units, checking each line.

    Every record needs a ``text`` and a document id (``doc`` or ``doc_id``);
    label fields, when present, must be lists of strings. Blank lines are
    skipped. Problems raise :class:`UsageError` naming the file and line.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; pass a JSONL file of units (ANNOTATION.md section 4)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read as UTF-8 text ({exc}); expected JSONL, one object a line") from None
    units: list[dict[str, Any]] = []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{path}, line {line_number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "expected one JSON object a line"
            ) from None
        _check_unit(record, path, line_number)
        units.append(record)
    return units


def _check_unit(record: Any, path: Path, line_number: int) -> None:
    where = f"{path}, line {line_number}"
    if not isinstance(record, dict):
        raise UsageError(f"{where}: expected a JSON object, got {type(record).__name__}")
    if not isinstance(record.get("text"), str):
        raise UsageError(f"{where}: expected a string field \"text\", got {record.get('text')!r}")
    doc = record.get("doc", record.get("doc_id"))
    if not isinstance(doc, str) or not doc.strip():
        raise UsageError(f"{where}: expected a document id in \"doc\" or \"doc_id\", got {doc!r}")
    for field in LABEL_FIELDS:
        value = record.get(field, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise UsageError(f"{where}: expected \"{field}\" to be a list of ids, got {value!r}")
    if not isinstance(record.get("reported", False), bool):
        raise UsageError(f"{where}: expected \"reported\" to be true or false, got {record.get('reported')!r}")


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold units from one JSONL file or every ``*.jsonl`` in a folder."""
    path = Path(path)
    if not path.is_dir():
        return load_units(path)
    files = sorted(path.glob("*.jsonl"))
    if not files:
        raise UsageError(f"{path}: folder holds no *.jsonl files; pass a labelled JSONL file or a folder of them")
    return [unit for file in files for unit in load_units(file)]
