"""Scores of matched units: detection, label sets, edges and attributes.

Reported calls (``reported: true`` in gold) are optional unless
``include_reported``: they take part in matching, then both they and the
predictions matched to them leave the scored sets, so finding a reported call
is neither rewarded nor punished, and a prediction for one is not a false
positive.

Metrics:

- detection: a matched pair is a TP, an unmatched prediction a FP, an
  unmatched gold unit a FN;
- addressees, targets, instruments, on matched pairs only: micro (tp/fp/fn of
  the label sets summed over pairs) and macro (the unweighted mean of per-label
  precision, recall and F1 over every label present in gold or prediction);
- edges, end to end: each unit's set of (addressee, instrument) pairs; matched
  pairs compare their sets, an unmatched prediction's edges are FPs and an
  unmatched gold unit's edges are FNs;
- modality and polarity accuracy on matched pairs whose gold unit has them.

A ratio whose denominator is zero counts as 0.0 (scikit-learn's
``zero_division=0``); the counts printed beside it show why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.evaluate.matching import group_by_document, default_match_threshold, doc_key, match_units
from pipeline.evaluate.units import LABEL_FIELDS

ATTRIBUTE_FIELDS = ("modality", "polarity")


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, with their ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def set_counts(gold: set, pred: set) -> Counts:
    return Counts(tp=len(gold & pred), fp=len(pred - gold), fn=len(gold - pred))


def labels_of(unit: dict[str, Any], field: str) -> set[str]:
    return set(unit.get(field) or ())


def edges_of(unit: dict[str, Any]) -> set[tuple[str, str]]:
    """The unit's (addressee, instrument) pairs: the graph's ADDRESSED_TO edges."""
    return {(a, i) for a in labels_of(unit, "addressees") for i in labels_of(unit, "instruments")}


@dataclass(frozen=True)
class Alignment:
    """One document after matching and after setting optional units aside."""

    doc: str
    matched: tuple[tuple[dict[str, Any], dict[str, Any]], ...]
    missed: tuple[dict[str, Any], ...]  # gold units no prediction matched
    spurious: tuple[dict[str, Any], ...]  # predictions that matched no gold unit
    set_aside_gold: int = 0  # reported gold units left out of scoring
    set_aside_pred: int = 0  # predictions matched to them


def align(
    gold: Sequence[dict[str, Any]],
    pred: Sequence[dict[str, Any]],
    *,
    include_reported: bool,
    threshold: float,
) -> list[Alignment]:
    """Match units per gold document; predictions for other documents are not aligned."""
    pairs = match_units(gold, pred, threshold)
    pred_of_gold = dict(pairs)
    matched_preds = set(pred_of_gold.values())
    pred_groups = group_by_document(pred)
    alignments = []
    for doc, gold_indices in group_by_document(gold).items():
        matched, missed = [], []
        set_aside_gold = set_aside_pred = 0
        for g in gold_indices:
            optional = bool(gold[g].get("reported", False)) and not include_reported
            if optional:
                set_aside_gold += 1
                set_aside_pred += g in pred_of_gold
            elif g in pred_of_gold:
                matched.append((gold[g], pred[pred_of_gold[g]]))
            else:
                missed.append(gold[g])
        spurious = [pred[p] for p in pred_groups.get(doc, []) if p not in matched_preds]
        alignments.append(
            Alignment(doc, tuple(matched), tuple(missed), tuple(spurious), set_aside_gold, set_aside_pred)
        )
    return alignments


def _label_scores(
    matched: Sequence[tuple[dict[str, Any], dict[str, Any]]], field: str, *, per_label: bool
) -> dict[str, Any]:
    micro = Counts()
    by_label: dict[str, Counts] = {}
    for gold_unit, pred_unit in matched:
        gold_labels, pred_labels = labels_of(gold_unit, field), labels_of(pred_unit, field)
        micro += set_counts(gold_labels, pred_labels)
        for label in gold_labels | pred_labels:
            by_label[label] = by_label.get(label, Counts()) + set_counts(gold_labels & {label}, pred_labels & {label})
    n = len(by_label)
    macro = {
        "precision": round(sum(c.precision for c in by_label.values()) / n, 4) if n else 0.0,
        "recall": round(sum(c.recall for c in by_label.values()) / n, 4) if n else 0.0,
        "f1": round(sum(c.f1 for c in by_label.values()) / n, 4) if n else 0.0,
        "labels": n,
    }
    result: dict[str, Any] = {"micro": micro.to_dict(), "macro": macro}
    if per_label:
        result["per_label"] = {label: by_label[label].to_dict() for label in sorted(by_label)}
    return result


def _attribute_accuracy(matched: Sequence[tuple[dict[str, Any], dict[str, Any]]], field: str) -> dict[str, Any]:
    judged = [(g[field], p.get(field)) for g, p in matched if g.get(field) is not None]
    correct = sum(gold_value == pred_value for gold_value, pred_value in judged)
    return {"accuracy": round(correct / len(judged), 4) if judged else 0.0, "correct": correct, "total": len(judged)}


def _summarise(alignments: Sequence[Alignment], *, per_label: bool) -> dict[str, Any]:
    matched = [pair for a in alignments for pair in a.matched]
    missed = [unit for a in alignments for unit in a.missed]
    spurious = [unit for a in alignments for unit in a.spurious]
    detection = Counts(tp=len(matched), fp=len(spurious), fn=len(missed))
    edges = Counts()
    for gold_unit, pred_unit in matched:
        edges += set_counts(edges_of(gold_unit), edges_of(pred_unit))
    for unit in spurious:
        edges += Counts(fp=len(edges_of(unit)))
    for unit in missed:
        edges += Counts(fn=len(edges_of(unit)))
    summary: dict[str, Any] = {
        "gold_units": len(matched) + len(missed),
        "pred_units": len(matched) + len(spurious),
        "set_aside": {
            "reported_gold": sum(a.set_aside_gold for a in alignments),
            "pred_matched_to_them": sum(a.set_aside_pred for a in alignments),
        },
        "detection": detection.to_dict(),
    }
    for field in LABEL_FIELDS:
        summary[field] = _label_scores(matched, field, per_label=per_label)
    summary["edges"] = edges.to_dict()
    summary["attributes"] = {field: _attribute_accuracy(matched, field) for field in ATTRIBUTE_FIELDS}
    return summary


def score(
    gold: Sequence[dict[str, Any]],
    pred: Sequence[dict[str, Any]],
    *,
    include_reported: bool = False,
    threshold: float | None = None,
) -> dict[str, Any]:
    """Precision, recall and F1 of predictions against gold units (see the module doc).

    Only documents present in gold are scored; predictions for other documents
    are counted under ``ignored_documents`` and named in ``notes``.
    """
    threshold = default_match_threshold() if threshold is None else threshold
    gold_docs = set(group_by_document(gold))
    ignored = Counter(doc_key(unit) for unit in pred if doc_key(unit) not in gold_docs)
    alignments = align(gold, pred, include_reported=include_reported, threshold=threshold)
    scores = {
        "settings": {"include_reported": include_reported, "match_threshold": threshold},
        "documents": sorted(gold_docs),
        "ignored_documents": dict(sorted(ignored.items())),
        **_summarise(alignments, per_label=True),
        "per_document": {
            alignment.doc: _summarise([alignment], per_label=False)
            for alignment in sorted(alignments, key=lambda alignment: alignment.doc)
        },
    }
    scores["notes"] = _notes(scores)
    return scores


def _notes(scores: dict[str, Any]) -> list[str]:
    notes = []
    if scores["ignored_documents"]:
        listed = ", ".join(f"{doc} ({n})" for doc, n in scores["ignored_documents"].items())
        notes.append(f"predictions for documents without gold labels were ignored: {listed}")
    unpredicted = [
        doc
        for doc, part in scores["per_document"].items()
        if part["pred_units"] == 0 and not part["set_aside"]["pred_matched_to_them"]
    ]
    if unpredicted:
        notes.append(
            "no prediction for gold documents: " + ", ".join(unpredicted)
            + " (if unexpected, check that gold \"doc\" equals the run's doc_id, the slug of the PDF's file name)"
        )
    set_aside = scores["set_aside"]
    if set_aside["reported_gold"]:
        notes.append(
            f"{set_aside['reported_gold']} reported gold units and the {set_aside['pred_matched_to_them']} "
            "predictions matched to them were left out (optional); pass --include-reported to score them"
        )
    return notes
