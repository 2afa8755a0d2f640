"""Cytoscape.js JSON (``graph.cyjs``): ``{"elements": {"nodes": [...], "edges": [...]}}``.

Opens in Cytoscape desktop (File > Import > Network from File) and loads in
Cytoscape.js with ``cytoscape({elements: data.elements})``. Node and edge
``data`` carry every attribute; ``classes`` holds the node kind or edge type
for style selectors such as ``.measure`` or ``.CONTRADICTS``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from pipeline.export.common import JSON_EDGE_RENAMES, atomic_write_text, edge_id, inverse, rename_keys

# Fields of an element's data that Cytoscape itself reads; never attributes.
NODE_FIELDS = ("id", "name")
EDGE_FIELDS = ("id", "source", "target", "key")


def cytoscape_elements(graph: nx.MultiDiGraph) -> dict[str, Any]:
    nodes = []
    for node, data in graph.nodes(data=True):
        clash = set(data) & set(NODE_FIELDS)
        if clash:
            raise ValueError(f"node {node!r} has attributes {sorted(clash)} that Cytoscape reserves; rename them")
        nodes.append({"data": {"id": node, "name": data.get("label", node), **data},
                      "classes": str(data.get("kind", ""))})
    edges = []
    for source, target, key, data in graph.edges(keys=True, data=True):
        attributes = rename_keys(data, JSON_EDGE_RENAMES)
        edges.append({"data": {"id": edge_id(source, target, key), "source": source, "target": target,
                               "key": key, **attributes},
                      "classes": str(data.get("type", ""))})
    return {
        "format_version": "1.0",
        "generated_by": "policygraph",
        "target_cytoscapejs_version": "~3",
        "data": {"name": "policygraph"},
        "elements": {"nodes": nodes, "edges": edges},
    }


def write_cytoscape(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    return atomic_write_text(path, json.dumps(cytoscape_elements(graph), ensure_ascii=False, indent=1) + "\n")


def read_cytoscape(path: str | Path) -> nx.MultiDiGraph:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    elements = data["elements"]
    graph = nx.MultiDiGraph()
    for element in elements["nodes"]:
        attributes = dict(element["data"])
        node = attributes.pop("id")
        attributes.pop("name", None)
        graph.add_node(node, **attributes)
    back = inverse(JSON_EDGE_RENAMES)
    for element in elements["edges"]:
        attributes = dict(element["data"])
        fields = {name: attributes.pop(name) for name in EDGE_FIELDS}
        graph.add_edge(fields["source"], fields["target"], key=fields["key"], **rename_keys(attributes, back))
    return graph
