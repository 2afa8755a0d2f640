"""The whole pipeline on the two sample papers: entities, shared measures, the contradiction."""

from __future__ import annotations

import pytest

from shared_paths import CORPUS, SAMPLE_IDS

ASTAPENIA, KHARYTONAU = SAMPLE_IDS


@pytest.fixture(scope="module")
def results(config):
    from pipeline.run import process_document

    return {doc_id: process_document(CORPUS / f"{doc_id}.pdf", doc_id, config) for doc_id in SAMPLE_IDS}


@pytest.fixture(scope="module")
def graph(results, config):
    from pipeline.graph import build_graph

    recommendations = [r for res in results.values() for r in res.recommendations]
    documents = {doc_id: res.layout.meta for doc_id, res in results.items()}
    return build_graph(recommendations, documents, config)


# (document, page, surface form, actor id): mentions checked by reading those pages
SPOT_CHECKS = [
    (KHARYTONAU, 1, "EU", "eu"),
    (KHARYTONAU, 1, "NATO", "nato"),
    (KHARYTONAU, 1, "UN", "un"),
    (KHARYTONAU, 1, "US", "us"),
    (KHARYTONAU, 4, "Russia", "russia"),
    (KHARYTONAU, 4, "Lithuania", "lithuania"),
    (KHARYTONAU, 4, "Poland", "poland"),
    (KHARYTONAU, 4, "Latvia", "latvia"),
    (KHARYTONAU, 4, "Lukashenka", "lukashenka_regime"),
    (KHARYTONAU, 17, "OSCE", "osce"),
    (KHARYTONAU, 17, "Tsikhanouskaya", "belarus_democratic_forces"),
    (ASTAPENIA, 1, "Ukraine", "ukraine"),
    (ASTAPENIA, 2, "Tsikhanouskaya", "belarus_democratic_forces"),
    (ASTAPENIA, 2, "EU", "eu"),
    (ASTAPENIA, 2, "US", "us"),
    (ASTAPENIA, 2, "Lukashenka", "lukashenka_regime"),
]


@pytest.mark.parametrize(("doc_id", "page", "surface", "actor_id"), SPOT_CHECKS)
def test_entities_carry_actor_ids_on_selected_pages(results, doc_id, page, surface, actor_id):
    mentions = [m for m in results[doc_id].entities if m.page == page and surface in m.text]
    assert mentions, f"no mention of {surface!r} on {doc_id} p.{page}"
    assert any(m.actor_id == actor_id for m in mentions), [(m.text, m.actor_id) for m in mentions]


def test_every_sentence_has_page_and_section_and_no_unit_crosses_blocks(results):
    for res in results.values():
        blocks = res.layout.blocks
        for sentence in res.sentences:
            assert sentence.page >= 1 and sentence.bboxes
            assert " ".join(sentence.text.split()) in " ".join(blocks[sentence.block_index].text.split()) or sentence.block_kind.value == "list_item"


def test_a_measure_is_supported_by_both_papers(graph):
    g, _ = graph
    shared = [d for _, d in g.nodes(data=True) if d.get("kind") == "measure" and d.get("support_docs", 0) >= 2]
    assert shared, "no measure node is supported by both sample papers"
    node = next(n for n, d in g.nodes(data=True) if d is shared[0])
    evidence = [d for _, _, d in g.in_edges(node, data=True) if d.get("type") == "ADDRESSED_TO"]
    assert {e["doc_id"] for e in evidence} == set(SAMPLE_IDS)
    assert all(e["sentence"] and e["page"] >= 1 for e in evidence)


def test_the_papers_disagree_about_engaging_lukashenka(graph):
    g, _ = graph
    contradictions = [d for _, _, d in g.edges(data=True) if d.get("type") == "CONTRADICTS"]
    on_regime = [d for d in contradictions if d.get("target") == "lukashenka_regime"]
    assert on_regime, contradictions
    edge = on_regime[0]
    assert {edge["doc_a"], edge["doc_b"]} == set(SAMPLE_IDS)
    assert edge["sentence_a"] and edge["sentence_b"] and edge["page_a"] >= 1 and edge["page_b"] >= 1
    assert "engage" in edge["reason"] or "isolation" in edge["reason"]
