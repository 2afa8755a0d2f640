"""Turn the corpus graph and the recommendations into the report's data.

The browser page gets one JSON document with everything it shows: the
actor-measure graph (parallel evidence edges collapsed into one drawn edge that
keeps every piece of evidence), the filter choices (actors, instruments,
documents, DIME groups) and one table row per recommendation. Everything here
is plain data; escaping for HTML happens in :mod:`pipeline.report.html`.

The graph follows the schema of ``pipeline.graph``; attributes that a graph
lacks get neutral defaults so that a report can be drawn from any graph in that
schema, even one read back from GraphML.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from pipeline.types import Recommendation

ACTOR, MEASURE, DOCUMENT, INSTRUMENT = "actor", "measure", "document", "instrument"
ADDRESSED_TO, TARGETS, PROPOSED_IN, CONTRADICTS = "ADDRESSED_TO", "TARGETS", "PROPOSED_IN", "CONTRADICTS"
SECTION_JOINER = " > "
MEASURE_PREFIX = "measure:"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _score(value: Any) -> float | None:
    """A finite float, or None: JSON has no NaN and the page shows None as blank."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 4) if math.isfinite(number) else None


def _split(joined: Any) -> list[str]:
    """Split the graph's "a;b" list attributes; GraphML cannot carry lists."""
    if isinstance(joined, (list, tuple)):
        return [str(v) for v in joined if str(v)]
    return [part.strip() for part in _text(joined).split(";") if part.strip()]


def _edge_type(key: Any, attrs: Mapping[str, Any]) -> str:
    return _text(attrs.get("type") or key)


@dataclass(frozen=True)
class Evidence:
    """One sentence that supports a measure or an edge, with where it was found."""

    rec_id: str
    doc: str
    page: int
    section: str
    sentence: str
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"rec_id": self.rec_id, "doc": self.doc, "page": self.page,
                "section": self.section, "sentence": self.sentence, "score": self.score}


def _evidence_from_edge(attrs: Mapping[str, Any]) -> Evidence | None:
    if not (attrs.get("sentence") or attrs.get("rec_id")):
        return None
    return Evidence(
        rec_id=_text(attrs.get("rec_id")),
        doc=_text(attrs.get("doc_id")),
        page=_int(attrs.get("page")),
        section=_text(attrs.get("section")),
        sentence=_text(attrs.get("sentence")),
        score=_score(attrs.get("score")),
    )


def _evidence_from_recommendation(rec: Recommendation) -> Evidence:
    return Evidence(
        rec_id=rec.id, doc=rec.doc_id, page=rec.page, section=SECTION_JOINER.join(rec.section),
        sentence=rec.text, score=_score(rec.score),
    )


def _unique_evidence(items: Iterable[Evidence]) -> list[Evidence]:
    """Keep one piece of evidence per recommendation, ordered by document and page."""
    seen: dict[tuple[str, ...], Evidence] = {}
    for item in items:
        key = (item.rec_id,) if item.rec_id else (item.doc, str(item.page), item.sentence)
        seen.setdefault(key, item)
    return sorted(seen.values(), key=lambda e: (e.doc, e.page, e.rec_id, e.sentence))


@dataclass
class _MeasureFacts:
    """What the edges tell about one measure (cy ids of actors and measures)."""

    docs: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    addressed_by: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    contradicts: set[str] = field(default_factory=set)


@dataclass
class _RecommendationFacts:
    """What the edges tell about one recommendation: enough for a table row without the records."""

    measure: str
    evidence: Evidence
    addressees: set[str] = field(default_factory=set)  # actor ids from the taxonomy
    targets: set[str] = field(default_factory=set)


@dataclass
class _DrawnEdge:
    source: str
    target: str
    type: str
    evidence: list[Evidence] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _GraphFacts:
    """Everything gathered in one pass over the edges."""

    measures: dict[str, _MeasureFacts] = field(default_factory=lambda: defaultdict(_MeasureFacts))
    recommendations: dict[str, _RecommendationFacts] = field(default_factory=dict)
    drawn: dict[tuple[str, str, str], _DrawnEdge] = field(default_factory=dict)


def _nodes_of_kind(graph: nx.MultiDiGraph, kind: str) -> list[tuple[Any, dict[str, Any]]]:
    return sorted(((n, a) for n, a in graph.nodes(data=True) if a.get("kind") == kind), key=lambda na: str(na[0]))


