"""Validated configuration: settings, taxonomies, patterns and contradiction rules, loaded once at start.

``load_config()`` reads ``configs/settings.yaml`` (or a user file that
overrides part of it), merges the user's keys over the defaults, checks the
result against one schema (:data:`SETTINGS_SCHEMA`, a table of
:class:`Setting` entries: every key, type and range, checked by plain code
here), loads the taxonomies, pattern and contradiction files it names, and
returns one frozen :class:`Config`. :class:`ConfigSource` is a configuration
not loaded yet: its cheap :meth:`~ConfigSource.fingerprint` (settings only)
equals the loaded ``Config.hash``, so an unchanged re-run loads no taxonomy. Any problem raises
:class:`~pipeline.errors.ConfigError` naming the file and the entry, what
was expected and how to fix it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import operator
from dataclasses import dataclass
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError
from pipeline.registry import EXECUTORS, PDF_BACKENDS
from pipeline.yamlio import read_yaml

if TYPE_CHECKING:  # imported by load_config: load_settings needs no taxonomy
    from pipeline.taxonomy import ActorTaxonomy, InstrumentTaxonomy
    from pipeline.taxonomy.contradictions import ContradictionRules

__all__ = [
    "Config", "ConfigError", "ConfigSource", "DEFAULT_CONFIG_DIR", "DEFAULT_SETTINGS", "SETTINGS_SCHEMA", "Setting",
    "fingerprint", "load_config", "load_settings", "merged_settings", "read_yaml",
]

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG_DIR = PACKAGE_DIR.parent / "configs"
DEFAULT_SETTINGS = DEFAULT_CONFIG_DIR / "settings.yaml"
COMMAND_LINE = Path("<command line>")

_SHARE: dict[str, float] = {"ge": 0.0, "le": 1.0}  # a fraction or probability
_POSITIVE: dict[str, float] = {"ge": 1}


@dataclass(frozen=True)
class Setting:
    """One setting's type and range, by its dotted key in settings.yaml.

    ``kind`` is ``bool``, ``int``, ``float`` (a whole number is accepted and
    becomes a float), ``str``, ``list`` (of strings) or a tuple of the accepted
    strings. Types are strict: ``"1"`` is not 1 and ``1`` is not ``True``. The
    bounds ``gt``, ``ge``, ``lt`` and ``le`` apply to numbers, ``min_length``
    to strings.
    """

    key: str
    kind: type | tuple[str, ...]
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    min_length: int = 0


SETTINGS_SCHEMA: tuple[Setting, ...] = (
    Setting("paths.actors", str),
    Setting("paths.instruments", str),
    Setting("paths.patterns", str),
    Setting("paths.contradictions", str),
    Setting("extract.backend", PDF_BACKENDS),
    Setting("extract.furniture_zone", float, gt=0.0, lt=0.5),
    Setting("extract.furniture_min_repeat", float, gt=0.0, le=1.0),
    Setting("extract.footnote_size_ratio", float, gt=0.0, le=2.0),
    Setting("extract.footnote_zone", float, **_SHARE),
    Setting("extract.min_column_gap", float, gt=0.0),
    Setting("extract.image_only_max_chars", int, ge=0),
    Setting("extract.heading_size_ratio", float, ge=1.0),
    Setting("extract.max_heading_words", int, **_POSITIVE),
    Setting("extract.garbled_min_share", float, gt=0.0, le=1.0),
    Setting("extract.garbled_min_words", int, **_POSITIVE),
    Setting("extract.max_content_mb", int, **_POSITIVE),
    Setting("segment.model", str, min_length=1),
    Setting("segment.batch_size", int, **_POSITIVE),
    Setting("segment.disable", list),
    Setting("recognise.recommendation_threshold", float, **_SHARE),
    Setting("recognise.home_state_min_share", float, **_SHARE),
    Setting("recognise.home_state_min_mentions", int, **_POSITIVE),
    Setting("classify.instrument_threshold", float, **_SHARE),
    Setting("classify.max_instruments", int, ge=1, le=18),
    Setting("classify.implicit_target_min_support", int, ge=0),
    Setting("graph.measure_merge_threshold", float, **_SHARE),
    Setting("run.jobs", int, **_POSITIVE),
    Setting("run.executor", EXECUTORS),
    Setting("run.cache", bool),
    Setting("limits.document_seconds", int, **_POSITIVE),
    Setting("limits.document_memory_mb", int, ge=256),
    Setting("limits.max_pages", int, **_POSITIVE),
    Setting("evaluate.match_threshold", float, gt=0.0, le=1.0),
    Setting("train.detector.c", float, gt=0.0),
    Setting("train.detector.min_df", int, **_POSITIVE),
    Setting("train.detector.ngram_weight", float, ge=0.0),
    Setting("train.detector.max_ngrams", int, **_POSITIVE),
    Setting("train.detector.calibration_folds", int, ge=2),
    Setting("train.detector.max_iter", int, **_POSITIVE),
    Setting("train.detector.random_state", int, ge=0),
    Setting("train.instruments.c", float, gt=0.0),
    Setting("train.instruments.max_iter", int, **_POSITIVE),
    Setting("train.instruments.random_state", int, ge=0),
)
"""Every setting's type and range, in the order they are checked; the defaults themselves live in settings.yaml."""


