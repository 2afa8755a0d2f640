"""Classify: turn detected units into Recommendation records.

Each candidate unit gets its addressees, targets, instruments, modality,
polarity and measure text; the modules beside this one answer each question.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from pipeline.classify.addressees import UNSPECIFIED, AddresseeResolver
from pipeline.classify.issuers import issuer_reason, parenthesis_start, recommending_states, unit_issuers
from pipeline.classify.instruments import choose_instruments, instrument_text, predict_instrument_proba
from pipeline.classify.mentions import MentionIndex, sentence_span
from pipeline.classify.modality import modality_of, polarity_of
from pipeline.classify.targets import inherit_implicit_targets, targets_of
from pipeline.recognise.cues import Cues, measure_text
from pipeline.recognise.recommendations import Candidate, lexicon_from
from pipeline.types import DocumentContext, DocumentLayout, EntityMention, Recommendation, Sentence


def _addressees_of(
    resolver: AddresseeResolver, cues: Cues, sentence: Sentence, previous: tuple[str, ...], previous_block: int,
    recommenders: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """Explicit addressees, else the last unit's for a pronoun in its block, else context, else unspecified.

    The unit's recommenders (the states in its closing parenthesis) are never
    its addressees for that role, at any step.
    """
    def without_recommenders(found: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a for a in found if a not in recommenders)

    addressees = without_recommenders(resolver.explicit(cues))
    pronoun_subject = any(t.lower_ in {"it", "they", "this", "these"} for t in cues.subject)
    if not addressees and pronoun_subject and sentence.block_index == previous_block and previous:
        addressees = previous  # "They should also ..." continues the last named addressee
    if not addressees:
        addressees = without_recommenders(resolver.contextual(sentence))
    if not addressees:
        addressees = (UNSPECIFIED,)
    return addressees


def _without_recommenders(measure: str, recommenders: tuple[str, ...]) -> str:
    """The measure without its closing "(Germany)": who recommends it is not what it asks."""
    cut = parenthesis_start(measure) if recommenders else None
    return measure[:cut].rstrip(" ;,.") if cut else measure


def classify_document(
    doc: Doc,
    sentences: Sequence[Sentence],
    candidates: Sequence[Candidate],
    mentions: Sequence[EntityMention],
    layout: DocumentLayout,
    models: Any,
    config: Any,
    *,
    context: DocumentContext | None = None,
) -> tuple[Recommendation, ...]:
    """Addressees, targets, issuers, instruments, modality, polarity and measure for each candidate."""
    if not candidates:
        return ()
    context = context or DocumentContext()
    lex = lexicon_from(config)
    index = MentionIndex.build(mentions)
    resolver = AddresseeResolver(doc, sentences, index, lex, config.actors, context=context)
    state_ids = getattr(getattr(config.actors, "index", None), "state_ids", frozenset())
    topic_countries = resolver.topic_countries

    texts = [instrument_text(c.sentence.text, c.sentence, c.cues) for c in candidates]
    measures = [measure_text(c.cues) for c in candidates]
    instrument_ids = list(models.instrument_labels)
    probabilities = predict_instrument_proba(models.instruments, texts, measures, config.instruments)
    threshold = float(config.get("classify.instrument_threshold"))
    max_instruments = int(config.get("classify.max_instruments"))

    records: list[Recommendation] = []
    previous: tuple[str, ...] = ()
    previous_block = -1
    for candidate, measure, probs in zip(candidates, measures, probabilities):
        sentence, cues = candidate.sentence, candidate.cues
        span = sentence_span(doc, sentence)
        recommenders = recommending_states(sentence.text, config.actors)
        addressees = _addressees_of(resolver, cues, sentence, previous, previous_block, recommenders)
        targets = targets_of(cues, addressees, index, span, topic_countries)
        issuers = unit_issuers(recommenders, resolver.reporting_bodies(cues) if cues.reported else (),
                               cues.reported, context.issuers, context.genre, state_ids)
        records.append(
            Recommendation(
                id=f"{layout.doc_id}:{sentence.index}",
                doc_id=layout.doc_id,
                text=sentence.text,
                page=sentence.page,
                bbox=sentence.bboxes[0] if sentence.bboxes else None,
                section=sentence.section,
                addressees=addressees,
                targets=targets,
                issuers=issuers,
                issuer_reason=issuer_reason(issuers, cues.reported, context.genre),
                instruments=choose_instruments(probs, instrument_ids, threshold, max_instruments),
                modality=modality_of(cues, sentence.text, lex),
                polarity=polarity_of(cues, lex),
                reported=cues.reported,
                score=candidate.score,
                sentence_index=sentence.index,
                measure=_without_recommenders(measure or sentence.text, recommenders),
            )
        )
        previous, previous_block = addressees, sentence.block_index
    return inherit_implicit_targets(records, config.instruments, int(config.get("classify.implicit_target_min_support")))
