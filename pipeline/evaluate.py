"""Scoring predicted recommendations against labelled units (ANNOTATION.md section 4).

Matching follows ANNOTATION.md: per document, one-to-one, by text overlap and
never by offsets, because two segmenters rarely cut a document identically.
Both sides are normalised (case, whitespace, quotes, dashes, line-end
hyphenation, leading bullets and numbering) and compared as sets of content
words; each gold/predicted pair scores the Ochiai (cosine) coefficient of those
sets, and the assignment that maximises the total score over pairs at or above
the match threshold is solved with ``scipy.optimize.linear_sum_assignment``.

Why Ochiai: it equals the overlap coefficient scaled by the square root of the
length ratio, so a unit lying wholly inside a slightly longer one (a bullet
glued to its lead-in, a sentence split in two) still matches, while a short
fragment inside a long paragraph does not. Stop words are left out so that two
different recommendations do not match merely because both say "the EU should
do all it can to". Short units that share an actor and a verb can still reach
0.5; the optimal assignment pairs them correctly when both sides have them.

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

import argparse
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from slugify import slugify
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.config import Config
from pipeline.errors import UsageError

# A gold/predicted pair matches when the similarity of their texts reaches
# this. Overridden by ``evaluate.match_threshold`` in the settings when present.
MATCH_THRESHOLD = 0.5

# Added to the similarity of a candidate pair on the same page, so that when a
# document repeats a recommendation (executive summary and body) the copies pair
# up page by page; far too small to change which pairs pass the threshold.
SAME_PAGE_BONUS = 1e-3

LABEL_FIELDS = ("addressees", "targets", "instruments")
ATTRIBUTE_FIELDS = ("modality", "polarity")

# ---------------------------------------------------------------------------
# Loading


def load_units(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file of gold or predicted units, checking each line.

    Every record needs a ``text`` and a document id (``doc`` or ``doc_id``);
    label fields, when present, must be lists of strings. Blank lines are
    skipped. Problems raise :class:`UsageError` naming the file and line.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; pass a JSONL file of units (ANNOTATION.md section 4)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read as UTF-8 text ({exc}); expected JSONL, one object a line") from None
    units: list[dict[str, Any]] = []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{path}, line {line_number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "expected one JSON object a line"
            ) from None
        _check_unit(record, path, line_number)
        units.append(record)
    return units


def _check_unit(record: Any, path: Path, line_number: int) -> None:
    where = f"{path}, line {line_number}"
    if not isinstance(record, dict):
        raise UsageError(f"{where}: expected a JSON object, got {type(record).__name__}")
    if not isinstance(record.get("text"), str):
        raise UsageError(f"{where}: expected a string field \"text\", got {record.get('text')!r}")
    doc = record.get("doc", record.get("doc_id"))
    if not isinstance(doc, str) or not doc.strip():
        raise UsageError(f"{where}: expected a document id in \"doc\" or \"doc_id\", got {doc!r}")
    for field in LABEL_FIELDS:
        value = record.get(field, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise UsageError(f"{where}: expected \"{field}\" to be a list of ids, got {value!r}")
    if not isinstance(record.get("reported", False), bool):
        raise UsageError(f"{where}: expected \"reported\" to be true or false, got {record.get('reported')!r}")


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold units from one JSONL file or every ``*.jsonl`` in a folder."""
    path = Path(path)
    if not path.is_dir():
        return load_units(path)
    files = sorted(path.glob("*.jsonl"))
    if not files:
        raise UsageError(f"{path}: folder holds no *.jsonl files; pass a labelled JSONL file or a folder of them")
    return [unit for file in files for unit in load_units(file)]


# ---------------------------------------------------------------------------
# Text normalisation and similarity

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    }
)
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# A hyphen between word characters, with or without the line break's space
# after it, is dropped on both sides: "inter- national", "inter-national" and
# "international" then agree, and so do the hyphenated compounds of both.
_HYPHEN_IN_WORD = re.compile(r"(?<=\w)-\s*(?=\w)")
_BULLETS = (
    "\u2022\u25e6\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u25ba\u25b8\u2023\u2043\u2219\u00b7"
    "\u2713\u2714\u27a2\u27a4\u2192\uf0b7*+>-"
)
_LEADING_MARKER = re.compile(
    r"""^\s*(?:
        [""" + re.escape(_BULLETS) + r"""]
      | \(?\d{1,3}(?:\.\d{1,3})+\.?(?=\s)
      | \(?\d{1,3}[.)](?!\d)
      | \(?(?:[a-z]|[ivxlc]{1,6})[.)](?=\s)
    )\s*""",
    re.VERBOSE,
)
_WORD = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """Casefolded text with quotes, dashes, hyphenation, bullets and spacing unified."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_QUOTES)
    text = _DASHES.sub("-", text).casefold()
    text = _HYPHEN_IN_WORD.sub("", text)
    text = " ".join(text.split())
    while True:
        stripped = _LEADING_MARKER.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def content_tokens(text: str) -> frozenset[str]:
    """The distinct words of a unit that carry its content.

    Falls back to every word when a unit has nothing but stop words, so that
    only a unit without any word is empty.
    """
    words = _WORD.findall(normalise_text(text))
    content = [word for word in words if word not in STOP_WORDS]
    return frozenset(content or words)


def unit_similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Ochiai coefficient of two word sets: shared / sqrt(|first| * |second|)."""
    if not first or not second:
        return 0.0
    return len(first & second) / math.sqrt(len(first) * len(second))