def _schema_tree(schema: Sequence[Setting]) -> dict[str, Any]:
    """The schema as nested sections, in its order: ``{"run": {"jobs": Setting(...), ...}, ...}``."""
    tree: dict[str, Any] = {}
    for setting in schema:
        *sections, name = setting.key.split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {})
        node[name] = setting
    return tree


class _Invalid(ValueError):
    """A value the schema refuses: the dotted entry, what was expected, and what arrived."""

    def __init__(self, entry: str, expected: str, value: Any) -> None:
        super().__init__(f"{entry}: {expected}, got {value!r}")
        self.entry, self.expected, self.value = entry, expected, value


# checked in this order, so that NaN (no comparison holds) is reported by its upper bound
_BOUNDS = (("le", "<=", operator.le), ("lt", "<", operator.lt), ("ge", ">=", operator.ge), ("gt", ">", operator.gt))
_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "a list"}


def _is_a(value: Any, kind: type) -> bool:
    if kind is float:  # a whole number is a float too; a bool is neither
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _check_value(setting: Setting, value: Any, entry: str) -> Any:
    """``value`` as the settings hold it (a whole number made a float where a float is expected), or _Invalid."""
    kind = setting.kind
    if isinstance(kind, tuple):
        if not (isinstance(value, str) and value in kind):
            raise _Invalid(entry, f"expected one of {', '.join(kind)}", value)
        return value
    if not _is_a(value, kind):
        raise _Invalid(entry, f"expected {_TYPE_NAMES[kind]}", value)
    if kind is list:
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise _Invalid(f"{entry}.{index}", "expected str", item)
        return list(value)
    if kind is str and len(value) < setting.min_length:
        raise _Invalid(entry, "expected a non-empty string", value)
    if kind in (int, float):
        return _check_number(setting, value, entry)
    return value


def _check_number(setting: Setting, value: int | float, entry: str) -> int | float:
    try:
        number = float(value) if setting.kind is float else value
    except OverflowError:  # a whole number too large for a float
        raise _Invalid(entry, "expected a finite number", value) from None
    for name, sign, holds in _BOUNDS:
        bound = getattr(setting, name)
        if bound is not None and not holds(number, bound):
            raise _Invalid(entry, f"expected a number {sign} {bound}", value)
    if setting.kind is float and not math.isfinite(number):  # +inf where no upper bound is set
        raise _Invalid(entry, "expected a finite number", value)
    return number


def _check_section(schema: dict[str, Any], given: Any, trail: str) -> dict[str, Any]:
    """``given`` checked against a section of the schema: every key present and valid, in the schema's order,
    then no key the schema does not have."""
    if not isinstance(given, dict):
        raise _Invalid(trail, "expected a mapping", given)
    checked: dict[str, Any] = {}
    for name, spec in schema.items():
        entry = f"{trail}.{name}" if trail else name
        if name not in given:
            raise _Invalid(entry, "expected this setting (it is missing)", given)
        value = given[name]
        checked[name] = _check_section(spec, value, entry) if isinstance(spec, dict) else _check_value(spec, value, entry)
    for name, value in given.items():
        entry = f"{trail}.{name}" if trail else str(name)
        if not isinstance(name, str):  # YAML allows a number as a key
            raise _Invalid(entry, "expected keys should be strings", name)
        if name not in schema:
            raise _Invalid(entry, "is not a known setting", value)
    return checked


