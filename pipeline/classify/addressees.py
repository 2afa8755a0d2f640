"""Addressees: who a recommendation asks to act, resolved to actor ids.

The subject of the prescription acts; for imperatives, agentless
prescriptions and first-person or generic subjects the addressee comes from
context, in the order ANNOTATION.md gives: the list's lead-in sentence, the
section headings (nearest first), then the audience the document declares
("this paper provides recommendations for ...") or, failing that, the
audience its cover names (the document's context). "The Government", "the
State", "the authorities" name the state of that context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from pipeline.classify.issuers import parenthesis_start
from pipeline.classify.mentions import MentionIndex, core_tokens, sentence_span
from pipeline.recognise.cues import Cues, Lexicon, analyse
from pipeline.recognise.recommendations import verb_lemmas
from pipeline.types import BlockKind, DocumentContext, Sentence

UNSPECIFIED = "unspecified"
_WORDS = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def _addressable_ids(ids: Sequence[str]) -> tuple[str, ...]:
    """Distinct actor ids in order; generated ids (``org:...``) name no addressee."""
    return tuple(dict.fromkeys(i for i in ids if i and ":" not in i))


class AddresseeResolver:
    """Explicit addressees of a unit, and the context chain for implicit ones."""

    def __init__(
        self, doc: Doc, sentences: Sequence[Sentence], index: MentionIndex, lex: Lexicon, taxonomy: Any = None,
        context: DocumentContext | None = None,
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
        context = context or DocumentContext()
        # a resolution's headings are filing lines ("United Kingdom ...: draft resolution") naming
        # its issuers, not sections addressed to anyone: its calls name their addressees or lead-ins
        self.headings_address = context.genre != "resolution"
        self.audience = self._declared_audience() or _addressable_ids(context.audience)
        # the state "the Government" and "the authorities" stand for: the audience's states, else the issuers'
        state_ids = getattr(getattr(taxonomy, "index", None), "state_ids", frozenset())
        self.context_states = tuple(a for a in context.audience if a in state_ids) or tuple(
            a for a in context.issuers if a in state_ids
        )

    def _acting(self, heads: Sequence[Any], *, owners: bool = False) -> tuple[str, ...]:
        """Actors of the noun phrases headed by ``heads``, without topic countries that only modify them.

        A topic country acts only as a phrase's head ("Belarus should ..."), never
        as a modifier of it ("Belarus's leader", "the Belarus policy") and never
        as the owner in an impersonal "of" phrase ("the Finlandization of Belarus").
        """
        found = _addressable_ids(self.index.actors_in_tokens(heads, core_only=True))
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
            found = self._acting(cues.addressee_tokens) or self.context_state(cues.addressee_tokens)
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
            found = self.context_state(active)
            if found:
                return found  # "The Government should ...": the state the document is about or for
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

    def context_state(self, heads: Sequence[Any]) -> tuple[str, ...]:
        """The context's state when a head is "the Government", "the State", "the authorities", "ministers"."""
        if not self.context_states:
            return ()
        for head in heads:
            for token in (head, *head.conjuncts):
                if token.lemma_.lower() not in self.lex.context_state_heads and token.lower_ not in self.lex.context_state_heads:
                    continue
                definite = any(c.dep_ == "det" and c.lower_ == "the" for c in token.children)
                if definite or token.tag_ == "NNS":
                    return self.context_states
        return ()

    def reporting_bodies(self, cues: Cues) -> tuple[str, ...]:
        """Who made a reported call: "The Committee recommended ...", "Witnesses urged ..."."""
        if not cues.reporters:
            return ()
        return self._acting(cues.reporters) or self.context_state(cues.reporters)

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
            for t in core_tokens(head)
            if t.dep_ == "amod" and t.text[:1].isupper()
        ]
        return _addressable_ids([o for o in owners if o])

    def for_sentence_text(self, text: str | None) -> tuple[str, ...]:
        """Explicit addressees of another unit given by its text (a list lead-in)."""
        if not text:
            return ()
        sentence = self._by_text.get(text)
        if sentence is None:
            return ()
        cues = analyse(sentence_span(self.doc, sentence), self.lex, self.verbs)
        found = self.explicit(cues)
        if found:
            return found
        if text.rstrip().endswith(":"):
            # "The EU should:" / "For NATO:" / "Recommendations to Lithuania:"
            return _addressable_ids(m.actor_id for m in self.index.within(sentence.start_char, sentence.end_char))
        return ()

    def for_heading(self, heading: str) -> tuple[str, ...]:
        """Actors a heading addresses: "Recommendations for the EU", "NATO", "What the EU should do"."""
        if heading in self._heading_cache:
            return self._heading_cache[heading]
        sentence = self._by_text.get(heading)
        found: tuple[str, ...] = ()
        if sentence is not None and sentence.block_kind is BlockKind.HEADING:
            # names in a closing "(Germany) (Chile);" are recommenders, never whom a heading addresses
            cut = parenthesis_start(heading)
            end = sentence.start_char + cut if cut is not None else sentence.end_char
            mentions = self.index.within(sentence.start_char, end)
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
                cues = analyse(sentence_span(self.doc, sentence), self.lex, self.verbs)
                if cues.form in {"modal", "semi_modal"} and cues.subject:
                    found = _addressable_ids(self.index.actors_in_tokens(cues.subject))
                elif addressed or only_actors:
                    found = _addressable_ids(m.actor_id for m in mentions)
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
                span = sentence_span(self.doc, sentence)
                heads = [
                    pobj
                    for token in span
                    if token.idx < cue_end <= token.idx + len(token) + 1 and token.dep_ in {"prep", "agent", "dative"}
                    for pobj in token.children
                    if pobj.dep_ == "pobj"
                ]
                found = _addressable_ids(self.index.actors_in_tokens(heads, core_only=True)) if heads else ()
                if not found:
                    tail = sentence.text[cue_end - sentence.start_char :]
                    stop = re.search(r"\s(on|in|about|regarding|concerning|considering|to|how)\s", tail)
                    end = cue_end + (stop.start() if stop else len(tail))
                    found = _addressable_ids(m.actor_id for m in self.index.within(cue_end, end))
                if found:
                    return found
        return ()

    def contextual(self, sentence: Sentence) -> tuple[str, ...]:
        """The implicit addressee: list lead-in, then headings (nearest first), then audience."""
        found = self.for_sentence_text(sentence.list_lead)
        if found:
            return found
        for heading in reversed(sentence.section) if self.headings_address else ():
            found = self.for_heading(heading)
            if found:
                return found
        return self.audience
