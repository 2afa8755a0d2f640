"""Validated configuration: settings, taxonomies, patterns and contradiction rules, loaded once at start.

``load_config()`` reads ``configs/settings.yaml`` (or a user file that
overrides part of it), merges the user's keys over the defaults, checks the
result against one schema (:class:`SettingsSchema`: every key, type and
range), loads the taxonomies, pattern and contradiction files it names, and
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
import re
from dataclasses import dataclass
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import ConfigError
from pipeline.registry import EXECUTORS, PDF_BACKENDS
from pipeline.yamlio import read_yaml

if TYPE_CHECKING:  # imported by load_config: load_settings needs no taxonomy
    from pipeline.taxonomy import ActorTaxonomy, InstrumentTaxonomy
    from pipeline.taxonomy.contradictions import ContradictionRules

__all__ = [
    "Config", "ConfigError", "ConfigSource", "DEFAULT_CONFIG_DIR", "DEFAULT_SETTINGS", "SettingsSchema", "fingerprint",
    "load_config", "load_settings", "merged_settings", "read_yaml",
]

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG_DIR = PACKAGE_DIR.parent / "configs"
DEFAULT_SETTINGS = DEFAULT_CONFIG_DIR / "settings.yaml"
COMMAND_LINE = Path("<command line>")

Share = Annotated[float, Field(ge=0.0, le=1.0)]  # a fraction or probability
Positive = Annotated[int, Field(ge=1)]


class _Section(BaseModel):
    # strict: "1" is not 1 and 1 is not True; floats still accept whole numbers
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PathsSchema(_Section):
    actors: str
    instruments: str
    patterns: str
    contradictions: str


class ExtractSchema(_Section):
    backend: Literal[PDF_BACKENDS]  # type: ignore[valid-type]
    furniture_zone: Annotated[float, Field(gt=0.0, lt=0.5)]
    furniture_min_repeat: Annotated[float, Field(gt=0.0, le=1.0)]
    footnote_size_ratio: Annotated[float, Field(gt=0.0, le=2.0)]
    footnote_zone: Share
    min_column_gap: Annotated[float, Field(gt=0.0)]
    image_only_max_chars: Annotated[int, Field(ge=0)]
    heading_size_ratio: Annotated[float, Field(ge=1.0)]
    max_heading_words: Positive
    garbled_min_share: Annotated[float, Field(gt=0.0, le=1.0)]
    garbled_min_words: Positive
    max_content_mb: Positive


class SegmentSchema(_Section):
    model: Annotated[str, Field(min_length=1)]
    batch_size: Positive
    disable: list[str]


class RecogniseSchema(_Section):
    recommendation_threshold: Share
    home_state_min_share: Share
    home_state_min_mentions: Positive


class ClassifySchema(_Section):
    instrument_threshold: Share
    max_instruments: Annotated[int, Field(ge=1, le=18)]
    implicit_target_min_support: Annotated[int, Field(ge=0)]


class GraphSchema(_Section):
    measure_merge_threshold: Share


class RunSchema(_Section):
    jobs: Positive
    executor: Literal[EXECUTORS]  # type: ignore[valid-type]
    cache: bool


class LimitsSchema(_Section):
    document_seconds: Positive
    document_memory_mb: Annotated[int, Field(ge=256)]
    max_pages: Positive


class EvaluateSchema(_Section):
    match_threshold: Annotated[float, Field(gt=0.0, le=1.0)]


class DetectorTrainSchema(_Section):
    c: Annotated[float, Field(gt=0.0)]
    min_df: Positive
    ngram_weight: Annotated[float, Field(ge=0.0)]
    max_ngrams: Positive
    calibration_folds: Annotated[int, Field(ge=2)]
    max_iter: Positive
    random_state: Annotated[int, Field(ge=0)]


class InstrumentTrainSchema(_Section):
    c: Annotated[float, Field(gt=0.0)]
    max_iter: Positive
    random_state: Annotated[int, Field(ge=0)]


class TrainSchema(_Section):
    detector: DetectorTrainSchema
    instruments: InstrumentTrainSchema


class SettingsSchema(_Section):
    """Every setting's type and range; the defaults themselves live in configs/settings.yaml."""

    paths: PathsSchema
    extract: ExtractSchema
    segment: SegmentSchema
    recognise: RecogniseSchema
    classify: ClassifySchema
    graph: GraphSchema
    run: RunSchema
    limits: LimitsSchema
    evaluate: EvaluateSchema
    train: TrainSchema


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


_EXPECTED_TYPES = {
    "int_type": "int", "float_type": "float", "bool_type": "bool", "string_type": "str", "list_type": "a list",
    "model_type": "a mapping", "dict_type": "a mapping", "missing": "this setting (it is missing)",
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}


def _expected(error: dict[str, Any]) -> str:
    """What the schema expected, in the words of a settings file ("expected int", "expected a number >= 1")."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind in _EXPECTED_TYPES:
        return f"expected {_EXPECTED_TYPES[kind]}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", context.get("expected", ""))
        return f"expected one of {', '.join(choices)}"
    if kind in _BOUNDS:
        bound = next(iter(context.values()), "?")
        return f"expected a number {_BOUNDS[kind]} {bound}"
    if kind == "string_too_short":
        return "expected a non-empty string"
    if kind == "extra_forbidden":
        return "is not a known setting"
    return f"expected {error['msg'].lower()}"


def validate_settings(settings: dict[str, Any], origin: dict[str, Path]) -> dict[str, Any]:
    """Check merged settings against :class:`SettingsSchema`; ``origin`` names the file each key came from."""
    try:
        checked = SettingsSchema.model_validate(settings)
    except ValidationError as exc:
        error = exc.errors()[0]
        entry = ".".join(str(part) for part in error["loc"])
        source = origin.get(entry) or origin.get(entry.split(".")[0]) or DEFAULT_SETTINGS
        raise ConfigError(
            source, entry, f"{_expected(error)}, got {error.get('input')!r}",
            f"see the entry's comment and default in {DEFAULT_SETTINGS.name}",
        ) from None
    # the schema's coercions (a whole number where a float is expected) are kept
    return json.loads(checked.model_dump_json())


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
