"""Reading ``configs/actors.yaml``: validation (every error names the file and entry) and the world's states."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.taxonomy.actors import ACTOR_KINDS, Actor, ActorTaxonomy, TokenPattern
from pipeline.taxonomy.index import with_index
from pipeline.taxonomy.names import name_key
from pipeline.taxonomy.world import WorldState, parse_world, world_states
from pipeline.yamlio import read_yaml

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
QID_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
LABEL_PATTERN = re.compile(r"^[A-Z][A-Z_]*$")
ACTOR_KEYS = frozenset(
    {"label", "kind", "qid", "description", "aliases", "cased_aliases", "demonyms", "patterns", "member_of", "includes",
     "context_aliases", "anchor", "organs_of"}
)
TOP_LEVEL_KEYS = frozenset(
    {"actors", "countries", "demonym_heads", "generic_names", "not_actors", "state_name_prefixes", "entity_labels",
     "new_actor_labels", "organ_heads", "world"}
)


def load_actors(path: str | Path) -> ActorTaxonomy:
    """Read and validate an actor taxonomy file; raise ConfigError naming the entry at fault."""
    path = Path(path)
    return build_taxonomy(read_yaml(path), path)


def build_taxonomy(data: Any, path: str | Path) -> ActorTaxonomy:
    """Validate parsed YAML ``data`` (read from ``path``), add the world's states and index it."""
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
    spec = parse_world(path, data.get("world"))
    capitals = _add_world(actors, countries, world_states(spec) if spec else ())
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
        organ_heads=_string_list(path, "organ_heads", data.get("organ_heads")),
        capitals=capitals,
    )
    return with_index(taxonomy)


def _add_world(actors: dict[str, Actor], countries: dict[str, tuple[str, ...]], states: tuple[WorldState, ...]) -> dict[str, tuple[str, ...]]:
    """Merge the libraries' states into ``actors`` and ``countries`` (in place); return capitals by owner.

    A hand-written entry wins: its names, demonyms, memberships and Wikidata
    id stay, and the library adds the names and demonyms it lacks. A demonym
    two states share ("Congolese", "Dominican") names neither.
    """
    claimed_demonyms = {name_key(d) for actor in actors.values() for d in actor.demonyms}
    shared = Counter(name_key(d) for state in states for d in {name_key(x) for x in state.demonyms})
    owner_of = {state: actor.id for actor in actors.values() for state in actor.organs_of}
    capitals: dict[str, tuple[str, ...]] = {}
    for state in states:
        demonyms = tuple(d for d in state.demonyms if name_key(d) not in claimed_demonyms and shared[name_key(d)] == 1)
        hand = actors.get(state.id)
        own = {name_key(n) for n in (*hand.aliases, *hand.cased_aliases)} if hand else set()
        listed = countries.get(state.id, ())
        names = tuple(dict.fromkeys((*listed, *(n for n in state.names if name_key(n) not in own))))
        if names:
            countries[state.id] = names
        if hand is None:
            actors[state.id] = Actor(id=state.id, label=state.label, kind="state", demonyms=demonyms)
        elif demonyms:
            actors[state.id] = replace(hand, demonyms=hand.demonyms + demonyms)
        owner = owner_of.get(state.id, state.id)
        capitals[owner] = capitals.get(owner, ()) + state.capitals
    for cid, names in countries.items():  # states the file lists that the libraries lack
        actors.setdefault(cid, Actor(id=cid, label=names[0], kind="state"))
    return capitals


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
        organs_of=_id_list(path, f"{entry}.organs_of", spec.get("organs_of")),
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


def _checked_list(path: Path, entry: str, value: Any, pattern: Any, what: str, fix: str) -> tuple[str, ...]:
    """A list of strings each matching ``pattern``; the first that does not is named."""
    items = _string_list(path, entry, value)
    for item in items:
        if not pattern.match(item):
            raise ConfigError(path, entry, f"{item!r} is not {what}", fix)
    return items


def _id_list(path: Path, entry: str, value: Any) -> tuple[str, ...]:
    return _checked_list(path, entry, value, ID_PATTERN, "an actor id", "name ids as written under 'actors', e.g. eu")


def _label_list(path: Path, entry: str, value: Any) -> tuple[str, ...]:
    return _checked_list(path, entry, value, LABEL_PATTERN, "an entity label",
                         "use spaCy's upper-case labels, e.g. GPE, ORG, PERSON")


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
        for key in ("member_of", "includes", "organs_of"):
            for other in getattr(actor, key):
                if other not in actors:
                    raise ConfigError(path, f"actors.{actor.id}.{key}", f"names unknown actor id {other!r}",
                                      "add that actor under 'actors' or correct the id")
                if other == actor.id:
                    raise ConfigError(path, f"actors.{actor.id}.{key}", "names the actor itself")