def _indicator(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows = [row for row, words in enumerate(sets) for _ in words]
    columns = [vocabulary[word] for words in sets for word in words]
    return sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(sets), len(vocabulary)))


def similarity_matrix(first: Sequence[frozenset[str]], second: Sequence[frozenset[str]]) -> np.ndarray:
    """``unit_similarity`` of every pair, as one sparse product (long documents have thousands of units)."""
    vocabulary = {word: index for index, word in enumerate(sorted(set().union(*first, *second)))}
    shared = (_indicator(first, vocabulary) @ _indicator(second, vocabulary).T).toarray()
    sizes = np.sqrt(np.outer([len(words) for words in first], [len(words) for words in second]))
    return np.divide(shared, sizes, out=np.zeros_like(shared), where=sizes > 0)


# ---------------------------------------------------------------------------
# Matching


def doc_key(unit: dict[str, Any]) -> str:
    """The unit's document id as the runner writes it (slug of the file stem)."""
    raw = unit.get("doc", unit.get("doc_id")) or ""
    return slugify(str(raw)) or str(raw)


def _group_by_document(units: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, unit in enumerate(units):
        groups.setdefault(doc_key(unit), []).append(index)
    return groups


def _page_number(unit: dict[str, Any], *, missing: int) -> int:
    page = unit.get("page")
    return page if isinstance(page, int) and not isinstance(page, bool) else missing


def _pair_weights(
    gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]], threshold: float
) -> np.ndarray:
    similarity = similarity_matrix(
        [content_tokens(unit["text"]) for unit in gold], [content_tokens(unit["text"]) for unit in pred]
    )
    # Missing pages get different sentinels on each side so that they never agree.
    gold_pages = np.array([_page_number(unit, missing=-1) for unit in gold])
    pred_pages = np.array([_page_number(unit, missing=-2) for unit in pred])
    same_page = gold_pages[:, None] == pred_pages[None, :]
    # A tiny tolerance so that a pair exactly at the threshold is not lost to rounding.
    passes = similarity >= threshold - 1e-9
    return np.where(passes, similarity + SAME_PAGE_BONUS * same_page, 0.0)


def match_units(
    gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]], threshold: float = MATCH_THRESHOLD
) -> list[tuple[int, int]]:
    """One-to-one pairs ``(gold index, pred index)`` of units of the same document.

    Among pairs whose text similarity reaches ``threshold``, picks the set that
    maximises total similarity. Sorted by gold index.
    """
    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"match threshold must be in (0, 1], got {threshold}")
    pred_groups = _group_by_document(pred)
    pairs: list[tuple[int, int]] = []
    for doc, gold_indices in _group_by_document(gold).items():
        pred_indices = pred_groups.get(doc, [])
        if not pred_indices:
            continue
        weights = _pair_weights([gold[i] for i in gold_indices], [pred[j] for j in pred_indices], threshold)
        rows, columns = linear_sum_assignment(weights, maximize=True)
        pairs.extend(
            (gold_indices[row], pred_indices[column])
            for row, column in zip(rows, columns)
            if weights[row, column] > 0.0
        )
    return sorted(pairs)


# ---------------------------------------------------------------------------
# Counting


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
    pred_groups = _group_by_document(pred)
    alignments = []
    for doc, gold_indices in _group_by_document(gold).items():
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
    threshold: float = MATCH_THRESHOLD,
) -> dict[str, Any]:
    """Precision, recall and F1 of predictions against gold units (see the module doc).

    Only documents present in gold are scored; predictions for other documents
    are counted under ``ignored_documents`` and named in ``notes``.
    """
    gold_docs = set(_group_by_document(gold))
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