def _merge_checked(defaults: dict[str, Any], given: Any, path: Path, trail: str) -> dict[str, Any]:
    """``given`` merged over ``defaults``; a key the defaults do not have is refused."""
    if not isinstance(given, dict):
        raise ConfigError(path, trail or "top level", f"expected a mapping, got {type(given).__name__} {given!r}")
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        entry = f"{trail}.{key}" if trail else str(key)
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(path, entry, "is not a known setting", f"known keys here: {known}")
        merged[key] = _merge_checked(defaults[key], value, path, entry) if isinstance(defaults[key], dict) else value
    return merged


def _dotted_keys(tree: Any, trail: str = "") -> set[str]:
    if not isinstance(tree, dict):
        return {trail}
    keys: set[str] = set()
    for key, value in tree.items():
        keys |= _dotted_keys(value, f"{trail}.{key}" if trail else str(key))
    return keys


def validate_settings(settings: dict[str, Any], origin: dict[str, Path]) -> dict[str, Any]:
    """Check merged settings against :data:`SETTINGS_SCHEMA`; ``origin`` names the file each key came from.

    Returns the settings in the schema's order, whole numbers made floats where
    floats are expected. The first problem, in the schema's order, raises a
    ConfigError naming the file, the entry, what was expected and what arrived.
    """
    try:
        return _check_section(_schema_tree(SETTINGS_SCHEMA), settings, "")
    except _Invalid as invalid:
        entry = invalid.entry
        parts = entry.split(".")  # the file that gave the entry, or the nearest section above it (a list's item)
        prefixes = (".".join(parts[:end]) for end in range(len(parts), 0, -1))
        source = next((origin[prefix] for prefix in prefixes if prefix in origin), DEFAULT_SETTINGS)
        raise ConfigError(
            source, entry, f"{invalid.expected}, got {invalid.value!r}",
            f"see the entry's comment and default in {DEFAULT_SETTINGS.name}",
        ) from None


@dataclass(frozen=True)
class Config:
    """Everything configurable, validated. ``settings`` mirrors settings.yaml."""

    settings: dict[str, Any]
    actors: ActorTaxonomy
    instruments: InstrumentTaxonomy
    patterns: dict[str, Any]
    contradictions: ContradictionRules
    source: str  # the settings file the user named, or the default one
    hash: str  # changes when any configuration input changes: see fingerprint()

    def get(self, dotted: str) -> Any:
        node: Any = self.settings
        for part in dotted.split("."):
            node = node[part]
        return node


def _resolve(base: Path, name: str) -> Path:
    candidate = Path(name)
    return candidate if candidate.is_absolute() else (base / candidate)


def _check_patterns(path: Path, patterns: Any) -> dict[str, Any]:
    """patterns.yaml: a mapping of lexicon names to lists of words (or, for modals, of lists)."""
    if not isinstance(patterns, dict):
        raise ConfigError(path, "top level", "expected a mapping of pattern lists")
    for name, value in patterns.items():
        values = value.values() if isinstance(value, dict) else [value]
        for entries in values:
            if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
                raise ConfigError(path, str(name), f"expected a list of non-empty words, got {entries!r}")
    return patterns


