"""``recommendations.jsonl`` (the record contract) and ``recommendations.parquet`` for pandas users."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.export.common import atomic_open, atomic_write_text, read_jsonl_records
from pipeline.types import Recommendation

_strings = pa.list_(pa.string())
# Explicit, so that an empty run still writes typed columns and lists stay lists.
PARQUET_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("doc_id", pa.string()),
    ("text", pa.string()),
    ("page", pa.int32()),
    ("bbox", pa.list_(pa.float64())),
    ("section", _strings),
    ("addressees", _strings),
    ("targets", _strings),
    ("instruments", _strings),
    ("modality", pa.string()),
    ("polarity", pa.string()),
    ("reported", pa.bool_()),
    ("score", pa.float64()),
    ("sentence_index", pa.int32()),
    ("measure", pa.string()),
    ("measure_id", pa.string()),
    ("targets_inferred", pa.bool_()),
    ("issuers", _strings),
    ("issuer_reason", pa.string()),
])


def write_jsonl(recommendations: Iterable[Recommendation], path: str | Path) -> Path:
    lines = [json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in recommendations]
    return atomic_write_text(path, "".join(lines))


def read_jsonl(path: str | Path) -> list[Recommendation]:
    return read_jsonl_records(path, Recommendation.from_dict, "a recommendation record")


def write_parquet(recommendations: Iterable[Recommendation], path: str | Path) -> Path:
    table = pa.Table.from_pylist([r.to_dict() for r in recommendations], schema=PARQUET_SCHEMA)
    with atomic_open(path, "wb") as handle:
        pq.write_table(table, handle)
    return Path(path)


def read_parquet(path: str | Path) -> list[Recommendation]:
    return [Recommendation.from_dict(row) for row in pq.read_table(Path(path)).to_pylist()]
