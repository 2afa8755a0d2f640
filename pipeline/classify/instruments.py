"""Instrument classifier: a binary decision per (unit, instrument) from lexicon and TF-IDF evidence.

For each instrument in ``configs/instruments.yaml`` the features count its seed
terms in the unit and in the measure, and measure the unit's TF-IDF similarity
to the instrument's definition, so an instrument keeps a signal on papers whose
wording the training data never saw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from pipeline.recognise.cues import Cues
from pipeline.taxonomy import InstrumentTaxonomy
from pipeline.types import Sentence

_WORD = re.compile(r"[a-z][a-z\-']+")


# Inflections a seed term may carry on its last word: "sanction" matches
# "sanctions", "sanctioned", "sanctioning"; "recognise" matches "recognised".
_SUFFIX = r"(?:s|es|d|ed|ing|ion|ions|ment|ments)?"


def _term_regex(term: str) -> str:
    words = [re.escape(w) for w in term.split()]
    stem = words[-1]
    if len(stem) > 4 and stem.endswith("e"):
        stem = stem[:-1] + "e?"  # "recognise" -> "recognis(e)ed", "engage" -> "engaging"
    return r"\s+".join([*words[:-1], stem + _SUFFIX])


@lru_cache(maxsize=64)
def _term_patterns(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = sorted((_term_regex(t) for t in terms), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b")


def instrument_text(text: str, sentence: Sentence | None, cues: Cues | None) -> str:
    """The text the instrument classifier reads for a unit.

    A list item without a verb of its own only names whom its lead-in's measure
    acts on ("All officials involved in ..." under "issue arrest warrants for:"),
    so the lead-in is read with it.
    """
    if sentence is not None and sentence.list_lead and cues is not None and cues.verb is None:
        return f"{sentence.list_lead} {text}"
    return text


def lexicon_columns(instrument_ids: Sequence[str]) -> list[str]:
    return [f"lex_{iid}" for iid in instrument_ids] + [f"mlex_{iid}" for iid in instrument_ids]


def lexicon_features(text: str, taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str], prefix: str = "lex_") -> dict[str, float]:
    """Seed-term hits per instrument in ``text`` (lower-cased), squashed to [0, 1]."""
    lowered = text.lower()
    row = {}
    for iid in instrument_ids:
        instrument = taxonomy.instruments.get(iid)
        hits = len(_term_patterns(instrument.terms).findall(lowered)) if instrument and instrument.terms else 0
        row[f"{prefix}{iid}"] = min(hits, 2) / 2.0
    return row


def first_hit_positions(text: str, taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str]) -> np.ndarray:
    """Character offset of each instrument's first seed-term hit in ``text`` (inf when none)."""
    lowered = text.lower()
    positions = np.full(len(instrument_ids), np.inf)
    for column, iid in enumerate(instrument_ids):
        instrument = taxonomy.instruments.get(iid)
        if instrument and instrument.terms:
            match = _term_patterns(instrument.terms).search(lowered)
            if match:
                positions[column] = match.start()
    return positions


def instrument_frame(texts: Sequence[str], measures: Sequence[str], taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str]) -> pd.DataFrame:
    """Feature rows: the unit's text, its measure text, and lexicon hits in each.

    Hits in the measure (the prescribed action) are kept apart from hits in
    the whole sentence, whose context often names other instruments.
    """
    rows = []
    for text, measure in zip(texts, measures):
        measure = measure or text
        row: dict[str, Any] = {"text": text.lower(), "measure": measure.lower()}
        row.update(lexicon_features(text, taxonomy, instrument_ids, "lex_"))
        row.update(lexicon_features(measure, taxonomy, instrument_ids, "mlex_"))
        rows.append(row)
    return pd.DataFrame(rows, columns=["text", "measure", *lexicon_columns(instrument_ids)])


def _definition_texts(taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str]) -> list[str]:
    return [f"{taxonomy.instruments[i].definition} {'; '.join(taxonomy.instruments[i].terms)}" for i in instrument_ids]


