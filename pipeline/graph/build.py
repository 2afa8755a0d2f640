"""Building the MultiDiGraph: nodes for documents, instruments, actors and measures, evidence edges."""

from __future__ import annotations

import dataclasses
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from pipeline.config import Config
from pipeline.graph.analysis import AnalysedRecommendation, analyse_recommendations, similarity_matrix
from pipeline.graph.contradictions import contradiction_edges
from pipeline.graph.lemmas import Lemmatiser, spacy_lemmatiser
from pipeline.graph.measures import MergedMeasure, merge_measures
from pipeline.graph.rules import ContradictionRules, rules_for
from pipeline.graph.schema import (
    ACTOR, ADDRESSED_TO, CONTRADICTS, DOCUMENT, INSTRUMENT, MEASURE, PROPOSED_BY, PROPOSED_IN, SECTION_SEPARATOR,
    TARGETS, USES,
    LIST_SEPARATOR, actor_node, document_node, instrument_node,
)
from pipeline.types import DocumentContext, DocumentMeta, Recommendation

MODALITY_STRENGTH = {"must": 3, "should": 2, "could": 1}
LABEL_WIDTH = 80


def _short(text: str) -> str:
    return textwrap.shorten(text, width=LABEL_WIDTH, placeholder=" \u2026") or text[:LABEL_WIDTH]


def _actor_attributes(actor_id: str, config: Config) -> dict[str, Any]:
    actor = config.actors.actors.get(actor_id)
    generated_kind = actor_id.split(":", 1)[0] if ":" in actor_id else "unknown"
    return {
        "kind": ACTOR,
        "label": actor.label if actor is not None else actor_id,
        "actor_id": actor_id,
        "actor_kind": actor.kind if actor is not None else generated_kind,
        "qid": (actor.qid or "") if actor is not None else "",
        "bipartite": 0,
    }


def _instrument_attributes(instrument_id: str, config: Config) -> dict[str, Any]:
    instrument = config.instruments.instruments.get(instrument_id)
    return {
        "kind": INSTRUMENT,
        "label": instrument.label if instrument is not None else instrument_id,
        "instrument_id": instrument_id,
        "dime": instrument.group if instrument is not None else "",
        "nato_tool": instrument.tool if instrument is not None else "",
    }


def _document_attributes(doc_id: str, meta: DocumentMeta | None, context: DocumentContext | None) -> dict[str, Any]:
    meta, context = meta or DocumentMeta(), context or DocumentContext()
    title = meta.title or context.title
    return {
        "kind": DOCUMENT,
        "label": _short(title) if title else doc_id,
        "doc_id": doc_id,
        "title": title or "",
        "author": meta.author or "",
        "date": context.date or meta.date or "",
        "publisher": meta.publisher or "",
        "genre": context.genre,
        "issuers": LIST_SEPARATOR.join(context.issuers),
        "audience": LIST_SEPARATOR.join(context.audience),
    }


def _measure_attributes(measure: MergedMeasure, items: Sequence[AnalysedRecommendation], config: Config) -> dict[str, Any]:
    recs = [items[i].rec for i in measure.members]
    instruments = sorted({i for r in recs for i in r.instruments})
    groups = sorted({config.instruments.instruments[i].group for i in instruments
                     if i in config.instruments.instruments})
    tools = sorted({config.instruments.instruments[i].tool for i in instruments
                    if i in config.instruments.instruments})
    modalities = Counter(r.modality for r in recs)
    modality = max(modalities, key=lambda m: (modalities[m], MODALITY_STRENGTH.get(m, 0), m))
    return {
        "kind": MEASURE,
        "label": _short(measure.text),
        "text": measure.text,
        "instruments": LIST_SEPARATOR.join(instruments),
        "dime": LIST_SEPARATOR.join(groups),
        "nato_tool": LIST_SEPARATOR.join(tools),
        "issuers": LIST_SEPARATOR.join(sorted({a for r in recs for a in r.issuers})),
        "modality": modality,
        "polarity": "refrain" if measure.negated else "do",
        "support_docs": len(measure.docs),
        "support_sentences": len({(r.doc_id, r.sentence_index, r.text) for r in recs}),
        "support_issuers": len({a for r in recs for a in r.issuers}),
        "bipartite": 1,
    }


