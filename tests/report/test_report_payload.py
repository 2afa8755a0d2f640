"""The report's data: what the page will show, built from a hand-made graph."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import networkx as nx
import pytest
from report_graphs import MEASURES, build_graph, measure_node_id

from pipeline.report import build_payload


def _measure(payload: dict, text: str) -> dict:
    return next(m for m in payload["measures"] if m["key"] == measure_node_id(text))


def _actor_cy_id(payload: dict, key: str) -> str:
    return next(a["id"] for a in payload["actors"] if a["key"] == key)


def test_draws_actors_and_measures_only(report_graph):
    graph, recs = report_graph
    payload = build_payload(graph, recs, title="t")
    assert len(payload["actors"]) == 5
    assert len(payload["measures"]) == len(MEASURES)
    assert {e["type"] for e in payload["edges"]} == {"ADDRESSED_TO", "TARGETS", "CONTRADICTS"}
    drawn_ids = {a["id"] for a in payload["actors"]} | {m["id"] for m in payload["measures"]}
    assert all(e["source"] in drawn_ids and e["target"] in drawn_ids for e in payload["edges"])


def test_parallel_evidence_edges_become_one_edge_with_all_evidence(report_graph):
    graph, recs = report_graph
    payload = build_payload(graph, recs, title="t")
    sanctions = _measure(payload, MEASURES[0].text)
    eu = _actor_cy_id(payload, "eu")
    edges = [e for e in payload["edges"] if e["source"] == eu and e["target"] == sanctions["id"]]
    assert len(edges) == 1
    assert [(ev["doc"], ev["page"]) for ev in edges[0]["evidence"]] == [("doc-alpha", 3), ("doc-beta", 5)]


def test_measure_keeps_every_supporting_sentence_once_with_section(report_graph):
    graph, recs = report_graph
    sanctions = _measure(build_payload(graph, recs, title="t"), MEASURES[0].text)
    assert sanctions["docs"] == ["doc-alpha", "doc-beta"]
    assert sanctions["support_docs"] == 2 and sanctions["support_sentences"] == 2
    assert [e["sentence"] for e in sanctions["evidence"]] == [s[3] for s in MEASURES[0].support]
    assert sanctions["evidence"][0]["section"] == "Recommendations > Pressure"
    assert sanctions["addressed_by"] == sorted([_actor_cy_id(build_payload(graph, recs, title="t"), k) for k in ("eu", "nato")])


def test_contradiction_stored_both_ways_is_drawn_once_with_both_sides(report_graph):
    graph, recs = report_graph
    payload = build_payload(graph, recs, title="t")
    contradictions = [e for e in payload["edges"] if e["type"] == "CONTRADICTS"]
    assert len(contradictions) == 1
    edge = contradictions[0]
    assert edge["reason"] == "engagement vs isolation"
    assert edge["target_actor"] == "target_regime"
    assert {s["sentence"] for s in edge["sides"]} == {MEASURES[1].support[0][3], MEASURES[2].support[0][3]}
    dialogue, isolation = _measure(payload, MEASURES[1].text), _measure(payload, MEASURES[2].text)
    assert dialogue["contradicts"] == [isolation["id"]] and isolation["contradicts"] == [dialogue["id"]]


def test_rows_link_to_their_measure_whatever_form_measure_id_takes(report_graph):
    graph, recs = report_graph
    # The fixture gives measure_id as the node id, the bare hash and None in turn.
    assert {type(r.measure_id) for r in recs} == {str, type(None)}
    payload = build_payload(graph, recs, title="t")
    by_text = {m["text"]: m["id"] for m in payload["measures"]}
    for row, rec in zip(payload["rows"], recs, strict=True):
        assert row["measure"] == by_text[rec.measure]
        assert row["addressees"] == list(rec.addressees)


def test_without_recommendations_rows_come_from_the_graph_evidence(report_graph):
    graph, recs = report_graph
    rows = build_payload(graph, [], title="t")["rows"]
    assert sorted(r["rec_id"] for r in rows) == sorted(r.id for r in recs)
    first = next(r for r in rows if r["rec_id"] == recs[0].id)
    assert (first["doc"], first["page"], first["text"]) == (recs[0].doc_id, recs[0].page, recs[0].text)
    assert sorted(first["addressees"]) == sorted(recs[0].addressees)
    assert first["targets"] == list(recs[0].targets)


def test_filters_offer_every_instrument_document_and_dime_group(report_graph):
    graph, recs = report_graph
    payload = build_payload(graph, recs, title="t")
    assert {i["id"] for i in payload["instruments"]} >= {i for m in MEASURES for i in m.instruments}
    assert [d["id"] for d in payload["documents"]] == ["doc-alpha", "doc-beta"]
    assert payload["dime"] == ["diplomatic", "economic", "legal", "societal"]
    assert payload["nato_tools"] == ["authority", "nodality", "organisation"]


def test_non_finite_scores_become_null_so_the_json_stays_valid(report_graph):
    graph, recs = report_graph
    recs = [replace(recs[0], score=math.nan), *recs[1:]]
    payload = build_payload(graph, recs, title="t")
    assert payload["rows"][0]["score"] is None
    json.dumps(payload, allow_nan=False)


def test_graph_read_back_from_graphml_gives_the_same_payload(report_graph, tmp_path):
    graph, recs = report_graph
    path = tmp_path / "graph.graphml"
    nx.write_graphml(graph, path)
    reread = nx.read_graphml(path, force_multigraph=True)
    assert build_payload(reread, recs, title="t") == build_payload(graph, recs, title="t")


def test_rejects_a_graph_that_is_not_a_multidigraph(report_graph):
    graph, recs = report_graph
    with pytest.raises(TypeError, match="MultiDiGraph, got DiGraph"):
        build_payload(nx.DiGraph(graph), recs, title="t")


def test_empty_corpus_gives_an_empty_but_valid_payload():
    payload = build_payload(nx.MultiDiGraph(), [], title="t")
    assert payload["measures"] == [] and payload["rows"] == [] and payload["edges"] == []


def test_graph_without_a_contradiction_draws_none():
    graph, recs = build_graph(contradiction=None)
    payload = build_payload(graph, recs, title="t")
    assert not [e for e in payload["edges"] if e["type"] == "CONTRADICTS"]
    assert all(m["contradicts"] == [] for m in payload["measures"])
