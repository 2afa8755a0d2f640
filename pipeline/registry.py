"""Everything pluggable, named once: PDF backends, stages, exporters and executors.

As spaCy registers its factories, each entry says what it is called, where it
is implemented (``"module:attribute"``, imported only when used, so this
kernel module loads no stage) and what it reads and writes. The CLI's choices
and the settings schema read the names; ``export.write_all`` writes every
exporter; the cache keys hash the sources the stages declare; the manifest
lists the libraries they declare. Adding a backend or an export format is an
entry here and a module of its own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


def resolve(reference: str) -> Any:
    """The object a ``"package.module:attribute"`` reference names."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected a reference 'package.module:attribute', got {reference!r}")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class PdfBackend:
    """A reader of PDF pages into glyphs (a module of extract/backends/, imported when first used)."""

    name: str
    reader: str
    libraries: tuple[str, ...]  # distributions whose version changes what it reads


@dataclass(frozen=True)
class Stage:
    """A step of the data flow; ``sources`` are the package paths whose change alters what it writes."""

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    sources: tuple[str, ...]
    libraries: tuple[str, ...] = ()
    per_document: bool = True  # runs in the workers, its results cached per document


@dataclass(frozen=True)
class Exporter:
    """An output format: ``writer(<what it reads>, *paths)``, ``reader(*paths)`` (networkx-style pairs).

    ``reads`` is ``"graph"``, ``"recommendations"`` or ``"results"`` (the
    per-document results, for the formats that write what each document held);
    ``files`` are the names it writes in the output folder, in the writer's
    argument order (a name without a suffix is a folder of files).
    """

    name: str
    files: tuple[str, ...]
    reads: str
    writer: str
    reader: str | None = None


@dataclass(frozen=True)
class Executor:
    name: str
    runner: str
    help: str


BACKENDS: dict[str, PdfBackend] = {
    "pdfplumber": PdfBackend("pdfplumber", "pipeline.extract.backends.pdfplumber:read_pages", ("pdfplumber", "pdfminer.six")),
    "pdfium": PdfBackend("pdfium", "pipeline.extract.backends.pdfium:read_pages", ("pypdfium2",)),
}

STAGES: dict[str, Stage] = {
    stage.name: stage for stage in (
        # the layout's records and typed errors are part of what extraction writes
        Stage("extract", ("pdf",), ("layout",), ("extract", "pdfsniff.py", "types.py", "errors.py"),
              ("pypdfium2",)),  # pypdfium2 counts pages whatever the backend
        Stage("segment", ("layout",), ("doc", "sentences"), ("segment.py",), ("spacy",)),
        Stage("recognise", ("doc", "sentences"), ("mentions", "candidates"), ("recognise",), ("scikit-learn",)),
        Stage("classify", ("doc", "sentences", "mentions", "candidates", "layout"), ("recommendations",),
              ("classify",)),
        Stage("graph", ("recommendations", "document metas"), ("graph",), ("graph",), ("networkx",),
              per_document=False),
        Stage("export", ("graph", "recommendations", "results"), ("files",), ("export", "report"),
              per_document=False),
    )
}

# Source that wires the per-document stages or shapes what they read: a change
# alters cached results as much as a stage's own code does.
WIRING_SOURCES = ("stages.py", "run/worker.py", "config.py", "taxonomy", "models.py")

EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter for exporter in (
        Exporter("graphml", ("graph.graphml",), "graph",
                 "pipeline.export.graphml:write_graphml", "pipeline.export.graphml:read_graphml"),
        Exporter("gexf", ("graph.gexf",), "graph", "pipeline.export.gexf:write_gexf", "pipeline.export.gexf:read_gexf"),
        Exporter("node_link", ("graph.json",), "graph",
                 "pipeline.export.node_link:write_node_link", "pipeline.export.node_link:read_node_link"),
        Exporter("cytoscape", ("graph.cyjs",), "graph",
                 "pipeline.export.cytoscape:write_cytoscape", "pipeline.export.cytoscape:read_cytoscape"),
        Exporter("neo4j_csv", ("nodes.csv", "edges.csv"), "graph",
                 "pipeline.export.neo4j_csv:write_neo4j_csv", "pipeline.export.neo4j_csv:read_neo4j_csv"),
        Exporter("recommendations_jsonl", ("recommendations.jsonl",), "recommendations",
                 "pipeline.export.recommendations:write_jsonl", "pipeline.export.recommendations:read_jsonl"),
        Exporter("recommendations_parquet", ("recommendations.parquet",), "recommendations",
                 "pipeline.export.recommendations:write_parquet", "pipeline.export.recommendations:read_parquet"),
        Exporter("entities", ("entities.jsonl",), "results",
                 "pipeline.export.documents:write_entities", "pipeline.export.documents:read_entities"),
        Exporter("documents", ("documents",), "results",
                 "pipeline.export.documents:write_documents", "pipeline.export.documents:read_documents"),
    )
}

EXECUTOR_RUNNERS: dict[str, Executor] = {
    "local": Executor("local", "pipeline.run.executors:run_local", "worker processes on this machine"),
    "dask": Executor("dask", "pipeline.run.executors:run_dask", "a Dask cluster (--scheduler ADDRESS)"),
}

# The names the CLI offers and the settings schema accepts
PDF_BACKENDS = tuple(BACKENDS)
EXECUTORS = tuple(EXECUTOR_RUNNERS)


def layout_sources() -> tuple[str, ...]:
    """Package paths whose change alters extracted layouts (the layout cache key)."""
    return STAGES["extract"].sources


def result_sources() -> tuple[str, ...]:
    """Package paths whose change alters a document's results (the result cache key).

    The graph, exporters and report only shape the outputs, which the run's
    fingerprint covers (the whole package's source).
    """
    per_document = [source for stage in STAGES.values() if stage.per_document for source in stage.sources]
    return tuple(dict.fromkeys([*per_document, *WIRING_SOURCES]))


def layout_libraries() -> tuple[str, ...]:
    """Distributions whose version changes extracted layouts: every backend's and the extract stage's."""
    named = [library for backend in BACKENDS.values() for library in backend.libraries]
    return tuple(dict.fromkeys([*named, *STAGES["extract"].libraries]))


def libraries() -> tuple[str, ...]:
    """Every distribution a run's outputs depend on, for the manifest's versions."""
    named = [library for stage in STAGES.values() for library in stage.libraries]
    return tuple(dict.fromkeys([*layout_libraries(), *named]))
