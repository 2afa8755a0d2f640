"""Targets: the actors a measure acts on.

They are the actors in the measure's objects and aimed complements
("sanctions *against X*"). A unit naming none takes the target its paper
usually names for measures of the same kind: sanctions and investigations act
on the paper's adversary, aid on its beneficiary.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Span

from pipeline.classify.mentions import MentionIndex
from pipeline.recognise.cues import Cues
from pipeline.taxonomy import InstrumentTaxonomy
from pipeline.types import Recommendation

# Prepositions that place or time a measure rather than aim it: "sanctions in
# Belarus", "talks during the summit". Targets hang on the others ("sanctions
# against X", "pressure on X", "support to X", "engagement with X").
NON_TARGET_PREPS = frozenset({
    "in", "inside", "within", "across", "throughout", "during", "after", "before", "since", "until",
    "by", "among", "amongst", "including", "regarding", "about", "concerning", "via", "under", "despite",
    "like", "as", "than", "beyond", "outside", "from",
})
NON_TARGET_DEPS = frozenset({"advcl", "mark", "relcl", "parataxis", "appos", "npadvmod"})


def _measure_tokens(verb: Any, excluded: set[int]) -> set[int]:
    """Token indices of the measure's objects and aimed complements."""
    kept: set[int] = set()
    stack = [verb]
    while stack:
        token = stack.pop()
        if token.i in excluded:
            continue
        kept.add(token.i)
        for child in token.children:
            if child.i in excluded or child.dep_ in NON_TARGET_DEPS:
                continue
            if child.dep_ in {"prep", "agent"} and child.lower_ in NON_TARGET_PREPS:
                continue
            stack.append(child)
    return kept


def targets_of(
    cues: Cues, addressees: Sequence[str], index: MentionIndex, span: Span, topic_countries: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Actors in the measure's objects and aimed complements (not its subject or addressees).

    Generated ids (``org:...``) are left out: a target is an actor of the taxonomy
    or a country. ``topic_countries`` are countries whose own actors the
    taxonomy models (anchors of its domestic groups): their bare name is the
    paper's topic, and ANNOTATION.md asks for the most specific actor instead.
    """
    verb = cues.verb
    excluded = cues.subject_tokens | {t.i for a in cues.addressee_tokens for t in a.subtree}
    if verb is None or not (span.start <= verb.i < span.end):
        token_ids = {t.i for t in span if t.i not in excluded}
    elif verb.pos_ not in {"VERB", "AUX"}:
        # a mis-tagged imperative ("Deter" parsed as a noun): its objects are not
        # its children, so the rest of the unit is the measure (as in measure_text)
        token_ids = {t.i for t in span if t.i >= verb.i and t.i not in excluded}
    else:
        token_ids = _measure_tokens(verb, excluded)
        for conj in verb.conjuncts:  # "impose sanctions and freeze assets of X"
            if span.start <= conj.i < span.end:
                token_ids |= _measure_tokens(conj, excluded)
    ids: list[str] = []
    for mention in index.within(span.start_char, span.end_char):
        actor = mention.actor_id
        if not actor or ":" in actor or actor in addressees or actor in ids or actor in topic_countries:
            continue
        covered = span.doc.char_span(mention.start_char, mention.end_char, alignment_mode="expand")
        if covered is not None and any(t.i in token_ids for t in covered):
            ids.append(actor)
    return tuple(ids)


def inherit_implicit_targets(
    records: Sequence[Recommendation], instruments: InstrumentTaxonomy, min_support: int
) -> tuple[Recommendation, ...]:
    """Give units that name no target the paper's usual target for the role their measure acts on.

    "Increase pressure" or "investigate the crimes" act on someone the paper
    has named elsewhere: ANNOTATION.md counts the regime as their target. The
    role is the first instrument's ``acts_on`` (adversary or beneficiary), and
    the paper's usual target for a role is the one its other units name most
    often for it, when at least ``min_support`` of them do. Such targets are
    marked ``targets_inferred``.
    """
    if min_support <= 0:
        return tuple(records)

    def role_of(record: Recommendation) -> str:
        first = instruments.instruments.get(record.instruments[0]) if record.instruments else None
        return first.acts_on if first else "none"

    named: dict[str, Counter[str]] = {}
    for record in records:
        if record.targets and role_of(record) != "none":
            named.setdefault(role_of(record), Counter()).update(dict.fromkeys(record.targets, 1))
    usual = {}
    for role, counts in named.items():
        (target, support), *rest = counts.most_common(2)
        if support >= min_support and not (rest and rest[0][1] == support):  # a tie is no usual target
            usual[role] = target
    updated = []
    for record in records:
        target = usual.get(role_of(record))
        if not record.targets and target and target not in record.addressees:
            record = dataclasses.replace(record, targets=(target,), targets_inferred=True)
        updated.append(record)
    return tuple(updated)
