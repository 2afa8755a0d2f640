"""``inspect``: the summary of a run, its filters, and the terminal and JSON forms."""

from __future__ import annotations

import json

import pytest

from pipeline.config import load_config
from pipeline.errors import UsageError
from pipeline.export import write_all
from pipeline.graph import build_graph
from pipeline.inspect import render_summary, summarise
from pipeline.types import DocumentMeta, Recommendation

JUNTA = "org:ruritanian_junta"


def rec(doc: str, index: int, text: str, measure: str, *, addressees=("eu",), targets=(JUNTA,),
        instruments=("sanctions",), polarity="do", page=1) -> Recommendation:
    return Recommendation(
        id=f"{doc}:{index}", doc_id=doc, text=text, page=page, bbox=None, section=("Recommendations",),
        addressees=tuple(addressees), targets=tuple(targets), instruments=tuple(instruments), modality="should",
        polarity=polarity, reported=False, score=0.8, sentence_index=index, measure=measure,
    )


RECS = [
    rec("white-paper", 1, "The Union and NATO should freeze the assets of the junta's officers.",
        "freeze the assets of the junta's officers", addressees=("eu", "nato"), page=3),
    rec("green-paper", 2, "Asset freezes should hit the junta's officers.", "asset freezes should hit the junta's officers",
        page=8),
    rec("green-paper", 3, "NATO should reinforce air policing over the harbour.", "reinforce air policing over the harbour",
        addressees=("nato",), targets=(), instruments=("security_deterrence",), page=9),
    rec("white-paper", 4, "Open a dialogue with the junta.", "open a dialogue with the junta",
        addressees=("west",), instruments=("diplomatic_engagement",), page=5),
    rec("green-paper", 5, "Isolate the junta.", "isolate the junta", instruments=("diplomatic_isolation",), page=11),
    rec("blue-paper", 6, "Canada should ban imports from the junta's timber firms.",
        "ban imports from the junta's timber firms", addressees=("canada",), page=2),
]


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def run_dir(config, tmp_path_factory):
    graph, recs = build_graph(RECS, {"white-paper": DocumentMeta(title="White paper")}, config)
    out = tmp_path_factory.mktemp("run")
    write_all(graph, recs, out)
    return out


def test_unfiltered_summary_ranks_actors_and_lists_shared_measures_and_contradictions(run_dir, config):
    summary = summarise(run_dir, config=config)
    assert summary["totals"] == {"measures": 5, "recommendations": 6, "documents": 3, "actors": 4,
                                 "contradictions": 1}
    ranking = [(row["actor_id"], row["measures"]) for row in summary["actors"]]
    assert ranking[:2] == [("eu", 2), ("nato", 2)]  # eu first: asked in 3 sentences, nato in 2
    assert {row["instrument_id"]: row["measures"] for row in summary["instruments"]}["sanctions"] == 2
    (shared,) = summary["shared_measures"]
    assert shared["documents"] == ["green-paper", "white-paper"]
    assert [(e["doc_id"], e["page"]) for e in shared["evidence"]] == [("green-paper", 8), ("white-paper", 3)]
    (contradiction,) = summary["contradictions"]
    assert contradiction["reason"] == "engagement vs isolation" and contradiction["target"] == JUNTA
    assert (contradiction["a"]["sentence"], contradiction["a"]["page"]) == (RECS[3].text, 5)
    assert (contradiction["b"]["sentence"], contradiction["b"]["page"]) == (RECS[4].text, 11)


def test_what_is_nato_asked_to_do(run_dir, config):
    summary = summarise(run_dir, actor="NATO", config=config)
    assert summary["filters"]["actor"] == "nato"
    measures = summary["actor"]["measures"]
    assert sorted(m["text"] for m in measures) == ["freeze the assets of the junta's officers",
                                                   "reinforce air policing over the harbour"]
    freeze = next(m for m in measures if m["text"].startswith("freeze"))
    # only the sentences that ask NATO, not the other paper's call on the EU
    assert [(e["doc_id"], e["page"], e["sentence"]) for e in freeze["evidence"]] == [("white-paper", 3, RECS[0].text)]
    text = render_summary(summary)
    assert "asked to do?" in text and "reinforce air policing over the harbour" in text
    assert "white-paper p.3" in text


def test_who_is_asked_to_impose_sanctions(run_dir, config):
    summary = summarise(run_dir, instrument="sanctions", config=config)
    asked = {a["actor_id"]: [m["text"] for m in a["measures"]] for a in summary["instrument"]["actors"]}
    assert asked == {
        "eu": ["freeze the assets of the junta's officers"],
        "nato": ["freeze the assets of the junta's officers"],
        "canada": ["ban imports from the junta's timber firms"],
    }
    assert summary["totals"]["contradictions"] == 0
    assert summarise(run_dir, instrument="Sanctions", config=config)["filters"]["instrument"] == "sanctions"
    text = render_summary(summary)
    assert "Who is asked to act with" in text and "blue-paper p.2" in text


def test_doc_filter_keeps_that_papers_measures_and_evidence(run_dir, config):
    summary = summarise(run_dir, doc="green", config=config)
    assert summary["filters"]["doc"] == "green-paper"
    assert all(e["doc_id"] == "green-paper" for m in summary["doc"]["measures"] for e in m["evidence"])
    assert len(summary["doc"]["measures"]) == 3
    assert len(summary["shared_measures"]) == 1  # where this paper agrees with another
    assert summary["totals"]["contradictions"] == 1


def test_filters_combine_and_json_is_the_same_summary(run_dir, config):
    summary = summarise(run_dir, actor="nato", doc="green-paper", config=config)
    assert [m["text"] for m in summary["actor"]["measures"]] == ["reinforce air policing over the harbour"]
    assert json.loads(json.dumps(summary)) == summary


def test_a_graph_object_summarises_like_its_folder(run_dir, config):
    graph, _ = build_graph(RECS, {"white-paper": DocumentMeta(title="White paper")}, config)
    from_graph = summarise(graph, config=config)
    from_folder = summarise(run_dir, config=config)
    assert {**from_graph, "source": ""} == {**from_folder, "source": ""}


def test_unknown_names_are_usage_errors_with_suggestions(run_dir, config):
    with pytest.raises(UsageError, match="did you mean.*nato"):
        summarise(run_dir, actor="natoo", config=config)
    with pytest.raises(UsageError, match="instrument"):
        summarise(run_dir, instrument="carrots", config=config)
    with pytest.raises(UsageError, match="matches 3 documents"):
        summarise(run_dir, doc="paper", config=config)
    with pytest.raises(FileNotFoundError):
        summarise(run_dir / "missing", config=config)