def _actor_key(node: Any, attrs: Mapping[str, Any]) -> str:
    """The taxonomy id: what recommendations name in addressees and targets."""
    return _text(attrs.get("actor_id")) or str(node).removeprefix("actor:")


def _contradiction_extra(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "reason": _text(attrs.get("reason")),
        # "target" would clash with the drawn edge's end; these are the actors both measures act on.
        "target_actor": _text(attrs.get("target")),
        "sides": [
            {"doc": _text(attrs.get("doc_a")), "page": _int(attrs.get("page_a")), "sentence": _text(attrs.get("sentence_a"))},
            {"doc": _text(attrs.get("doc_b")), "page": _int(attrs.get("page_b")), "sentence": _text(attrs.get("sentence_b"))},
        ],
    }


def _note_evidence(facts: _GraphFacts, measure: str, evidence: Evidence) -> None:
    facts.measures[measure].evidence.append(evidence)
    if evidence.doc:
        facts.measures[measure].docs.add(evidence.doc)
    if evidence.rec_id:
        facts.recommendations.setdefault(evidence.rec_id, _RecommendationFacts(measure, evidence))


def _note_link(facts: _GraphFacts, etype: str, measure: str, other: str, actor_key: str, evidence: Evidence | None) -> None:
    """Record an actor or contradiction link of ``measure``; ``other`` is the node at the far end."""
    rec = facts.recommendations.get(evidence.rec_id) if evidence is not None else None
    if etype == ADDRESSED_TO:
        facts.measures[measure].addressed_by.add(other)
        if rec is not None:
            rec.addressees.add(actor_key)
    elif etype == TARGETS:
        facts.measures[measure].targets.add(other)
        if rec is not None:
            rec.targets.add(actor_key)
    else:
        facts.measures[measure].contradicts.add(other)
        facts.measures[other].contradicts.add(measure)


def _draw(facts: _GraphFacts, etype: str, source: str, target: str, attrs: Mapping[str, Any], evidence: Evidence | None) -> None:
    """Collapse parallel evidence edges into one drawn edge that keeps all their evidence."""
    if etype == CONTRADICTS:  # symmetric: one drawn edge per pair, whichever way it was stored
        source, target = sorted((source, target))
    edge = facts.drawn.setdefault((source, target, etype), _DrawnEdge(source, target, etype))
    if evidence is not None:
        edge.evidence.append(evidence)
    if etype == CONTRADICTS and not edge.extra:
        edge.extra = _contradiction_extra(attrs)


# Which end of each drawn edge type must be of which kind.
_LINK_ENDS = {ADDRESSED_TO: (ACTOR, MEASURE), TARGETS: (MEASURE, ACTOR), CONTRADICTS: (MEASURE, MEASURE)}


def _walk_edges(graph: nx.MultiDiGraph, cy_id: Mapping[Any, str], actor_key_of: Mapping[str, str]) -> _GraphFacts:
    """One pass over the edges: each measure's documents, actors and evidence, and the edges to draw."""
    facts = _GraphFacts()
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        etype = _edge_type(key, attrs)
        kinds = (graph.nodes[u].get("kind"), graph.nodes[v].get("kind"))
        measure_node, other_node = (v, u) if etype == ADDRESSED_TO else (u, v)
        if graph.nodes[measure_node].get("kind") != MEASURE:
            continue
        measure = cy_id[measure_node]
        # A contradiction's two sentences belong to its two measures, not to the edge's source.
        evidence = None if etype == CONTRADICTS else _evidence_from_edge(attrs)
        if evidence is not None:
            _note_evidence(facts, measure, evidence)
        if etype == PROPOSED_IN and kinds[1] == DOCUMENT:
            facts.measures[measure].docs.add(_text(graph.nodes[v].get("doc_id")) or str(v).removeprefix("document:"))
        if _LINK_ENDS.get(etype) == kinds:
            other = cy_id[other_node]
            _note_link(facts, etype, measure, other, actor_key_of.get(other, ""), evidence)
            _draw(facts, etype, cy_id[u], cy_id[v], attrs, evidence)
    return facts


