"""The look-up tables of an actor taxonomy, built once at load and checked for clashes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.taxonomy.actors import OWNER_KINDS, ActorIndex, ActorTaxonomy
from pipeline.taxonomy.names import bare_name, cased_key, is_all_caps, name_key


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
                "remove it from one of the two entries (a library name: add it to world.skip_names)",
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


def _capital_table(taxonomy: ActorTaxonomy, names: _NameTables) -> dict[str, str]:
    """Capitals by cased key; a capital that is already someone's name stays theirs ("Brussels" is the EU)."""
    table: dict[str, str] = {}
    for owner, capitals in taxonomy.capitals.items():
        for capital in capitals:
            if name_key(capital) in names.owner:
                continue
            table[cased_key(bare_name(capital))] = owner
            table[cased_key(bare_name(capital).upper())] = owner
    return table


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


def with_index(taxonomy: ActorTaxonomy) -> ActorTaxonomy:
    names = _name_tables(taxonomy)
    demonym_by_key, demonym_by_cased_key = _demonym_tables(taxonomy, names)
    head_keys = frozenset(name_key(head) for head in taxonomy.demonym_heads)
    organ_keys = frozenset(name_key(head) for head in taxonomy.organ_heads)
    states = frozenset(a.id for a in taxonomy.actors.values() if a.kind == "state") | frozenset(taxonomy.countries)
    index = ActorIndex(
        by_key=names.by_key,
        by_cased_key=names.by_cased_key,
        capital_by_cased_key=_capital_table(taxonomy, names),
        demonym_by_key=demonym_by_key,
        demonym_by_cased_key=demonym_by_cased_key,
        head_keys=head_keys | organ_keys,
        organ_keys=organ_keys,
        generic_keys=head_keys | organ_keys | frozenset(name_key(name) for name in taxonomy.generic_names),
        max_head_words=max((len(h.split()) for h in head_keys | organ_keys), default=0),
        prefix_keys=tuple(sorted((name_key(p) for p in taxonomy.state_name_prefixes), key=len, reverse=True)),
        state_ids=states,
        organ_owner={state: actor.id for actor in taxonomy.actors.values() for state in actor.organs_of},
        owner_ids=states | frozenset(a.id for a in taxonomy.actors.values() if a.kind in OWNER_KINDS),
    )
    return replace(taxonomy, index=index)


def iter_names(taxonomy: ActorTaxonomy) -> Iterable[tuple[str, str, bool]]:
    """Every (name, id, cased) the gazetteer matches: aliases, cased aliases, country names.

    Capitals are left out: a capital names its government only as a subject
    (:meth:`ActorTaxonomy.capital_owner`), and the gazetteer cannot see syntax.
    """
    for actor in taxonomy.actors.values():
        for alias in actor.aliases:
            yield alias, actor.id, False
        for alias in actor.cased_aliases:
            yield alias, actor.id, True
    for cid, country_names in taxonomy.countries.items():
        for country in country_names:
            yield country, cid, True
