"""Which pole of each opposition a measure takes: its cue words, negation and instruments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.config import Config
from pipeline.graph.lemmas import Lemmatiser
from pipeline.graph.rules import ContradictionRules, Pole

# A negation counts for a cue when it stands at most this many words before it:
# "refrain from any official contacts" is four words from "refrain" to "contact".
NEGATION_WINDOW = 5
# Words of a cue phrase may be this far apart ("roll the sanctions back").
PHRASE_GAP = 3


@dataclass(frozen=True)
class CompiledPole:
    cues: tuple[tuple[str, ...], ...]
    instruments: frozenset[str]


@dataclass(frozen=True)
class CompiledOpposition:
    reason: str
    a: CompiledPole
    b: CompiledPole
    scope: CompiledPole | None
    default: str | None


@dataclass(frozen=True)
class PoleVocabulary:
    negations: frozenset[str]  # lemmas that turn a measure round
    ignored: frozenset[str]  # words that say nothing about the action itself
    limiters: frozenset[str] = frozenset()  # lemmas that make a negation widen instead


def pole_vocabulary(config: Config) -> PoleVocabulary:
    patterns = config.patterns
    negations = set(patterns.get("negations") or []) | set(patterns.get("refrain_verbs") or [])
    ignored = set(patterns.get("performative_verbs") or []) | set(patterns.get("semi_modals") or [])
    for words in (patterns.get("modals") or {}).values():
        ignored.update(words)
    # spaCy lemmatises "n't" as "not", and lemmas are what gets compared.
    lowered = {"not" if w.lower() == "n't" else w.lower() for w in negations}
    return PoleVocabulary(negations=frozenset(lowered), ignored=frozenset(w.lower() for w in ignored))


def compile_oppositions(rules: ContradictionRules, lemmatise: Lemmatiser) -> tuple[CompiledOpposition, ...]:
    phrases = sorted({cue for o in rules.oppositions for p in (o.a, o.b, o.scope) if p for cue in p.cues})
    lemmatised = dict(zip(phrases, lemmatise(phrases))) if phrases else {}

    def pole(p: Pole | None) -> CompiledPole | None:
        if p is None:
            return None
        # A cue out of context may lemmatise differently than in a sentence
        # ("easing" alone is the verb "ease", in "no easing of" the noun), so
        # both its written and its lemmatised form are looked for.
        variants = [v for c in p.cues for v in (tuple(c.split()), lemmatised[c]) if v]
        return CompiledPole(cues=tuple(dict.fromkeys(variants)), instruments=p.instruments)

    return tuple(
        CompiledOpposition(o.reason, pole(o.a), pole(o.b), pole(o.scope), o.default)  # type: ignore[arg-type]
        for o in rules.oppositions
    )


def _cue_position(lemmas: Sequence[str], cue: Sequence[str]) -> int | None:
    """Where the phrase starts in ``lemmas`` (its words in order, each within PHRASE_GAP)."""
    for start, word in enumerate(lemmas):
        if word != cue[0]:
            continue
        position = start
        for part in cue[1:]:
            window = lemmas[position + 1: position + 1 + PHRASE_GAP]
            if part not in window:
                break
            position += 1 + window.index(part)
        else:
            return start
    return None


def _earliest(lemmas: Sequence[str], pole: CompiledPole, last: int | None = None) -> int | None:
    """Where the pole's first cue starts, if it starts at or before ``last``."""
    positions = [p for cue in pole.cues if (p := _cue_position(lemmas, cue)) is not None
                 and (last is None or p <= last)]
    return min(positions) if positions else None


def _flip(pole: str) -> str:
    return "b" if pole == "a" else "a"


def pole_of(lemmas: Sequence[str], head_end: int, instruments: frozenset[str], refrain: bool,
          opposition: CompiledOpposition, vocabulary: PoleVocabulary) -> tuple[str | None, str | None]:
    """(raw, effective) pole of a measure for one opposition; None when it has none.

    Only cues in the head of the measure (up to ``head_end``) count: the action
    a measure prescribes comes first, and a cue buried in a long measure ("study
    the system ... by conducting negotiations") is rarely its direction.
    """
    scope = opposition.scope
    if scope is not None and _earliest(lemmas, scope) is None and not (instruments & scope.instruments):
        return None, None
    hits = {side: _earliest(lemmas, getattr(opposition, side), head_end) for side in ("a", "b")}
    found = {side: at for side, at in hits.items() if at is not None}
    if found:
        first = min(found.values())
        sides = [side for side, at in found.items() if at == first]
        if len(sides) > 1:
            return None, None
        raw = sides[0]
        before = lemmas[max(0, first - NEGATION_WINDOW):first]
        if any(w in vocabulary.limiters for w in before):
            return None, None  # "(not) limit itself to engagement": no direction to read
        negated = refrain or any(w in vocabulary.negations for w in before)
        return raw, (_flip(raw) if negated else raw)
    negated = refrain or any(w in vocabulary.negations for w in lemmas)
    # Instruments are labelled with the direction already ("refraining from
    # contacts" is diplomatic_isolation), so negation never flips them; a
    # recommendation with several instruments mixes actions, so it gives none.
    if len(instruments) == 1:
        by_instrument = [side for side in ("a", "b") if instruments & getattr(opposition, side).instruments]
        if len(by_instrument) == 1:
            return by_instrument[0], by_instrument[0]
    # Without a cue, a negation's scope is unknown ("no softening of
    # sanctions"), so only an unnegated measure takes the default.
    if opposition.default is not None and not negated:
        return opposition.default, opposition.default
    return None, None


def head_end_index(lemmas: Sequence[str], skip: frozenset[str], head_words: int) -> int:
    """Index of the last lemma in the first ``head_words`` content words."""
    seen = 0
    for index, word in enumerate(lemmas):
        if word not in skip:
            seen += 1
            if seen == head_words:
                return index
    return len(lemmas)
