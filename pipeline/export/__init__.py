"""Exporters: the graph and the recommendations in every format users open.

Each format has a writer and a reader (for round trips and for ``inspect``);
every write is atomic (temp file beside the target, fsync, rename).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from pipeline.export.cytoscape import read_cytoscape, write_cytoscape
from pipeline.export.gexf import read_gexf, write_gexf
from pipeline.export.graphml import read_graphml, write_graphml
from pipeline.export.neo4j_csv import read_neo4j_csv, write_neo4j_csv
from pipeline.export.node_link import read_node_link, write_node_link
from pipeline.export.recommendations import read_jsonl, read_parquet, write_jsonl, write_parquet
from pipeline.types import Recommendation

GRAPHML = "graph.graphml"
GEXF = "graph.gexf"
NODE_LINK = "graph.json"
CYTOSCAPE = "graph.cyjs"
NODES_CSV = "nodes.csv"
EDGES_CSV = "edges.csv"
RECOMMENDATIONS_JSONL = "recommendations.jsonl"
RECOMMENDATIONS_PARQUET = "recommendations.parquet"

__all__ = [
    "CYTOSCAPE", "EDGES_CSV", "GEXF", "GRAPHML", "NODES_CSV", "NODE_LINK", "RECOMMENDATIONS_JSONL",
    "RECOMMENDATIONS_PARQUET", "read_cytoscape", "read_gexf", "read_graph", "read_graphml", "read_jsonl",
    "read_neo4j_csv", "read_node_link", "read_parquet", "write_all", "write_cytoscape", "write_gexf",
    "write_graphml", "write_jsonl", "write_neo4j_csv", "write_node_link", "write_parquet",
]


def write_all(graph: nx.MultiDiGraph, recommendations: Iterable[Recommendation], out_dir: str | Path) -> list[Path]:
    """Write the graph in every format and the recommendations as JSONL and Parquet."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    recs = list(recommendations)
    return [
        write_graphml(graph, out / GRAPHML),
        write_gexf(graph, out / GEXF),
        write_node_link(graph, out / NODE_LINK),
        write_cytoscape(graph, out / CYTOSCAPE),
        *write_neo4j_csv(graph, out / NODES_CSV, out / EDGES_CSV),
        write_jsonl(recs, out / RECOMMENDATIONS_JSONL),
        write_parquet(recs, out / RECOMMENDATIONS_PARQUET),
    ]


def read_graph(out_dir: str | Path) -> nx.MultiDiGraph:
    """The graph a run wrote to ``out_dir`` (node-link JSON, else GraphML)."""
    out = Path(out_dir)
    for name, reader in ((NODE_LINK, read_node_link), (GRAPHML, read_graphml)):
        if (out / name).is_file():
            return reader(out / name)
    raise FileNotFoundError(
        f"{out}: expected {NODE_LINK} or {GRAPHML} from a run, found neither; "
        "run `policygraph run --out DIR` first or point at the run's output folder"
    )
