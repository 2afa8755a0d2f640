"""The graph stage on hand-made recommendations: schema, merging, contradictions."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import networkx as nx
import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.graph import (
    ADDRESSED_TO, CONTRADICTS, PROPOSED_IN, TARGETS, USES, build_graph, load_contradiction_rules,
)
from pipeline.types import DocumentMeta, Recommendation

JUNTA = "org:ruritanian_junta"
PORT = "org:harbour_authority"


def rec(doc: str, index: int, text: str, measure: str = "", *, addressees=("eu",), targets=(JUNTA,),
        instruments=("sanctions",), polarity: str = "do", page: int = 1, score: float = 0.8,
        section=("Recommendations",)) -> Recommendation:
    return Recommendation(
        id=f"{doc}:{index}", doc_id=doc, text=text, page=page, bbox=(50.0, 100.0, 500.0, 120.0),
        section=tuple(section), addressees=tuple(addressees), targets=tuple(targets),
        instruments=tuple(instruments), modality="should", polarity=polarity, reported=False,
        score=score, sentence_index=index, measure=measure,
    )


@pytest.fixture(scope="module")
def config():
    return load_config()


def measures(graph: nx.MultiDiGraph) -> dict[str, dict]:
    return {n: d for n, d in graph.nodes(data=True) if d["kind"] == "measure"}


def contradictions(graph: nx.MultiDiGraph) -> list[tuple[str, str, dict]]:
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d["type"] == CONTRADICTS]


def test_schema_of_nodes_edges_and_returned_records(config):
    recs = [
        rec("white-paper", 4, "The Union should freeze the assets of the junta's senior officers.",
            "freeze the assets of the junta's senior officers", page=3, section=("Recommendations", "Sanctions")),
        rec("green-paper", 9, "Grant scholarships to Ruritanian students.", "Grant scholarships to Ruritanian students",
            addressees=("org:erasmus_fund",), targets=("ruritania",), instruments=("civil_society_support",)),
    ]
    meta = {"white-paper": DocumentMeta(title="A White Paper", publisher="Institute", date="2024")}
    graph, updated = build_graph(recs, meta, config)

    assert isinstance(graph, nx.MultiDiGraph)
    kinds = {n: d["kind"] for n, d in graph.nodes(data=True)}
    for node, kind in kinds.items():
        assert node.startswith(f"{kind}:")
    assert set(kinds.values()) == {"actor", "measure", "document", "instrument"}
    for node, data in graph.nodes(data=True):
        assert data["label"]
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values()), (node, data)
    for *_, data in graph.edges(keys=True, data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values()), data

    eu = graph.nodes["actor:eu"]
    assert eu["label"] == config.actors.actors["eu"].label and eu["bipartite"] == 0
    generated = graph.nodes["actor:org:erasmus_fund"]
    assert generated["label"] == "org:erasmus_fund" and generated["qid"] == "" and generated["actor_kind"] == "org"
    assert graph.nodes["document:white-paper"] == {
        "kind": "document", "label": "A White Paper", "doc_id": "white-paper", "title": "A White Paper",
        "author": "", "date": "2024", "publisher": "Institute",
        "genre": "paper_or_brief", "issuers": "", "audience": ""}
    assert graph.nodes["document:green-paper"]["title"] == ""
    assert graph.nodes["instrument:sanctions"]["dime"] == "economic"

    freeze = updated[0].measure_id
    assert freeze and freeze.startswith("measure:") and freeze in graph
    node = graph.nodes[freeze]
    assert node["text"] == "freeze the assets of the junta's senior officers"
    assert (node["instruments"], node["dime"], node["modality"], node["polarity"]) == \
        ("sanctions", "economic", "should", "do")
    assert (node["support_docs"], node["support_sentences"], node["bipartite"]) == (1, 1, 1)

    edge = graph.edges["actor:eu", freeze, "white-paper:4"]
    assert edge == {"type": ADDRESSED_TO, "doc_id": "white-paper", "page": 3, "section": "Recommendations > Sanctions",
                    "sentence": recs[0].text, "score": 0.8, "rec_id": "white-paper:4", "reported": False}
    assert graph.edges[freeze, f"actor:{JUNTA}", "white-paper:4"]["type"] == TARGETS
    assert graph.edges[freeze, "instrument:sanctions", "white-paper:4"]["type"] == USES
    assert graph.edges[freeze, "document:white-paper", "white-paper:4"]["type"] == PROPOSED_IN
    assert [dataclasses.replace(r, measure_id=None) for r in updated] == recs


def test_same_action_in_different_words_merges_across_papers(config):
    recs = [
        rec("white-paper", 4, "The Union should freeze the assets of the junta's senior officers.",
            "freeze the assets of the junta's senior officers", page=3),
        rec("green-paper", 11, "Asset freezes should target senior officers of the junta.",
            "Asset freezes should target senior officers of the junta", page=7),
        rec("green-paper", 12, "Grant scholarships to Ruritanian students.", "Grant scholarships to Ruritanian students",
            targets=("ruritania",), instruments=("civil_society_support",)),
    ]
    graph, updated = build_graph(recs, {}, config)
    assert updated[0].measure_id == updated[1].measure_id != updated[2].measure_id
    shared = graph.nodes[updated[0].measure_id]
    assert (shared["support_docs"], shared["support_sentences"]) == (2, 2)
    evidence = {(d["doc_id"], d["page"], d["sentence"])
                for _, _, d in graph.in_edges(updated[0].measure_id, data=True) if d["type"] == ADDRESSED_TO}
    assert evidence == {("white-paper", 3, recs[0].text), ("green-paper", 7, recs[1].text)}
    assert len(measures(graph)) == 2


@pytest.mark.parametrize("change", [
    {"targets": (PORT,)},                      # the same words against another target
    {"addressees": ("nato",)},                 # asked of someone else entirely
    {"instruments": ("accountability",)},      # a different instrument
    {"polarity": "refrain"},                   # refraining from it
])
def test_same_words_with_a_different_target_audience_instrument_or_polarity_stay_apart(config, change):
    first = rec("white-paper", 1, "Freeze the assets of the junta's officers.", "freeze the assets of the junta's officers")
    second = dataclasses.replace(rec("green-paper", 2, first.text, first.measure), **change)
    graph, updated = build_graph([first, second], {}, config)
    assert updated[0].measure_id != updated[1].measure_id
    assert len(measures(graph)) == 2


def test_unrelated_measures_do_not_merge_and_threshold_comes_from_config(config):
    recs = [
        rec("white-paper", 1, "Freeze the assets of the junta's officers.", "freeze the assets of the junta's officers"),
        rec("green-paper", 2, "Ban the junta's officers from entering the Union.",
            "ban the junta's officers from entering the Union"),
        rec("green-paper", 3, "Asset freezes should hit the junta's officers.", "asset freezes should hit the junta's officers"),
    ]
    graph, updated = build_graph(recs, {}, config)
    assert updated[0].measure_id == updated[2].measure_id != updated[1].measure_id
    strict, strict_updated = build_graph(recs, {}, config, merge_threshold=1.0)
    assert len({r.measure_id for r in strict_updated}) == 3
    with pytest.raises(ValueError, match=r"threshold"):
        build_graph(recs, {}, config, merge_threshold=0.0)


def test_engagement_vs_isolation_of_the_same_target_contradicts_with_both_sentences(config):
    engage = rec("white-paper", 5, "Western capitals should open a direct dialogue with the junta leader.",
                 "open a direct dialogue with the junta leader", instruments=("diplomatic_engagement",), page=4)
    refrain = rec("green-paper", 8, "Refrain from any official contacts with the junta's top officials.",
                  "refrain from any official contacts with the junta's top officials",
                  instruments=("diplomatic_isolation",), polarity="refrain", page=12)
    graph, updated = build_graph([engage, refrain], {}, config)
    edges = contradictions(graph)
    assert len(edges) == 1
    source, target, data = edges[0]
    assert (source, target) == (updated[0].measure_id, updated[1].measure_id)
    assert data["reason"] == "engagement vs isolation" and data["target"] == JUNTA
    assert (data["sentence_a"], data["doc_a"], data["page_a"]) == (engage.text, "white-paper", 4)
    assert (data["sentence_b"], data["doc_b"], data["page_b"]) == (refrain.text, "green-paper", 12)


def test_non_recognition_is_on_the_isolation_side(config):
    engage = rec("white-paper", 5, "Negotiate with the junta.", "negotiate with the junta",
                 instruments=("diplomatic_engagement",))
    deny = rec("green-paper", 8, "Maintain the non-recognition of the junta.", "maintain the non-recognition of the junta",
               instruments=("recognition",))
    graph, _ = build_graph([engage, deny], {}, config)
    assert [d["reason"] for *_, d in contradictions(graph)] == ["engagement vs isolation"]


def test_impose_vs_lift_sanctions(config):
    impose = rec("white-paper", 2, "Impose sectoral sanctions on the junta's timber exports.",
                 "impose sectoral sanctions on the junta's timber exports", page=2)
    lift = rec("green-paper", 6, "Lift the sanctions on timber exports once prisoners are released.",
               "lift the sanctions on timber exports", instruments=("incentives",), page=9)
    graph, updated = build_graph([lift, impose], {}, config)
    edges = contradictions(graph)
    assert len(edges) == 1
    source, target, data = edges[0]
    assert data["reason"] == "impose vs lift sanctions"
    assert (source, target) == (updated[1].measure_id, updated[0].measure_id)  # impose -> lift
    assert (data["doc_a"], data["page_a"], data["doc_b"], data["page_b"]) == ("white-paper", 2, "green-paper", 9)


def test_do_vs_refrain_on_the_same_action(config):
    do = rec("white-paper", 3, "The Union should deploy election observers to the harbour districts.",
             "deploy election observers to the harbour districts", targets=(PORT,),
             instruments=("democratic_transition",))
    dont = rec("green-paper", 4, "The Union should not deploy election observers to the harbour districts.",
               "deploy election observers to the harbour districts", targets=(PORT,),
               instruments=("democratic_transition",), polarity="refrain")
    graph, updated = build_graph([do, dont], {}, config)
    edges = contradictions(graph)
    assert [(u, v, d["reason"]) for u, v, d in edges] == \
        [(updated[0].measure_id, updated[1].measure_id, "do vs refrain")]
    assert graph.nodes[updated[1].measure_id]["polarity"] == "refrain"


def test_no_contradiction_across_different_targets_or_unrelated_measures(config):
    recs = [
        rec("white-paper", 1, "Open a dialogue with the harbour authority.", "open a dialogue with the harbour authority",
            targets=(PORT,), instruments=("diplomatic_engagement",)),
        rec("green-paper", 2, "Isolate the junta diplomatically.", "isolate the junta diplomatically",
            instruments=("diplomatic_isolation",)),
        # shares the addressee and the target with the isolation measure, pulls no opposite way
        rec("green-paper", 3, "Grant visas to the junta's defectors.", "grant visas to the junta's defectors",
            instruments=("mobility_asylum",)),
        rec("blue-paper", 4, "Impose sanctions on the harbour authority.", "impose sanctions on the harbour authority",
            targets=(PORT,)),
    ]
    graph, _ = build_graph(recs, {}, config)
    assert contradictions(graph) == []


def test_a_measure_without_targets_contradicts_through_a_named_target(config):
    engage = rec("white-paper", 1, "Open talks with the harbour authority.", "open talks with the harbour authority",
                 targets=(), instruments=("diplomatic_engagement",))
    isolate = rec("green-paper", 2, "Isolate the harbour authority.", "isolate the harbour authority", targets=(PORT,),
                  instruments=("diplomatic_isolation",))
    unnamed = dataclasses.replace(engage, id="white-paper:9", text="Open talks with them.", measure="open talks with them")
    graph, updated = build_graph([engage, isolate], {}, config)
    assert [d["target"] for *_, d in contradictions(graph)] == [PORT]
    graph, _ = build_graph([unnamed, isolate], {}, config)
    assert contradictions(graph) == []


def test_pairs_within_one_paper_are_a_strategy_unless_the_rules_say_otherwise(config):
    impose = rec("white-paper", 2, "Impose sanctions on the junta.", "impose sanctions on the junta")
    lift = rec("white-paper", 6, "Offer to lift sanctions on the junta.", "offer to lift sanctions on the junta",
               instruments=("incentives",))
    graph, _ = build_graph([impose, lift], {}, config)
    assert contradictions(graph) == []
    rules = dataclasses.replace(load_contradiction_rules(config=config), same_document=True)
    graph, _ = build_graph([impose, lift], {}, config, rules=rules)
    assert [d["reason"] for *_, d in contradictions(graph)] == ["impose vs lift sanctions"]


def test_result_does_not_depend_on_input_order(config):
    recs = [
        rec("white-paper", 1, "Freeze the assets of the junta's officers.", "freeze the assets of the junta's officers"),
        rec("green-paper", 2, "Asset freezes should hit the junta's officers.", "asset freezes should hit the junta's officers"),
        rec("green-paper", 3, "Lift sanctions on the junta.", "lift sanctions on the junta", instruments=("incentives",)),
        rec("blue-paper", 4, "Open a dialogue with the junta.", "open a dialogue with the junta",
            instruments=("diplomatic_engagement",)),
        rec("blue-paper", 5, "Isolate the junta.", "isolate the junta", instruments=("diplomatic_isolation",)),
    ]
    first, _ = build_graph(recs, {}, config)
    shuffled = recs[:]
    random.Random(7).shuffle(shuffled)
    second, _ = build_graph(shuffled, {}, config)
    assert dict(first.nodes(data=True)) == dict(second.nodes(data=True))
    assert sorted(first.edges(keys=True)) == sorted(second.edges(keys=True))


def test_duplicate_ids_and_empty_input(config):
    one = rec("white-paper", 1, "Freeze assets.", "freeze assets")
    with pytest.raises(ValueError, match="unique"):
        build_graph([one, one], {}, config)
    graph, updated = build_graph([], {"lonely-paper": DocumentMeta(title="Nothing to recommend")}, config)
    assert updated == () and list(graph.nodes) == ["document:lonely-paper"]


def test_contradiction_rules_are_validated_naming_the_entry(tmp_path: Path, config):
    bad = tmp_path / "contradictions.yaml"
    bad.write_text("oppositions:\n  - reason: x\n    a: {cues: [engage]}\n    b: {instruments: [no_such_thing]}\n")
    with pytest.raises(ConfigError, match=r"oppositions\[0\]\.b\.instruments"):
        load_contradiction_rules(bad, config)
    bad.write_text("oppositions:\n  - reason: x\n    a: {cues: [engage]}\n    b: {cues: [isolate]}\n    default: c\n")
    with pytest.raises(ConfigError, match=r"oppositions\[0\]\.default"):
        load_contradiction_rules(bad, config)
    bad.write_text("oppositionz: []\n")
    with pytest.raises(ConfigError, match="top level"):
        load_contradiction_rules(bad, config)


def test_collective_addressees_overlap_their_members(config):
    expand = getattr(config.actors, "expand", None)
    if expand is None or "west" not in config.actors.actors or "eu" not in expand("west"):
        pytest.skip("the actor taxonomy has no membership data (ActorTaxonomy.expand) yet")
    west = rec("white-paper", 1, "Western governments should freeze the junta's assets.", "freeze the junta's assets",
               addressees=("west",))
    eu = rec("green-paper", 2, "The Union should freeze the junta's assets.", "freeze the junta's assets")
    _, updated = build_graph([west, eu], {}, config)
    assert updated[0].measure_id == updated[1].measure_id


def test_spaced_hyphen_prefix_and_negated_easing_keep_their_direction(config):
    engage = rec("white-paper", 1, "Open a channel to the junta.", "open a channel to the junta",
                 instruments=("diplomatic_engagement",))
    # text rebuilt from tokens spaces its hyphens; "non" still binds to "recognition"
    deny = rec("green-paper", 2, "Continue non - recognition of the junta.", "continue non - recognition of the junta",
               instruments=("recognition",))
    graph, _ = build_graph([engage, deny], {}, config)
    assert [d["reason"] for *_, d in contradictions(graph)] == ["engagement vs isolation"]

    impose = rec("white-paper", 3, "Impose sanctions on the junta.", "impose sanctions on the junta")
    no_easing = rec("green-paper", 4, "There should be no easing of sanctions on the junta.",
                    "be no easing of sanctions on the junta", polarity="refrain")
    graph, updated = build_graph([impose, no_easing], {}, config)
    assert contradictions(graph) == []  # not easing them is keeping them: both impose


def test_a_cue_deep_in_a_long_measure_or_after_a_limiter_gives_no_direction(config):
    isolate = rec("green-paper", 1, "Isolate the junta.", "isolate the junta", instruments=("diplomatic_isolation",))
    buried = rec("white-paper", 2, "Study the political system and split its middle ranks by conducting negotiations "
                 "with individual officials of the junta.",
                 "study the political system and split its middle ranks by conducting negotiations with individual "
                 "officials of the junta", instruments=("diplomatic_engagement", "policy_coordination"))
    widened = rec("white-paper", 3, "Policy should not limit itself to engagement with the junta.",
                  "limit itself to engagement with the junta", polarity="refrain",
                  instruments=("diplomatic_engagement",))
    for other in (buried, widened):
        graph, _ = build_graph([isolate, other], {}, config)
        assert contradictions(graph) == [], other.text
