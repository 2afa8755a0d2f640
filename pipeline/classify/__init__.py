"""Classify: turn detected units into Recommendation records.

Addressees are the subject of the prescription resolved to actor ids; for
imperatives, agentless prescriptions and first-person or generic subjects they
come from context, in the order ANNOTATION.md gives: the list's lead-in
sentence, the section headings (nearest first), then the audience the document
declares ("this paper provides recommendations for ..."). Targets are the
actors in the measure's objects and complements; a unit naming none takes the
target its paper usually names for measures of the same kind (sanctions and
investigations act on the paper's adversary, aid on its beneficiary).
Instruments come from the
trained multi-label classifier; modality, polarity and reported speech from the
parse cues.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.classify.instruments import choose_instruments, instrument_text, predict_instrument_proba
from pipeline.recognise.cues import Cues, Lexicon, analyse, measure_text
from pipeline.recognise.recommendations import Candidate, lexicon_from, verb_lemmas
from pipeline.taxonomy import InstrumentTaxonomy
from pipeline.types import BlockKind, DocumentLayout, EntityMention, Recommendation, Sentence

UNSPECIFIED = "unspecified"
MAX_MENTION_CHARS = 200  # longer names do not occur; bounds the look-back
_WORDS = re.compile(r"[A-Za-z][A-Za-z'\-]*")


@dataclass(frozen=True)
class MentionIndex:
    """Actor mentions of a document sorted by offset, for range look-ups."""

    starts: tuple[int, ...]
    mentions: tuple[EntityMention, ...]

    @classmethod
    def build(cls, mentions: Sequence[EntityMention]) -> MentionIndex:
        ordered = tuple(sorted((m for m in mentions if m.actor_id), key=lambda m: m.start_char))
        return cls(starts=tuple(m.start_char for m in ordered), mentions=ordered)

    def within(self, start: int, end: int) -> list[EntityMention]:
        i = bisect.bisect_left(self.starts, start)
        found = []
        while i < len(self.starts) and self.starts[i] < end:
            if self.mentions[i].end_char <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    def actors_in_tokens(self, tokens: Sequence[Any], *, core_only: bool = False) -> list[str]:
        """Actor ids of mentions in the tokens' phrases, in text order.

        ``core_only`` keeps the noun phrase itself (determiners, adjectives,
        compounds, possessives, conjuncts, appositions) and leaves out what
        hangs on it through prepositions and clauses: in "practices against
        Belarusians in the West" neither Belarusians nor the West act.
        """
        ids: list[str] = []
        for token in tokens:
            phrase = _core_tokens(token) if core_only else list(token.subtree)
            for piece in sorted(phrase, key=lambda t: t.i):
                for mention in self.overlapping(piece.idx, piece.idx + len(piece)):
                    if mention.actor_id not in ids:
                        ids.append(mention.actor_id)
        return ids

    def overlapping(self, start: int, end: int) -> list[EntityMention]:
        """Mentions that share at least one character with [start, end)."""
        i = bisect.bisect_left(self.starts, end) - 1
        found = []
        while i >= 0 and start - self.starts[i] < MAX_MENTION_CHARS:
            if self.mentions[i].end_char > start:
                found.append(self.mentions[i])
            i -= 1
        return found[::-1]


CORE_DEPS = frozenset({"det", "amod", "compound", "poss", "conj", "cc", "appos", "nmod", "case", "predet", "nummod", "quantmod", "advmod", "npadvmod", "punct"})


def _core_tokens(head: Any) -> list[Any]:
    """The head and the modifiers that name it, not prepositional or clausal attachments."""
    found = [head]
    stack = [head]
    while stack:
        token = stack.pop()
        for child in token.children:
            if child.dep_ in CORE_DEPS:
                found.append(child)
                stack.append(child)
            elif child.dep_ == "prep" and child.lower_ in {"of", "from"} and token.dep_ not in {"pobj"}:
                # "the focus of Western action", "pressure from the West": the owner acts
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        found.extend(_core_tokens(pobj))
            elif child.dep_ == "acl":
                # "the policy adopted by the West": the agent acts
                for agent in child.children:
                    if agent.dep_ == "agent":
                        found.extend(agent.subtree)
    return found


def _unique(ids: Sequence[str]) -> tuple[str, ...]:
    """Distinct actor ids in order; generated ids (``org:...``) name no addressee."""
    return tuple(dict.fromkeys(i for i in ids if i and ":" not in i))


def _span(doc: Doc, sentence: Sentence) -> Span:
    span = doc.char_span(sentence.start_char, sentence.end_char, alignment_mode="expand")
    return span if span is not None else doc[0:0]


class AddresseeResolver:
    """Explicit addressees of a unit, and the context chain for implicit ones."""

    def __init__(
        self, doc: Doc, sentences: Sequence[Sentence], index: MentionIndex, lex: Lexicon, taxonomy: Any = None
    ) -> None:
        self.taxonomy = taxonomy
        self.doc = doc
        self.sentences = sentences
        self.index = index
        self.lex = lex
        self.verbs = verb_lemmas(doc)
        self._by_text = {}
        for s in sentences:
            self._by_text.setdefault(s.text, s)
        self._heading_cache: dict[str, tuple[str, ...]] = {}
        # countries whose own actors the taxonomy lists (the paper's topic): named
        # as a modifier ("the West's Belarus policy") they say what, not who
        actors = getattr(taxonomy, "actors", None) or {}
        self.topic_countries = frozenset(a.anchor for a in actors.values() if getattr(a, "anchor", None))
        self.audience = self._declared_audience()

    def _acting(self, heads: Sequence[Any], *, owners: bool = False) -> tuple[str, ...]:
        """Actors of the noun phrases headed by ``heads``, without topic countries that only modify them.

        A topic country acts only as a phrase's head ("Belarus should ..."), never
        as a modifier of it ("Belarus's leader", "the Belarus policy") and never
        as the owner in an impersonal "of" phrase ("the Finlandization of Belarus").
        """
        found = _unique(self.index.actors_in_tokens(heads, core_only=True))
        if not self.topic_countries or not any(a in self.topic_countries for a in found):
            return found
        heading = set()
        if not owners:
            for head in heads:
                for token in (head, *head.conjuncts, *(c for c in head.children if c.dep_ == "appos")):
                    heading.update(m.actor_id for m in self.index.overlapping(token.idx, token.idx + len(token)))
        return tuple(a for a in found if a not in self.topic_countries or a in heading)

    def explicit(self, cues: Cues) -> tuple[str, ...]:
        """Actors the unit itself names as the ones to act.

        The subject of an active prescription acts; the subject of a passive
        one ("the regime must be deprived of aid") is acted upon, and the
        agent ("by other governments"), if any, acts.
        """
        if cues.addressee_tokens:
            found = self._acting(cues.addressee_tokens)
            if found:
                return found
        if cues.verb is not None and cues.form in {"modal", "semi_modal", "impersonal"}:
            agents = [pobj for agent in cues.verb.children if agent.dep_ == "agent" for pobj in agent.children if pobj.dep_ == "pobj"]
            if agents:
                return self._acting(agents)
        passive_verb = cues.verb is not None and any(c.dep_ == "auxpass" for c in cues.verb.children)
        active = [] if passive_verb and cues.form != "passive" else [t for t in cues.subject if t.dep_ != "nsubjpass"]
        if active and not cues.author_subject:
            found = self._acting(active)
            if found:
                return found
            found = self._demonym_owners(active)
            if found:
                return found  # "Western policy should ...": the West
        if cues.form in {"semi_modal", "impersonal"} and cues.verb is not None:
            # "it requires action of all democratic countries", "in the interest of the West to"
            owners = [
                pobj
                for holder in [cues.verb, *[c for c in cues.verb.children if c.dep_ == "dobj"], *self._predicates(cues)]
                for prep in holder.children
                if prep.dep_ == "prep" and prep.lower_ in {"of", "from", "by"}
                for pobj in prep.children
                if pobj.dep_ == "pobj"
            ]
            found = self._acting(owners, owners=True)
            if found:
                return found
        return ()

    @staticmethod
    def _predicates(cues: Cues) -> list[Any]:
        """Nouns of an impersonal predicate ("interest" in "it is in the interest of X to")."""
        root = cues.span.root
        return [pobj for prep in root.children if prep.dep_ == "prep" for pobj in prep.children if pobj.dep_ == "pobj"]

    def _demonym_owners(self, heads: Sequence[Any]) -> tuple[str, ...]:
        if self.taxonomy is None or not hasattr(self.taxonomy, "demonym_owner"):
            return ()
        owners = [
            self.taxonomy.demonym_owner(t.text)
            for head in heads
            for t in _core_tokens(head)
            if t.dep_ == "amod" and t.text[:1].isupper()
        ]
        return _unique([o for o in owners if o])

    def for_sentence_text(self, text: str | None) -> tuple[str, ...]:
        """Explicit addressees of another unit given by its text (a list lead-in)."""
        if not text:
            return ()
        sentence = self._by_text.get(text)
        if sentence is None:
            return ()
        cues = analyse(_span(self.doc, sentence), self.lex, self.verbs)
        found = self.explicit(cues)
        if found:
            return found
        if text.rstrip().endswith(":"):
            # "The EU should:" / "For NATO:" / "Recommendations to Lithuania:"
            return _unique(m.actor_id for m in self.index.within(sentence.start_char, sentence.end_char))
        return ()

    def for_heading(self, heading: str) -> tuple[str, ...]:
        """Actors a heading addresses: "Recommendations for the EU", "NATO", "What the EU should do"."""
        if heading in self._heading_cache:
            return self._heading_cache[heading]
        sentence = self._by_text.get(heading)
        found: tuple[str, ...] = ()
        if sentence is not None and sentence.block_kind is BlockKind.HEADING:
            mentions = self.index.within(sentence.start_char, sentence.end_char)
            if mentions:
                lowered = heading.lower()
                words = _WORDS.findall(heading)
                mention_words = sum(len(_WORDS.findall(m.text)) for m in mentions)
                before_first = lowered[: max(mentions[0].start_char - sentence.start_char, 0)]
                # "Recommendations for the EU", "For NATO", "To the Government of X"
                addressed = any(cue in lowered for cue in self.lex.audience_cues) or bool(
                    re.fullmatch(r"[\W\d]*(?:[a-z][.)]\s*)?(for|to)\s+(the\s+)?", before_first)
                )
                only_actors = words and mention_words / len(words) >= 0.6
                cues = analyse(_span(self.doc, sentence), self.lex, self.verbs)
                if cues.form in {"modal", "semi_modal"} and cues.subject:
                    found = _unique(self.index.actors_in_tokens(cues.subject))
                elif addressed or only_actors:
                    found = _unique(m.actor_id for m in mentions)
        self._heading_cache[heading] = found
        return found

    def _declared_audience(self) -> tuple[str, ...]:
        """Actors of the first sentence that declares whom the document advises.

        Only the noun phrases the cue governs count ("recommendations for
        Lithuania, the EU and NATO on how to address the crisis in Belarus"
        names Lithuania, the EU and NATO, not Belarus).
        """
        for sentence in self.sentences:
            lowered = sentence.text.lower()
            for cue in self.lex.audience_cues:
                at = lowered.find(cue)
                if at < 0:
                    continue
                cue_end = sentence.start_char + at + len(cue)
                span = _span(self.doc, sentence)
                heads = [
                    pobj
                    for token in span
                    if token.idx < cue_end <= token.idx + len(token) + 1 and token.dep_ in {"prep", "agent", "dative"}
                    for pobj in token.children
                    if pobj.dep_ == "pobj"
                ]
                found = _unique(self.index.actors_in_tokens(heads, core_only=True)) if heads else ()
                if not found:
                    tail = sentence.text[cue_end - sentence.start_char :]
                    stop = re.search(r"\s(on|in|about|regarding|concerning|considering|to|how)\s", tail)
                    end = cue_end + (stop.start() if stop else len(tail))
                    found = _unique(m.actor_id for m in self.index.within(cue_end, end))
                if found:
                    return found
        return ()

    def contextual(self, sentence: Sentence) -> tuple[str, ...]:
        """The implicit addressee: list lead-in, then headings (nearest first), then audience."""
        found = self.for_sentence_text(sentence.list_lead)
        if found:
            return found
        for heading in reversed(sentence.section):
            found = self.for_heading(heading)
            if found:
                return found
        return self.audience


def modality_of(cues: Cues, text: str, lex: Lexicon) -> str:
    """must / should / could, from the modal and strong or weak markers."""
    words = {w.lower() for w in _WORDS.findall(text)}
    strength = lex.modal_strength.get(cues.modal or "", "")
    if cues.form == "impersonal":
        return "must"
    if cues.form == "semi_modal":
        return "must"
    if strength:
        return strength
    if cues.verb is not None and cues.verb.lemma_.lower() in {"consider", "explore"}:
        return "could"
    if words & {"must", "necessary", "essential", "imperative", "crucial"}:
        return "must"
    if words & {"could", "might", "may"}:
        return "could"
    return "should"


def polarity_of(cues: Cues, lex: Lexicon) -> str:
    if cues.negated:
        return "refrain"
    if cues.verb is not None and cues.verb.lemma_.lower() in lex.refrain_verbs:
        return "refrain"
    return "do"


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


def classify_document(
    doc: Doc,
    sentences: Sequence[Sentence],
    candidates: Sequence[Candidate],
    mentions: Sequence[EntityMention],
    layout: DocumentLayout,
    models: Any,
    config: Any,
) -> tuple[Recommendation, ...]:
    """Addressees, targets, instruments, modality, polarity and measure for each candidate."""
    if not candidates:
        return ()
    lex = lexicon_from(config)
    index = MentionIndex.build(mentions)
    resolver = AddresseeResolver(doc, sentences, index, lex, config.actors)
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
        span = _span(doc, sentence)
        addressees = resolver.explicit(cues)
        pronoun_subject = any(t.lower_ in {"it", "they", "this", "these"} for t in cues.subject)
        if not addressees and pronoun_subject and sentence.block_index == previous_block and previous:
            addressees = previous  # "They should also ..." continues the last named addressee
        if not addressees:
            addressees = resolver.contextual(sentence)
        if not addressees:
            addressees = (UNSPECIFIED,)
        targets = targets_of(cues, addressees, index, span, topic_countries)
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
                instruments=choose_instruments(probs, instrument_ids, threshold, max_instruments),
                modality=modality_of(cues, sentence.text, lex),
                polarity=polarity_of(cues, lex),
                reported=cues.reported,
                score=candidate.score,
                sentence_index=sentence.index,
                measure=measure or sentence.text,
            )
        )
        previous, previous_block = addressees, sentence.block_index
    return inherit_implicit_targets(records, config.instruments, int(config.get("classify.implicit_target_min_support")))
