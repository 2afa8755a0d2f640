"""The instrument taxonomy (``configs/instruments.yaml``): ids, DIME groups, Hood's NATO tools, seed terms."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.yamlio import read_yaml

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
INSTRUMENT_KEYS = {"label", "group", "tool", "definition", "terms", "acts_on"}
# Whom a measure of this instrument acts on when the text names nobody: the
# paper's adversary (sanctioned, investigated, engaged with), its beneficiary
# (aided, informed, given visas), or no one in particular.
ACTS_ON = ("adversary", "beneficiary", "none")


@dataclass(frozen=True)
class Instrument:
    id: str
    label: str
    group: str
    definition: str
    terms: tuple[str, ...]
    acts_on: str = "none"  # one of ACTS_ON
    tool: str = ""  # Hood's tool of government (nodality, authority, treasure, organisation)


@dataclass(frozen=True)
class InstrumentTaxonomy:
    path: str
    groups: dict[str, str]  # group id -> label
    instruments: dict[str, Instrument]
    tools: dict[str, str] = dataclasses.field(default_factory=dict)  # tool id -> label

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.instruments)

    def group_of(self, instrument_id: str) -> str:
        return self.instruments[instrument_id].group

    def tool_of(self, instrument_id: str) -> str:
        return self.instruments[instrument_id].tool


def load_instruments(path: str | Path) -> InstrumentTaxonomy:
    """Read and validate the instrument taxonomy."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or set(data) - {"groups", "tools", "instruments"}:
        raise ConfigError(path, "top level", "expected the keys 'groups', 'tools' and 'instruments' only")
    groups = data.get("groups") or {}
    if not isinstance(groups, dict) or not groups:
        raise ConfigError(path, "groups", "expected a mapping of group id to label")
    tools = data.get("tools") or {}
    if not isinstance(tools, dict) or not tools:
        raise ConfigError(path, "tools", "expected a mapping of tool id to label",
                          "Hood's tools of government: nodality, authority, treasure, organisation")
    raw: Any = data.get("instruments") or {}
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(path, "instruments", "expected a mapping of instrument id to its definition")
    instruments: dict[str, Instrument] = {}
    seen_terms: dict[str, str] = {}
    for iid, spec in raw.items():
        entry = f"instruments.{iid}"
        if not isinstance(iid, str) or not ID_PATTERN.match(iid):
            raise ConfigError(path, entry, "ids are lower-case letters, digits and underscores")
        if not isinstance(spec, dict):
            raise ConfigError(path, entry, "expected a mapping with label, group, definition, terms")
        unknown = set(spec) - INSTRUMENT_KEYS
        if unknown:
            raise ConfigError(path, f"{entry}.{sorted(unknown)[0]}", "is not a known key",
                              f"known keys: {', '.join(sorted(INSTRUMENT_KEYS))}")
        group = spec.get("group")
        if group not in groups:
            raise ConfigError(path, f"{entry}.group", f"names unknown group {group!r}",
                              f"declare it under 'groups' ({', '.join(groups)})")
        tool = spec.get("tool")
        if tool not in tools:
            raise ConfigError(path, f"{entry}.tool", f"names unknown tool {tool!r}",
                              f"give every instrument one of the tools declared under 'tools' ({', '.join(tools)})")
        terms = spec.get("terms") or []
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ConfigError(path, f"{entry}.terms", "expected a list of non-empty strings")
        for term in terms:
            seen_terms.setdefault(term.lower(), iid)
        acts_on = spec.get("acts_on", "none")
        if acts_on not in ACTS_ON:
            raise ConfigError(path, f"{entry}.acts_on", f"expected one of {', '.join(ACTS_ON)}, got {acts_on!r}",
                              "say whom the instrument's measures act on when a paper names no target")
        instruments[iid] = Instrument(
            id=iid,
            label=str(spec.get("label") or iid),
            group=group,
            definition=str(spec.get("definition") or ""),
            terms=tuple(t.lower().strip() for t in terms),
            acts_on=acts_on,
            tool=tool,
        )
    return InstrumentTaxonomy(path=str(path), groups=dict(groups), instruments=instruments, tools=dict(tools))
