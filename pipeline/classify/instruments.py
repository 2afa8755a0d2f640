"""Instrument classifier: one-vs-rest logistic regression over n-grams and the taxonomy's lexicon.

The lexicon features count, for each instrument in ``configs/instruments.yaml``,
how many of its seed terms occur in the unit, so an instrument keeps a signal
on papers whose wording the training data never saw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from pipeline.taxonomy import InstrumentTaxonomy

_WORD = re.compile(r"[a-z][a-z\-']+")


@lru_cache(maxsize=8)
def _term_patterns(terms: tuple[str, ...]) -> re.Pattern[str]:
    escaped = sorted((re.escape(t) for t in terms), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(escaped) + r")\b")


def lexicon_columns(instrument_ids: Sequence[str]) -> list[str]:
    return [f"lex_{iid}" for iid in instrument_ids]


def lexicon_features(text: str, taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str]) -> dict[str, float]:
    """Seed-term hits per instrument in ``text`` (lower-cased), squashed to [0, 1]."""
    lowered = text.lower()
    row = {}
    for iid in instrument_ids:
        instrument = taxonomy.instruments.get(iid)
        hits = len(_term_patterns(instrument.terms).findall(lowered)) if instrument and instrument.terms else 0
        row[f"lex_{iid}"] = min(hits, 3) / 3.0
    return row


def instrument_frame(texts: Sequence[str], measures: Sequence[str], taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str]) -> pd.DataFrame:
    """Feature rows: the unit's text, its measure text, and lexicon hits in both."""
    rows = []
    for text, measure in zip(texts, measures):
        row: dict[str, Any] = {"text": text.lower(), "measure": (measure or text).lower()}
        row.update(lexicon_features(f"{text} {measure}", taxonomy, instrument_ids))
        rows.append(row)
    return pd.DataFrame(rows, columns=["text", "measure", *lexicon_columns(instrument_ids)])


def build_instrument_classifier(instrument_ids: Sequence[str], *, c: float = 4.0, random_state: int = 0) -> Pipeline:
    features = ColumnTransformer(
        [
            ("lexicon", "passthrough", lexicon_columns(instrument_ids)),
            ("text", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, max_features=6000), "text"),
            ("measure", TfidfVectorizer(ngram_range=(1, 1), min_df=1, sublinear_tf=True), "measure"),
        ]
    )
    classifier = OneVsRestClassifier(
        LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=random_state)
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def choose_instruments(probabilities: np.ndarray, labels: Sequence[str], threshold: float, max_instruments: int) -> tuple[str, ...]:
    """Labels at or above ``threshold``, best first, at most ``max_instruments``; at least the best one."""
    order = np.argsort(-probabilities)
    chosen = [labels[i] for i in order[:max_instruments] if probabilities[i] >= threshold]
    if not chosen and len(order):
        chosen = [labels[order[0]]]
    return tuple(chosen)