def pair_features(
    texts: Sequence[str],
    measures: Sequence[str],
    taxonomy: InstrumentTaxonomy,
    instrument_ids: Sequence[str],
    vectorizer: TfidfVectorizer,
    definitions: np.ndarray,
) -> np.ndarray:
    """One row per (unit, instrument): evidence that the unit uses that instrument.

    Columns: seed-term hits in the sentence and in the measure, the
    instrument's share of the unit's hits and whether it leads them, and the
    TF-IDF cosine between the unit and the instrument's definition with its
    rank among instruments.
    """
    frame = instrument_frame(texts, measures, taxonomy, instrument_ids)
    k = len(instrument_ids)
    lex = frame[[f"lex_{i}" for i in instrument_ids]].to_numpy(dtype=float)
    mlex = frame[[f"mlex_{i}" for i in instrument_ids]].to_numpy(dtype=float)
    sims = np.asarray(vectorizer.transform([t.lower() for t in texts]) @ definitions.T)
    totals = lex.sum(axis=1, keepdims=True)
    share = np.divide(lex, totals, out=np.zeros_like(lex), where=totals > 0)
    leads = ((lex == lex.max(axis=1, keepdims=True)) & (lex > 0)).astype(float)
    rank = (-sims).argsort(axis=1).argsort(axis=1)
    relative = sims / (sims.max(axis=1, keepdims=True) + 1e-9)
    # The prescribed action names its instrument first ("introduce sanctions
    # against ... businesses"); later words name targets, purposes and context.
    positions = np.array([first_hit_positions(m or t, taxonomy, instrument_ids) for t, m in zip(texts, measures)]).reshape(len(texts), k)
    first_in_measure = ((positions == positions.min(axis=1, keepdims=True)) & np.isfinite(positions)).astype(float)
    columns = [lex, mlex, share, leads, sims, (rank == 0).astype(float), (rank < 3).astype(float), relative, first_in_measure]
    return np.stack(columns, axis=2).reshape(len(texts) * k, len(columns))


def fit_instrument_model(
    texts: Sequence[str],
    measures: Sequence[str],
    label_sets: Sequence[Sequence[str]],
    taxonomy: InstrumentTaxonomy,
    *,
    c: float = 0.3,
    random_state: int = 0,
) -> dict[str, Any]:
    """Fit the instrument classifier: one binary decision per (unit, instrument).

    The logistic regression's weights are shared by all instruments: on a few
    labelled papers, per-instrument weights (plain one-vs-rest) learn each
    paper's mix of instruments and reached held-out micro-F1 0.19-0.43, while
    shared weights over lexicon and definition evidence reach about 0.65 and
    also score instruments the labelled papers never use.
    """
    instrument_ids = list(taxonomy.ids)
    definitions_text = _definition_texts(taxonomy, instrument_ids)
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
    vectorizer.fit(definitions_text + [t.lower() for t in texts])
    definitions = vectorizer.transform(definitions_text).toarray()
    features = pair_features(texts, measures, taxonomy, instrument_ids, vectorizer, definitions)
    targets = np.array([[int(i in labels) for i in instrument_ids] for labels in label_sets]).reshape(-1)
    classifier = LogisticRegression(C=c, max_iter=5000, random_state=random_state).fit(features, targets)
    return {"vectorizer": vectorizer, "definitions": definitions, "labels": instrument_ids, "classifier": classifier}


def predict_instrument_proba(model: dict[str, Any], texts: Sequence[str], measures: Sequence[str], taxonomy: InstrumentTaxonomy) -> np.ndarray:
    """Probabilities, one row per unit, one column per ``model["labels"]`` instrument."""
    labels = list(model["labels"])
    known = [i for i in labels if i in taxonomy.instruments]
    if known != labels:
        missing = sorted(set(labels) - set(known))
        raise ValueError(f"the instrument model knows instruments the taxonomy lacks: {', '.join(missing)}; retrain with `policygraph train`")
    if not texts:
        return np.zeros((0, len(labels)))
    features = pair_features(texts, measures, taxonomy, labels, model["vectorizer"], model["definitions"])
    return model["classifier"].predict_proba(features)[:, 1].reshape(len(texts), len(labels))


def choose_instruments(probabilities: np.ndarray, labels: Sequence[str], threshold: float, max_instruments: int) -> tuple[str, ...]:
    """Labels at or above ``threshold``, best first, at most ``max_instruments``; at least the best one."""
    order = np.argsort(-probabilities)
    chosen = [labels[i] for i in order[:max_instruments] if probabilities[i] >= threshold]
    if not chosen and len(order):
        chosen = [labels[order[0]]]
    return tuple(chosen)
