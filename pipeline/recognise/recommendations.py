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

DISCOURSE_VERBS = frozenset({"note", "say", "mention", "stress", "emphasise", "emphasize", "remember", "add", "point", "underline", "admit", "recall"})
PRONOUN_SUBJECTS = frozenset({"it", "this", "that", "they", "he", "she", "which", "who", "these", "those"})
KIND_GROUPS = {
    BlockKind.HEADING: "heading",
    BlockKind.LIST_ITEM: "list_item",
    BlockKind.PARAGRAPH: "paragraph",
    BlockKind.PULL_QUOTE: "paragraph",
    BlockKind.FOOTNOTE: "footnote",
}
# Footnotes, captions and tables do not prescribe, whatever their grammar.
NON_BODY_KINDS = frozenset({BlockKind.FOOTNOTE, BlockKind.CAPTION, BlockKind.TABLE})
_DIGITS = re.compile(r"\d+")

FEATURE_NAMES: tuple[str, ...] = (
    # Cues are grouped by what ANNOTATION.md says makes a recommendation, so
    # that what one paper teaches carries to papers written in another style:
    # a model that saw only modals still scores imperatives and performatives.
    # Separate features per form, section or list position were tried and
    # dropped: trained on one paper they learn that paper's habits (held-out
    # detection F1 fell from about 0.81 to 0.33). Section and list context
    # enter through the cues (gerund items under a prescribing lead-in) and
    # through addressee inheritance instead.
    "prescriptive",  # any strong form of prescription in body text
    "weak_prescriptive",  # could / may / might with a subject
    "reported",
    "subject_actor",
    "subject_generic",
    "subject_pronoun",
    "subject_author",
    "negated",
    "gerund_item",
    "counterfactual",
    "prediction_only",
    "conditional",
    "question",
    "non_body",
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
    lead_cues: Cues | None = None,
) -> dict[str, Any]:
    """One feature row: the numeric cue features and the normalised text.

    ``lead_cues`` are the cues of the sentence that introduces a list item.
    """
    row: dict[str, Any] = dict.fromkeys(FEATURE_NAMES, 0.0)
    body = sentence.block_kind not in NON_BODY_KINDS
    item = sentence.block_kind in (BlockKind.LIST_ITEM, BlockKind.HEADING)
    strength = "must" if cues.form == "impersonal" else lex.modal_strength.get(cues.modal or "", "")
    if cues.form == "semi_modal":
        strength = "must"
    weak = cues.form in {"modal", "semi_modal"} and strength == "could"
    lead = (sentence.list_lead or "").lower()
    lead_prescribes = lead_cues is not None and lead_cues.form != "none" and lead.rstrip().endswith(":")
    # "We urge NATO to issue warrants against:" + "• All officials involved in ...": the
    # item completes its lead-in's prescription; so does a gerund item ("Establishing a body").
    completes_lead = sentence.block_kind is BlockKind.LIST_ITEM and lead_prescribes and cues.form == "none"
    if body and (cues.form != "none" or completes_lead):
        row["weak_prescriptive" if weak else "prescriptive"] = 1.0
    row["reported"] = float(cues.reported)
    subject_chars = [(t.idx, t.idx + len(t)) for head in cues.subject for t in head.subtree]
    row["subject_actor"] = float(bool(subject_chars) and _has_actor_in(subject_chars, mentions_in_sentence))
    row["subject_generic"] = float(any(t.lemma_.lower() in lex.generic_actor_heads or t.lower_ in lex.generic_actor_heads for t in cues.subject))
    row["subject_pronoun"] = float(any(t.lower_ in PRONOUN_SUBJECTS for t in cues.subject))
    row["subject_author"] = float(cues.author_subject)
    row["negated"] = float(cues.negated)
    row["gerund_item"] = float(cues.gerund and item and (lead_prescribes or in_recommendation_section(sentence.section, lex)))
    row["counterfactual"] = float(cues.counterfactual)
    row["prediction_only"] = float(cues.prediction and cues.form == "none")
    row["conditional"] = float(cues.conditional)
    row["question"] = float(cues.question)
    row["non_body"] = float(not body)
    row["has_actor"] = float(any(actor for _, _, actor in mentions_in_sentence))
    words = len(sentence.text.split())
    row["log_words"] = math.log1p(words) / 4.0
    row["short"] = float(words < 4)
    row["past_root"] = float(cues.span.root.tag_ == "VBD" and cues.form == "none")
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
    by_text: dict[str, Cues] = {}
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
        lead_cues = by_text.get(sentence.list_lead) if sentence.list_lead else None
        rows.append(sentence_features(sentence, cues, inside, lex, lead_cues))
        by_text.setdefault(sentence.text, cues)
    return rows, all_cues


def rows_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    columns = [*FEATURE_NAMES, "text"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(list(rows), columns=columns)


def build_detector(
    *, c: float, min_df: int, ngram_weight: float, max_ngrams: int, calibration_folds: int, max_iter: int,
    random_state: int,
) -> Pipeline:
    """The detector: cue features and word n-grams, logistic regression, sigmoid calibration.

    The arguments are ``train.detector`` in the settings. N-grams are
    down-weighted: on a few papers they learn topic words, which do not carry
    to other papers; the cue features do.
    """
    features = ColumnTransformer(
        [
            ("cues", "passthrough", list(FEATURE_NAMES)),
            (
                "ngrams",
                TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, max_features=max_ngrams),
                "text",
            ),
        ],
        transformer_weights={"cues": 1.0, "ngrams": ngram_weight},
    )
    classifier = CalibratedClassifierCV(
        LogisticRegression(C=c, class_weight="balanced", max_iter=max_iter, random_state=random_state),
        method="sigmoid",
        cv=calibration_folds,
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
    rows, all_cues = document_rows(doc, sentences, mentions, lexicon_from(config))
    return candidates_from(sentences, rows, all_cues, models, config)


def candidates_from(
    sentences: Sequence[Sentence], rows: Sequence[Any], cues: Sequence[Any], models: Any, config: Any,
) -> list[Candidate]:
    """The units whose detector score, from their feature rows, reaches the configured threshold."""
    if not rows:
        return []
    scores = models.detector.predict_proba(rows_frame(rows))[:, 1]
    threshold = float(config.get("recognise.recommendation_threshold"))
    return [
        Candidate(sentence=s, score=float(p), cues=c)
        for s, p, c in zip(sentences, scores, cues)
        if p >= threshold
    ]
