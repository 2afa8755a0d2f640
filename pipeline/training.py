"""``policygraph train``: fit the detector and the instrument classifier from labelled papers.

Labelled units (``labelled/annotations/<doc_id>.jsonl``, the repo's labelled set) are aligned to the
sentence units the pipeline finds in the papers' PDFs by text overlap (the
matching ``evaluate`` uses): a matched unit is a positive, every other unit a
negative. With two or more documents, each document is also predicted by models
fitted on the others, and those held-out scores go into the model card.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import __version__
from pipeline.classify.instruments import InstrumentClassifier, instrument_specs, instrument_text
from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.models import PACKAGED_MODELS, Models, save_models
from pipeline.recognise.cues import Cues, measure_text
from pipeline.recognise.recommendations import build_detector, document_rows, lexicon_from, rows_frame
from pipeline.types import EntityMention, Sentence

log = logging.getLogger(__name__)


@dataclass
class PreparedDocument:
    """One labelled paper run through extract, segment and actor recognition."""

    doc_id: str
    doc: Any
    layout: Any
    sentences: tuple[Sentence, ...]
    mentions: tuple[EntityMention, ...]
    context: Any  # the document's DocumentContext
    rows: list[dict[str, Any]]
    cues: list[Cues]
    gold: list[dict[str, Any]]
    labels: list[int]  # per sentence unit: 1 when it matches a gold unit
    gold_of: dict[int, int]  # sentence index -> gold index


def read_gold(directory: Path) -> dict[str, list[dict[str, Any]]]:
    from pipeline.evaluate import load_units

    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise UsageError(f"{directory}: no labelled files (*.jsonl) here; pass --data DIR")
    gold: dict[str, list[dict[str, Any]]] = {}
    for path in files:
        for unit in load_units(path):
            gold.setdefault(unit.get("doc") or unit.get("doc_id") or path.stem, []).append(unit)
    return gold


def find_pdf(pdf_dir: Path, doc_id: str) -> Path:
    from slugify import slugify

    for path in sorted(pdf_dir.glob("*.pdf")):
        if slugify(path.stem) == doc_id:
            return path
    raise UsageError(f"{pdf_dir}: no PDF for labelled document {doc_id!r}; pass --pdfs DIR with {doc_id}.pdf")


def prepare(pdf: Path, doc_id: str, gold: list[dict[str, Any]], config: Config, nlp: Any) -> PreparedDocument:
    from pipeline.evaluate import match_units
    from pipeline.stages import parse_document

    parsed = parse_document(pdf, doc_id, config, nlp)
    layout, doc, sentences, mentions = parsed.layout, parsed.doc, parsed.sentences, parsed.mentions
    rows, cues = document_rows(doc, sentences, mentions, lexicon_from(config))
    predicted = [{"doc_id": doc_id, "text": s.text} for s in sentences]
    pairs = match_units(gold, predicted, config.get("evaluate.match_threshold"))
    gold_of = {p: g for g, p in pairs}
    labels = [1 if i in gold_of else 0 for i in range(len(sentences))]
    unmatched = len(gold) - len(pairs)
    if unmatched:
        log.warning("%s: %d labelled unit(s) match no sentence unit; they are left out of detector training", doc_id, unmatched)
    return PreparedDocument(doc_id, doc, layout, sentences, mentions, parsed.context, rows, cues, gold, labels, gold_of)


def fit_models(prepared: Sequence[PreparedDocument], config: Config) -> Models:
    """Fit both classifiers on the given documents."""
    rows = [row for p in prepared for row in p.rows]
    labels = [y for p in prepared for y in p.labels]
    if sum(labels) < 3 or len(labels) - sum(labels) < 3:
        raise UsageError("too few labelled recommendations or non-recommendations to train (need 3 of each)")
    detector = build_detector(**config.get("train.detector"))
    detector.fit(rows_frame(rows), np.array(labels))

    units, label_sets = [], []
    for p in prepared:
        matched = {g: s for s, g in p.gold_of.items()}
        for g, unit in enumerate(p.gold):
            s = matched.get(g)
            text = instrument_text(unit["text"], p.sentences[s], p.cues[s]) if s is not None else unit["text"]
            units.append((text, measure_text(p.cues[s]) if s is not None else unit["text"]))
            label_sets.append(list(unit.get("instruments") or []))
    specs = instrument_specs(config.instruments)
    indicator = np.array([[int(spec[0] in labels) for spec in specs] for labels in label_sets]).reshape(len(units), len(specs))
    instruments = InstrumentClassifier(specs, **config.get("train.instruments")).fit(units, indicator)
    counts = {iid: sum(iid in labels for labels in label_sets) for iid in config.instruments.ids}
    meta = {
        "trained_on": sorted(p.doc_id for p in prepared),
        "units": len(rows),
        "positives": int(sum(labels)),
        "labelled_instruments": counts,
    }
    return Models(detector=detector, instruments=instruments, instrument_labels=tuple(str(label) for label in instruments.classes_), meta=meta)


def predict_prepared(p: PreparedDocument, models: Models, config: Config) -> list[dict[str, Any]]:
    """Recommendations for a prepared document with the given models, as dicts."""
    from pipeline.stages import ParsedDocument, recommend

    parsed = ParsedDocument(p.doc_id, "", p.layout, p.doc, tuple(p.sentences), tuple(p.mentions), p.context)
    records = recommend(parsed, models, config, rows_and_cues=(p.rows, p.cues))
    return [r.to_dict() for r in records]


def held_out_scores(prepared: Sequence[PreparedDocument], config: Config) -> dict[str, Any]:
    """Train on all documents but one, score on that one, for each document."""
    from pipeline.evaluate import score

    results = {}
    for held in prepared:
        rest = [p for p in prepared if p is not held]
        models = fit_models(rest, config)
        predictions = predict_prepared(held, models, config)
        results[held.doc_id] = score(held.gold, predictions, include_reported=True,
                                     threshold=config.get("evaluate.match_threshold"))
    return results


def cross_validated_predictions(
    data_dir: Path, pdf_dir: Path, config: Config, *, doc_ids: Sequence[str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """Leave-one-document-out: each document predicted by models fitted on all the others.

    Nothing is tuned per fold: every fold trains with the same settings
    (``train`` in settings.yaml) and never sees its test document. Returns the
    gold units, the held-out predictions and each document's genre as the
    pipeline reads it from the cover.
    """
    gold = read_gold(data_dir)
    chosen = list(doc_ids) if doc_ids else sorted(gold)
    if len(chosen) < 2:
        raise UsageError(f"cross-validation needs two or more labelled documents; {data_dir} holds {len(chosen)}")
    prepared = _prepare_all(gold, chosen, pdf_dir, config)
    predictions: list[dict[str, Any]] = []
    for number, held in enumerate(prepared, 1):
        log.info("fold %d/%d: %s held out", number, len(prepared), held.doc_id)
        models = fit_models([p for p in prepared if p is not held], config)
        predictions += predict_prepared(held, models, config)
    units = [dict(unit, doc=doc_id) for doc_id in chosen for unit in gold[doc_id]]
    return units, predictions, {p.doc_id: p.context.genre for p in prepared}


def _prepare_all(gold: dict[str, list[dict[str, Any]]], chosen: Sequence[str], pdf_dir: Path, config: Config,
                 ) -> list[PreparedDocument]:
    from pipeline.recognise.actors import add_actor_ruler
    from pipeline.segment import load_nlp

    unknown = [d for d in chosen if d not in gold]
    if unknown:
        raise UsageError(f"--docs names documents without labels: {', '.join(unknown)}")
    nlp = load_nlp(config.settings)
    add_actor_ruler(nlp, config.actors)
    prepared = []
    for number, doc_id in enumerate(chosen, 1):
        log.info("reading %d/%d: %s", number, len(chosen), doc_id)
        prepared.append(prepare(find_pdf(pdf_dir, doc_id), doc_id, gold[doc_id], config, nlp))
    return prepared


def _summary_line(scores: dict[str, Any]) -> str:
    return (
        f"detection F1 {scores['detection']['f1']:.3f}, "
        f"addressees micro-F1 {scores['addressees']['micro']['f1']:.3f}, "
        f"targets micro-F1 {scores['targets']['micro']['f1']:.3f}, "
        f"instruments micro-F1 {scores['instruments']['micro']['f1']:.3f}, "
        f"edges F1 {scores['edges']['f1']:.3f}"
    )


def model_card(models: Models, held_out: dict[str, Any], data_dir: Path) -> str:
    """The model card: every number in it is what `policygraph train` just measured, with how to rerun it."""
    trained_on = models.meta["trained_on"]
    detector, instruments = models.meta["hyperparameters"]["detector"], models.meta["hyperparameters"]["instruments"]
    lines = [
        "# policygraph classifiers: model card",
        "",
        "Written by `policygraph train`; every number below is reproduced by running it again",
        f"(`policygraph train --data {data_dir}` on the repo's labelled papers writes this file).",
        "",
        f"- Trained: {models.meta['trained_at']} by `policygraph train` (policygraph {__version__})",
        f"- Data: `{data_dir}`, hand-labelled by ANNOTATION.md: {', '.join(trained_on)}",
        f"- Units: {models.meta['units']} sentence units, {models.meta['positives']} recommendations",
        "- Detector: logistic regression over parse-cue features grouped by what makes a prescription",
        "  (deontic modal with its subject, imperative, performative, impersonal and passive prescriptions,",
        "  list items completing a prescribing lead-in), blockers (reported speech, predictions, conditions,",
        "  questions, counterfactuals, footnotes) and down-weighted word n-grams; sigmoid-calibrated",
        f"  ({detector['calibration_folds']}-fold). Settings `train.detector`: {_settings_line(detector)}.",
        "- Instruments: `InstrumentClassifier`, a binary decision per (unit, instrument) by one logistic",
        "  regression shared by all instruments, over seed-term hits (configs/instruments.yaml) in the unit",
        "  and its measure and the TF-IDF similarity of the unit to each instrument's definition.",
        f"  Settings `train.instruments`: {_settings_line(instruments)}.",
        f"- Labelled units per instrument: {', '.join(f'{k} {v}' for k, v in sorted(models.meta['labelled_instruments'].items()))}",
        "- Format: skops (no pickle); loading refuses types outside scikit-learn/numpy/scipy and",
        "  policygraph's own estimators (`pipeline.models.TRUSTED_TYPES`).",
        f"- Intended use: English policy documents (papers, resolutions, committee and audit reports, responses,",
        f"  reviews, strategies). Trained on {len(trained_on)} labelled document(s): check a sample of the output",
        "  on documents unlike them (legal acts, manuals, documents in other languages).",
        "",
        "## Held-out scores (trained on the other documents, evaluated on this one; every unit, reported calls included)",
        "",
    ]
    if not held_out:
        lines.append("Only one document: no held-out score.")
    for doc_id, scores in sorted(held_out.items()):
        lines.append(f"- `{doc_id}`: {_summary_line(scores)}")
    if held_out:
        lines += [
            "",
            "One line alone: `policygraph train --docs <the other documents> --out DIR`, then",
            "`policygraph evaluate --gold <data>/<doc_id>.jsonl --models DIR <pdfs>/<doc_id>.pdf`.",
        ]
    lines.append("")
    return "\n".join(lines)


def _settings_line(settings: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(settings.items()))


def train(
    data_dir: Path,
    pdf_dir: Path,
    config: Config,
    *,
    out_dir: Path | None = None,
    doc_ids: Sequence[str] | None = None,
    held_out: bool = True,
    trained_at: str | None = None,
) -> tuple[Models, dict[str, Any], list[Path]]:
    """Fit, score and save the models. Returns the models, held-out scores and files written."""
    gold = read_gold(data_dir)
    chosen = list(doc_ids) if doc_ids else sorted(gold)
    prepared = _prepare_all(gold, chosen, pdf_dir, config)
    scores = held_out_scores(prepared, config) if held_out and len(prepared) > 1 else {}
    models = fit_models(prepared, config)
    models = replace(models, meta=dict(models.meta, trained_at=trained_at or dt.date.today().isoformat(),
                                        held_out=scores, hyperparameters=config.get("train")))
    target = out_dir if out_dir is not None else PACKAGED_MODELS
    written = save_models(models, target, model_card(models, scores, data_dir))
    return models, scores, written


def train_command(args: Any, config: Config) -> int:
    out = Path(args.out) if args.out else None
    models, scores, written = train(Path(args.data), Path(args.pdfs), config, out_dir=out, doc_ids=args.docs)
    for doc_id, result in sorted(scores.items()):
        print(f"held out {doc_id}: {_summary_line(result)}")
    print(f"trained on {', '.join(models.meta['trained_on'])}: {models.meta['positives']} recommendations "
          f"among {models.meta['units']} units", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    return 0

