"""The actor taxonomy (``configs/actors.yaml``). Minimal first version; see issue 3."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    kind: str
    qid: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActorTaxonomy:
    path: str
    actors: dict[str, Actor]


def load_actors(path: str | Path) -> ActorTaxonomy:
    from pipeline.config import read_yaml

    data = read_yaml(Path(path)) or {}
    actors = {
        aid: Actor(id=aid, label=spec.get("label", aid), kind=spec.get("kind", "state"))
        for aid, spec in (data.get("actors") or {}).items()
    }
    return ActorTaxonomy(path=str(path), actors=actors)
