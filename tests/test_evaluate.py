"""Scoring against labelled units: normalisation, one-to-one matching, metrics, report, command."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import load_config
from pipeline.errors import UsageError
from pipeline.evaluate import (
    evaluate_command,
    format_report,
    load_gold,
    load_units,
    match_units,
    normalise_text,
    score,
    similarity_matrix,
    unit_similarity,
)
from pipeline.types import Recommendation


def unit(doc: str, text: str, addressees=(), targets=(), instruments=(), reported=False, **extra) -> dict:
    return {
        "doc": doc,
        "text": text,
        "addressees": list(addressees),
        "targets": list(targets),
        "instruments": list(instruments),
        "reported": reported,
        **extra,
    }


def prediction(doc: str, text: str, addressees=(), targets=(), instruments=(), **extra) -> dict:
    record = unit(doc, text, addressees, targets, instruments, **extra)
    record["doc_id"] = record.pop("doc")
    return record


# A small document whose scores are worked out by hand in the tests below.
GOLD = [
    unit("d1", "The EU should impose targeted sanctions on the regime.", ["eu"], ["lukashenka_regime"], ["sanctions"]),
    unit("d1", "NATO must strengthen deterrence on the eastern flank.", ["nato"], [], ["security_deterrence"]),
    unit(
        "d1",
        "Open a direct channel of dialogue with the democratic forces.",
        ["eu", "us"],
        ["belarus_democratic_forces"],
        ["diplomatic_engagement"],
    ),
    unit(
        "d1",
        "The European Parliament called on the Commission to freeze all fund transfers.",
        ["eu"],
        [],
        ["sanctions"],
        reported=True,
    ),
]
PRED = [
    prediction(
        "d1",
        "The EU should impose targeted sanctions on the regime.",
        ["eu"],
        ["lukashenka_regime"],
        ["sanctions", "accountability"],
    ),
    prediction("d1", "• Open a direct channel of dialogue with the democratic forces.", ["eu"], [], ["diplomatic_engagement"]),
    prediction("d1", "The European Parliament called on the Commission to freeze all fund transfers.", ["eu"], [], ["sanctions"]),
    prediction("d1", "Russia will continue to support the regime financially.", ["russia"], [], ["financial_aid"]),
]


def metrics(scores: dict, path: str) -> tuple[float, float, float]:
    node = scores
    for key in path.split("."):
        node = node[key]
    return node["precision"], node["recall"], node["f1"]


# --------------------------------------------------------------------------
# Normalisation and matching


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("• Introduce  targeted\nsanctions", "introduce targeted sanctions"),
        ("1. Introduce sanctions", "introduce sanctions"),
        ("a) Introduce sanctions", "introduce sanctions"),
        ("(iv) Introduce sanctions", "introduce sanctions"),
        ("B. Recognize the leader", "recognize the leader"),
        ("2.3 Introduce sanctions", "introduce sanctions"),
        ("Support the inter- national “community”", 'support the international "community"'),
        ("the so\u2011called parliament \u2013 now", "the socalled parliament - now"),
        ("\ufb01nancial aid", "financial aid"),
        ("2021 was the year", "2021 was the year"),
        ("e.g. the EU", "e.g. the eu"),
    ],
)
def test_normalise_text_unifies_what_segmenters_and_extractors_vary(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_units_segmented_slightly_differently_still_match() -> None:
    gold = [
        unit("d", "Introduce targeted personal sanctions against all members of the so-called parliament."),
        unit("d", "Grant visa-free travel to Belarusian students."),
        unit("d", "Support independent media outlets in exile."),
    ]
    pred = [
        # a bullet, line-end hyphenation and a few more words
        prediction("d", "• Introduce targeted per- sonal sanctions against all members of the so-called parliament and their relatives."),
        # the list's lead-in glued in front
        prediction("d", "The EU should: 2) grant visa\u2011free travel to Belarusian students"),
        # the unit cut short
        prediction("d", "Support independent media"),
    ]
    assert match_units(gold, pred) == [(0, 0), (1, 1), (2, 2)]


def test_different_recommendations_sharing_only_function_words_do_not_match() -> None:
    # 9 of their words are shared, but of their content words only "EU"
    gold = [unit("d", "The EU should do all it can to stop them from leaving.")]
    pred = [prediction("d", "The EU should do all it can to help them find work.")]
    assert match_units(gold, pred) == []


def test_a_long_paragraph_does_not_match_a_short_unit_inside_it() -> None:
    gold = [unit("d", "Recognise the Coordination Council.")]
    pred = [
        prediction(
            "d",
            "Recognise the Coordination Council. Western governments have spent years hesitating between "
            "engagement and pressure, while the regime tightened its grip on civil society, media and business.",
        )
    ]
    assert match_units(gold, pred) == []


def test_matching_is_one_to_one() -> None:
    gold = [unit("d", "Freeze the assets of state companies.")]
    pred = [
        prediction("d", "Freeze the assets of state companies."),
        prediction("d", "1. Freeze the assets of state companies."),
    ]
    pairs = match_units(gold, pred)
    assert len(pairs) == 1
    detection = score(gold, pred)["detection"]
    assert (detection["tp"], detection["fp"], detection["fn"]) == (1, 1, 0)


def test_assignment_maximises_total_similarity_rather_than_taking_the_best_pair_first() -> None:
    # gold 0 is closest to pred 0 (0.82) but also matches pred 1 (0.75); gold 1
    # matches only pred 0 (0.58). Best-pair-first would match one gold unit.
    gold = [unit("d", "sanctions regime officials assets"), unit("d", "visas students")]
    pred = [
        prediction("d", "sanctions regime officials assets visas students"),
        prediction("d", "sanctions regime officials dialogue"),
    ]
    assert match_units(gold, pred) == [(0, 1), (1, 0)]


@settings(max_examples=30, deadline=None)
@given(
    first=st.lists(st.frozensets(st.sampled_from("abcdefgh"), max_size=5), min_size=1, max_size=5),
    second=st.lists(st.frozensets(st.sampled_from("abcdefgh"), max_size=5), min_size=1, max_size=5),
)
def test_similarity_matrix_agrees_with_the_pairwise_definition(first: list, second: list) -> None:
    expected = [[unit_similarity(a, b) for b in second] for a in first]
    assert np.allclose(similarity_matrix(first, second), expected)


def test_units_of_different_documents_never_match() -> None:
    gold = [unit("d1", "Freeze the assets of state companies.")]
    pred = [prediction("d2", "Freeze the assets of state companies.")]
    assert match_units(gold, pred) == []


def test_repeated_text_pairs_up_by_page() -> None:
    text = "Impose sectoral sanctions on potash exports."
    gold = [
        unit("d", text, ["eu"], instruments=["sanctions"], page=2),
        unit("d", text, ["us"], instruments=["sanctions"], page=9),
    ]
    pred = [
        prediction("d", text, ["us"], instruments=["sanctions"], page=9),
        prediction("d", text, ["eu"], instruments=["sanctions"], page=2),
    ]
    assert match_units(gold, pred) == [(0, 1), (1, 0)]
    assert score(gold, pred)["addressees"]["micro"]["f1"] == 1.0


def test_gold_doc_and_predicted_doc_id_are_one_document_after_slugging() -> None:
    gold = [{"doc_id": "Kharytonau 2020 Global", "text": "Recognise the Coordination Council."}]
    pred = [{"doc": "kharytonau-2020-global", "text": "Recognise the Coordination Council."}]
    assert match_units(gold, pred) == [(0, 0)]


def test_threshold_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(UsageError, match="threshold"):
        match_units(GOLD, PRED, threshold=1.5)


# --------------------------------------------------------------------------
# Metrics on the hand-worked example


def test_detection_sets_reported_gold_units_and_their_predictions_aside() -> None:
    scores = score(GOLD, PRED)
    # matched: gold 0 and 2; the reported gold 3 and its prediction are set
    # aside; gold 1 is missed; the prediction about Russia is spurious.
    assert scores["detection"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "tp": 2, "fp": 1, "fn": 1}
    assert scores["set_aside"] == {"reported_gold": 1, "pred_matched_to_them": 1}
    assert (scores["gold_units"], scores["pred_units"]) == (3, 3)


def test_including_reported_scores_them_like_any_unit() -> None:
    scores = score(GOLD, PRED, include_reported=True)
    assert scores["detection"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "tp": 3, "fp": 1, "fn": 1}
    assert scores["addressees"]["micro"] == {"precision": 1.0, "recall": 0.75, "f1": 0.8571, "tp": 3, "fp": 0, "fn": 1}
    assert scores["edges"] == {"precision": 0.6, "recall": 0.6, "f1": 0.6, "tp": 3, "fp": 2, "fn": 2}
    assert scores["set_aside"] == {"reported_gold": 0, "pred_matched_to_them": 0}


def test_an_unmatched_prediction_of_a_reported_call_is_still_a_false_positive_when_reported_is_optional() -> None:
    gold = [unit("d", "The Parliament called on the Council to ban potash imports.", reported=True)]
    pred = [prediction("d", "Lithuania should open its border to refugees.")]
    assert score(gold, pred)["detection"]["fp"] == 1


def test_label_micro_and_macro_on_matched_pairs() -> None:
    scores = score(GOLD, PRED)
    # addressees: {eu}/{eu} and {eu, us}/{eu}: tp 2, fn 1; labels eu F1 1, us F1 0
    assert scores["addressees"]["micro"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "tp": 2, "fp": 0, "fn": 1}
    assert scores["addressees"]["macro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "labels": 2}
    # targets: {regime}/{regime}, {democratic forces}/{}
    assert metrics(scores, "targets.micro") == (1.0, 0.5, 0.6667)
    assert scores["targets"]["macro"]["f1"] == 0.5
    # instruments: {sanctions}/{sanctions, accountability}, {engagement}/{engagement}
    assert scores["instruments"]["micro"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "tp": 2, "fp": 1, "fn": 0}
    assert scores["instruments"]["macro"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "labels": 3}


def test_macro_gives_a_rare_label_the_weight_of_a_frequent_one() -> None:
    gold = [unit("d", f"Measure number {word} for the union.", ["eu"]) for word in ("alpha", "beta", "gamma")]
    gold.append(unit("d", "Measure delta for the alliance.", ["nato"]))
    pred = [prediction("d", g["text"], ["eu"]) for g in gold]
    scores = score(gold, pred)
    assert metrics(scores, "addressees.micro") == (0.75, 0.75, 0.75)
    # eu: P 3/4, R 1, F1 6/7; nato: 0
    assert scores["addressees"]["macro"]["f1"] == pytest.approx((6 / 7) / 2, abs=1e-4)


def test_edges_are_scored_end_to_end() -> None:
    scores = score(GOLD, PRED)
    # matched: {(eu,sanctions)} vs {(eu,sanctions),(eu,accountability)} -> tp 1 fp 1;
    # {(eu,eng),(us,eng)} vs {(eu,eng)} -> tp 1 fn 1; spurious (russia, aid) -> fp 1;
    # missed (nato, deterrence) -> fn 1
    assert scores["edges"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 2, "fp": 2, "fn": 2}


def test_per_label_report_counts_each_id() -> None:
    per_label = score(GOLD, PRED)["instruments"]["per_label"]
    assert per_label["accountability"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 1, "fn": 0}
    assert per_label["sanctions"]["tp"] == 1
    # labels of unmatched units are not label errors: they count in detection and edges
    assert "security_deterrence" not in per_label and "financial_aid" not in per_label


def test_modality_and_polarity_accuracy_where_gold_has_them() -> None:
    gold = [
        unit("d", "Impose sanctions on potash.", modality="should", polarity="do"),
        unit("d", "Refrain from contacts with the regime.", modality="should", polarity="refrain"),
        unit("d", "Support exiled media."),
    ]
    pred = [
        prediction("d", "Impose sanctions on potash.", modality="must", polarity="do"),
        prediction("d", "Refrain from contacts with the regime.", modality="should", polarity="refrain"),
        prediction("d", "Support exiled media.", modality="could", polarity="do"),
    ]
    attributes = score(gold, pred)["attributes"]
    assert attributes["modality"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    assert attributes["polarity"] == {"accuracy": 1.0, "correct": 2, "total": 2}


def test_documents_absent_from_gold_are_ignored_and_named() -> None:
    extra = [prediction("other-paper", "Western governments should be ready to increase pressure.", ["west"], [], ["sanctions"])] * 2
    scores = score(GOLD, PRED + extra)
    assert scores["detection"] == score(GOLD, PRED)["detection"]
    assert scores["edges"] == score(GOLD, PRED)["edges"]
    assert scores["ignored_documents"] == {"other-paper": 2}
    assert any("other-paper (2)" in note for note in scores["notes"])


def test_per_document_breakdown_and_documents_without_predictions() -> None:
    gold = GOLD + [unit("d2", "Recognise the Coordination Council.", ["eu"], [], ["recognition"])]
    scores = score(gold, PRED)
    assert set(scores["per_document"]) == {"d1", "d2"}
    assert scores["per_document"]["d1"]["detection"] == score(GOLD, PRED)["detection"]
    assert scores["per_document"]["d2"]["detection"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 1}
    assert scores["detection"]["fn"] == 2
    assert any("no prediction for gold documents: d2" in note for note in scores["notes"])


words = st.sampled_from("sanctions regime visas students dialogue assets media council potash border".split())
units_strategy = st.lists(
    st.builds(
        lambda ws, adr, ins: unit("d", " ".join(ws), adr, [], ins),
        st.lists(words, min_size=1, max_size=6),
        st.lists(st.sampled_from(["eu", "us", "nato"]), min_size=1, max_size=2, unique=True),
        st.lists(st.sampled_from(["sanctions", "recognition"]), min_size=1, max_size=2, unique=True),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(gold=units_strategy.filter(bool), pred=units_strategy)
def test_matching_is_always_one_to_one_and_counts_add_up(gold: list[dict], pred: list[dict]) -> None:
    pairs = match_units(gold, pred)
    assert len({g for g, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)
    detection = score(gold, pred)["detection"]
    assert detection["tp"] + detection["fn"] == len(gold)
    assert detection["tp"] + detection["fp"] == len(pred)


@settings(max_examples=25, deadline=None)
@given(gold=units_strategy.filter(bool))
def test_gold_scored_against_itself_is_perfect(gold: list[dict]) -> None:
    scores = score(gold, gold)
    assert scores["detection"]["f1"] == scores["addressees"]["micro"]["f1"] == scores["edges"]["f1"] == 1.0


# --------------------------------------------------------------------------
# Loading


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n\n" + '{"doc": "d1", "text": "broken\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"units\.jsonl, line 3: not valid JSON"):
        load_units(path)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (["not", "an", "object"], "expected a JSON object"),
        ({"doc": "d1"}, '"text"'),
        ({"text": "Recognise the Council."}, '"doc" or "doc_id"'),
        ({"doc": "d1", "text": "x", "addressees": "eu"}, '"addressees" to be a list'),
        ({"doc": "d1", "text": "x", "reported": "yes"}, '"reported" to be true or false'),
    ],
)
def test_records_missing_what_scoring_needs_are_refused(tmp_path: Path, record, problem: str) -> None:
    path = write_jsonl(tmp_path / "gold.jsonl", [GOLD[0], record])
    with pytest.raises(UsageError, match=r"gold\.jsonl, line 2: .*" + problem.replace(".", r"\.")):
        load_units(path)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_units(tmp_path / "absent.jsonl")


def test_gold_folder_reads_every_jsonl_file(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", GOLD[:2])
    write_jsonl(tmp_path / "b.jsonl", GOLD[2:])
    (tmp_path / "README.md").write_text("borderline decisions", encoding="utf-8")
    assert load_gold(tmp_path) == GOLD


def test_gold_folder_without_jsonl_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no \*\.jsonl files"):
        load_gold(tmp_path)


# --------------------------------------------------------------------------
# Report and command


def test_report_has_every_summary_row_and_the_per_label_tables() -> None:
    report = format_report(score(GOLD, PRED))
    for row in (
        "detection",
        "addressees micro",
        "addressees macro",
        "targets micro",
        "targets macro",
        "instruments micro",
        "instruments macro",
        "edges (addressee, instrument)",
        "instruments per label",
        "accountability",
    ):
        assert row in report
    detection_line = next(line for line in report.splitlines() if line.startswith("detection"))
    assert detection_line.split() == ["detection", "0.667", "0.667", "0.667", "2", "1", "1"]
    assert "note: 1 reported gold units" in report


def command_args(**given) -> argparse.Namespace:
    defaults = {"gold": None, "pred": None, "paths": [], "include_reported": False, "format": "text", "models": None}
    return argparse.Namespace(**{**defaults, **given})


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture()
def gold_and_pred(tmp_path: Path) -> tuple[Path, Path]:
    return write_jsonl(tmp_path / "gold.jsonl", GOLD), write_jsonl(tmp_path / "recommendations.jsonl", PRED)


def test_command_prints_text_or_json(gold_and_pred, config, capsys) -> None:
    gold, pred = gold_and_pred
    assert evaluate_command(command_args(gold=str(gold), pred=str(pred)), config) == 0
    assert "addressees macro" in capsys.readouterr().out
    assert evaluate_command(command_args(gold=str(gold), pred=str(pred), format="json", include_reported=True), config) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["detection"]["tp"] == 3 and printed["settings"]["include_reported"] is True


def test_command_reads_the_match_threshold_from_settings(gold_and_pred, config, capsys) -> None:
    gold, pred = gold_and_pred
    strict = dataclasses.replace(config, settings={**config.settings, "evaluate": {"match_threshold": 0.99}})
    evaluate_command(command_args(gold=str(gold), pred=str(pred), format="json"), strict)
    printed = json.loads(capsys.readouterr().out)
    assert printed["settings"]["match_threshold"] == 0.99
    # the bulleted prediction is identical to its gold unit once normalised
    assert printed["detection"]["tp"] == 2


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({}, "nothing to score"),
        ({"paths": ["paper.pdf"], "pred": "x.jsonl"}, "not both"),
        ({"models": "models/"}, "--models only applies"),
    ],
)
def test_command_refuses_contradictory_inputs(gold_and_pred, config, given: dict, problem: str) -> None:
    gold, pred = gold_and_pred
    args = command_args(gold=str(gold), **({"pred": str(pred)} if "models" in given else {}), **given)
    with pytest.raises(UsageError, match=problem):
        evaluate_command(args, config)


def test_command_on_pdfs_scores_what_the_pipeline_predicts(gold_and_pred, config, tmp_path: Path, monkeypatch, capsys) -> None:
    # The pipeline itself is tested elsewhere; here only the hand-over: the
    # paths and models folder go in, Recommendation records come back as dicts.
    runner = pytest.importorskip("pipeline.run")
    gold, _ = gold_and_pred
    calls = []

    def predict_paths(paths, config, models_dir=None):
        calls.append((paths, models_dir))
        return [
            Recommendation.from_dict({"id": f"d1:{i}", "page": 1, **{k: v for k, v in p.items()}})
            for i, p in enumerate(PRED)
        ]

    monkeypatch.setattr(runner, "predict_paths", predict_paths, raising=False)
    args = command_args(gold=str(gold), paths=["paper.pdf"], models=str(tmp_path), format="json")
    assert evaluate_command(args, config) == 0
    assert calls == [([Path("paper.pdf")], str(tmp_path))]
    assert json.loads(capsys.readouterr().out)["detection"]["tp"] == 2



def test_one_match_threshold_the_settings_one() -> None:
    """Without a threshold, matching and scoring use `evaluate.match_threshold` of the default settings."""
    import pipeline.evaluate as evaluate

    assert evaluate.default_match_threshold() == load_config().get("evaluate.match_threshold")
    assert score(GOLD, PRED)["settings"]["match_threshold"] == load_config().get("evaluate.match_threshold")
    assert not hasattr(evaluate, "MATCH_THRESHOLD")
