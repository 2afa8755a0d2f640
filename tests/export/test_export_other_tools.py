"""Other tools open our files: igraph reads the GraphML, the GEXF is valid 1.3,
the CSVs follow neo4j-admin import rules, Cytoscape.js finds what it needs."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from pipeline.export import CYTOSCAPE, EDGES_CSV, GEXF, GRAPHML, NODES_CSV, write_all
from pipeline.export.gexf import GEXF_NS, NODE_COLOURS, VIZ_NS

SCHEMA = Path(__file__).resolve().parent / "gexf13" / "gexf.xsd"


@pytest.fixture(scope="module")
def out(built, tmp_path_factory):
    graph, recs = built
    folder = tmp_path_factory.mktemp("tools")
    write_all(graph, recs, folder)
    return folder


def test_the_fixture_graph_has_what_the_formats_must_carry(built):
    graph, _ = built
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True))
    types = Counter(d["type"] for *_, d in graph.edges(data=True))
    assert set(kinds) == {"actor", "measure", "document", "instrument"}
    assert set(types) == {"ADDRESSED_TO", "TARGETS", "USES", "PROPOSED_IN", "CONTRADICTS"}
    assert any(d.get("support_docs") == 2 for _, d in graph.nodes(data=True))
    assert "actor:org:erasmus_fund" in graph


# ------------------------------------------------------------------ GraphML


def test_graphml_loads_in_igraph_with_counts_and_attributes(built, out):
    igraph = pytest.importorskip("igraph", reason="python-igraph is a test dependency (pip install igraph)")
    graph, _ = built
    loaded = igraph.Graph.Read_GraphML(str(out / GRAPHML))
    assert loaded.is_directed()
    assert (loaded.vcount(), loaded.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    vertices = {v["id"]: v.attributes() for v in loaded.vs}
    for node, data in graph.nodes(data=True):
        for name, value in data.items():
            assert vertices[node][name] == value, (node, name)
    assert Counter(loaded.es["type"]) == Counter(d["type"] for *_, d in graph.edges(data=True))
    (contradiction,) = [e for e in loaded.es if e["type"] == "CONTRADICTS"]
    source, target = loaded.vs[contradiction.source]["id"], loaded.vs[contradiction.target]["id"]
    assert graph.edges[source, target, "CONTRADICTS"]["sentence_b"] == contradiction["sentence_b"]


# ------------------------------------------------------------------ GEXF 1.3


def gexf_problems(path: Path) -> list[str]:
    """Check a file against our GEXF 1.3 XSD (tests/export/gexf13/README.md says
    what it covers), plus what XSD cannot say: each attvalue names an attribute
    of its own class and its value parses as the declared type."""
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is a test dependency (pip install xmlschema)")
    schema = xmlschema.XMLSchema(str(SCHEMA))
    problems = [f"{e.path}: {e.reason}" for e in schema.iter_errors(str(path))]
    root = ET.parse(path).getroot()
    declared = {
        (attributes.get("class"), attribute.get("id")): attribute.get("type")
        for attributes in root.iter(f"{{{GEXF_NS}}}attributes")
        for attribute in attributes.iter(f"{{{GEXF_NS}}}attribute")
    }
    parse = {"integer": int, "long": int, "double": float, "float": float, "string": str,
             "boolean": lambda v: {"true": True, "false": False}[v]}
    for cls in ("node", "edge"):
        for element in root.iter(f"{{{GEXF_NS}}}{cls}"):
            for value in element.iter(f"{{{GEXF_NS}}}attvalue"):
                kind = declared.get((cls, value.get("for")))
                if kind is None:
                    problems.append(f"{cls} {element.get('id')}: attvalue for={value.get('for')} is not a {cls} attribute")
                    continue
                try:
                    parse[kind](value.get("value"))
                except (KeyError, ValueError):
                    problems.append(f"{cls} {element.get('id')}: {value.get('value')!r} is not a {kind}")
    return problems


def test_gexf_is_valid_gexf_13_with_a_colour_per_node_kind(built, out):
    graph, _ = built
    path = out / GEXF
    assert gexf_problems(path) == []
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.3"
    for node in root.iter(f"{{{GEXF_NS}}}node"):
        colour = node.find(f"{{{VIZ_NS}}}color")
        kind = graph.nodes[node.get("id")]["kind"]
        assert (int(colour.get("r")), int(colour.get("g")), int(colour.get("b"))) == NODE_COLOURS[kind]
    kinds = Counter(edge.get("kind") for edge in root.iter(f"{{{GEXF_NS}}}edge"))
    assert kinds == Counter(d["type"] for *_, d in graph.edges(data=True))


def test_the_gexf_check_rejects_what_networkx_writes_unrepaired(built, tmp_path):
    graph, _ = built
    raw = tmp_path / "raw.gexf"
    nx.write_gexf(graph, raw, version="1.3")
    problems = "\n".join(gexf_problems(raw))
    assert "schemaLocation" in problems           # the xsi namespace without www
    assert "'mode' attribute not allowed" in problems  # <attributes mode=...>, a 1.2 leftover
    assert "ADDRESSED_TO" in problems             # the edge type written as the XML type


# ------------------------------------------------------------------ Neo4j CSV


NEO4J_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string",
               "point", "date", "localtime", "time", "localdatetime", "datetime", "duration"}
INTEGER = re.compile(r"^[+-]?\d+$")


def neo4j_import_problems(nodes_path: Path, edges_path: Path, array_delimiter: str = ";") -> list[str]:
    """The rules neo4j-admin database import applies to these headers and values."""
    problems: list[str] = []

    def read(path: Path) -> tuple[list[str], list[list[str]]]:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        return rows[0], rows[1:]

    def check_value(where: str, kind: str, text: str) -> None:
        if text == "":
            return  # an empty field is an absent property
        base, is_array = (kind[:-2], True) if kind.endswith("[]") else (kind, False)
        for item in (text.split(array_delimiter) if is_array else [text]):
            if base in ("int", "long", "short", "byte") and not INTEGER.match(item):
                problems.append(f"{where}: {item!r} is not an integer")
            elif base in ("float", "double"):
                try:
                    float(item)
                except ValueError:
                    problems.append(f"{where}: {item!r} is not a number")
            elif base == "boolean" and item.lower() not in ("true", "false"):
                problems.append(f"{where}: {item!r} is not a boolean")

    def properties(header: list[str], special: set[str]) -> dict[int, str]:
        typed = {}
        names = []
        for index, column in enumerate(header):
            if column in special:
                continue
            name, _, kind = column.partition(":")
            kind = kind or "string"
            if not name:
                problems.append(f"column {index} {column!r}: a property column needs a name")
            if kind.removesuffix("[]") not in NEO4J_TYPES:
                problems.append(f"column {column!r}: unknown type {kind!r}")
            names.append(name)
            typed[index] = kind
        duplicates = [n for n, c in Counter(names).items() if c > 1]
        if duplicates:
            problems.append(f"duplicate property columns {duplicates}")
        return typed

    node_header, node_rows = read(nodes_path)
    id_columns = [i for i, c in enumerate(node_header) if c.partition(":")[2] == "ID"]
    if len(id_columns) != 1:
        problems.append(f"nodes: expected one :ID column, got {len(id_columns)}")
        return problems
    id_index = id_columns[0]
    label_index = node_header.index(":LABEL") if ":LABEL" in node_header else None
    node_types = properties(node_header, {node_header[id_index], ":LABEL"})
    ids = Counter(row[id_index] for row in node_rows)
    problems += [f"nodes: id {node!r} appears {count} times" for node, count in ids.items() if count > 1]
    for row in node_rows:
        if len(row) != len(node_header):
            problems.append(f"node {row[id_index]!r}: {len(row)} fields for {len(node_header)} columns")
            continue
        if not row[id_index]:
            problems.append("a node without an id")
        if label_index is not None and not row[label_index]:
            problems.append(f"node {row[id_index]!r}: no label")
        for index, kind in node_types.items():
            check_value(f"node {row[id_index]!r} {node_header[index]}", kind, row[index])

    edge_header, edge_rows = read(edges_path)
    missing = [c for c in (":START_ID", ":END_ID", ":TYPE") if c not in edge_header]
    if missing:
        return problems + [f"relationships: no {column} column" for column in missing]
    start, end, rel_type = (edge_header.index(c) for c in (":START_ID", ":END_ID", ":TYPE"))
    edge_types = properties(edge_header, {":START_ID", ":END_ID", ":TYPE"})
    for number, row in enumerate(edge_rows, start=2):
        if len(row) != len(edge_header):
            problems.append(f"relationship line {number}: {len(row)} fields for {len(edge_header)} columns")
            continue
        for index in (start, end):
            if row[index] not in ids:
                problems.append(f"relationship line {number}: {edge_header[index]} {row[index]!r} is no node id")
        if not row[rel_type]:
            problems.append(f"relationship line {number}: empty :TYPE")
        for index, kind in edge_types.items():
            check_value(f"relationship line {number} {edge_header[index]}", kind, row[index])
    return problems


def test_csvs_follow_neo4j_admin_import_rules(built, out):
    graph, _ = built
    assert neo4j_import_problems(out / NODES_CSV, out / EDGES_CSV) == []
    header = (out / NODES_CSV).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:2] == ["id:ID", ":LABEL"]
    assert {"support_docs:int", "support_sentences:int", "instruments:string[]", "dime:string[]",
            "bipartite:int"} <= set(header)
    edge_header = (out / EDGES_CSV).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert edge_header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert {"score:double", "page:int", "reported:boolean"} <= set(edge_header)


def test_the_neo4j_check_catches_broken_files(tmp_path):
    nodes = tmp_path / "nodes.csv"
    edges = tmp_path / "edges.csv"
    nodes.write_text("id:ID,:LABEL,support_docs:int,flag:boolean\na,Actor,2,true\na,Actor,x,maybe\n")
    edges.write_text(":START_ID,:END_ID,:TYPE,score:decimal\na,b,USES,0.5\n")
    problems = "\n".join(neo4j_import_problems(nodes, edges))
    for expected in ("'a' appears 2 times", "'x' is not an integer", "'maybe' is not a boolean",
                     "unknown type 'decimal'", ":END_ID 'b' is no node id"):
        assert expected in problems


# ------------------------------------------------------------------ Cytoscape


def test_cytoscape_json_has_unique_ids_and_resolvable_endpoints(built, out):
    graph, _ = built
    data = json.loads((out / CYTOSCAPE).read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    node_ids = [n["data"]["id"] for n in nodes]
    edge_ids = [e["data"]["id"] for e in edges]
    assert len(set(node_ids + edge_ids)) == len(node_ids) + len(edge_ids)
    assert all(e["data"]["source"] in node_ids and e["data"]["target"] in node_ids for e in edges)
    assert {n["classes"] for n in nodes} == {"actor", "measure", "document", "instrument"}
    assert (len(nodes), len(edges)) == (graph.number_of_nodes(), graph.number_of_edges())
