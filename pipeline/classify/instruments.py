"""Instrument classifier: a binary decision per (unit, instrument) from lexicon and TF-IDF evidence.

For each instrument in ``configs/instruments.yaml`` the features count its seed
terms in the unit and in the measure, and measure the unit's TF-IDF similarity
to the instrument's definition, so an instrument keeps a signal on papers whose
wording the training data never saw.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

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


SeedTerms = Mapping[str, Sequence[str]]  # instrument id -> seed terms
# (instrument id, definition, seed terms): what the classifier knows of each instrument
InstrumentSpec = tuple[str, str, tuple[str, ...]]


def instrument_specs(taxonomy: InstrumentTaxonomy, instrument_ids: Sequence[str] | None = None) -> tuple[InstrumentSpec, ...]:
    """The taxonomy's instruments as plain triples, in ``instrument_ids`` order (default: taxonomy order)."""
    ids = taxonomy.ids if instrument_ids is None else instrument_ids
    return tuple((i, taxonomy.instruments[i].definition, tuple(taxonomy.instruments[i].terms)) for i in ids)


def lexicon_columns(instrument_ids: Sequence[str]) -> list[str]:
    return [f"lex_{iid}" for iid in instrument_ids] + [f"mlex_{iid}" for iid in instrument_ids]


def lexicon_features(text: str, seed_terms: SeedTerms, instrument_ids: Sequence[str], prefix: str = "lex_") -> dict[str, float]:
    """Seed-term hits per instrument in ``text`` (lower-cased), squashed to [0, 1]."""
    lowered = text.lower()
    row = {}
    for iid in instrument_ids:
        terms = tuple(seed_terms.get(iid) or ())
        hits = len(_term_patterns(terms).findall(lowered)) if terms else 0
        row[f"{prefix}{iid}"] = min(hits, 2) / 2.0
    return row


def first_hit_positions(text: str, seed_terms: SeedTerms, instrument_ids: Sequence[str]) -> np.ndarray:
    """Character offset of each instrument's first seed-term hit in ``text`` (inf when none)."""
    lowered = text.lower()
    positions = np.full(len(instrument_ids), np.inf)
    for column, iid in enumerate(instrument_ids):
        terms = tuple(seed_terms.get(iid) or ())
        if terms:
            match = _term_patterns(terms).search(lowered)
            if match:
                positions[column] = match.start()
    return positions


def instrument_frame(texts: Sequence[str], measures: Sequence[str], seed_terms: SeedTerms, instrument_ids: Sequence[str]) -> pd.DataFrame:
    """Feature rows: the unit's text, its measure text, and lexicon hits in each.

    Hits in the measure (the prescribed action) are kept apart from hits in
    the whole sentence, whose context often names other instruments.
    """
    rows = []
    for text, measure in zip(texts, measures):
        measure = measure or text
        row: dict[str, Any] = {"text": text.lower(), "measure": measure.lower()}
        row.update(lexicon_features(text, seed_terms, instrument_ids, "lex_"))
        row.update(lexicon_features(measure, seed_terms, instrument_ids, "mlex_"))
        rows.append(row)
    return pd.DataFrame(rows, columns=["text", "measure", *lexicon_columns(instrument_ids)])


