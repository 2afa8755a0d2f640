"""Where actors stand in a unit's parse: its span, its actor mentions, the core of a noun phrase.

Addressees and targets both ask which actors a phrase names; they share one
index of the document's mentions so that each question is a range look-up.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.types import EntityMention, Sentence

MAX_MENTION_CHARS = 200  # longer names do not occur; bounds the look-back


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
            phrase = core_tokens(token) if core_only else list(token.subtree)
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


def core_tokens(head: Any) -> list[Any]:
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
                        found.extend(core_tokens(pobj))
            elif child.dep_ == "acl":
                # "the policy adopted by the West": the agent acts
                for agent in child.children:
                    if agent.dep_ == "agent":
                        found.extend(agent.subtree)
    return found


def sentence_span(doc: Doc, sentence: Sentence) -> Span:
    """The unit's tokens in the document (an empty span when its offsets fit none)."""
    span = doc.char_span(sentence.start_char, sentence.end_char, alignment_mode="expand")
    return span if span is not None else doc[0:0]
