"""Scoring predicted recommendations against labelled units (ANNOTATION.md section 4).

One module per job: ``units`` reads and checks JSONL units, ``matching``
pairs gold and predicted units one-to-one by text overlap, ``scoring``
computes the metrics of the pairs, ``report`` formats them and ``command`` is
``policygraph evaluate``. The one match threshold is ``evaluate.match_threshold``
in the settings.
"""

from pipeline.evaluate.command import evaluate_command
from pipeline.evaluate.matching import (
    content_tokens,
    default_match_threshold,
    doc_key,
    match_units,
    normalise_text,
    similarity_matrix,
    unit_similarity,
)
from pipeline.evaluate.report import format_report
from pipeline.evaluate.scoring import Alignment, Counts, align, score
from pipeline.evaluate.units import LABEL_FIELDS, load_gold, load_units

__all__ = [
    "LABEL_FIELDS",
    "Alignment",
    "Counts",
    "align",
    "content_tokens",
    "default_match_threshold",
    "doc_key",
    "evaluate_command",
    "format_report",
    "load_gold",
    "load_units",
    "match_units",
    "normalise_text",
    "score",
    "similarity_matrix",
    "unit_similarity",
]
