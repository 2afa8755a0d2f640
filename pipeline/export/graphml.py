"""GraphML (networkx writer), readable by networkx, igraph, Gephi, yEd and Cytoscape."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from pipeline.export.common import atomic_open, edge_id, xml_safe_attributes

# GraphML edge ids must be unique in the file while our keys (recommendation
# ids) repeat across node pairs, so the key travels as an attribute.
KEY_ATTRIBUTE = "key"


def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    keyed = nx.MultiDiGraph()
    keyed.add_nodes_from((node, xml_safe_attributes(data)) for node, data in graph.nodes(data=True))
    for source, target, key, data in graph.edges(keys=True, data=True):
        unique = keyed.add_edge(source, target, key=edge_id(source, target, key))
        keyed.edges[source, target, unique].update(xml_safe_attributes(data))
        keyed.edges[source, target, unique][KEY_ATTRIBUTE] = str(key)
    with atomic_open(path, "wb") as handle:
        nx.write_graphml(keyed, handle, encoding="utf-8", prettyprint=True)
    return Path(path)


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    loaded = nx.read_graphml(Path(path), force_multigraph=True)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(loaded.nodes(data=True))
    for source, target, file_key, data in loaded.edges(keys=True, data=True):
        attributes = dict(data)
        key = attributes.pop(KEY_ATTRIBUTE, file_key)
        graph.add_edge(source, target, key=key)
        graph.edges[source, target, key].update(attributes)
    return graph
