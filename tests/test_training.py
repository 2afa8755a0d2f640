"""`policygraph train` end to end: retrain, reload, reproduce the shipped models, score held out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shared_paths import CORPUS, LABELLED, SAMPLE_IDS
from pipeline.models import PACKAGED_MODELS, load_models

ANNOTATIONS = CORPUS / "annotations"
LABELS, LABELLED_PDFS = LABELLED / "annotations", LABELLED / "pdfs"
TRAIN_ID, HELD_OUT_ID = SAMPLE_IDS[1], SAMPLE_IDS[0]  # train on kharytonau, score astapenia


@pytest.fixture(scope="module")
def one_paper_models(tmp_path_factory, config):
    """Models trained on one sample paper only, written to a temporary folder."""
    from pipeline.training import train

    out = tmp_path_factory.mktemp("models")
    models, scores, written = train(ANNOTATIONS, CORPUS, config, out_dir=out, doc_ids=[TRAIN_ID], held_out=False)
    return out, models, written


def test_train_writes_loadable_models_with_a_card(one_paper_models):
    out, models, written = one_paper_models
    names = {p.name for p in written}
    assert {"detector.skops", "instruments.skops", "models.json", "MODEL_CARD.md"} <= names
    loaded = load_models(out)
    assert loaded.meta["trained_on"] == [TRAIN_ID]
    assert set(loaded.instrument_labels) <= set(json.loads((out / "models.json").read_text())["instrument_labels"])
    card = (out / "MODEL_CARD.md").read_text()
    assert TRAIN_ID in card and "skops" in card


def test_held_out_paper_scores_well_above_floor(one_paper_models, config):
    """Trained on one paper, the pipeline still finds the other paper's recommendations.

    Floors sit well below the held-out scores that `policygraph train` measures
    and writes into pipeline/models/MODEL_CARD.md.
    """
    from pipeline.evaluate import load_units, score
    from pipeline.run import predict_paths

    out, _, _ = one_paper_models
    predictions = [r.to_dict() for r in predict_paths([CORPUS / f"{HELD_OUT_ID}.pdf"], config, models_dir=str(out))]
    gold = load_units(ANNOTATIONS / f"{HELD_OUT_ID}.jsonl")
    result = score(gold, predictions)
    assert result["detection"]["f1"] >= 0.75
    assert result["addressees"]["micro"]["f1"] >= 0.75
    assert result["instruments"]["micro"]["f1"] >= 0.45
    assert result["targets"]["micro"]["f1"] >= 0.30
    assert result["edges"]["f1"] >= 0.40


@pytest.mark.slow
def test_train_reproduces_the_shipped_models(tmp_path, config):
    """The models in the package are exactly what `train` makes from the repo's labelled set."""
    from pipeline.training import train
    from pipeline.recognise.recommendations import FEATURE_NAMES, rows_frame

    train(LABELS, LABELLED_PDFS, config, out_dir=tmp_path, held_out=False)
    shipped, fresh = load_models(PACKAGED_MODELS), load_models(tmp_path)
    assert shipped.meta["trained_on"] == fresh.meta["trained_on"]
    assert shipped.meta["units"] == fresh.meta["units"]
    assert shipped.meta["positives"] == fresh.meta["positives"]
    assert shipped.instrument_labels == fresh.instrument_labels
    rng = np.random.default_rng(0)
    rows = [dict({name: float(rng.integers(0, 2)) for name in FEATURE_NAMES}, text=text) for text in (
        "the eu should impose targeted sanctions on the regime .",
        "russia will continue to support the government .",
        "recognise the council as a legitimate representative .",
    )]
    frame = rows_frame(rows)
    assert np.allclose(shipped.detector.predict_proba(frame), fresh.detector.predict_proba(frame))
    from pipeline.classify.instruments import predict_instrument_proba

    texts = [r["text"] for r in rows]
    assert np.allclose(
        predict_instrument_proba(shipped.instruments, texts, texts, config.instruments),
        predict_instrument_proba(fresh.instruments, texts, texts, config.instruments),
    )


def test_models_refuse_foreign_types(tmp_path):
    """A model file naming a type outside scikit-learn/numpy/scipy is refused, not loaded."""
    import skops.io as sio

    from pipeline.errors import ModelError
    from pipeline.models import DETECTOR_FILE, INSTRUMENTS_FILE, META_FILE, _load_skops

    for name in (DETECTOR_FILE, INSTRUMENTS_FILE, META_FILE):
        (tmp_path / name).write_bytes((PACKAGED_MODELS / name).read_bytes())
    (tmp_path / "evil.skops").write_bytes(sio.dumps({"path": Path("/etc/passwd")}))
    with pytest.raises(ModelError, match="refusing to load"):
        _load_skops(tmp_path / "evil.skops")


def test_hyperparameters_come_from_the_train_settings(config):
    """`train.detector` and `train.instruments` in the settings reach the estimators that training fits."""
    import dataclasses

    from pipeline.recognise.recommendations import FEATURE_NAMES
    from pipeline.training import PreparedDocument, fit_models

    texts = ["impose sanctions on the regime", "the regime held elections", "give aid to the media",
             "the weather was cold", "sanction the officials now", "grant visas to students", "it rained a lot",
             "the report was long"]
    labels = [1, 0, 1, 0, 1, 1, 0, 0]
    rows = [dict(dict.fromkeys(FEATURE_NAMES, float(y)), text=t) for t, y in zip(texts, labels)]
    gold = [{"text": t, "instruments": ["sanctions"] if "sanction" in t else ["financial_aid"]}
            for t, y in zip(texts, labels) if y]
    prepared = PreparedDocument("toy", None, None, (), (), None, rows, [], gold, labels, {})
    train_settings = {"detector": dict(config.get("train.detector"), c=0.123, calibration_folds=2),
                      "instruments": dict(config.get("train.instruments"), c=0.456)}
    tuned = dataclasses.replace(config, settings={**config.settings, "train": train_settings})
    models = fit_models([prepared], tuned)
    assert models.detector.get_params()["classifier__estimator__C"] == 0.123
    assert models.detector.get_params()["classifier__cv"] == 2
    assert models.instruments.get_params()["c"] == 0.456
    assert list(models.instrument_labels) == list(config.instruments.ids)


def test_the_shipped_model_card_is_what_train_writes_from_the_shipped_meta():
    """Every number in MODEL_CARD.md comes from models.json, which `policygraph train` measured."""
    from pipeline.training import model_card

    shipped = load_models(PACKAGED_MODELS)
    card = model_card(shipped, shipped.meta["held_out"], Path("labelled/annotations"))
    assert (PACKAGED_MODELS / "MODEL_CARD.md").read_text(encoding="utf-8") == card
