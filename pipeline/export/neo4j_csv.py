"""``nodes.csv`` + ``edges.csv`` with ``neo4j-admin database import`` headers.

Import with::

    neo4j-admin database import full --nodes=nodes.csv --relationships=edges.csv neo4j

Node ids are the graph's node ids (``id:ID``), labels the node kind
(``Actor``, ``Measure``, ...), relationship types the edge type. Property
headers carry their type (``support_docs:int``, ``score:double``,
``reported:boolean``); ``;``-joined lists are ``string[]`` (Neo4j's default
array delimiter is ``;``). An empty field is an absent property, as in Neo4j,
so an empty string and a missing attribute read back the same.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from pipeline.export.common import atomic_open, neutralise_formula, restore_formula
from pipeline.graph import LIST_ATTRIBUTES

ID_COLUMN = "id:ID"
LABEL_COLUMN = ":LABEL"
START_COLUMN, END_COLUMN, TYPE_COLUMN = ":START_ID", ":END_ID", ":TYPE"
KEY_COLUMN = "key:string"
EDGE_TYPE_ATTRIBUTE = "type"
INT32 = 2**31 - 1


def _neo4j_type(name: str, values: Sequence[Any]) -> str:
    kinds = {type(v) for v in values}
    if name in LIST_ATTRIBUTES and kinds <= {str}:
        return "string[]"
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "int" if all(abs(v) <= INT32 for v in values) else "long"
    if kinds <= {int, float} and float in kinds:
        return "double"
    if kinds == {str}:
        return "string"
    raise ValueError(
        f"attribute {name!r} holds values of types {sorted(k.__name__ for k in kinds)}; "
        "Neo4j needs one type per property: make the graph stage write one type"
    )


def _columns(records: list[dict[str, Any]], skip: set[str]) -> list[tuple[str, str]]:
    names = sorted({name for record in records for name in record} - skip)
    return [(name, _neo4j_type(name, [r[name] for r in records if name in r])) for name in names]


def _cell(value: Any) -> str:
    """A property's text; strings are kept inert for spreadsheets (common.neutralise_formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Neo4j import cannot read the float {value!r}")
        return repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    # a bare carriage return is left unquoted by the csv module and ends the row for every reader
    return neutralise_formula(str(value).replace("\r\n", "\n").replace("\r", "\n"))


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> Path:
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_neo4j_csv(graph: nx.MultiDiGraph, nodes_path: str | Path, edges_path: str | Path) -> list[Path]:
    nodes = [(node, dict(data)) for node, data in graph.nodes(data=True)]
    node_columns = _columns([d for _, d in nodes], skip=set())
    node_header = [ID_COLUMN, LABEL_COLUMN] + [f"{n}:{t}" for n, t in node_columns]
    node_rows = (
        [_cell(str(node)), str(data.get("kind", "node")).capitalize()] + [_cell(data.get(n)) for n, _ in node_columns]
        for node, data in nodes
    )
    edges = list(graph.edges(keys=True, data=True))
    edge_columns = _columns([d for *_, d in edges], skip={EDGE_TYPE_ATTRIBUTE})
    edge_header = [START_COLUMN, END_COLUMN, TYPE_COLUMN, KEY_COLUMN] + [f"{n}:{t}" for n, t in edge_columns]
    edge_rows = (
        [_cell(str(source)), _cell(str(target)), str(data.get(EDGE_TYPE_ATTRIBUTE, "RELATED")), _cell(str(key))]
        + [_cell(data.get(n)) for n, _ in edge_columns]
        for source, target, key, data in edges
    )
    return [_write_csv(Path(nodes_path), node_header, node_rows),
            _write_csv(Path(edges_path), edge_header, edge_rows)]


def parse_header(column: str) -> tuple[str, str]:
    """``"score:double"`` -> ``("score", "double")``; ``":TYPE"`` -> ``("", "TYPE")``."""
    name, _, kind = column.rpartition(":")
    return name, kind


def parse_value(kind: str, text: str) -> Any:
    if kind in ("int", "long", "short", "byte"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return lowered == "true"
    return restore_formula(text)  # string, and string[] kept ;-joined as the graph stores it


def _typed(row: pd.Series, columns: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {name: parse_value(kind, row[column]) for column, name, kind in columns if row[column] != ""}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")


def read_neo4j_csv(nodes_path: str | Path, edges_path: str | Path) -> nx.MultiDiGraph:
    nodes = _read(Path(nodes_path))
    edges = _read(Path(edges_path))
    node_columns = [(c, *parse_header(c)) for c in nodes.columns if c not in (ID_COLUMN, LABEL_COLUMN)]
    edge_columns = [(c, *parse_header(c)) for c in edges.columns
                    if c not in (START_COLUMN, END_COLUMN, TYPE_COLUMN, KEY_COLUMN)]
    graph = nx.MultiDiGraph()
    for _, row in nodes.iterrows():
        graph.add_node(restore_formula(row[ID_COLUMN]), **_typed(row, node_columns))
    for _, row in edges.iterrows():
        attributes = {EDGE_TYPE_ATTRIBUTE: row[TYPE_COLUMN], **_typed(row, edge_columns)}
        graph.add_edge(restore_formula(row[START_COLUMN]), restore_formula(row[END_COLUMN]),
                       key=restore_formula(row[KEY_COLUMN]), **attributes)
    return graph
