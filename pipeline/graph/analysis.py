"""How the graph stage reads a recommendation: measure text, lemmas, poles, audience, mentions."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from pipeline.config import Config
from pipeline.graph.lemmas import Lemmatiser
from pipeline.graph.poles import compile_oppositions, head_end_index, pole_of, pole_vocabulary
from pipeline.graph.rules import ContradictionRules
from pipeline.graph.schema import UNSPECIFIED_ACTOR
from pipeline.types import Recommendation


@dataclass(frozen=True)
class AnalysedRecommendation:
    """A recommendation as the graph stage sees it."""

    rec: Recommendation
    text: str  # the measure text (the sentence when no measure was extracted)
    content: tuple[str, ...]  # lemmas compared between measures
    mentions: frozenset[str]  # actor ids named in the text
    negated: bool
    raw_poles: tuple[str | None, ...]  # pole per opposition before negation
    poles: tuple[str | None, ...]
    audience: Audience | None  # None: unspecified, overlaps everything
    instruments: frozenset[str]
    targets: frozenset[str]


class MentionFinder:
    """Finds actors named in a text through taxonomy labels and aliases."""

    def __init__(self, config: Config, extra_ids: Iterable[str]) -> None:
        phrases: dict[str, str] = {}
        for actor_id, actor in config.actors.actors.items():
            names = [actor.label, *getattr(actor, "aliases", ()), actor_id.replace("_", " ")]
            for name in names:
                if name and len(name.strip()) > 1:
                    phrases.setdefault(name.strip().lower(), actor_id)
        for actor_id in extra_ids:
            if actor_id not in config.actors.actors:
                readable = actor_id.split(":", 1)[-1].replace("_", " ").replace("-", " ").strip()
                if len(readable) > 1:
                    phrases.setdefault(readable.lower(), actor_id)
        self._ids = phrases
        ordered = sorted(phrases, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)", re.IGNORECASE
        ) if ordered else None

    def __call__(self, text: str) -> frozenset[str]:
        if self._pattern is None:
            return frozenset()
        return frozenset(self._ids[m.group(0).lower()] for m in self._pattern.finditer(text))


@dataclass(frozen=True)
class Audience:
    """Who a recommendation is addressed to: the named actors and all they stand for."""

    named: frozenset[str]
    covered: frozenset[str]  # named, plus the members of named collectives

    def overlaps(self, other: Audience) -> bool:
        # One audience must contain the other ("the West" and "the EU"; "the
        # EU" and "Lithuania"); sharing members is not enough: the EU and NATO
        # are different addressees although most of their members are the same.
        return bool(self.named & other.covered or other.named & self.covered)


def audience_of(config: Config, actor_ids: Iterable[str]) -> Audience | None:
    """The audience of an addressee list; None when unspecified (it overlaps any)."""
    named = frozenset(a for a in actor_ids if a and a != UNSPECIFIED_ACTOR)
    if not named:
        return None
    expand = getattr(config.actors, "expand", None)
    covered = set(named)
    for actor_id in named:
        if expand is not None and actor_id in config.actors.actors:
            covered.update(expand(actor_id))
    return Audience(named=named, covered=frozenset(covered))


def measure_text(rec: Recommendation) -> str:
    """The action a recommendation prescribes: its measure, else its sentence."""
    return " ".join((rec.measure or rec.text).split())


def analyse_recommendations(recs: Sequence[Recommendation], config: Config, rules: ContradictionRules,
             lemmatise: Lemmatiser) -> list[AnalysedRecommendation]:
    vocabulary = dataclasses.replace(pole_vocabulary(config), limiters=frozenset(
        w for phrase in lemmatise(list(rules.limiters)) for w in phrase) if rules.limiters else frozenset())
    oppositions = compile_oppositions(rules, lemmatise)
    texts = [measure_text(r) for r in recs]
    lemma_lists = lemmatise(texts) if texts else []
    finder = MentionFinder(config, {t for r in recs for t in r.targets})
    skip = frozenset(ENGLISH_STOP_WORDS | vocabulary.ignored | vocabulary.negations)
    items = []
    for rec, text, lemmas in zip(recs, texts, lemma_lists):
        refrain = rec.polarity == "refrain"
        instruments = frozenset(rec.instruments)
        head_words = rules.head_words_measure if rec.measure.strip() else rules.head_words_sentence
        head_end = head_end_index(lemmas, skip, head_words)
        poles = [pole_of(lemmas, head_end, instruments, refrain, o, vocabulary) for o in oppositions]
        # A measure phrase that says "refrain from ..." is negated even when the
        # polarity classifier missed it; a whole sentence is left to the classifier.
        negated = refrain or (bool(rec.measure.strip()) and any(w in vocabulary.negations for w in lemmas))
        items.append(AnalysedRecommendation(
            rec=rec,
            text=text,
            content=tuple(w for w in lemmas if w not in skip and len(w) > 1),
            mentions=finder(text) - set(rec.addressees),
            negated=negated,
            raw_poles=tuple(p[0] for p in poles),
            poles=tuple(p[1] for p in poles),
            audience=audience_of(config, rec.addressees),
            instruments=instruments,
            targets=frozenset(rec.targets),
        ))
    return items


def similarity_matrix(items: Sequence[AnalysedRecommendation]) -> sparse.csr_matrix:
    """Cosine similarity of the items' TF-IDF vectors over content lemmas."""
    n = len(items)
    if not any(item.content for item in items):
        return sparse.csr_matrix((n, n))
    vectoriser = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True)
    vectors = vectoriser.fit_transform([item.content for item in items])
    return (vectors @ vectors.T).tocsr()
