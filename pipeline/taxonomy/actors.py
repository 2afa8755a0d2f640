"""The actor taxonomy (``configs/actors.yaml``): canonical actor ids and their names.

:func:`load_actors` (in :mod:`pipeline.taxonomy.loading`) reads and validates
the file and adds every state of the world from pycountry and countryinfo
(:mod:`pipeline.taxonomy.world`); :class:`ActorTaxonomy` answers "which actor
does this mention name?" (:meth:`ActorTaxonomy.resolve`) and "who does this
collective stand for?" (:meth:`ActorTaxonomy.expand`). The spaCy gazetteer
built from the same data lives in :mod:`pipeline.recognise.actors`.

Resolution is by dictionary look-ups on name keys (:mod:`pipeline.taxonomy.names`):
exact names, then general forms that make a phrase an organ of a state or
organisation ("the Kenyan Government", "Ministry of Health of Kenya",
"Kenya's parliament", "the Director of the Office of Management and Budget").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from pipeline.taxonomy.names import ascii_variant, bare_name, cased_key, is_all_caps, name_key, normal_text

__all__ = [
    "ACTOR_KINDS", "Actor", "ActorIndex", "ActorTaxonomy", "ascii_variant", "bare_name", "build_taxonomy",
    "cased_key", "is_all_caps", "iter_names", "load_actors", "name_key",
]

ACTOR_KINDS = ("state", "international_organisation", "collective", "domestic_group")
# Kinds whose organs ("its government", "its Secretary-General") are the actor itself.
OWNER_KINDS = frozenset({"state", "international_organisation"})
# Token attributes that the tokenizer alone sets; patterns using only these can
# be checked by resolve() without a trained pipeline.
LEXICAL_ATTRS = frozenset(
    {"ORTH", "TEXT", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LENGTH", "OP",
     "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
     "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT",
     "IS_CURRENCY", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL"}
)
_POSSESSIVE_SPLIT = re.compile(r"^(.+?)'s?\s+(.+)$")
_LINKS = frozenset({"of", "for", "on"})  # "Ministry of Health", "Department for Education"

TokenPattern = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Actor:
    """One canonical actor and the names that refer to it."""

    id: str
    label: str
    kind: str
    qid: str | None = None
    aliases: tuple[str, ...] = ()
    cased_aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    patterns: tuple[TokenPattern, ...] = field(default=(), hash=False, compare=False)
    member_of: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    description: str = ""
    # Common nouns that name this actor only in a document about its anchor
    # ("the regime", "civil society" in a paper about Belarus).
    context_aliases: tuple[str, ...] = ()
    anchor: str | None = None
    # States whose organs and capital are this actor ("the Parliament of
    # Belarus", "Minsk" -> lukashenka_regime): the guide gives a state's rulers
    # an id of their own where a paper is about them.
    organs_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActorIndex:
    """Lookup tables derived from the taxonomy, built once at load."""

    by_key: Mapping[str, str]  # name_key of an alias or country name -> id
    by_cased_key: Mapping[str, str]  # cased_key of a cased alias (and its ALL CAPS form) -> id
    capital_by_cased_key: Mapping[str, str]  # a capital standing for its government ("Beijing") -> id
    demonym_by_key: Mapping[str, str]  # name_key of a demonym -> id
    demonym_by_cased_key: Mapping[str, str]  # capitals-only demonyms ("US") -> id
    head_keys: frozenset[str]
    organ_keys: frozenset[str]  # organ nouns ("ministry", "supreme court", "director")
    generic_keys: frozenset[str]  # generic nouns and demonym heads: no particular actor
    max_head_words: int
    prefix_keys: tuple[str, ...]
    state_ids: frozenset[str]
    organ_owner: Mapping[str, str]  # actor whose organs make up an actor (belarus -> lukashenka_regime)
    owner_ids: frozenset[str]  # states and organisations: their organs are them


@dataclass(frozen=True)
class ActorTaxonomy:
    """The validated actor taxonomy. Build it with :func:`load_actors`."""

    path: str
    actors: dict[str, Actor]
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)  # names matched with their capitals
    demonym_heads: tuple[str, ...] = ()
    generic_names: tuple[str, ...] = ()
    not_actors: tuple[str, ...] = ()
    state_name_prefixes: tuple[str, ...] = ()
    entity_labels: tuple[str, ...] = ()
    new_actor_labels: tuple[str, ...] = ()
    organ_heads: tuple[str, ...] = ()
    capitals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> capitals standing for it
    index: ActorIndex | None = field(default=None, repr=False, compare=False, hash=False)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.actors)

    def __getstate__(self) -> dict[str, Any]:
        # The taxonomy crosses process boundaries with the config; caches
        # (a spaCy matcher among them) are rebuilt on the other side.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def label_of(self, actor_id: str) -> str:
        """Display label of an actor or listed country; the id itself otherwise."""
        if actor_id in self.actors:
            return self.actors[actor_id].label
        if actor_id in self.countries:
            return self.countries[actor_id][0]
        return actor_id

    # -- resolving names -------------------------------------------------
    def resolve(self, text: str) -> str | None:
        """The actor id a mention names, or None when it names no actor.

        Tries, in order: aliases (case-insensitive), cased aliases and state
        names; a demonym or state name
        before a governmental noun ("Lithuanian government", "Kenya Ministry
        of Health"); an official state form ("Republic of Moldova"); the
        file's token patterns; an organ "of" a state or organisation
        ("Government of Kenya") or its possessive ("Kenya's parliament").
        "Russian culture" names no actor.
        """
        name = bare_name(text)
        if not name:
            return None
        return (
            self._by_name(name)
            or self._by_modifier_phrase(name)
            or self._by_state_prefix(name)
            or self._by_pattern(text, name)
            or self._by_organ_of(name)
            or self._by_possessive(name)
        )

    def capital_owner(self, text: str) -> str | None:
        """The government a capital stands for ("Seoul" -> south_korea), else None.

        A capital names its government only as the subject that acts ("Seoul
        should ..."); "talks in Seoul" name a place. The caller knows which:
        :func:`pipeline.recognise.actors.mention_actor_id` asks for subjects only.
        """
        return self._index.capital_by_cased_key.get(cased_key(bare_name(text)))

    def demonym_owner(self, text: str) -> str | None:
        """The actor whose demonym ``text`` is ("Russian" -> russia), else None."""
        name = bare_name(text)
        index = self._index
        return index.demonym_by_cased_key.get(cased_key(name)) or index.demonym_by_key.get(name_key(name))

    def is_generic(self, text: str) -> bool:
        """True for a common noun such as "the Government" that names no particular actor."""
        return name_key(bare_name(text)) in self._index.generic_keys

    def _by_name(self, name: str) -> str | None:
        index = self._index
        return index.by_cased_key.get(cased_key(name)) or index.by_key.get(name_key(name))

    def _owner(self, name: str) -> str | None:
        """The actor whose organs a name's holder is: a state or organisation named exactly."""
        found = self._by_name(name) or self._by_state_prefix(name)
        if found is None or found not in self._index.owner_ids:
            return None
        return self._index.organ_owner.get(found, found)

    def _by_modifier_phrase(self, name: str) -> str | None:
        """ "Lithuanian government", "US officials", "Kenya Ministry of Health", "UN agencies"."""
        index = self._index
        words = name.split()
        keys = name_key(name).split()
        if len(keys) != len(words):
            return self._by_demonym_phrase(name)  # punctuation split a word: keys and words differ
        for cut in range(1, len(words)):
            rest = keys[cut:]
            if not (" ".join(rest) in index.head_keys or _starts_with_organ(rest, index)):
                continue
            modifier = " ".join(words[:cut])
            owner = index.demonym_by_cased_key.get(cased_key(modifier)) or index.demonym_by_key.get(name_key(modifier))
            if owner is None:
                owner = self._owner(modifier)
            if owner is not None:
                return owner
        return None

    def _by_demonym_phrase(self, name: str) -> str | None:
        index = self._index
        words = name_key(name).split()
        cased_words = cased_key(name).split()
        for size in range(1, min(index.max_head_words, len(words) - 1) + 1):
            if " ".join(words[-size:]) not in index.head_keys:
                continue
            owner = index.demonym_by_cased_key.get(" ".join(cased_words[:-size])) or index.demonym_by_key.get(
                " ".join(words[:-size])
            )
            if owner is not None:
                return owner
        return None

    def _by_state_prefix(self, name: str) -> str | None:
        index = self._index
        key = name_key(name)
        for prefix in index.prefix_keys:
            if key.startswith(prefix + " "):
                rest = bare_name(" ".join(name.split()[len(prefix.split()) :]))
                found = self._by_name(rest)
                if found in index.state_ids:
                    return found
        return None

    def _by_organ_of(self, name: str) -> str | None:
        """ "Government of Kenya", "Ministry of Health of Kenya", "Director of the Office of Management and Budget"."""
        index = self._index
        words = name.split()
        for at in range(len(words) - 2, 0, -1):
            if words[at].lower() != "of":
                continue
            holder = name_key(" ".join(words[:at])).split()
            # "Government", "Federal Government", "Ministry of Health": an organ noun ends or starts it
            ends = any(" ".join(holder[-size:]) in index.organ_keys for size in range(1, min(3, len(holder)) + 1))
            if not (ends or _starts_with_organ(holder, index)):
                continue
            owner = self._owner(bare_name(" ".join(words[at + 1 :])))
            if owner is not None:
                return owner
        return None

    def _by_possessive(self, name: str) -> str | None:
        """ "Kenya's parliament", "the UN's Secretary-General"."""
        match = _POSSESSIVE_SPLIT.match(normal_text(name))
        if match is None:
            return None
        holder = name_key(match.group(2)).split()
        if not (" ".join(holder) in self._index.organ_keys or _starts_with_organ(holder, self._index)):
            return None
        return self._owner(bare_name(match.group(1)))

    def _by_pattern(self, text: str, name: str) -> str | None:
        if not self._pattern_matcher_parts:
            return None
        tokenizer, matcher = self._pattern_matcher_parts
        for candidate in dict.fromkeys((" ".join(text.split()), name)):
            doc = tokenizer(candidate)
            for match_id, start, end in matcher(doc):
                if start == 0 and end == len(doc):
                    return doc.vocab.strings[match_id]
        return None

    @cached_property
    def _pattern_matcher_parts(self) -> tuple[Any, Any] | None:
        """A tokenizer and Matcher over the patterns that need no trained pipeline."""
        lexical = [
            (actor.id, [dict(token) for token in pattern])
            for actor in self.actors.values()
            for pattern in actor.patterns
            if all(set(token) <= LEXICAL_ATTRS for token in pattern)
        ]
        if not lexical:
            return None
        import spacy  # late: resolving plain names needs no spaCy
        from spacy.matcher import Matcher

        nlp = spacy.blank("en")
        matcher = Matcher(nlp.vocab)
        for actor_id, pattern in lexical:
            matcher.add(actor_id, [pattern])
        return nlp.tokenizer, matcher

    @property
    def _index(self) -> ActorIndex:
        if self.index is None:
            raise RuntimeError("ActorTaxonomy has no index; build it with load_actors() or build_taxonomy()")
        return self.index

    # -- membership --------------------------------------------------------
    def members_of(self, actor_id: str) -> frozenset[str]:
        """Direct members: actors whose ``member_of`` names it, and those it ``includes``."""
        return self._members.get(actor_id, frozenset())

    def groups_of(self, actor_id: str) -> frozenset[str]:
        """Every collective or organisation that contains the actor, transitively."""
        return frozenset(_closure(actor_id, self._groups)) - {actor_id}

    def expand(self, actor_id: str) -> frozenset[str]:
        """The actor and everything it stands for, transitively (west -> us, uk, canada, eu, EU members ...)."""
        return frozenset(_closure(actor_id, self._members))

    @cached_property
    def _members(self) -> dict[str, frozenset[str]]:
        members: dict[str, set[str]] = {aid: set(actor.includes) for aid, actor in self.actors.items()}
        for actor in self.actors.values():
            for group in actor.member_of:
                members[group].add(actor.id)
        return {aid: frozenset(found) for aid, found in members.items()}

    @cached_property
    def _groups(self) -> dict[str, frozenset[str]]:
        groups: dict[str, set[str]] = {aid: set() for aid in self.actors}
        for group, members in self._members.items():
            for member in members:
                groups[member].add(group)
        return {aid: frozenset(found) for aid, found in groups.items()}


def _starts_with_organ(words: list[str], index: ActorIndex) -> bool:
    """True for "ministry of health", "department for education": an organ noun, then a link word."""
    for size in range(1, min(3, len(words)) + 1):
        if " ".join(words[:size]) in index.organ_keys and (len(words) == size or words[size] in _LINKS):
            return True
    return False


def _closure(start: str, edges: Mapping[str, frozenset[str]]) -> Iterator[str]:
    seen = {start}
    stack = [start]
    while stack:
        current = stack.pop()
        yield current
        for nxt in edges.get(current, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)


# Loading lives in its own modules; re-exported here, where callers always found it.
from pipeline.taxonomy.index import iter_names  # noqa: E402
from pipeline.taxonomy.loading import build_taxonomy, load_actors  # noqa: E402