def _measure_key_map(measure_nodes: Sequence[tuple[Any, dict[str, Any]]], cy_id: Mapping[Any, str]) -> dict[str, str]:
    """measure_id as a recommendation may hold it (with or without prefix) -> cy id."""
    keys: dict[str, str] = {}
    for node, _ in measure_nodes:
        keys[str(node)] = cy_id[node]
        keys.setdefault(str(node).removeprefix(MEASURE_PREFIX), cy_id[node])
    return keys


def _measure_of(rec: Recommendation, measure_keys: Mapping[str, str], facts: _GraphFacts) -> str:
    """The drawn measure of a recommendation: by its measure_id, else by the edges that cite it."""
    found = measure_keys.get(rec.measure_id or "")
    if found:
        return found
    cited = facts.recommendations.get(rec.id)
    return cited.measure if cited is not None else ""


def _rows_from_recommendations(
    recommendations: Sequence[Recommendation], measure_keys: Mapping[str, str], facts: _GraphFacts,
) -> list[dict[str, Any]]:
    return [{
        "rec_id": rec.id, "doc": rec.doc_id, "page": rec.page, "text": rec.text,
        "section": SECTION_JOINER.join(rec.section), "addressees": list(rec.addressees),
        "targets": list(rec.targets), "issuers": list(rec.issuers), "instruments": list(rec.instruments),
        "modality": rec.modality,
        "polarity": rec.polarity, "reported": rec.reported, "score": _score(rec.score),
        "measure": _measure_of(rec, measure_keys, facts),
    } for rec in recommendations]


