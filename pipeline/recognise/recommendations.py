"""Recommendation detection: parse cues and context as features, a calibrated classifier.

Each sentence unit becomes one feature row: the form of prescription from the
dependency parse (:mod:`pipeline.recognise.cues`), its subject, negation,
reported speech, predictions and conditions, the block kind, list membership
and lead-in, whether the section is a recommendations or conclusions section,
and word n-grams. ``build_detector`` returns a scikit-learn pipeline over a
DataFrame of those rows; its calibrated probability is the unit's score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from spacy.tokens import Doc

from pipeline.recognise.cues import Cues, Lexicon, analyse, in_recommendation_section
from pipeline.segment import verb_lemmas
from pipeline.types import BlockKind, EntityMention, Sentence

FORMS = ("modal", "semi_modal", "imperative", "performative", "impersonal", "passive", "none")
DISCOURSE_VERBS = frozenset({"note", "say", "mention", "stress", "emphasise", "emphasize", "remember", "add", "point", "underline", "admit", "recall"})
PRONOUN_SUBJECTS = frozenset({"it", "this", "that", "they", "he", "she", "which", "who", "these", "those"})
KIND_GROUPS = {
    BlockKind.HEADING: "heading",
    BlockKind.LIST_ITEM: "list_item",
    BlockKind.PARAGRAPH: "paragraph",
    BlockKind.PULL_QUOTE: "paragraph",
    BlockKind.FOOTNOTE: "footnote",
}
_DIGITS = re.compile(r"\d+")

FEATURE_NAMES: tuple[str, ...] = (
    *(f"form_{f}" for f in FORMS),
    "modal_must",
    "modal_should",
    "modal_could",
    "subject_actor",
    "subject_author",
    "subject_generic",
    "subject_pronoun",
    "subject_none",
    "negated",
    "reported",
    "prediction",
    "conditional",
    "question",
    "discourse_modal",
    "verb_be",
    "first_word_verb",
    "kind_heading",
    "kind_list_item",
    "kind_paragraph",
    "kind_footnote",
    "kind_other",
    "in_rec_section",
    "lead_prescribes",
    "has_actor",
    "log_words",
    "short",
    "past_root",
)


@dataclass(frozen=True)
class Candidate:
    """A sentence unit scored by the detector, with its parse cues for classification."""

    sentence: Sentence
    score: float
    cues: Cues


def lexicon_from(config: Any) -> Lexicon:
    return Lexicon.from_patterns(config.patterns)


def _mention_index(mentions: Sequence[EntityMention]) -> list[tuple[int, int, str | None]]:
    return sorted((m.start_char, m.end_char, m.actor_id) for m in mentions)


def _has_actor_in(tokens_chars: list[tuple[int, int]], mentions: list[tuple[int, int, str | None]]) -> bool:
    for start, end in tokens_chars:
        for m_start, m_end, actor in mentions:
            if actor and m_start < end and start < m_end:
                return True
    return False


def sentence_features(
    sentence: Sentence,
    cues: Cues,
    mentions_in_sentence: list[tuple[int, int, str | None]],
    lex: Lexicon,
) -> dict[str, Any]:
    """One feature row: the numeric cue features and the normalised text."""
    row: dict[str, Any] = {name: 0.0 for name in FEATURE_NAMES}
    row[f"form_{cues.form}"] = 1.0
    strength = lex.modal_strength.get(cues.modal or "", "")
    if cues.form == "impersonal":
        strength = "must"
    if strength:
        row[f"modal_{strength}"] = 1.0
    subject_chars = [(t.idx, t.idx + len(t)) for head in cues.subject for t in head.subtree]
    row["subject_actor"] = float(bool(subject_chars) and _has_actor_in(subject_chars, mentions_in_sentence))
    row["subject_author"] = float(cues.author_subject)
    row["subject_generic"] = float(any(t.lemma_.lower() in lex.generic_actor_heads or t.lower_ in lex.generic_actor_heads for t in cues.subject))
    row["subject_pronoun"] = float(any(t.lower_ in PRONOUN_SUBJECTS for t in cues.subject))
    row["subject_none"] = float(not cues.subject)
    row["negated"] = float(cues.negated)
    row["reported"] = float(cues.reported)
    row["prediction"] = float(cues.prediction)
    row["conditional"] = float(cues.conditional)
    row["question"] = float(cues.question)
    verb_lemma = cues.verb.lemma_.lower() if cues.verb is not None else ""
    row["discourse_modal"] = float(verb_lemma in DISCOURSE_VERBS and row["subject_pronoun"] > 0)
    row["verb_be"] = float(verb_lemma == "be")
    row["first_word_verb"] = float(cues.first_word_verb)
    row[f"kind_{KIND_GROUPS.get(sentence.block_kind, 'other')}"] = 1.0
    row["in_rec_section"] = float(in_recommendation_section(sentence.section, lex))
    lead = (sentence.list_lead or "").lower()
    row["lead_prescribes"] = float(bool(lead) and (lead.rstrip().endswith(":") or any(
        re.search(rf"\b{re.escape(w)}\b", lead) for w in ("should", "must", "recommend", "need to", "ought", "urge", "call on")
    )))
    row["has_actor"] = float(any(actor for _, _, actor in mentions_in_sentence))
    words = len(sentence.text.split())
    row["log_words"] = math.log1p(words) / 4.0
    row["short"] = float(words < 4)
    row["past_root"] = float(cues.span.root.tag_ == "VBD")
    row["text"] = _DIGITS.sub("0", sentence.text.lower())
    return row


def document_rows(
    doc: Doc,
    sentences: Sequence[Sentence],
    mentions: Sequence[EntityMention],
    lex: Lexicon,
) -> tuple[list[dict[str, Any]], list[Cues]]:
    """Feature rows and cues for every sentence unit of a document."""
    verbs = verb_lemmas(doc)
    index = _mention_index(mentions)
    rows: list[dict[str, Any]] = []
    all_cues: list[Cues] = []
    cursor = 0
    for sentence in sentences:
        span = doc.char_span(sentence.start_char, sentence.end_char, alignment_mode="expand")
        if span is None:
            span = doc[0:0]
        while cursor < len(index) and index[cursor][1] <= sentence.start_char:
            cursor += 1
        inside = []
        j = cursor
        while j < len(index) and index[j][0] < sentence.end_char:
            inside.append(index[j])
            j += 1
        cues = analyse(span, lex, verbs)
        all_cues.append(cues)
        rows.append(sentence_features(sentence, cues, inside, lex))
    return rows, all_cues


def rows_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    columns = [*FEATURE_NAMES, "text"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(list(rows), columns=columns)


def build_detector(*, c: float = 0.5, min_df: int = 2, random_state: int = 0) -> Pipeline:
    """The detector: cue features and word n-grams, logistic regression, sigmoid calibration."""
    features = ColumnTransformer(
        [
            ("cues", "passthrough", list(FEATURE_NAMES)),
            (
                "ngrams",
                TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, max_features=4000),
                "text",
            ),
        ]
    )
    classifier = CalibratedClassifierCV(
        LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=random_state),
        method="sigmoid",
        cv=3,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def detect_recommendations(
    doc: Doc,
    sentences: Sequence[Sentence],
    mentions: Sequence[EntityMention],
    models: Any,
    config: Any,
) -> list[Candidate]:
    """Score every unit; return those at or above the configured threshold."""
    lex = lexicon_from(config)
    rows, all_cues = document_rows(doc, sentences, mentions, lex)
    if not rows:
        return []
    scores = models.detector.predict_proba(rows_frame(rows))[:, 1]
    threshold = float(config.get("recognise.recommendation_threshold"))
    return [
        Candidate(sentence=s, score=float(p), cues=c)
        for s, p, c in zip(sentences, scores, all_cues)
        if p >= threshold
    ]
