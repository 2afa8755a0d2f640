"""The actor-measure graph: who is asked to do what, to whom, with which instrument.

Recommendations that propose the same action (in any wording, in any paper)
merge into one *measure* node; actors, instruments and documents hang off it
with one evidence edge per supporting sentence, and measures that pull in
opposite directions on the same target are linked by ``CONTRADICTS``.

Schema (the report, the exporters and ``inspect`` rely on these names):

- nodes ``actor:<actor_id>``, ``measure:<hash>``, ``document:<doc_id>``,
  ``instrument:<instrument_id>``, each with ``kind`` and ``label``;
- edges actor -> measure ``ADDRESSED_TO``, measure -> actor ``TARGETS``,
  measure -> instrument ``USES``, measure -> document ``PROPOSED_IN`` (keyed
  by recommendation id, one per supporting sentence, with its evidence) and
  measure -> measure ``CONTRADICTS`` (keyed ``CONTRADICTS``, with both sides'
  evidence).

Every attribute is a str, int, float or bool so that every export format
carries it. ``build_graph`` writes nothing; it reads the contradiction rules
and, unless a lemmatiser is passed, loads the spaCy model named in the settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from pipeline.config import DEFAULT_CONFIG_DIR, Config, read_yaml
from pipeline.errors import ConfigError, ModelError
from pipeline.types import DocumentMeta, Recommendation

ACTOR, MEASURE, DOCUMENT, INSTRUMENT = "actor", "measure", "document", "instrument"
NODE_KINDS = (ACTOR, MEASURE, DOCUMENT, INSTRUMENT)
ADDRESSED_TO, TARGETS, USES, PROPOSED_IN, CONTRADICTS = (
    "ADDRESSED_TO", "TARGETS", "USES", "PROPOSED_IN", "CONTRADICTS",
)
EDGE_TYPES = (ADDRESSED_TO, TARGETS, USES, PROPOSED_IN, CONTRADICTS)
# List-valued attributes are stored joined with this so that they stay scalars.
LIST_SEPARATOR = ";"
# Attributes that hold LIST_SEPARATOR-joined lists (exporters type them as arrays).
LIST_ATTRIBUTES = frozenset({"instruments", "dime"})
SECTION_SEPARATOR = " > "
DEFAULT_CONTRADICTIONS = DEFAULT_CONFIG_DIR / "contradictions.yaml"
UNSPECIFIED_ACTOR = "unspecified"

MODALITY_STRENGTH = {"must": 3, "should": 2, "could": 1}
LABEL_WIDTH = 80
MEASURE_HASH_LENGTH = 12
# A negation counts for a cue when it stands at most this many words before it:
# "refrain from any official contacts" is four words from "refrain" to "contact".
NEGATION_WINDOW = 5
# Words of a cue phrase may be this far apart ("roll the sanctions back").
PHRASE_GAP = 3
HYPHENS = frozenset({"-", "\u2010", "\u2011"})
# Prefixes that never stand alone: "non - recognition" (as some text
# reconstructions space it) is still one word.
BOUND_PREFIXES = frozenset({"non", "anti", "pro", "pre", "re", "co", "counter", "self", "post", "semi", "ex"})
WORD = re.compile(r"[^\W_][\w-]*")

Lemmatiser = Callable[[Sequence[str]], list[tuple[str, ...]]]


# --------------------------------------------------------------------------- ids


def actor_node(actor_id: str) -> str:
    return f"{ACTOR}:{actor_id}"


def document_node(doc_id: str) -> str:
    return f"{DOCUMENT}:{doc_id}"


def instrument_node(instrument_id: str) -> str:
    return f"{INSTRUMENT}:{instrument_id}"


def measure_node(canonical_text: str, salt: str = "") -> str:
    normalised = " ".join(canonical_text.lower().split())
    digest = hashlib.sha1(f"{normalised}{salt}".encode()).hexdigest()
    return f"{MEASURE}:{digest[:MEASURE_HASH_LENGTH]}"


def split_list(value: str) -> list[str]:
    """The items of a LIST_SEPARATOR-joined attribute ("" is the empty list)."""
    return [item for item in value.split(LIST_SEPARATOR) if item]


# ------------------------------------------------------------ contradiction rules


@dataclass(frozen=True)
class Pole:
    """One direction of an opposition: cue phrases and instruments that signal it."""

    cues: tuple[str, ...] = ()
    instruments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Opposition:
    reason: str
    a: Pole
    b: Pole
    scope: Pole | None = None
    default: str | None = None  # "a" or "b": the pole of an in-scope measure with no cue


@dataclass(frozen=True)
class ContradictionRules:
    oppositions: tuple[Opposition, ...]
    do_vs_refrain_reason: str = "do vs refrain"
    do_vs_refrain_min_similarity: float | None = None  # None: the merge threshold
    same_document: bool = False
    head_words_measure: int = 3  # a cue counts among this many content words of a measure
    head_words_sentence: int = 8  # ... or of a sentence when no measure was extracted
    limiters: tuple[str, ...] = ()  # "not limit itself to engagement" widens, it does not negate
    path: str = ""


def _pole_from(data: Any, path: Path, entry: str, known_instruments: Iterable[str] | None) -> Pole:
    if not isinstance(data, dict) or set(data) - {"cues", "instruments"}:
        raise ConfigError(path, entry, f"expected a mapping with 'cues' and/or 'instruments', got {data!r}")
    cues = data.get("cues") or []
    instruments = data.get("instruments") or []
    for key, values in (("cues", cues), ("instruments", instruments)):
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ConfigError(path, f"{entry}.{key}", "expected a list of non-empty strings")
    if known_instruments is not None:
        unknown = sorted(set(instruments) - set(known_instruments))
        if unknown:
            raise ConfigError(path, f"{entry}.instruments", f"names unknown instrument {unknown[0]!r}",
                              "use an id from instruments.yaml")
    return Pole(cues=tuple(c.strip().lower() for c in cues), instruments=frozenset(instruments))


def load_contradiction_rules(path: str | Path | None = None, config: Config | None = None) -> ContradictionRules:
    """Read and validate contradictions.yaml (instrument ids are checked against ``config``)."""
    path = Path(path) if path is not None else DEFAULT_CONTRADICTIONS
    data = read_yaml(path)
    allowed = {"oppositions", "do_vs_refrain", "same_document", "head_words", "limiters"}
    if not isinstance(data, dict) or set(data) - allowed:
        raise ConfigError(path, "top level", f"expected a mapping with the keys {', '.join(sorted(allowed))}")
    known = config.instruments.ids if config is not None else None
    raw = data.get("oppositions") or []
    if not isinstance(raw, list):
        raise ConfigError(path, "oppositions", "expected a list of oppositions")
    oppositions = []
    for index, spec in enumerate(raw):
        entry = f"oppositions[{index}]"
        if not isinstance(spec, dict) or not {"reason", "a", "b"} <= set(spec) \
                or set(spec) - {"reason", "a", "b", "scope", "default"}:
            raise ConfigError(path, entry, "expected the keys reason, a, b and optionally scope, default")
        default = spec.get("default")
        if default not in (None, "a", "b"):
            raise ConfigError(path, f"{entry}.default", f"expected 'a' or 'b', got {default!r}")
        scope = spec.get("scope")
        oppositions.append(Opposition(
            reason=str(spec["reason"]),
            a=_pole_from(spec["a"], path, f"{entry}.a", known),
            b=_pole_from(spec["b"], path, f"{entry}.b", known),
            scope=None if scope is None else _pole_from(scope, path, f"{entry}.scope", known),
            default=default,
        ))
    dvr = data.get("do_vs_refrain") or {}
    if not isinstance(dvr, dict) or set(dvr) - {"reason", "min_similarity"}:
        raise ConfigError(path, "do_vs_refrain", "expected a mapping with 'reason' and 'min_similarity'")
    min_similarity = dvr.get("min_similarity")
    if min_similarity is not None and not (isinstance(min_similarity, (int, float)) and 0 < min_similarity <= 1):
        raise ConfigError(path, "do_vs_refrain.min_similarity",
                          f"expected a number in (0, 1] or null, got {min_similarity!r}")
    same_document = data.get("same_document", False)
    if not isinstance(same_document, bool):
        raise ConfigError(path, "same_document", f"expected true or false, got {same_document!r}")
    head_words = data.get("head_words") or {}
    if not isinstance(head_words, dict) or set(head_words) - {"measure", "sentence"} or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in head_words.values()):
        raise ConfigError(path, "head_words", f"expected {{measure: N, sentence: N}} with N > 0, got {head_words!r}")
    limiters = data.get("limiters") or []
    if not isinstance(limiters, list) or not all(isinstance(w, str) and w.strip() for w in limiters):
        raise ConfigError(path, "limiters", "expected a list of words")
    return ContradictionRules(
        oppositions=tuple(oppositions),
        do_vs_refrain_reason=str(dvr.get("reason") or "do vs refrain"),
        do_vs_refrain_min_similarity=None if min_similarity is None else float(min_similarity),
        same_document=same_document,
        head_words_measure=int(head_words.get("measure", ContradictionRules.head_words_measure)),
        head_words_sentence=int(head_words.get("sentence", ContradictionRules.head_words_sentence)),
        limiters=tuple(w.strip().lower() for w in limiters),
        path=str(path),
    )


def rules_for(config: Config) -> ContradictionRules:
    """The rules named by ``paths.contradictions`` in the settings, else the default file.

    A relative name resolves against the user's settings folder first, then
    against the default configs folder (where the default entry points).
    """
    named = config.settings.get("paths", {}).get("contradictions")
    if not named:
        return load_contradiction_rules(DEFAULT_CONTRADICTIONS, config)
    candidate = Path(named)
    if not candidate.is_absolute():
        user_folder = Path(config.source).resolve().parent
        candidate = user_folder / named if (user_folder / named).exists() else DEFAULT_CONFIG_DIR / named
    return load_contradiction_rules(candidate, config)


# -------------------------------------------------------------------- lemmatiser


def _lemmas_of(doc: Any) -> tuple[str, ...]:
    """Lower-cased lemmas of the words of a spaCy Doc; hyphenated compounds stay
    one word so that "non-recognition" is not read as "recognition"."""
    words: list[str] = []
    glue_next = False
    for token in doc:
        joins_tightly = not token.whitespace_ and token.i > 0 and not doc[token.i - 1].whitespace_
        if token.text in HYPHENS and words and (joins_tightly or words[-1] in BOUND_PREFIXES):
            glue_next = True
            continue
        lemma = token.lemma_.lower()
        if not WORD.fullmatch(lemma):
            glue_next = False
            continue
        if glue_next:
            words[-1] = f"{words[-1]}-{lemma}"
        else:
            words.append(lemma)
        glue_next = False
    return tuple(words)


@lru_cache(maxsize=2)
def spacy_lemmatiser(model: str) -> Lemmatiser:
    """A lemmatiser over the installed spaCy model (tagger and lemmatiser only)."""
    import spacy

    try:
        nlp = spacy.load(model, exclude=["parser", "ner", "senter"])
    except OSError as exc:
        raise ModelError(
            f"spaCy model {model!r} (settings: segment.model) could not be loaded: {exc}. "
            f"Install the model package into the environment, e.g. `pip install {model}`"
        ) from None

    def lemmatise(texts: Sequence[str]) -> list[tuple[str, ...]]:
        # a corpus repeats measures (summaries, executive summaries): tag each text once
        unique = list(dict.fromkeys(texts))
        lemmas = dict(zip(unique, (_lemmas_of(doc) for doc in nlp.pipe(unique, batch_size=64))))
        return [lemmas[text] for text in texts]

    return lemmatise


# ------------------------------------------------------------------ analysis


@dataclass(frozen=True)
class _CompiledPole:
    cues: tuple[tuple[str, ...], ...]
    instruments: frozenset[str]


@dataclass(frozen=True)
class _CompiledOpposition:
    reason: str
    a: _CompiledPole
    b: _CompiledPole
    scope: _CompiledPole | None
    default: str | None


@dataclass(frozen=True)
class _Vocabulary:
    negations: frozenset[str]  # lemmas that turn a measure round
    ignored: frozenset[str]  # words that say nothing about the action itself
    limiters: frozenset[str] = frozenset()  # lemmas that make a negation widen instead


@dataclass(frozen=True)
class _Item:
    """A recommendation as the graph stage sees it."""

    rec: Recommendation
    text: str  # the measure text (the sentence when no measure was extracted)
    content: tuple[str, ...]  # lemmas compared between measures
    mentions: frozenset[str]  # actor ids named in the text
    negated: bool
    raw_poles: tuple[str | None, ...]  # pole per opposition before negation
    poles: tuple[str | None, ...]
    audience: _Audience | None  # None: unspecified, overlaps everything
    instruments: frozenset[str]
    targets: frozenset[str]


def _vocabulary(config: Config) -> _Vocabulary:
    patterns = config.patterns
    negations = set(patterns.get("negations") or []) | set(patterns.get("refrain_verbs") or [])
    ignored = set(patterns.get("performative_verbs") or []) | set(patterns.get("semi_modals") or [])
    for words in (patterns.get("modals") or {}).values():
        ignored.update(words)
    # spaCy lemmatises "n't" as "not", and lemmas are what gets compared.
    lowered = {"not" if w.lower() == "n't" else w.lower() for w in negations}
    return _Vocabulary(negations=frozenset(lowered), ignored=frozenset(w.lower() for w in ignored))


def _compile(rules: ContradictionRules, lemmatise: Lemmatiser) -> tuple[_CompiledOpposition, ...]:
    phrases = sorted({cue for o in rules.oppositions for p in (o.a, o.b, o.scope) if p for cue in p.cues})
    lemmatised = dict(zip(phrases, lemmatise(phrases))) if phrases else {}

    def pole(p: Pole | None) -> _CompiledPole | None:
        if p is None:
            return None
        # A cue out of context may lemmatise differently than in a sentence
        # ("easing" alone is the verb "ease", in "no easing of" the noun), so
        # both its written and its lemmatised form are looked for.
        variants = [v for c in p.cues for v in (tuple(c.split()), lemmatised[c]) if v]
        return _CompiledPole(cues=tuple(dict.fromkeys(variants)), instruments=p.instruments)

    return tuple(
        _CompiledOpposition(o.reason, pole(o.a), pole(o.b), pole(o.scope), o.default)  # type: ignore[arg-type]
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


def _earliest(lemmas: Sequence[str], pole: _CompiledPole, last: int | None = None) -> int | None:
    """Where the pole's first cue starts, if it starts at or before ``last``."""
    positions = [p for cue in pole.cues if (p := _cue_position(lemmas, cue)) is not None
                 and (last is None or p <= last)]
    return min(positions) if positions else None


