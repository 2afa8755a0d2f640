"""The states of the world, from pycountry and countryinfo rather than a hand-typed list.

pycountry (ISO 3166-1, Debian's iso-codes) gives each state's alpha-3 code, its
short, common and official names; countryinfo gives demonyms, capitals and
other spellings. They are joined on the alpha-3 code. What the libraries
cannot say is in the ``world`` section of ``configs/actors.yaml``: which ISO
entries are territories rather than states, the guide's id where it is not
the slug of the library's short name (``USA`` -> ``us``), names that must not
be matched (a capital that is also a common word), and extra demonyms.

The libraries are read once per process (:func:`library_records`); nothing is
downloaded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from pipeline.errors import ConfigError
from pipeline.taxonomy.names import name_key, normal_text

WORLD_KEYS = frozenset({"ids", "not_states", "skip_names", "demonyms"})
ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Other spellings are kept when they are an English official form ("Republic
# of Kenya", "Kingdom of Bahrain"); countryinfo also lists native names and
# codes ("Eesti Vabariik", "CI"), which English text does not use.
_FORM_WORDS = frozenset(
    "republic kingdom state states federation commonwealth principality union sultanate emirates duchy "
    "confederation islands nation".split()
)


@dataclass(frozen=True)
class WorldSpec:
    """The ``world`` section: what the libraries are told or not trusted with."""

    ids: Mapping[str, str] = field(default_factory=dict)  # alpha-3 -> guide id
    not_states: frozenset[str] = frozenset()  # alpha-3 codes of territories
    skip_names: frozenset[str] = frozenset()  # name keys never matched
    demonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # guide id -> extra demonyms


@dataclass(frozen=True)
class WorldState:
    """One state as the libraries describe it."""

    id: str
    iso3: str
    label: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    capitals: tuple[str, ...]


def parse_world(path: Path, value: Any) -> WorldSpec | None:
    """Validate the ``world`` section; None when the file has none (no library states)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(path, "world", f"expected a mapping with ids, not_states, skip_names, demonyms, got {value!r}")
    unknown = sorted(set(value) - WORLD_KEYS)
    if unknown:
        raise ConfigError(path, f"world.{unknown[0]}", "is not a known key", f"known keys: {', '.join(sorted(WORLD_KEYS))}")
    ids = value.get("ids") or {}
    if not isinstance(ids, dict):
        raise ConfigError(path, "world.ids", f"expected a mapping of ISO alpha-3 code to actor id, got {ids!r}", "e.g. USA: us")
    for code, aid in ids.items():
        _check_code(path, f"world.ids.{code}", code)
        if not isinstance(aid, str) or not ID_PATTERN.match(aid):
            raise ConfigError(path, f"world.ids.{code}", f"expected an actor id, got {aid!r}", "lower-case letters, digits and _")
    not_states = value.get("not_states") or []
    if not isinstance(not_states, list):
        raise ConfigError(path, "world.not_states", f"expected a list of ISO alpha-3 codes, got {not_states!r}")
    for code in not_states:
        _check_code(path, "world.not_states", code)
    skip = value.get("skip_names") or []
    if not isinstance(skip, list) or not all(isinstance(s, str) and s.strip() for s in skip):
        raise ConfigError(path, "world.skip_names", f"expected a list of names, got {skip!r}")
    demonyms = value.get("demonyms") or {}
    if not isinstance(demonyms, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(d, str) and d.strip() for d in v) for k, v in demonyms.items()
    ):
        raise ConfigError(path, "world.demonyms", f"expected a mapping of actor id to a list of demonyms, got {demonyms!r}")
    return WorldSpec(
        ids=dict(ids),
        not_states=frozenset(not_states),
        skip_names=frozenset(name_key(s) for s in skip),
        demonyms={k: tuple(v) for k, v in demonyms.items()},
    )


def _check_code(path: Path, entry: str, code: Any) -> None:
    if not isinstance(code, str) or not ISO3_PATTERN.match(code):
        raise ConfigError(path, entry, f"expected an ISO 3166-1 alpha-3 code, got {code!r}", "e.g. USA, GBR, CIV")
    if code not in library_records():
        raise ConfigError(path, entry, f"{code!r} is not a code pycountry knows", "see pycountry.countries for the codes")


def world_states(spec: WorldSpec) -> tuple[WorldState, ...]:
    """Every state of the libraries that the spec does not call a territory."""
    states = []
    for code, record in library_records().items():
        if code in spec.not_states:
            continue
        states.append(_state(code, record, spec))
    return tuple(states)


def _state(code: str, record: dict[str, Any], spec: WorldSpec) -> WorldState:
    short = record["short"]
    aid = spec.ids.get(code) or slugify(short, separator="_")
    kept = lambda names: tuple(n for n in dict.fromkeys(names) if n and name_key(n) not in spec.skip_names)  # noqa: E731
    return WorldState(
        id=aid,
        iso3=code,
        label=short,
        names=kept(record["names"]),
        demonyms=kept([*record["demonyms"], *spec.demonyms.get(aid, ())]),
        capitals=kept(record["capitals"]),
    )


@functools.cache
def library_records() -> dict[str, dict[str, Any]]:
    """pycountry's entries joined with countryinfo's on alpha-3, read once per process."""
    import pycountry  # late: only loading a taxonomy with a world section needs them
    from countryinfo import CountryInfo

    extra: dict[str, list[dict[str, Any]]] = {}
    for info in CountryInfo.all().values():
        code = (info.get("ISO") or {}).get("alpha3")
        if code:
            extra.setdefault(code, []).append(info)
    records = {}
    for country in pycountry.countries:
        infos = extra.get(country.alpha_3, [])
        common = getattr(country, "common_name", None)
        # ISO names are often inverted ("Korea, Republic of"); the usual short
        # name is the common name, else the ISO name when it reads as one,
        # else countryinfo's name.
        plain = country.name if not re.search(r"[,(]", country.name) else None
        short = common or plain or (infos[0]["name"] if infos else country.name)
        official = getattr(country, "official_name", None)
        names = [short, common, plain, _without_article(official)]
        names += [info["name"] for info in infos if not re.search(r"[,(]", info["name"])]
        names += [alt for info in infos for alt in info.get("altSpellings") or () if _is_english_form(alt)]
        records[country.alpha_3] = {
            "short": short,
            "names": [normal_text(n) for n in names if n],
            "demonyms": [normal_text(d) for info in infos for d in (info.get("demonym") or "").split(",") if d.strip()],
            "capitals": [normal_text(c) for info in infos for c in _capitals(info.get("capital"))],
        }
    return records


def _without_article(name: str | None) -> str | None:
    return re.sub(r"^the\s+", "", name) if name else None


def _is_english_form(alt: str) -> bool:
    words = alt.split()
    return len(words) >= 2 and alt.isascii() and "," not in alt and any(w.lower() in _FORM_WORDS for w in words)


def _capitals(value: Any) -> Iterator[str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            yield from (part.strip() for part in item.split(" / ") if part.strip())
