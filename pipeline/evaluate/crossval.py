"""``policygraph evaluate --cross-validate``: leave-one-document-out over a labelled set, by document and genre.

The held-out predictions come from ``pipeline.training`` (one fold per
document, each trained on all the others with the same settings). Here they
are scored three ways: micro over every unit, averaged per document, and per
genre. Every labelled unit counts, reported calls included (ANNOTATION.md:
they are recommendations, marked ``reported``). A document's genre is the one
its manifest records (``manifest.d/<doc_id>.yaml`` beside the labels), else
the one the pipeline reads from its cover.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.evaluate.matching import doc_key
from pipeline.evaluate.report import format_report, table
from pipeline.evaluate.scoring import score
from pipeline.evaluate.units import LABEL_FIELDS

HEADLINE_FIELDS = ("addressees", "issuers", "targets", "instruments")


def manifest_genres(gold_dir: Path) -> dict[str, str]:
    """The genre each labelled document's manifest records (``../manifest.d/*.yaml``), by doc id."""
    from pipeline.yamlio import read_yaml

    genres = {}
    for path in sorted((gold_dir.parent / "manifest.d").glob("*.yaml")):
        entry = read_yaml(path)
        if isinstance(entry, dict) and entry.get("genre"):
            genres[str(entry.get("doc_id") or path.stem)] = str(entry["genre"])
    return genres


def cross_validation_scores(
    gold: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]], genres: Mapping[str, str], threshold: float,
) -> dict[str, Any]:
    """Micro scores, the per-document average and one score per genre."""
    scores = score(gold, predictions, include_reported=True, threshold=threshold)
    per_document = scores["per_document"]
    scores["per_document_average"] = {
        "detection_f1": _mean(part["detection"]["f1"] for part in per_document.values()),
        **{f"{field}_f1": _mean(part[field]["micro"]["f1"] for part in per_document.values()) for field in LABEL_FIELDS},
    }
    by_genre: dict[str, dict[str, Any]] = {}
    for genre in sorted(set(genres.get(doc, "unknown") for doc in per_document)):
        docs = {doc for doc in per_document if genres.get(doc, "unknown") == genre}
        part = score([u for u in gold if doc_key(u) in docs], [p for p in predictions if doc_key(p) in docs],
                     include_reported=True, threshold=threshold)
        by_genre[genre] = {"documents": len(docs), **{k: part[k] for k in ("gold_units", "pred_units", "detection", "edges")},
                           **{field: part[field]["micro"] for field in LABEL_FIELDS}}
    scores["per_genre"] = by_genre
    scores["genres"] = dict(sorted(genres.items()))
    return scores


def format_cross_validation(scores: dict[str, Any]) -> str:
    """The plain report, then the per-document average and the per-genre table."""
    average = scores["per_document_average"]
    parts = [
        "leave-one-document-out: each document predicted by models trained on all the others; every unit scored",
        "",
        format_report(scores),
        "",
        "averaged per document (F1): " + ", ".join(f"{name[:-3]} {value:.3f}" for name, value in average.items()),
        "",
        "per genre (micro F1)",
        table(["genre", "docs", "gold", "pred", "detection", *HEADLINE_FIELDS, "edges"], [
            [genre, part["documents"], part["gold_units"], part["pred_units"], part["detection"]["f1"],
             *(part[field]["f1"] for field in HEADLINE_FIELDS), part["edges"]["f1"]]
            for genre, part in scores["per_genre"].items()
        ]),
    ]
    return "\n".join(parts)


def markdown_table(scores: dict[str, Any]) -> str:
    """The README's table: one row per genre, then all units (micro) and the per-document average."""
    columns = ["detection", *HEADLINE_FIELDS, "edges"]
    lines = ["| genre | documents | units | " + " | ".join(columns) + " |",
             "| --- | ---: | ---: | " + " | ".join("---:" for _ in columns) + " |"]
    for genre, part in scores["per_genre"].items():
        values = [part["detection"]["f1"], *(part[f]["f1"] for f in HEADLINE_FIELDS), part["edges"]["f1"]]
        lines.append(f"| {genre} | {part['documents']} | {part['gold_units']} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    micro = [scores["detection"]["f1"], *(scores[f]["micro"]["f1"] for f in HEADLINE_FIELDS), scores["edges"]["f1"]]
    lines.append(f"| **all (micro)** | {len(scores['documents'])} | {scores['gold_units']} | "
                 + " | ".join(f"**{v:.3f}**" for v in micro) + " |")
    average = scores["per_document_average"]
    per_doc = [average["detection_f1"], *(average[f"{f}_f1"] for f in HEADLINE_FIELDS)]
    lines.append("| averaged per document | | | " + " | ".join(f"{v:.3f}" for v in per_doc) + " | |")
    return "\n".join(lines)


def cross_validate_command(args: argparse.Namespace, config: Config) -> int:
    from pipeline.training import cross_validated_predictions  # loads spaCy: only for this command

    gold_dir = Path(args.gold)
    if not gold_dir.is_dir():
        raise UsageError(f"--cross-validate needs --gold DIR, a folder of <doc_id>.jsonl labels; got {gold_dir}")
    if not args.pdfs:
        raise UsageError("--cross-validate needs --pdfs DIR, the folder that holds the labelled documents' PDFs")
    if getattr(args, "pred", None) or getattr(args, "paths", None) or getattr(args, "models", None):
        raise UsageError("--cross-validate trains its own models per fold: leave out --pred, --models and PDF paths")
    save_to = Path(args.save_predictions) if getattr(args, "save_predictions", None) else None
    if save_to is not None and save_to.exists():
        raise UsageError(f"--save-predictions {save_to}: a file is already there; choose a new path (it is never overwritten)")
    gold, predictions, read_genres = cross_validated_predictions(gold_dir, Path(args.pdfs), config, doc_ids=args.docs)
    genres = {**read_genres, **manifest_genres(gold_dir)}
    scores = cross_validation_scores(gold, predictions, genres, float(config.get("evaluate.match_threshold")))
    if getattr(args, "format", "text") == "json":
        print(json.dumps(scores, indent=2, ensure_ascii=False))
    elif getattr(args, "format", "text") == "markdown":
        print(markdown_table(scores))
    else:
        print(format_cross_validation(scores))
    if save_to is not None:
        save_to.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
        print(f"held-out predictions written to {save_to}", file=sys.stderr)
    return 0


def _mean(values: Any) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0
