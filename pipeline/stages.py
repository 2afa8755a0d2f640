"""The stages wired once, for a run and for training alike.

``parse_document`` reads a PDF (or takes a cached layout), segments it and
finds its actor mentions: everything that needs no trained model.
``recommend`` scores the units with the detector and classifies the
recommendations. ``analyse_document`` is the two in a row. The runner calls
``analyse_document`` in its workers; ``policygraph train`` calls
``parse_document`` to build its training rows and ``recommend`` to score
held-out documents, so both go through the same wiring.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.types import DocumentContext, DocumentLayout, DocumentResult, EntityMention, Recommendation, Sentence


@dataclass(frozen=True)
class ParsedDocument:
    """A document read, segmented and with its actor mentions: the input of the trained stages."""

    doc_id: str
    path: str
    layout: DocumentLayout
    doc: Any  # the spaCy Doc
    sentences: tuple[Sentence, ...]
    mentions: tuple[EntityMention, ...]
    context: DocumentContext = DocumentContext()
    mention_seconds: float = 0.0  # counted with the recognise stage


def parse_document(
    path: str | Path, doc_id: str, config: Config, nlp: Any, *,
    layout: DocumentLayout | None = None, timings: dict[str, float] | None = None,
) -> ParsedDocument:
    """Extract (unless ``layout`` is given), segment, find the actor mentions and read the document's context."""
    from pipeline.extract import extract_document
    from pipeline.recognise.actors import actor_mentions
    from pipeline.recognise.context import read_context, with_home_state
    from pipeline.segment import segment_layout

    timings = {} if timings is None else timings
    if layout is None:
        started = time.perf_counter()
        layout = extract_document(
            path, settings=config.settings["extract"], backend=config.get("extract.backend"), doc_id=doc_id,
        )
        timings["extract"] = time.perf_counter() - started

    started = time.perf_counter()
    doc, sentences = segment_layout(layout, nlp, batch_size=config.get("segment.batch_size"))
    timings["segment"] = time.perf_counter() - started

    started = time.perf_counter()
    mentions = tuple(actor_mentions(doc, sentences, doc_id, config.actors))
    state_ids = config.actors.index.state_ids if config.actors.index is not None else frozenset()
    context = with_home_state(
        read_context(layout, config.actors), [m.actor_id for m in mentions if m.actor_id], state_ids,
        min_share=config.get("recognise.home_state_min_share"), min_mentions=config.get("recognise.home_state_min_mentions"),
    )
    return ParsedDocument(doc_id, str(path), layout, doc, tuple(sentences), mentions, context,
                          time.perf_counter() - started)


def recommend(
    parsed: ParsedDocument, models: Any, config: Config, *,
    rows_and_cues: tuple[Sequence[Any], Sequence[Any]] | None = None, timings: dict[str, float] | None = None,
) -> tuple[Recommendation, ...]:
    """Detect the recommendations of a parsed document and classify them.

    ``rows_and_cues`` are the detector's feature rows and cues when the
    caller has them already (training builds them to fit the detector).
    """
    from pipeline.classify import classify_document
    from pipeline.recognise.recommendations import candidates_from, document_rows, lexicon_from

    timings = {} if timings is None else timings
    started = time.perf_counter()
    if rows_and_cues is None:
        rows_and_cues = document_rows(parsed.doc, parsed.sentences, parsed.mentions, lexicon_from(config))
    rows, cues = rows_and_cues
    candidates = candidates_from(parsed.sentences, rows, cues, models, config)
    timings["recognise"] = parsed.mention_seconds + time.perf_counter() - started

    started = time.perf_counter()
    recommendations = classify_document(
        parsed.doc, parsed.sentences, candidates, parsed.mentions, parsed.layout, models, config,
        context=parsed.context,
    )
    timings["classify"] = time.perf_counter() - started
    return tuple(recommendations)


def analyse_document(
    path: str | Path, doc_id: str, config: Config, nlp: Any, models: Any, *,
    layout: DocumentLayout | None = None, timings: dict[str, float] | None = None,
) -> DocumentResult:
    """Every per-document stage: extract, segment, recognise, classify."""
    timings = {} if timings is None else timings
    parsed = parse_document(path, doc_id, config, nlp, layout=layout, timings=timings)
    recommendations = recommend(parsed, models, config, timings=timings)
    return DocumentResult(
        doc_id=doc_id,
        path=str(path),
        layout=parsed.layout,
        sentences=parsed.sentences,
        entities=parsed.mentions,
        recommendations=recommendations,
        context=parsed.context,
    )