def pair_features(
    texts: Sequence[str],
    measures: Sequence[str],
    seed_terms: SeedTerms,
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
    frame = instrument_frame(texts, measures, seed_terms, instrument_ids)
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
    positions = np.array([first_hit_positions(m or t, seed_terms, instrument_ids) for t, m in zip(texts, measures)]).reshape(len(texts), k)
    first_in_measure = ((positions == positions.min(axis=1, keepdims=True)) & np.isfinite(positions)).astype(float)
    columns = [lex, mlex, share, leads, sims, (rank == 0).astype(float), (rank < 3).astype(float), relative, first_in_measure]
    return np.stack(columns, axis=2).reshape(len(texts) * k, len(columns))


def _texts_and_measures(X: Any) -> tuple[list[str], list[str]]:
    """``X`` as two lists: a frame with ``text`` and ``measure`` columns, or rows of (text, measure)."""
    if hasattr(X, "columns"):
        return [str(t) for t in X["text"]], ["" if m is None else str(m) for m in X["measure"]]
    rows = np.asarray(X, dtype=object)
    if rows.size == 0:
        return [], []
    if rows.ndim != 2 or rows.shape[1] != 2:
        raise ValueError(
            f"expected X of shape (n_units, 2): each unit's text and its measure text; got shape {rows.shape}. "
            "Pass a DataFrame with 'text' and 'measure' columns or a list of (text, measure) pairs"
        )
    return [str(t) for t in rows[:, 0]], ["" if m is None else str(m) for m in rows[:, 1]]


class InstrumentClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label instrument classifier: a binary decision per (unit, instrument).

    ``X`` holds each unit's text and measure text; ``y`` is an indicator
    matrix with one column per instrument of ``instruments`` (``classes_``).
    ``predict_proba`` gives one independent probability per instrument.

    The logistic regression's weights are shared by all instruments: on a few
    labelled papers, per-instrument weights (plain one-vs-rest) learn each
    paper's mix of instruments, while shared weights over lexicon and
    definition evidence also score instruments the labelled papers never use.
    The defaults are scikit-learn's; ``policygraph train`` passes
    ``train.instruments`` from the settings.
    """

    def __init__(self, instruments: tuple[InstrumentSpec, ...] = (), c: float = 1.0, max_iter: int = 100,
                 random_state: int | None = None):
        self.instruments = instruments
        self.c = c
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def _ids_and_seed_terms(self) -> tuple[list[str], dict[str, tuple[str, ...]]]:
        if not self.instruments:
            raise ValueError(
                "InstrumentClassifier got no instruments; expected (id, definition, seed terms) triples, "
                "for example instruments=instrument_specs(config.instruments)"
            )
        return [spec[0] for spec in self.instruments], {spec[0]: tuple(spec[2]) for spec in self.instruments}

    def fit(self, X: Any, y: Any) -> InstrumentClassifier:
        texts, measures = _texts_and_measures(X)
        ids, seed_terms = self._ids_and_seed_terms()
        targets = np.asarray(y)
        if targets.shape != (len(texts), len(ids)):
            raise ValueError(
                f"expected y of shape (n_units, n_instruments) = ({len(texts)}, {len(ids)}), one 0/1 column per "
                f"instrument in `instruments` order; got shape {targets.shape}"
            )
        definition_texts = [f"{definition} {'; '.join(terms)}" for _, definition, terms in self.instruments]
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
        vectorizer.fit(definition_texts + [t.lower() for t in texts])
        self.vectorizer_ = vectorizer
        self.definitions_ = vectorizer.transform(definition_texts).toarray()
        features = pair_features(texts, measures, seed_terms, ids, vectorizer, self.definitions_)
        self.classifier_ = LogisticRegression(C=self.c, max_iter=self.max_iter, random_state=self.random_state)
        self.classifier_.fit(features, targets.astype(int).reshape(-1))
        self.classes_ = np.array(ids)
        self.n_features_in_ = 2
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """One row per unit, one probability per instrument of ``classes_``."""
        check_is_fitted(self)
        texts, measures = _texts_and_measures(X)
        ids, seed_terms = self._ids_and_seed_terms()
        if not texts:
            return np.zeros((0, len(ids)))
        features = pair_features(texts, measures, seed_terms, ids, self.vectorizer_, self.definitions_)
        return self.classifier_.predict_proba(features)[:, 1].reshape(len(texts), len(ids))

    def predict(self, X: Any) -> np.ndarray:
        """The indicator matrix of instruments whose probability reaches 0.5."""
        return (self.predict_proba(X) >= 0.5).astype(int)


def predict_instrument_proba(model: InstrumentClassifier, texts: Sequence[str], measures: Sequence[str], taxonomy: InstrumentTaxonomy) -> np.ndarray:
    """Probabilities, one row per unit, one column per ``model.classes_`` instrument.

    Seed terms are read from the taxonomy in use, as they always were: an
    edited term list changes the lexicon features without retraining.
    """
    labels = [str(label) for label in model.classes_]
    missing = sorted(set(labels) - set(taxonomy.instruments))
    if missing:
        raise ValueError(f"the instrument model knows instruments the taxonomy lacks: {', '.join(missing)}; retrain with `policygraph train`")
    current = instrument_specs(taxonomy, labels)
    if tuple(model.instruments) != current:
        model = copy.copy(model).set_params(instruments=current)
    return model.predict_proba(list(zip(texts, measures)))


def choose_instruments(probabilities: np.ndarray, labels: Sequence[str], threshold: float, max_instruments: int) -> tuple[str, ...]:
    """Labels at or above ``threshold``, best first, at most ``max_instruments``; at least the best one."""
    order = np.argsort(-probabilities)
    chosen = [labels[i] for i in order[:max_instruments] if probabilities[i] >= threshold]
    if not chosen and len(order):
        chosen = [labels[order[0]]]
    return tuple(chosen)
