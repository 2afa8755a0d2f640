"""The registry names backends, stages, exporters and executors once; everything else reads it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.config import SETTINGS_SCHEMA
from pipeline.export import write_all
from pipeline.graph import build_graph
from pipeline.types import DocumentLayout, DocumentMeta, DocumentResult, Recommendation


def write_toy(recommendations: list[Recommendation], path: Path) -> Path:
    """A toy format: one recommendation id per line."""
    path.write_text("".join(f"{r.id}\n" for r in recommendations), encoding="utf-8")
    return path


def write_toy_pages(results: list[DocumentResult], path: Path) -> Path:
    """A toy per-document format: each document's page count."""
    path.write_text(json.dumps({r.doc_id: len(r.layout.pages) for r in results}), encoding="utf-8")
    return path


def _recommendation() -> Recommendation:
    return Recommendation(
        id="paper:1", doc_id="paper", text="The EU should impose sanctions on the regime.", page=1, bbox=None,
        section=(), addressees=("org:eu",), targets=(), instruments=("sanctions",), modality="should",
        polarity="do", reported=False, score=0.9, sentence_index=1, measure="impose sanctions on the regime",
    )


def test_a_registered_exporter_is_written_by_write_all(monkeypatch, tmp_path, config):
    monkeypatch.setitem(registry.EXPORTERS, "toy", registry.Exporter("toy", ("toy.txt",), "recommendations",
                                                                    f"{__name__}:write_toy"))
    monkeypatch.setitem(registry.EXPORTERS, "toy_pages", registry.Exporter(
        "toy_pages", ("pages.json",), "results", f"{__name__}:write_toy_pages"))
    graph, recommendations = build_graph([_recommendation()], {"paper": DocumentMeta(title="Paper")}, config)
    layout = DocumentLayout(doc_id="paper", path="paper.pdf", pages=())
    result = DocumentResult("paper", "paper.pdf", layout, sentences=(), entities=(), recommendations=())

    written = write_all(graph, recommendations, tmp_path, results=[result])

    assert [p.name for p in written][-2:] == ["toy.txt", "pages.json"]
    assert (tmp_path / "toy.txt").read_text(encoding="utf-8") == "paper:1\n"
    assert json.loads((tmp_path / "pages.json").read_text(encoding="utf-8")) == {"paper": 0}
    # without per-document results, the formats that need them are not written
    others = tmp_path / "without"
    assert "pages.json" not in [p.name for p in write_all(graph, recommendations, others)]


def test_every_reference_in_the_registry_resolves():
    references = [b.reader for b in registry.BACKENDS.values()] + [e.runner for e in registry.EXECUTOR_RUNNERS.values()]
    references += [ref for e in registry.EXPORTERS.values() for ref in (e.writer, e.reader) if ref]
    assert all(callable(registry.resolve(reference)) for reference in references)
    with pytest.raises(ValueError, match="expected a reference 'package.module:attribute'"):
        registry.resolve("pipeline.export")


def test_choices_and_cache_keys_read_the_registry():
    assert {setting.key: setting.kind for setting in SETTINGS_SCHEMA}["extract.backend"] == registry.PDF_BACKENDS
    assert set(registry.layout_sources()) <= set(registry.result_sources())
    # the graph and exporters only shape the outputs: editing them keeps the cached per-document results
    assert "graph" not in registry.result_sources() and "export" not in registry.result_sources()
    assert {"pdfplumber", "pdfminer.six", "pypdfium2", "spacy", "scikit-learn", "networkx"} <= set(registry.libraries())


def test_the_cli_offers_the_registered_backends_and_executors():
    from pipeline.cli import build_parser

    parser = build_parser()
    run = parser._subparsers._group_actions[0].choices["run"]  # noqa: SLF001 - argparse keeps no public accessor
    choices = {action.dest: action.choices for action in run._actions if action.choices}  # noqa: SLF001
    assert tuple(choices["backend"]) == registry.PDF_BACKENDS and tuple(choices["executor"]) == registry.EXECUTORS


def test_a_pdf_backend_registered_by_name_reads_pages(monkeypatch, tmp_path):
    """Adding a backend is a registry entry and its reader module: nothing else names it."""
    from pipeline.config import load_settings
    from pipeline.extract import extract_document

    calls = []

    def toy_reader(path, password, max_pages, max_content_bytes):
        calls.append(path)
        return registry.resolve(registry.BACKENDS["pdfium"].reader)(path, password, max_pages, max_content_bytes)

    module = type(sys)("toy_backend")
    module.read_pages = toy_reader
    monkeypatch.setitem(sys.modules, "toy_backend", module)
    monkeypatch.setitem(registry.BACKENDS, "toy", registry.PdfBackend("toy", "toy_backend:read_pages", ()))
    paper = Path(__file__).resolve().parents[1] / "corpus" / "astapenia-2023-rethinking-western-policy-belarus.pdf"

    layout = extract_document(paper, settings=load_settings()["extract"], backend="toy")

    assert calls == [paper] and len(layout.pages) == 15
