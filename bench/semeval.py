"""Out-of-domain check: the recommendation detector on SemEval-2019 Task 9 test sets.

The detector is trained on policy papers only (``policygraph train``); the
SemEval data (suggestions in software forums and hotel reviews, CC BY-NC-SA)
is used for evaluation only, never for training. Each test sentence becomes a
one-paragraph document, goes through the same segment and feature code as a
PDF paragraph, and counts as a suggestion when any of its units scores at or
above the configured threshold. Prints F1 of the positive class, the task's
metric, for subtask A (forum, in-domain for the task) and B (hotel reviews).

    .venv/bin/python bench/semeval.py [--data ../shared/datasets/semeval2019-task9] [--models DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "semeval2019-task9"
TEST_SETS = {
    "A": "subtask-A/SubtaskA_EvaluationData_labeled.csv",
    "B": "subtask-B/SubtaskB_EvaluationData_labeled.csv",
}
PUBLISHED_BEST = {"A": 0.781, "B": 0.858}


def read_labelled(path: Path) -> list[tuple[str, int]]:
    rows = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for record in csv.reader(handle):
            if len(record) < 3 or record[2] not in {"0", "1"}:
                continue
            rows.append((record[1].strip().strip('"').strip(), int(record[2])))
    return rows


def score_sentences(sentences: list[str], config, models, nlp) -> list[float]:
    from pipeline.recognise.actors import actor_mentions
    from pipeline.recognise.recommendations import document_rows, lexicon_from, rows_frame
    from pipeline.segment import segment_layout
    from pipeline.types import Block, BlockKind, DocumentLayout, Page

    lex = lexicon_from(config)
    scores = []
    for n, text in enumerate(sentences):
        block = Block(text=text or ".", kind=BlockKind.PARAGRAPH, page=1, bbox=(0.0, 0.0, 1.0, 1.0))
        layout = DocumentLayout(doc_id=f"s{n}", path="", pages=(Page(number=1, width=1.0, height=1.0, blocks=(block,)),))
        doc, units = segment_layout(layout, nlp)
        mentions = actor_mentions(doc, units, layout.doc_id, config.actors)
        rows, _ = document_rows(doc, units, mentions, lex)
        probabilities = models.detector.predict_proba(rows_frame(rows))[:, 1] if rows else [0.0]
        scores.append(float(max(probabilities)))
    return scores


def f1_positive(gold: list[int], predicted: list[int]) -> dict[str, float]:
    tp = sum(g == p == 1 for g, p in zip(gold, predicted))
    fp = sum(p == 1 and g == 0 for g, p in zip(gold, predicted))
    fn = sum(p == 0 and g == 1 for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the semeval2019-task9 folder")
    parser.add_argument("--models", help="models folder (default: the shipped ones)")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"semeval: {args.data} is absent; pass --data", file=sys.stderr)
        return 1

    sys.path.insert(0, str(REPO))
    from pipeline.config import load_config
    from pipeline.models import load_models
    from pipeline.recognise.actors import add_actor_ruler
    from pipeline.segment import load_nlp

    config = load_config()
    models = load_models(args.models)
    nlp = load_nlp(config.settings)
    add_actor_ruler(nlp, config.actors)
    threshold = float(config.get("recognise.recommendation_threshold"))
    results = {}
    for subtask, name in TEST_SETS.items():
        rows = read_labelled(args.data / name)
        scores = score_sentences([text for text, _ in rows], config, models, nlp)
        results[subtask] = f1_positive([label for _, label in rows], [int(s >= threshold) for s in scores])
        results[subtask]["sentences"] = len(rows)
        results[subtask]["published_best_f1"] = PUBLISHED_BEST[subtask]
    print(json.dumps(results, indent=2))
    print("| subtask | sentences | precision | recall | F1 (ours) | best published F1 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for subtask, r in results.items():
        print(f"| {subtask} | {r['sentences']} | {r['precision']} | {r['recall']} | {r['f1']} | {r['published_best_f1']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
