"""Contradiction rules (configs/contradictions.yaml): which measures pull in opposite directions.

Part of the configuration layer: ``load_config`` reads and validates the file
before the first PDF, and the graph stage takes the parsed rules from
``Config.contradictions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.yamlio import read_yaml

TOP_LEVEL_KEYS = frozenset({"oppositions", "do_vs_refrain", "same_document", "head_words", "limiters"})
OPPOSITION_KEYS = frozenset({"reason", "a", "b", "scope", "default"})


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


def load_contradictions(path: str | Path, known_instruments: Iterable[str] | None = None) -> ContradictionRules:
    """Read and validate contradictions.yaml; instrument ids are checked against ``known_instruments``."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or set(data) - TOP_LEVEL_KEYS:
        raise ConfigError(path, "top level", f"expected a mapping with the keys {', '.join(sorted(TOP_LEVEL_KEYS))}")
    known = None if known_instruments is None else frozenset(known_instruments)
    oppositions = _oppositions(data.get("oppositions") or [], path, known)
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
        oppositions=oppositions,
        do_vs_refrain_reason=str(dvr.get("reason") or "do vs refrain"),
        do_vs_refrain_min_similarity=None if min_similarity is None else float(min_similarity),
        same_document=same_document,
        head_words_measure=int(head_words.get("measure", ContradictionRules.head_words_measure)),
        head_words_sentence=int(head_words.get("sentence", ContradictionRules.head_words_sentence)),
        limiters=tuple(w.strip().lower() for w in limiters),
        path=str(path),
    )


def _oppositions(raw: Any, path: Path, known: frozenset[str] | None) -> tuple[Opposition, ...]:
    if not isinstance(raw, list):
        raise ConfigError(path, "oppositions", "expected a list of oppositions")
    oppositions = []
    for index, spec in enumerate(raw):
        entry = f"oppositions[{index}]"
        if not isinstance(spec, dict) or not {"reason", "a", "b"} <= set(spec) or set(spec) - OPPOSITION_KEYS:
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
    return tuple(oppositions)
