"""Exporters: the graph and the recommendations in every format users open.

Each format has a writer and a reader (for round trips and for ``inspect``);
every write is atomic (temp file beside the target, fsync, rename).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import networkx as nx

from pipeline.export.cytoscape import read_cytoscape, write_cytoscape
from pipeline.export.gexf import read_gexf, write_gexf
from pipeline.export.graphml import read_graphml, write_graphml
from pipeline.export.neo4j_csv import read_neo4j_csv, write_neo4j_csv
from pipeline.export.node_link import read_node_link, write_node_link
from pipeline.export.recommendations import read_jsonl, read_parquet, write_jsonl, write_parquet
from pipeline.export.documents import read_documents, read_entities, write_documents, write_entities
from pipeline.registry import EXPORTERS, resolve
from pipeline.types import DocumentResult, Recommendation

# the file names, as the registry names them
GRAPHML, = EXPORTERS["graphml"].files
GEXF, = EXPORTERS["gexf"].files
NODE_LINK, = EXPORTERS["node_link"].files
CYTOSCAPE, = EXPORTERS["cytoscape"].files
NODES_CSV, EDGES_CSV = EXPORTERS["neo4j_csv"].files
RECOMMENDATIONS_JSONL, = EXPORTERS["recommendations_jsonl"].files
RECOMMENDATIONS_PARQUET, = EXPORTERS["recommendations_parquet"].files
ENTITIES_JSONL, = EXPORTERS["entities"].files
DOCUMENTS, = EXPORTERS["documents"].files

__all__ = [
    "CYTOSCAPE", "DOCUMENTS", "EDGES_CSV", "ENTITIES_JSONL", "GEXF", "GRAPHML", "NODES_CSV", "NODE_LINK",
    "RECOMMENDATIONS_JSONL", "RECOMMENDATIONS_PARQUET", "read_cytoscape", "read_documents", "read_entities",
    "read_gexf", "read_graph", "read_graphml", "read_jsonl", "read_neo4j_csv", "read_node_link", "read_parquet",
    "write_all", "write_cytoscape", "write_documents", "write_entities", "write_gexf", "write_graphml",
    "write_jsonl", "write_neo4j_csv", "write_node_link", "write_parquet",
]


def write_all(
    graph: nx.MultiDiGraph, recommendations: Iterable[Recommendation], out_dir: str | Path,
    results: Sequence[DocumentResult] | None = None,
) -> list[Path]:
    """Write every exporter of the registry into ``out_dir``; returns the files written, in registry order.

    Formats that read the per-document ``results`` (entities, layouts) are
    written only when ``results`` are given.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    inputs = {"graph": graph, "recommendations": list(recommendations), "results": results}
    written: list[Path] = []
    for exporter in EXPORTERS.values():
        if inputs[exporter.reads] is None:
            continue
        paths = resolve(exporter.writer)(inputs[exporter.reads], *(out / name for name in exporter.files))
        written.extend(paths if isinstance(paths, list) else [paths])
    return written


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
