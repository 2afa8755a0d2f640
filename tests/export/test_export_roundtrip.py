"""Every format read back gives the same nodes, edges and attributes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.export import (
    CYTOSCAPE, EDGES_CSV, GEXF, GRAPHML, NODE_LINK, NODES_CSV, RECOMMENDATIONS_JSONL, RECOMMENDATIONS_PARQUET,
    read_cytoscape, read_gexf, read_graph, read_graphml, read_jsonl, read_neo4j_csv, read_node_link, read_parquet,
    write_all,
)
from pipeline.export.common import atomic_open
from pipeline.graph import CONTRADICTS


def snapshot(graph: nx.MultiDiGraph, *, drop_empty_strings: bool = False) -> tuple[dict, dict]:
    def keep(value) -> bool:
        return not (drop_empty_strings and value == "")

    nodes = {node: {k: v for k, v in data.items() if keep(v)} for node, data in graph.nodes(data=True)}
    edges = {(u, v, k): {a: b for a, b in data.items() if keep(b)} for u, v, k, data in graph.edges(keys=True, data=True)}
    return nodes, edges


@pytest.fixture(scope="module")
def written(built, tmp_path_factory):
    graph, recs = built
    out = tmp_path_factory.mktemp("run")
    return out, write_all(graph, recs, out)


def test_write_all_writes_every_file_and_leaves_no_temp_files(written):
    out, paths = written
    assert [p.name for p in paths] == [GRAPHML, GEXF, NODE_LINK, CYTOSCAPE, NODES_CSV, EDGES_CSV,
                                       RECOMMENDATIONS_JSONL, RECOMMENDATIONS_PARQUET]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert all(p.stat().st_size > 0 and oct(p.stat().st_mode & 0o777) == "0o644" for p in paths)


@pytest.mark.parametrize("name, reader", [
    (GRAPHML, read_graphml), (GEXF, read_gexf), (NODE_LINK, read_node_link), (CYTOSCAPE, read_cytoscape),
])
def test_graph_formats_read_back_identically(built, written, name, reader):
    graph, _ = built
    out, _ = written
    back = reader(out / name)
    assert isinstance(back, nx.MultiDiGraph)
    assert snapshot(back) == snapshot(graph)
    # types survive too (== would let 1 == 1.0 == True pass)
    for node, data in graph.nodes(data=True):
        assert {k: type(v) for k, v in back.nodes[node].items()} == {k: type(v) for k, v in data.items()}
    for u, v, k, data in graph.edges(keys=True, data=True):
        assert {a: type(b) for a, b in back.edges[u, v, k].items()} == {a: type(b) for a, b in data.items()}


def test_neo4j_csv_reads_back_with_pandas(built, written):
    graph, _ = built
    out, _ = written
    back = read_neo4j_csv(out / NODES_CSV, out / EDGES_CSV)
    # Neo4j (and CSV) cannot tell an empty string from an absent property.
    assert snapshot(back, drop_empty_strings=True) == snapshot(graph, drop_empty_strings=True)
    nodes = pd.read_csv(out / NODES_CSV, dtype=str, keep_default_na=False)
    assert len(nodes) == graph.number_of_nodes() and nodes["id:ID"].is_unique


def test_json_formats_keep_the_contradiction_target_apart_from_the_endpoint(built, written):
    graph, _ = built
    out, _ = written
    (source, target, data), = [(u, v, d) for u, v, d in graph.edges(data=True) if d["type"] == CONTRADICTS]
    node_link = json.loads((out / NODE_LINK).read_text(encoding="utf-8"))
    assert "edges" in node_link and "links" not in node_link
    (edge,) = [e for e in node_link["edges"] if e["type"] == CONTRADICTS]
    assert (edge["source"], edge["target"], edge["target_actor"]) == (source, target, data["target"])
    cyjs = json.loads((out / CYTOSCAPE).read_text(encoding="utf-8"))
    (element,) = [e for e in cyjs["elements"]["edges"] if e["data"]["type"] == CONTRADICTS]
    assert (element["data"]["source"], element["data"]["target"]) == (source, target)
    assert element["data"]["target_actor"] == data["target"]


def test_recommendations_jsonl_and_parquet_round_trip(built, written):
    _, recs = built
    out, _ = written
    expected = [r.to_dict() for r in recs]
    assert [r.to_dict() for r in read_jsonl(out / RECOMMENDATIONS_JSONL)] == expected
    assert [r.to_dict() for r in read_parquet(out / RECOMMENDATIONS_PARQUET)] == expected
    frame = pd.read_parquet(out / RECOMMENDATIONS_PARQUET)
    assert list(frame.columns) == list(expected[0])
    schema = pq.read_schema(out / RECOMMENDATIONS_PARQUET)
    for column in ("bbox", "section", "addressees", "targets", "instruments"):
        assert str(schema.field(column).type).startswith("list<"), column
        assert [list(v) for v in frame[column]] == [r[column] for r in expected]
    assert frame["measure_id"].tolist() == [r.measure_id for r in recs]


def test_read_graph_prefers_node_link_and_names_the_folder_when_empty(built, written, tmp_path):
    graph, _ = built
    out, _ = written
    assert snapshot(read_graph(out)) == snapshot(graph)
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        read_graph(tmp_path)


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path: Path):
    target = tmp_path / "graph.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target, "w", encoding="utf-8") as handle:
            handle.write("half of the new")
            raise RuntimeError("disk full, say")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["graph.json"]


def test_characters_xml_cannot_hold_are_dropped_from_the_xml_formats_only(built, tmp_path):
    graph, recs = built
    dirty = graph.copy()
    u, v, k = next(iter(dirty.edges(keys=True)))
    dirty.edges[u, v, k]["sentence"] = "page\x0cbreak and a bell\x07."
    write_all(dirty, recs, tmp_path)
    for reader, name in ((read_graphml, GRAPHML), (read_gexf, GEXF)):
        assert reader(tmp_path / name).edges[u, v, k]["sentence"] == "pagebreak and a bell."
    assert read_node_link(tmp_path / NODE_LINK).edges[u, v, k]["sentence"] == "page\x0cbreak and a bell\x07."