def _flip(pole: str) -> str:
    return "b" if pole == "a" else "a"


def _pole(lemmas: Sequence[str], head_end: int, instruments: frozenset[str], refrain: bool,
          opposition: _CompiledOpposition, vocabulary: _Vocabulary) -> tuple[str | None, str | None]:
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


def _head_end(lemmas: Sequence[str], skip: frozenset[str], head_words: int) -> int:
    """Index of the last lemma in the first ``head_words`` content words."""
    seen = 0
    for index, word in enumerate(lemmas):
        if word not in skip:
            seen += 1
            if seen == head_words:
                return index
    return len(lemmas)


class _MentionFinder:
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
class _Audience:
    """Who a recommendation is addressed to: the named actors and all they stand for."""

    named: frozenset[str]
    covered: frozenset[str]  # named, plus the members of named collectives

    def overlaps(self, other: _Audience) -> bool:
        # One audience must contain the other ("the West" and "the EU"; "the
        # EU" and "Lithuania"); sharing members is not enough: the EU and NATO
        # are different addressees although most of their members are the same.
        return bool(self.named & other.covered or other.named & self.covered)


def _audience(config: Config, actor_ids: Iterable[str]) -> _Audience | None:
    """The audience of an addressee list; None when unspecified (it overlaps any)."""
    named = frozenset(a for a in actor_ids if a and a != UNSPECIFIED_ACTOR)
    if not named:
        return None
    expand = getattr(config.actors, "expand", None)
    covered = set(named)
    for actor_id in named:
        if expand is not None and actor_id in config.actors.actors:
            covered.update(expand(actor_id))
    return _Audience(named=named, covered=frozenset(covered))