def evidence_attributes(rec: Recommendation, edge_type: str) -> dict[str, Any]:
    """What every edge drawn from a recommendation carries."""
    return {
        "type": edge_type,
        "doc_id": rec.doc_id,
        "page": int(rec.page),
        "section": SECTION_SEPARATOR.join(rec.section),
        "sentence": rec.text,
        "score": round(float(rec.score), 4),
        "rec_id": rec.id,
        "reported": bool(rec.reported),
    }


def _unique_sorted(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    recs = sorted(recommendations, key=lambda r: r.id)
    duplicates = sorted({a.id for a, b in zip(recs, recs[1:]) if a.id == b.id})
    if duplicates:
        raise ValueError(
            f"recommendation ids must be unique, got {len(duplicates)} repeated (first: {duplicates[0]!r}); "
            "ids are '<doc_id>:<sentence index>', so a document was probably passed twice"
        )
    return recs


def build_graph(
    recommendations: Iterable[Recommendation],
    documents: Mapping[str, DocumentMeta],
    config: Config,
    *,
    merge_threshold: float | None = None,
    rules: ContradictionRules | None = None,
    lemmatiser: Lemmatiser | None = None,
    contexts: Mapping[str, DocumentContext] | None = None,
) -> tuple[nx.MultiDiGraph, tuple[Recommendation, ...]]:
    """Build the graph; return it and the recommendations with ``measure_id`` set.

    ``merge_threshold`` overrides ``graph.measure_merge_threshold``; ``rules``
    the contradiction rules from the config; ``lemmatiser`` the spaCy model
    (tests and callers that already hold lemmas pass their own); ``contexts``
    the documents' contexts (genre, issuers, audience) for their nodes.
    """
    contexts = contexts or {}
    given = list(recommendations)
    recs = _unique_sorted(given)
    threshold = float(config.get("graph.measure_merge_threshold") if merge_threshold is None else merge_threshold)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"the measure merge threshold is a cosine similarity in (0, 1], got {threshold}")
    rules = rules if rules is not None else rules_for(config)
    lemmatise = lemmatiser if lemmatiser is not None else spacy_lemmatiser(str(config.get("segment.model")))

    items = analyse_recommendations(recs, config, rules, lemmatise)
    similarity = similarity_matrix(items)
    measures = merge_measures(items, similarity, threshold)

    graph = nx.MultiDiGraph()
    for doc_id in sorted(set(documents) | {r.doc_id for r in recs}):
        graph.add_node(document_node(doc_id),
                       **_document_attributes(doc_id, documents.get(doc_id), contexts.get(doc_id)))
    for instrument_id in sorted({i for r in recs for i in r.instruments}):
        graph.add_node(instrument_node(instrument_id), **_instrument_attributes(instrument_id, config))
    for actor_id in sorted({a for r in recs for a in (*r.addressees, *r.targets, *r.issuers)}):
        graph.add_node(actor_node(actor_id), **_actor_attributes(actor_id, config))

    measure_of: dict[str, str] = {}
    for measure in measures:
        graph.add_node(measure.node, **_measure_attributes(measure, items, config))
        for index in measure.members:
            rec = items[index].rec
            measure_of[rec.id] = measure.node
            for actor_id in dict.fromkeys(rec.addressees):
                graph.add_edge(actor_node(actor_id), measure.node, key=rec.id,
                               **evidence_attributes(rec, ADDRESSED_TO))
            for actor_id in dict.fromkeys(rec.targets):
                graph.add_edge(measure.node, actor_node(actor_id), key=rec.id, **evidence_attributes(rec, TARGETS))
            for actor_id in dict.fromkeys(rec.issuers):
                graph.add_edge(measure.node, actor_node(actor_id), key=rec.id, **evidence_attributes(rec, PROPOSED_BY))
            for instrument_id in dict.fromkeys(rec.instruments):
                graph.add_edge(measure.node, instrument_node(instrument_id), key=rec.id,
                               **evidence_attributes(rec, USES))
            graph.add_edge(measure.node, document_node(rec.doc_id), key=rec.id,
                           **evidence_attributes(rec, PROPOSED_IN))

    dvr_threshold = rules.do_vs_refrain_min_similarity or threshold
    for source, target, attributes in contradiction_edges(measures, items, similarity, rules, dvr_threshold):
        graph.add_edge(source, target, key=CONTRADICTS, **attributes)

    updated = tuple(dataclasses.replace(r, measure_id=measure_of[r.id]) for r in given)
    return graph, updated