def _rows_from_graph(facts: _GraphFacts, measure_info: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows rebuilt from edge evidence, for a report drawn from a graph alone."""
    rows = []
    for rec_id, rec in sorted(facts.recommendations.items()):
        measure = measure_info.get(rec.measure, {})
        rows.append({
            "rec_id": rec_id, "doc": rec.evidence.doc, "page": rec.evidence.page, "text": rec.evidence.sentence,
            "section": rec.evidence.section, "addressees": sorted(rec.addressees), "targets": sorted(rec.targets),
            "issuers": list(measure.get("issuers", [])), "instruments": list(measure.get("instruments", [])), "modality": measure.get("modality", ""),
            "polarity": measure.get("polarity", ""), "reported": False, "score": rec.evidence.score,
            "measure": rec.measure,
        })
    return rows


def _measure_record(node: Any, attrs: Mapping[str, Any], mid: str, facts: _MeasureFacts,
                    cited_by: Sequence[Evidence]) -> dict[str, Any]:
    # The recommendations' own records come first so that they win over the edges' copies.
    evidence = _unique_evidence([*cited_by, *facts.evidence])
    docs = facts.docs | {e.doc for e in evidence if e.doc}
    return {
        "id": mid, "key": str(node), "label": _text(attrs.get("label")) or _text(attrs.get("text")),
        "text": _text(attrs.get("text")), "instruments": _split(attrs.get("instruments")),
        "dime": _split(attrs.get("dime")), "nato_tool": _split(attrs.get("nato_tool")),
        "modality": _text(attrs.get("modality")),
        "polarity": _text(attrs.get("polarity")), "support_docs": _int(attrs.get("support_docs")) or len(docs),
        "support_sentences": _int(attrs.get("support_sentences")) or len(evidence),
        "docs": sorted(docs), "addressed_by": sorted(facts.addressed_by), "targets": sorted(facts.targets),
        "issuers": _split(attrs.get("issuers")),
        "contradicts": sorted(facts.contradicts), "evidence": [e.to_dict() for e in evidence],
    }


def _actor_records(actor_nodes: Sequence[tuple[Any, dict[str, Any]]], cy_id: Mapping[Any, str],
                   actor_key_of: Mapping[str, str], measures: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    measure_count: dict[str, int] = defaultdict(int)
    for m in measures:
        for actor in {*m["addressed_by"], *m["targets"]}:
            measure_count[actor] += 1
    return [{
        "id": cy_id[n], "key": actor_key_of[cy_id[n]], "label": _text(a.get("label")) or actor_key_of[cy_id[n]],
        "actor_kind": _text(a.get("actor_kind")), "qid": _text(a.get("qid")), "measures": measure_count[cy_id[n]],
    } for n, a in actor_nodes]


def _instrument_records(graph: nx.MultiDiGraph, used: Iterable[str]) -> list[dict[str, str]]:
    """Instrument nodes, plus any instrument a measure or row names without a node."""
    found = {
        _text(a.get("instrument_id")) or str(n).removeprefix("instrument:"):
            (_text(a.get("label")), _text(a.get("dime")), _text(a.get("nato_tool")))
        for n, a in _nodes_of_kind(graph, INSTRUMENT)
    }
    for iid in used:
        found.setdefault(iid, ("", "", ""))
    return [{"id": iid, "label": label or iid, "dime": dime, "nato_tool": tool}
            for iid, (label, dime, tool) in sorted(found.items())]


def _document_records(graph: nx.MultiDiGraph, used: Iterable[str]) -> list[dict[str, Any]]:
    """Document nodes, plus any document cited by evidence without a node."""
    found = {
        _text(a.get("doc_id")) or str(n).removeprefix("document:"): {
            "title": _text(a.get("title")), "date": _text(a.get("date")), "publisher": _text(a.get("publisher")),
            "genre": _text(a.get("genre")), "issuers": _split(a.get("issuers")), "audience": _split(a.get("audience"))}
        for n, a in _nodes_of_kind(graph, DOCUMENT)
    }
    for doc in used:
        found.setdefault(doc, {"title": "", "date": "", "publisher": "", "genre": "", "issuers": [], "audience": []})
    return [{"id": doc, **info} for doc, info in sorted(found.items())]


def build_payload(
    graph: nx.MultiDiGraph, recommendations: Sequence[Recommendation], *, title: str,
) -> dict[str, Any]:
    """Everything the report page shows, as JSON-able data with short element ids."""
    if not isinstance(graph, nx.MultiDiGraph):
        raise TypeError(
            f"render_report expects the corpus graph as a networkx MultiDiGraph, got {type(graph).__name__}; "
            "build it with pipeline.graph or read it back with nx.read_graphml(..., force_multigraph=True)"
        )
    actor_nodes = _nodes_of_kind(graph, ACTOR)
    measure_nodes = _nodes_of_kind(graph, MEASURE)
    # Short positional ids keep the page small and keep arbitrary graph ids out of selectors.
    cy_id: dict[Any, str] = {node: f"a{i}" for i, (node, _) in enumerate(actor_nodes)}
    cy_id.update({node: f"m{i}" for i, (node, _) in enumerate(measure_nodes)})
    actor_key_of = {cy_id[n]: _actor_key(n, a) for n, a in actor_nodes}
    facts = _walk_edges(graph, cy_id, actor_key_of)

    measure_keys = _measure_key_map(measure_nodes, cy_id)
    cited_by: dict[str, list[Evidence]] = defaultdict(list)
    for rec in recommendations:
        measure = _measure_of(rec, measure_keys, facts)
        if measure:
            cited_by[measure].append(_evidence_from_recommendation(rec))
    measures = [
        _measure_record(node, attrs, cy_id[node], facts.measures.get(cy_id[node], _MeasureFacts()), cited_by[cy_id[node]])
        for node, attrs in measure_nodes
    ]
    rows = (_rows_from_recommendations(recommendations, measure_keys, facts) if recommendations
            else _rows_from_graph(facts, {m["id"]: m for m in measures}))
    instruments = _instrument_records(graph, [i for record in (*measures, *rows) for i in record["instruments"]])
    documents = _document_records(graph, [*(d for m in measures for d in m["docs"]), *(r["doc"] for r in rows if r["doc"])])
    return {
        "title": title,
        "actors": _actor_records(actor_nodes, cy_id, actor_key_of, measures),
        "measures": measures,
        "edges": [{
            "id": f"e{i}", "source": e.source, "target": e.target, "type": e.type,
            "evidence": [ev.to_dict() for ev in _unique_evidence(e.evidence)], **e.extra,
        } for i, e in enumerate(facts.drawn.values())],
        "instruments": instruments,
        "documents": documents,
        "dime": sorted({i["dime"] for i in instruments if i["dime"]} | {g for m in measures for g in m["dime"]}),
        "nato_tools": sorted({i["nato_tool"] for i in instruments if i["nato_tool"]}
                             | {t for m in measures for t in m["nato_tool"]}),
        "rows": rows,
    }
