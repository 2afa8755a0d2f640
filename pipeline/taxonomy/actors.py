"""The actor taxonomy (``configs/actors.yaml``): canonical actor ids and their names.

:func:`load_actors` reads and validates the file; :class:`ActorTaxonomy`
answers "which actor does this mention name?" (:meth:`ActorTaxonomy.resolve`)
and "who does this collective stand for?" (:meth:`ActorTaxonomy.expand`).
The spaCy gazetteer built from the same data lives in
:mod:`pipeline.recognise.actors`.

Names are compared through a *key*: accents transliterated, punctuation
dropped, case folded (``"Łukaszenka's"`` and ``"lukaszenka"`` share one), so a
variant that differs only in those respects needs no alias of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from slugify import slugify

from pipeline.errors import ConfigError
from pipeline.yamlio import read_yaml

ACTOR_KINDS = ("state", "international_organisation", "collective", "domestic_group")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
QID_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
LABEL_PATTERN = re.compile(r"^[A-Z][A-Z_]*$")
ACTOR_KEYS = frozenset(
    {"label", "kind", "qid", "description", "aliases", "cased_aliases", "demonyms", "patterns", "member_of", "includes",
     "context_aliases", "anchor"}
)
TOP_LEVEL_KEYS = frozenset(
    {"actors", "countries", "demonym_heads", "generic_names", "not_actors", "state_name_prefixes", "entity_labels",
     "new_actor_labels"}
)
# Token attributes that the tokenizer alone sets; patterns using only these can
# be checked by resolve() without a trained pipeline.
LEXICAL_ATTRS = frozenset(
    {"ORTH", "TEXT", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LENGTH", "OP",
     "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
     "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT",
     "IS_CURRENCY", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL"}
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING_POSSESSIVE = re.compile(r"(?:'s|'S|')$")
_EDGE_PUNCTUATION = " \t\r\n\"'()[]{}<>,;:!?*\u201c\u201d\u00ab\u00bb"

TokenPattern = tuple[dict[str, Any], ...]


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a name."""
    return slugify(text, separator=" ")


def cased_key(text: str) -> str:
    """Like :func:`name_key` but keeping capitals: "US" and "us" differ."""
    return slugify(text, separator=" ", lowercase=False)


def ascii_variant(text: str) -> str:
    """The name with accented and special letters transliterated, punctuation kept ("Nausėda" -> "Nauseda")."""
    return "".join(c if c.isascii() else slugify(c, separator="", lowercase=False) for c in text)


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def bare_name(text: str) -> str:
    """The name a mention carries: without a leading "the", possessive or edge punctuation."""
    name = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    name = " ".join(name.split()).strip(_EDGE_PUNCTUATION)
    name = _LEADING_ARTICLE.sub("", name)
    return _TRAILING_POSSESSIVE.sub("", name).strip(_EDGE_PUNCTUATION)


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


@dataclass(frozen=True)
class ActorIndex:
    """Lookup tables derived from the taxonomy, built once at load."""

    by_key: Mapping[str, str]  # name_key of an alias or country name -> id
    by_cased_key: Mapping[str, str]  # cased_key of a cased alias (and its ALL CAPS form) -> id
    demonym_by_key: Mapping[str, str]  # name_key of a demonym -> id
    demonym_by_cased_key: Mapping[str, str]  # capitals-only demonyms ("US") -> id
    head_keys: frozenset[str]
    generic_keys: frozenset[str]  # generic nouns and demonym heads: no particular actor
    max_head_words: int
    prefix_keys: tuple[str, ...]
    state_ids: frozenset[str]