# ---------------------------------------------------------------------------
# Report


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first, *rest = values
        return "  ".join([first.ljust(widths[0])] + [v.rjust(w) for v, w in zip(rest, widths[1:])]).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(row) for row in cells])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def _metric_row(name: str, metrics: dict[str, Any]) -> list[Any]:
    ratios = [metrics["precision"], metrics["recall"], metrics["f1"]]
    return [name, *ratios, metrics.get("tp"), metrics.get("fp"), metrics.get("fn")]


def format_report(scores: dict[str, Any]) -> str:
    """A plain-text report: the summary table, per document, per label, notes."""
    settings = scores["settings"]
    reported = "scored" if settings["include_reported"] else "optional"
    parts = [
        f"documents: {len(scores['documents'])}  gold units: {scores['gold_units']}  "
        f"predicted units: {scores['pred_units']}  reported calls: {reported}  "
        f"match threshold: {settings['match_threshold']}",
        "",
    ]
    rows = [_metric_row("detection", scores["detection"])]
    for field in LABEL_FIELDS:
        rows.append(_metric_row(f"{field} micro", scores[field]["micro"]))
        macro = scores[field]["macro"]
        rows.append([f"{field} macro", macro["precision"], macro["recall"], macro["f1"], None, None, None])
    rows.append(_metric_row("edges (addressee, instrument)", scores["edges"]))
    parts.append(_table(["", "P", "R", "F1", "TP", "FP", "FN"], rows))
    attributes = scores["attributes"]
    parts.append(
        "accuracy on matched units: "
        + ", ".join(f"{field} {a['accuracy']:.3f} ({a['correct']}/{a['total']})" for field, a in attributes.items())
    )
    if len(scores["per_document"]) > 1:
        parts += ["", "per document (F1; addressees, targets, instruments micro)"]
        headers = ["document", "gold", "pred", "detection", *LABEL_FIELDS, "edges"]
        doc_rows = [
            [doc, part["gold_units"], part["pred_units"], part["detection"]["f1"]]
            + [part[field]["micro"]["f1"] for field in LABEL_FIELDS]
            + [part["edges"]["f1"]]
            for doc, part in scores["per_document"].items()
        ]
        parts.append(_table(headers, doc_rows))
    for field in LABEL_FIELDS:
        per_label = scores[field].get("per_label", {})
        if per_label:
            parts += ["", f"{field} per label (matched units)"]
            label_rows = [_metric_row(label, metrics) for label, metrics in per_label.items()]
            parts.append(_table([field[:-1], "P", "R", "F1", "TP", "FP", "FN"], label_rows))
    if scores["notes"]:
        parts += [""] + [f"note: {note}" for note in scores["notes"]]
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# Command


def _match_threshold(config: Config) -> float:
    """The configured threshold; the module default until settings.yaml has one."""
    return float(config.settings.get("evaluate", {}).get("match_threshold", MATCH_THRESHOLD))


def _predictions(args: argparse.Namespace, config: Config) -> list[dict[str, Any]]:
    pred_file = getattr(args, "pred", None)
    paths = list(getattr(args, "paths", None) or [])
    models = getattr(args, "models", None)
    if pred_file and paths:
        raise UsageError(
            f"give either --pred FILE or PDF paths, not both (got --pred {pred_file} and {len(paths)} paths)"
        )
    if pred_file:
        if models:
            raise UsageError("--models only applies when the pipeline runs on PDF paths, not with --pred")
        return load_units(pred_file)
    if not paths:
        raise UsageError("nothing to score: pass --pred recommendations.jsonl from a run, or the PDFs to run on")
    from pipeline.run import predict_paths  # loads spaCy and the models: only when PDFs are given

    recommendations = predict_paths([Path(p) for p in paths], config, models_dir=models)
    return [recommendation.to_dict() for recommendation in recommendations]


def evaluate_command(args: argparse.Namespace, config: Config) -> int:
    """``policygraph evaluate``: score predictions against gold and print the report."""
    gold = load_gold(args.gold)
    if not gold:
        raise UsageError(f"{args.gold}: holds no labelled units; expected JSONL records (ANNOTATION.md section 4)")
    pred = _predictions(args, config)
    include_reported = bool(getattr(args, "include_reported", False))
    scores = score(gold, pred, include_reported=include_reported, threshold=_match_threshold(config))
    if getattr(args, "format", "text") == "json":
        for note in scores["notes"]:
            print(f"note: {note}", file=sys.stderr)
        print(json.dumps(scores, indent=2, ensure_ascii=False))
    else:
        print(format_report(scores))
    return 0
