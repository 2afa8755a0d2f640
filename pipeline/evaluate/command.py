"""``policygraph evaluate``: score a run's predictions, or the pipeline on PDFs, against gold."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.evaluate.report import format_report
from pipeline.evaluate.scoring import score
from pipeline.evaluate.units import load_gold, load_units


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
    if getattr(args, "cross_validate", False):
        from pipeline.evaluate.crossval import cross_validate_command

        return cross_validate_command(args, config)
    gold = load_gold(args.gold)
    if not gold:
        raise UsageError(f"{args.gold}: holds no labelled units; expected JSONL records (ANNOTATION.md section 4)")
    pred = _predictions(args, config)
    include_reported = bool(getattr(args, "include_reported", False))
    scores = score(gold, pred, include_reported=include_reported, threshold=float(config.get("evaluate.match_threshold")))
    if getattr(args, "format", "text") == "json":
        for note in scores["notes"]:
            print(f"note: {note}", file=sys.stderr)
        print(json.dumps(scores, indent=2, ensure_ascii=False))
    else:
        print(format_report(scores))
    return 0