@dataclass(frozen=True)
class ActorTaxonomy:
    """The validated actor taxonomy. Build it with :func:`load_actors`."""

    path: str
    actors: dict[str, Actor]
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    demonym_heads: tuple[str, ...] = ()
    generic_names: tuple[str, ...] = ()
    not_actors: tuple[str, ...] = ()
    state_name_prefixes: tuple[str, ...] = ()
    entity_labels: tuple[str, ...] = ()
    new_actor_labels: tuple[str, ...] = ()
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

        Tries, in order: aliases (case-insensitive) and cased aliases; country
        names; a demonym followed by a governmental noun ("Lithuanian
        government"); an official state form ("Republic of Moldova"); the
        file's token patterns. "Russian culture" names no actor.
        """
        name = bare_name(text)
        if not name:
            return None
        return (
            self._by_name(name)
            or self._by_demonym_phrase(name)
            or self._by_state_prefix(name)
            or self._by_pattern(text, name)
        )

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


# -- loading and validation ----------------------------------------------------


def load_actors(path: str | Path) -> ActorTaxonomy:
    """Read and validate an actor taxonomy file; raise ConfigError naming the entry at fault."""
    path = Path(path)
    return build_taxonomy(read_yaml(path), path)


def build_taxonomy(data: Any, path: str | Path) -> ActorTaxonomy:
    """Validate parsed YAML ``data`` (read from ``path``) and index it."""
    path = Path(path)
    if not isinstance(data, dict):
        raise ConfigError(path, "top level", f"expected a mapping with an 'actors' key, got {type(data).__name__}")
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(path, unknown[0], "is not a known key", f"known keys: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    raw_actors = data.get("actors")
    if not isinstance(raw_actors, dict) or not raw_actors:
        raise ConfigError(path, "actors", "expected a mapping of actor id to its entry", "see the comments at the top of configs/actors.yaml")

    actors = {aid: _parse_actor(path, aid, spec) for aid, spec in raw_actors.items()}
    countries = _parse_countries(path, data.get("countries"), actors)
    _check_references(path, actors)
    taxonomy = ActorTaxonomy(
        path=str(path),
        actors=actors,
        countries=countries,
        demonym_heads=_string_list(path, "demonym_heads", data.get("demonym_heads")),
        generic_names=_string_list(path, "generic_names", data.get("generic_names")),
        not_actors=_string_list(path, "not_actors", data.get("not_actors")),
        state_name_prefixes=_string_list(path, "state_name_prefixes", data.get("state_name_prefixes")),
        entity_labels=_label_list(path, "entity_labels", data.get("entity_labels")),
        new_actor_labels=_label_list(path, "new_actor_labels", data.get("new_actor_labels")),
    )
    return _with_index(taxonomy)


def _parse_actor(path: Path, aid: Any, spec: Any) -> Actor:
    entry = f"actors.{aid}"
    if not isinstance(aid, str) or not ID_PATTERN.match(aid):
        raise ConfigError(path, entry, "is not a valid actor id", "ids are lower-case letters, digits and underscores, e.g. north_macedonia")
    if not isinstance(spec, dict):
        raise ConfigError(path, entry, f"expected a mapping with label and kind, got {spec!r}")
    unknown = sorted(set(spec) - ACTOR_KEYS)
    if unknown:
        raise ConfigError(path, f"{entry}.{unknown[0]}", "is not a known key", f"known keys: {', '.join(sorted(ACTOR_KEYS))}")
    label = spec.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(path, f"{entry}.label", f"expected a non-empty name, got {label!r}")
    kind = spec.get("kind")
    if kind not in ACTOR_KINDS:
        raise ConfigError(path, f"{entry}.kind", f"expected one of {', '.join(ACTOR_KINDS)}, got {kind!r}")
    qid = spec.get("qid")
    if qid is not None and (not isinstance(qid, str) or not QID_PATTERN.match(qid)):
        raise ConfigError(path, f"{entry}.qid", f"expected a Wikidata id like Q458, got {qid!r}", "leave it out when unsure")
    description = spec.get("description") or ""
    if not isinstance(description, str):
        raise ConfigError(path, f"{entry}.description", f"expected text, got {description!r}")
    return Actor(
        id=aid,
        label=label.strip(),
        kind=kind,
        qid=qid,
        aliases=_string_list(path, f"{entry}.aliases", spec.get("aliases")),
        cased_aliases=_string_list(path, f"{entry}.cased_aliases", spec.get("cased_aliases")),
        demonyms=_string_list(path, f"{entry}.demonyms", spec.get("demonyms")),
        patterns=_parse_patterns(path, f"{entry}.patterns", spec.get("patterns")),
        member_of=_id_list(path, f"{entry}.member_of", spec.get("member_of")),
        includes=_id_list(path, f"{entry}.includes", spec.get("includes")),
        description=" ".join(description.split()),
        context_aliases=_string_list(path, f"{entry}.context_aliases", spec.get("context_aliases")),
        anchor=_anchor(path, entry, spec),
    )


def _anchor(path: Path, entry: str, spec: dict[str, Any]) -> str | None:
    anchor = spec.get("anchor")
    if anchor is None:
        if spec.get("context_aliases"):
            raise ConfigError(path, f"{entry}.anchor", "is missing", "context_aliases need an anchor: the actor or country id whose mentions make a document about it")
        return None
    if not isinstance(anchor, str) or not ID_PATTERN.match(anchor):
        raise ConfigError(path, f"{entry}.anchor", f"expected an actor or country id, got {anchor!r}")
    return anchor


def _string_list(path: Path, entry: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(path, entry, f"expected a list of non-empty strings, got {value!r}", "quote names that contain a comma or colon")
    return tuple(dict.fromkeys(" ".join(v.split()) for v in value))


def _id_list(path: Path, entry: str, value: Any) -> tuple[str, ...]:
    ids = _string_list(path, entry, value)
    for aid in ids:
        if not ID_PATTERN.match(aid):
            raise ConfigError(path, entry, f"{aid!r} is not an actor id", "name ids as written under 'actors', e.g. eu")
    return ids


def _label_list(path: Path, entry: str, value: Any) -> tuple[str, ...]:
    labels = _string_list(path, entry, value)
    for label in labels:
        if not LABEL_PATTERN.match(label):
            raise ConfigError(path, entry, f"{label!r} is not an entity label", "use spaCy's upper-case labels, e.g. GPE, ORG, PERSON")
    return labels


def _parse_patterns(path: Path, entry: str, value: Any) -> tuple[TokenPattern, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(path, entry, f"expected a list of token patterns, got {value!r}")
    from spacy.schemas import validate_token_pattern  # spaCy's own schema knows every valid attribute

    patterns = []
    for number, pattern in enumerate(value):
        where = f"{entry}[{number}]"
        if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) and t for t in pattern):
            raise ConfigError(
                path, where, f"expected a non-empty list of token dicts, got {pattern!r}",
                'write e.g. [{LOWER: russian}, {LOWER: {IN: [government, authorities]}}]',
            )
        problems = validate_token_pattern(pattern)
        if problems:
            raise ConfigError(path, where, "is not a valid spaCy token pattern: " + "; ".join(problems),
                              "see https://spacy.io/usage/rule-based-matching#adding-patterns-attributes")
        _check_regexes(path, where, pattern)
        patterns.append(tuple(dict(token) for token in pattern))
    return tuple(patterns)


def _check_regexes(path: Path, where: str, pattern: list[dict[str, Any]]) -> None:
    """spaCy compiles a token pattern's REGEX only when it first matches: check each one now."""
    pending: list[tuple[str, Any]] = [(where, token) for token in pattern]
    while pending:
        trail, node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "REGEX" and isinstance(value, str):
                    try:
                        re.compile(value)
                    except re.error as exc:
                        raise ConfigError(path, f"{trail}.REGEX", f"is not a valid regular expression: {exc} in {value!r}",
                                          "fix the expression (Python re syntax) or use LOWER/IN instead") from None
                else:
                    pending.append((trail, value))


def _parse_countries(path: Path, value: Any, actors: Mapping[str, Actor]) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(path, "countries", "expected a mapping of country id to its names")
    countries: dict[str, tuple[str, ...]] = {}
    for cid, names in value.items():
        entry = f"countries.{cid}"
        if not isinstance(cid, str) or not ID_PATTERN.match(cid):
            raise ConfigError(path, entry, "is not a valid id", "use the lower-case short name with _ for spaces")
        if cid in actors:
            raise ConfigError(path, entry, f"is also an actor under actors.{cid}", "keep one of the two entries")
        countries[cid] = _string_list(path, entry, names)
        if not countries[cid]:
            raise ConfigError(path, entry, "lists no name")
    return countries


def _check_references(path: Path, actors: Mapping[str, Actor]) -> None:
    for actor in actors.values():
        for key in ("member_of", "includes"):
            for other in getattr(actor, key):
                if other not in actors:
                    raise ConfigError(path, f"actors.{actor.id}.{key}", f"names unknown actor id {other!r}",
                                      "add that actor under 'actors' or correct the id")
                if other == actor.id:
                    raise ConfigError(path, f"actors.{actor.id}.{key}", "names the actor itself")


@dataclass(frozen=True)
class _NameTables:
    by_key: dict[str, str]
    by_cased_key: dict[str, str]
    owner: dict[str, tuple[str, str]]  # name_key -> (id, entry that named it first)


def _name_tables(taxonomy: ActorTaxonomy) -> _NameTables:
    """Index every alias and country name, refusing a name that maps to two ids."""
    path = Path(taxonomy.path)
    tables = _NameTables(by_key={}, by_cased_key={}, owner={})
    for name, owner_id, cased, entry in _names_with_entries(taxonomy):
        bare = bare_name(name)
        key = name_key(bare)
        if not key:
            raise ConfigError(path, entry, f"{name!r} has no letters or digits to match on")
        previous = tables.owner.setdefault(key, (owner_id, entry))
        if previous[0] != owner_id:
            raise ConfigError(
                path, entry,
                f"{name!r} is also a name of {previous[0]!r} (in {previous[1]}); a name may map to one id only",
                "remove it from one of the two entries",
            )
        if cased:
            tables.by_cased_key[cased_key(bare)] = owner_id
            tables.by_cased_key[cased_key(bare.upper())] = owner_id
        else:
            tables.by_key[key] = owner_id
    return tables


def _names_with_entries(taxonomy: ActorTaxonomy) -> Iterator[tuple[str, str, bool, str]]:
    for actor in taxonomy.actors.values():
        for alias in actor.aliases:
            yield alias, actor.id, False, f"actors.{actor.id}.aliases"
        for alias in actor.cased_aliases:
            yield alias, actor.id, True, f"actors.{actor.id}.cased_aliases"
    for cid, country_names in taxonomy.countries.items():
        for country in country_names:
            # Country names resolve case-insensitively; the gazetteer matches them cased.
            yield country, cid, False, f"countries.{cid}"


def _demonym_tables(taxonomy: ActorTaxonomy, names: _NameTables) -> tuple[dict[str, str], dict[str, str]]:
    """Demonyms by key (and, for capitals-only ones like "US", by cased key), checked for clashes."""
    path = Path(taxonomy.path)
    by_key: dict[str, str] = {}
    by_cased_key: dict[str, str] = {}
    owners: dict[str, tuple[str, str]] = {}
    for actor in taxonomy.actors.values():
        entry = f"actors.{actor.id}.demonyms"
        for demonym in actor.demonyms:
            key = name_key(demonym)
            previous = owners.setdefault(key, (actor.id, entry))
            if previous[0] != actor.id:
                raise ConfigError(path, entry, f"demonym {demonym!r} is also listed in {previous[1]}",
                                  "a demonym may name one actor only")
            if is_all_caps(demonym):
                by_cased_key[cased_key(demonym)] = actor.id
            else:
                by_key[key] = actor.id
    heads = [name_key(head) for head in taxonomy.demonym_heads]
    for key, (owner, entry) in owners.items():
        for head in heads:
            phrase_owner = names.owner.get(f"{key} {head}")
            if phrase_owner is not None and phrase_owner[0] != owner:
                raise ConfigError(
                    path, entry,
                    f"the demonym phrase {key + ' ' + head!r} would name {owner!r}, but it is a name of "
                    f"{phrase_owner[0]!r} (in {phrase_owner[1]})",
                    "drop the alias, or the head from demonym_heads",
                )
    return by_key, by_cased_key


def _with_index(taxonomy: ActorTaxonomy) -> ActorTaxonomy:
    names = _name_tables(taxonomy)
    demonym_by_key, demonym_by_cased_key = _demonym_tables(taxonomy, names)
    head_keys = frozenset(name_key(head) for head in taxonomy.demonym_heads)
    index = ActorIndex(
        by_key=names.by_key,
        by_cased_key=names.by_cased_key,
        demonym_by_key=demonym_by_key,
        demonym_by_cased_key=demonym_by_cased_key,
        head_keys=head_keys,
        generic_keys=head_keys | frozenset(name_key(name) for name in taxonomy.generic_names),
        max_head_words=max((len(h.split()) for h in head_keys), default=0),
        prefix_keys=tuple(sorted((name_key(p) for p in taxonomy.state_name_prefixes), key=len, reverse=True)),
        state_ids=frozenset(a.id for a in taxonomy.actors.values() if a.kind == "state") | frozenset(taxonomy.countries),
    )
    return replace(taxonomy, index=index)


def iter_names(taxonomy: ActorTaxonomy) -> Iterable[tuple[str, str, bool]]:
    """Every (name, id, cased) the gazetteer matches: aliases, cased aliases, country names."""
    for actor in taxonomy.actors.values():
        for alias in actor.aliases:
            yield alias, actor.id, False
        for alias in actor.cased_aliases:
            yield alias, actor.id, True
    for cid, country_names in taxonomy.countries.items():
        for country in country_names:
            yield country, cid, True
