"""Node-link JSON (``nx.node_link_data`` with ``edges="edges"``), as d3 and networkx read it."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from pipeline.export.common import JSON_EDGE_RENAMES, atomic_write_text, inverse, rename_keys


def node_link(graph: nx.MultiDiGraph) -> dict:
    safe = nx.MultiDiGraph(**graph.graph)
    safe.add_nodes_from(graph.nodes(data=True))
    for source, target, key, data in graph.edges(keys=True, data=True):
        safe.add_edge(source, target, key=key, **rename_keys(data, JSON_EDGE_RENAMES))
    return nx.node_link_data(safe, edges="edges", source="source", target="target", name="id", key="key")


def write_node_link(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    return atomic_write_text(path, json.dumps(node_link(graph), ensure_ascii=False, indent=1) + "\n")


def read_node_link(path: str | Path) -> nx.MultiDiGraph:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    loaded = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges",
                                source="source", target="target", name="id", key="key")
    graph = nx.MultiDiGraph(**loaded.graph)
    graph.add_nodes_from(loaded.nodes(data=True))
    back = inverse(JSON_EDGE_RENAMES)
    for source, target, key, attributes in loaded.edges(keys=True, data=True):
        graph.add_edge(source, target, key=key, **rename_keys(attributes, back))
    return graph