def fingerprint(settings: dict[str, Any], files: Sequence[Path]) -> str:
    """The one hash of a configuration: its validated settings and every file's place and bytes.

    ``Config.hash`` and the cheap check of an unchanged re-run
    (:meth:`ConfigSource.fingerprint`) are both this. Raises OSError when a
    file cannot be read.
    """
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for file in files:
        digest.update(str(file.resolve()).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class SettingsFiles:
    """Validated settings with the files they came from and the files they name, by ``paths`` key."""

    settings: dict[str, Any]
    settings_files: tuple[Path, ...]  # the defaults, then the user's file if any
    named: dict[str, Path]

    @property
    def files(self) -> tuple[Path, ...]:
        """Every configuration input, in the order the fingerprint reads them."""
        return (*self.settings_files, *(self.named[key] for key in sorted(self.named)))


def merged_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> SettingsFiles:
    """The user's settings merged over the defaults and validated, and the files they name.

    Cheap (YAML and the schema only, no taxonomy): an unchanged re-run needs no more.
    """
    defaults = read_yaml(DEFAULT_SETTINGS)
    if not isinstance(defaults, dict):
        raise ConfigError(DEFAULT_SETTINGS, "top level", "expected a mapping")
    settings = copy.deepcopy(defaults)
    settings_files = [DEFAULT_SETTINGS]
    origin: dict[str, Path] = {}
    path_bases = {key: DEFAULT_CONFIG_DIR for key in defaults.get("paths") or {}}
    if path is not None:
        source = Path(path)
        user = read_yaml(source)
        user = {} if user is None else user
        settings = _merge_checked(defaults, user, source, "")
        settings_files.append(source)
        origin.update(dict.fromkeys(_dotted_keys(user), source))
        for key in (user.get("paths") or {}):
            path_bases[key] = source.resolve().parent
    for dotted, value in (overrides or {}).items():
        section, key = dotted.split(".", 1)
        settings = _merge_checked(settings, {section: {key: value}}, COMMAND_LINE, "")
        origin[dotted] = COMMAND_LINE
    settings = validate_settings(settings, origin)
    named = {key: _resolve(path_bases[key], settings["paths"][key]) for key in settings["paths"]}
    return SettingsFiles(settings, tuple(settings_files), named)


def load_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The merged and validated settings alone, as in :func:`load_config`, without
    reading the taxonomies and patterns they name: for commands that use none
    (``extract``), since the actor taxonomy's patterns are checked by spaCy."""
    return merged_settings(path, overrides).settings


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Load and validate the configuration: settings, taxonomies, patterns and contradiction rules.

    ``path`` names a settings file whose keys override the defaults; relative
    taxonomy paths in it resolve against its own folder. ``overrides`` are
    dotted keys set from the command line (e.g. ``{"extract.backend": "pdfium"}``).
    """
    from pipeline.taxonomy import load_actors, load_instruments
    from pipeline.taxonomy.contradictions import load_contradictions

    merged = merged_settings(path, overrides)
    files = merged.named
    actors = load_actors(files["actors"])
    instruments = load_instruments(files["instruments"])
    patterns = _check_patterns(files["patterns"], read_yaml(files["patterns"]) or {})
    contradictions = load_contradictions(files["contradictions"], instruments.ids)
    try:
        digest = fingerprint(merged.settings, merged.files)
    except OSError as exc:  # read a moment ago: the file was removed or its permissions changed meanwhile
        raise ConfigError(Path(exc.filename or "?"), "file", f"cannot be read: {exc.strerror}", "run again") from None
    return Config(
        settings=merged.settings, actors=actors, instruments=instruments, patterns=patterns,
        contradictions=contradictions, source=str(DEFAULT_SETTINGS if path is None else Path(path)), hash=digest,
    )


@dataclass(frozen=True)
class ConfigSource:
    """Where the configuration comes from; validated in full (``load``) only when documents need work.

    Validating the taxonomies imports spaCy, which alone costs seconds; a re-run
    that changes nothing only needs to know that no configuration input changed.
    """

    path: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, path: str | Path | None, overrides: dict[str, Any] | None = None) -> ConfigSource:
        return cls(None if path is None else str(path), tuple(sorted((overrides or {}).items())))

    def load(self) -> Config:
        return load_config(self.path, dict(self.overrides))

    def settings(self) -> dict[str, Any]:
        """The settings as ``load_config`` merges and validates them; a ConfigError names the file and entry."""
        return merged_settings(self.path, dict(self.overrides)).settings

    def fingerprint(self) -> str | None:
        """``Config.hash`` of this configuration, without loading the taxonomies; None when an input is unreadable
        or invalid (then the run loads the configuration, which says what is wrong)."""
        try:
            merged = merged_settings(self.path, dict(self.overrides))
            return fingerprint(merged.settings, merged.files)
        except (ConfigError, OSError):
            return None