def measure_text(rec: Recommendation) -> str:
    """The action a recommendation prescribes: its measure, else its sentence."""
    return " ".join((rec.measure or rec.text).split())


def _analyse(recs: Sequence[Recommendation], config: Config, rules: ContradictionRules,
             lemmatise: Lemmatiser) -> list[_Item]:
    vocabulary = dataclasses.replace(_vocabulary(config), limiters=frozenset(
        w for phrase in lemmatise(list(rules.limiters)) for w in phrase) if rules.limiters else frozenset())
    oppositions = _compile(rules, lemmatise)
    texts = [measure_text(r) for r in recs]
    lemma_lists = lemmatise(texts) if texts else []
    finder = _MentionFinder(config, {t for r in recs for t in r.targets})
    skip = frozenset(ENGLISH_STOP_WORDS | vocabulary.ignored | vocabulary.negations)
    items = []
    for rec, text, lemmas in zip(recs, texts, lemma_lists):
        refrain = rec.polarity == "refrain"
        instruments = frozenset(rec.instruments)
        head_words = rules.head_words_measure if rec.measure.strip() else rules.head_words_sentence
        head_end = _head_end(lemmas, skip, head_words)
        poles = [_pole(lemmas, head_end, instruments, refrain, o, vocabulary) for o in oppositions]
        # A measure phrase that says "refrain from ..." is negated even when the
        # polarity classifier missed it; a whole sentence is left to the classifier.
        negated = refrain or (bool(rec.measure.strip()) and any(w in vocabulary.negations for w in lemmas))
        items.append(_Item(
            rec=rec,
            text=text,
            content=tuple(w for w in lemmas if w not in skip and len(w) > 1),
            mentions=finder(text) - set(rec.addressees),
            negated=negated,
            raw_poles=tuple(p[0] for p in poles),
            poles=tuple(p[1] for p in poles),
            audience=_audience(config, rec.addressees),
            instruments=instruments,
            targets=frozenset(rec.targets),
        ))
    return items


def _similarity(items: Sequence[_Item]) -> sparse.csr_matrix:
    """Cosine similarity of the items' TF-IDF vectors over content lemmas."""
    n = len(items)
    if not any(item.content for item in items):
        return sparse.csr_matrix((n, n))
    vectoriser = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True)
    vectors = vectoriser.fit_transform([item.content for item in items])
    return (vectors @ vectors.T).tocsr()


# -------------------------------------------------------------------- merging


def _compatible(x: _Item, y: _Item) -> bool:
    """Whether two recommendations may describe the same measure, text aside."""
    if x.negated != y.negated:
        return False
    if any(p and q and p != q for p, q in zip(x.poles, y.poles)):
        return False
    if x.instruments and y.instruments and not x.instruments & y.instruments:
        return False
    if x.targets and y.targets and not x.targets & y.targets:
        return False
    if x.audience is not None and y.audience is not None:
        return x.audience.overlaps(y.audience)
    return True


def _components(items: Sequence[_Item], similarity: sparse.csr_matrix, threshold: float) -> list[list[int]]:
    """Groups of items linked by similar, compatible pairs (union-find)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    upper = sparse.triu(similarity, k=1).tocoo()
    for i, j, value in zip(upper.row, upper.col, upper.data):
        if value >= threshold and _compatible(items[i], items[j]):
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[root(i)].append(i)
    return sorted(groups.values(), key=min)


def _complete_linkage(group: list[int], items: Sequence[_Item], similarity: sparse.csr_matrix,
                      threshold: float) -> list[list[int]]:
    """Split a component so that every pair in a cluster is similar and compatible."""
    if len(group) < 2:
        return [group]
    block = similarity[group][:, group].toarray()
    distance = np.clip(1.0 - block, 0.0, None)
    for a, b in combinations(range(len(group)), 2):
        if not _compatible(items[group[a]], items[group[b]]):
            distance[a, b] = distance[b, a] = 2.0
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="complete",
        distance_threshold=1.0 - threshold + 1e-9,
    ).fit_predict(distance)
    clusters: dict[int, list[int]] = defaultdict(list)
    for index, label in zip(group, labels):
        clusters[int(label)].append(index)
    return sorted(clusters.values(), key=min)


@dataclass(frozen=True)
class _Measure:
    node: str
    members: tuple[int, ...]
    text: str
    negated: bool
    raw_poles: tuple[str | None, ...]
    poles: tuple[str | None, ...]
    targets: frozenset[str]  # the members' explicit targets
    focus: frozenset[str]  # targets a contradiction can be about: explicit, else named in the text
    docs: frozenset[str]


def _first_known(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _measures(clusters: list[list[int]], items: Sequence[_Item], similarity: sparse.csr_matrix) -> list[_Measure]:
    measures: list[_Measure] = []
    used: set[str] = set()
    for cluster in clusters:
        block = similarity[cluster][:, cluster].toarray()
        centrality = block.sum(axis=1)
        central = min(range(len(cluster)),
                      key=lambda k: (-round(float(centrality[k]), 9), len(items[cluster[k]].text),
                                     items[cluster[k]].rec.id))
        members = [items[i] for i in cluster]
        text = items[cluster[central]].text
        # The same words can stand for two measures (refrained from, or proposed
        # to disjoint audiences); salting by polarity first keeps ids stable.
        node = measure_node(text, "|refrain" if members[0].negated else "")
        salt = 0
        while node in used:
            salt += 1
            node = measure_node(text, f"#{salt}")
        used.add(node)
        targets = frozenset().union(*(m.targets for m in members))
        mentioned = frozenset().union(*(m.mentions for m in members))
        measures.append(_Measure(
            node=node,
            members=tuple(cluster),
            text=text,
            negated=members[0].negated,
            raw_poles=tuple(_first_known(v) for v in zip(*(m.raw_poles for m in members))),
            poles=tuple(_first_known(v) for v in zip(*(m.poles for m in members))),
            targets=targets - {UNSPECIFIED_ACTOR},
            focus=(targets or mentioned) - {UNSPECIFIED_ACTOR},
            docs=frozenset(m.rec.doc_id for m in members),
        ))
    return measures


# ------------------------------------------------------------- contradictions


def _evidence_pair(a: _Measure, b: _Measure, items: Sequence[_Item], shared: frozenset[str],
                   same_document: bool) -> tuple[Recommendation, Recommendation] | None:
    """The two sentences that best show the disagreement: different papers first."""
    best: tuple[Any, ...] | None = None
    for i in a.members:
        for j in b.members:
            x, y = items[i].rec, items[j].rec
            if x.doc_id == y.doc_id and not same_document:
                continue
            explicit = int(bool(shared & set(x.targets))) + int(bool(shared & set(y.targets)))
            rank = (x.doc_id == y.doc_id, -explicit, -(x.score + y.score), x.id, y.id)
            if best is None or rank < best[0]:
                best = (rank, x, y)
    return None if best is None else (best[1], best[2])


def _max_similarity(a: _Measure, b: _Measure, similarity: sparse.csr_matrix) -> float:
    block = similarity[list(a.members)][:, list(b.members)]
    return float(block.max()) if block.nnz else 0.0


def _opposed(a: _Measure, b: _Measure, rules: ContradictionRules, dvr_threshold: float,
             similarity: sparse.csr_matrix) -> tuple[str, _Measure, _Measure] | None:
    """(reason, first, second) when the measures pull in opposite directions."""
    same_action: bool | None = None
    agree = False
    for k, opposition in enumerate(rules.oppositions):
        p, q = a.poles[k], b.poles[k]
        if not (p and q):
            continue
        if p == q:
            agree = True  # "do not ease sanctions" and "impose sanctions" pull the same way
            continue
        if a.raw_poles[k] == b.raw_poles[k]:
            same_action = _max_similarity(a, b, similarity) >= dvr_threshold
            if same_action:
                doer_first = a.poles[k] == a.raw_poles[k]
                return (rules.do_vs_refrain_reason, *((a, b) if doer_first else (b, a)))
        return (opposition.reason, *((a, b) if p == "a" else (b, a)))
    if a.negated != b.negated and not agree:
        if same_action is None:
            same_action = _max_similarity(a, b, similarity) >= dvr_threshold
        if same_action:
            return (rules.do_vs_refrain_reason, *((b, a) if a.negated else (a, b)))
    return None


def _contradictions(measures: Sequence[_Measure], items: Sequence[_Item], similarity: sparse.csr_matrix,
                    rules: ContradictionRules, dvr_threshold: float) -> list[tuple[str, str, dict[str, Any]]]:
    by_target: dict[str, list[int]] = defaultdict(list)
    for index, measure in enumerate(measures):
        for target in measure.focus:
            by_target[target].append(index)
    pairs: set[tuple[int, int]] = set()
    for indices in by_target.values():
        pairs.update(combinations(sorted(indices), 2))
    edges = []
    for i, j in sorted(pairs):
        a, b = measures[i], measures[j]
        # At least one side must name the target explicitly: two measures that
        # merely mention the same actor in passing are not about it.
        shared = a.focus & b.focus & (a.targets | b.targets)
        if not shared:
            continue
        opposed = _opposed(a, b, rules, dvr_threshold, similarity)
        if opposed is None:
            continue
        reason, first, second = opposed
        evidence = _evidence_pair(first, second, items, shared, rules.same_document)
        if evidence is None:
            continue
        x, y = evidence
        edges.append((first.node, second.node, {
            "type": CONTRADICTS,
            "reason": reason,
            "target": LIST_SEPARATOR.join(sorted(shared)),
            "sentence_a": x.text, "doc_a": x.doc_id, "page_a": x.page, "rec_a": x.id,
            "sentence_b": y.text, "doc_b": y.doc_id, "page_b": y.page, "rec_b": y.id,
            "score": round(min(x.score, y.score), 4),
        }))
    return edges


# ------------------------------------------------------------------- the graph


def _short(text: str) -> str:
    return textwrap.shorten(text, width=LABEL_WIDTH, placeholder=" \u2026") or text[:LABEL_WIDTH]


def _actor_attributes(actor_id: str, config: Config) -> dict[str, Any]:
    actor = config.actors.actors.get(actor_id)
    generated_kind = actor_id.split(":", 1)[0] if ":" in actor_id else "unknown"
    return {
        "kind": ACTOR,
        "label": actor.label if actor is not None else actor_id,
        "actor_id": actor_id,
        "actor_kind": actor.kind if actor is not None else generated_kind,
        "qid": (actor.qid or "") if actor is not None else "",
        "bipartite": 0,
    }


def _instrument_attributes(instrument_id: str, config: Config) -> dict[str, Any]:
    instrument = config.instruments.instruments.get(instrument_id)
    return {
        "kind": INSTRUMENT,
        "label": instrument.label if instrument is not None else instrument_id,
        "instrument_id": instrument_id,
        "dime": instrument.group if instrument is not None else "",
    }


def _document_attributes(doc_id: str, meta: DocumentMeta | None) -> dict[str, Any]:
    meta = meta or DocumentMeta()
    return {
        "kind": DOCUMENT,
        "label": _short(meta.title) if meta.title else doc_id,
        "doc_id": doc_id,
        "title": meta.title or "",
        "author": meta.author or "",
        "date": meta.date or "",
        "publisher": meta.publisher or "",
    }


def _measure_attributes(measure: _Measure, items: Sequence[_Item], config: Config) -> dict[str, Any]:
    recs = [items[i].rec for i in measure.members]
    instruments = sorted({i for r in recs for i in r.instruments})
    groups = sorted({config.instruments.instruments[i].group for i in instruments
                     if i in config.instruments.instruments})
    modalities = Counter(r.modality for r in recs)
    modality = max(modalities, key=lambda m: (modalities[m], MODALITY_STRENGTH.get(m, 0), m))
    return {
        "kind": MEASURE,
        "label": _short(measure.text),
        "text": measure.text,
        "instruments": LIST_SEPARATOR.join(instruments),
        "dime": LIST_SEPARATOR.join(groups),
        "modality": modality,
        "polarity": "refrain" if measure.negated else "do",
        "support_docs": len(measure.docs),
        "support_sentences": len({(r.doc_id, r.sentence_index, r.text) for r in recs}),
        "bipartite": 1,
    }


def evidence_attributes(rec: Recommendation, edge_type: str) -> dict[str, Any]:
    """What every edge drawn from a recommendation carries."""
    return {
        "type": edge_type,
        "doc_id": rec.doc_id,
        "page": int(rec.page),
        "section": SECTION_SEPARATOR.join(rec.section),
        "sentence": rec.text,
        "score": round(float(rec.score), 4),
        "rec_id": rec.id,
        "reported": bool(rec.reported),
    }


def _unique_sorted(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    recs = sorted(recommendations, key=lambda r: r.id)
    duplicates = sorted({a.id for a, b in zip(recs, recs[1:]) if a.id == b.id})
    if duplicates:
        raise ValueError(
            f"recommendation ids must be unique, got {len(duplicates)} repeated (first: {duplicates[0]!r}); "
            "ids are '<doc_id>:<sentence index>', so a document was probably passed twice"
        )
    return recs


def build_graph(
    recommendations: Iterable[Recommendation],
    documents: Mapping[str, DocumentMeta],
    config: Config,
    *,
    merge_threshold: float | None = None,
    rules: ContradictionRules | None = None,
    lemmatiser: Lemmatiser | None = None,
) -> tuple[nx.MultiDiGraph, tuple[Recommendation, ...]]:
    """Build the graph; return it and the recommendations with ``measure_id`` set.

    ``merge_threshold`` overrides ``graph.measure_merge_threshold``; ``rules``
    the contradiction rules from the config; ``lemmatiser`` the spaCy model
    (tests and callers that already hold lemmas pass their own).
    """
    given = list(recommendations)
    recs = _unique_sorted(given)
    threshold = float(config.get("graph.measure_merge_threshold") if merge_threshold is None else merge_threshold)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"the measure merge threshold is a cosine similarity in (0, 1], got {threshold}")
    rules = rules if rules is not None else rules_for(config)
    lemmatise = lemmatiser if lemmatiser is not None else spacy_lemmatiser(str(config.get("segment.model")))

    items = _analyse(recs, config, rules, lemmatise)
    similarity = _similarity(items)
    clusters = [c for g in _components(items, similarity, threshold)
                for c in _complete_linkage(g, items, similarity, threshold)]
    measures = _measures(clusters, items, similarity)

    graph = nx.MultiDiGraph()
    for doc_id in sorted(set(documents) | {r.doc_id for r in recs}):
        graph.add_node(document_node(doc_id), **_document_attributes(doc_id, documents.get(doc_id)))
    for instrument_id in sorted({i for r in recs for i in r.instruments}):
        graph.add_node(instrument_node(instrument_id), **_instrument_attributes(instrument_id, config))
    for actor_id in sorted({a for r in recs for a in (*r.addressees, *r.targets)}):
        graph.add_node(actor_node(actor_id), **_actor_attributes(actor_id, config))

    measure_of: dict[str, str] = {}
    for measure in measures:
        graph.add_node(measure.node, **_measure_attributes(measure, items, config))
        for index in measure.members:
            rec = items[index].rec
            measure_of[rec.id] = measure.node
            for actor_id in dict.fromkeys(rec.addressees):
                graph.add_edge(actor_node(actor_id), measure.node, key=rec.id,
                               **evidence_attributes(rec, ADDRESSED_TO))
            for actor_id in dict.fromkeys(rec.targets):
                graph.add_edge(measure.node, actor_node(actor_id), key=rec.id, **evidence_attributes(rec, TARGETS))
            for instrument_id in dict.fromkeys(rec.instruments):
                graph.add_edge(measure.node, instrument_node(instrument_id), key=rec.id,
                               **evidence_attributes(rec, USES))
            graph.add_edge(measure.node, document_node(rec.doc_id), key=rec.id,
                           **evidence_attributes(rec, PROPOSED_IN))

    dvr_threshold = rules.do_vs_refrain_min_similarity or threshold
    for source, target, attributes in _contradictions(measures, items, similarity, rules, dvr_threshold):
        graph.add_edge(source, target, key=CONTRADICTS, **attributes)

    updated = tuple(dataclasses.replace(r, measure_id=measure_of[r.id]) for r in given)
    return graph, updated
