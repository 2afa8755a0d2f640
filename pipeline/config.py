"""Validated configuration: settings, taxonomies and patterns, loaded once at start.

``load_config()`` reads ``configs/settings.yaml`` (or a user file that
overrides part of it), checks every key and type against the defaults, loads
the taxonomies it names, and returns one frozen :class:`Config`. Any problem
raises :class:`~pipeline.errors.ConfigError` naming the file and the entry.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError
from pipeline.taxonomy import ActorTaxonomy, InstrumentTaxonomy, load_actors, load_instruments

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG_DIR = PACKAGE_DIR.parent / "configs"
DEFAULT_SETTINGS = DEFAULT_CONFIG_DIR / "settings.yaml"

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("extract", "backend"): ("pdfplumber", "pdfium"),
    ("run", "executor"): ("local", "dask"),
}


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into a ConfigError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "file", "does not exist", "check the path or restore it from the repository") from None
    except OSError as exc:
        raise ConfigError(path, "file", f"cannot be read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader, C speed
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "document"
        raise ConfigError(path, where, f"is not valid YAML: {getattr(exc, 'problem', exc)}") from None


def _check_against(defaults: dict[str, Any], given: Any, path: Path, trail: str) -> dict[str, Any]:
    """Merge ``given`` over ``defaults``, refusing unknown keys and wrong types."""
    if not isinstance(given, dict):
        raise ConfigError(path, trail or "top level", f"expected a mapping, got {type(given).__name__}")
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        entry = f"{trail}.{key}" if trail else str(key)
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(path, entry, "is not a known setting", f"known keys here: {known}")
        default = defaults[key]
        if isinstance(default, dict):
            merged[key] = _check_against(default, value, path, entry)
            continue
        if isinstance(default, bool) or isinstance(value, bool):
            if not (isinstance(default, bool) and isinstance(value, bool)):
                raise ConfigError(path, entry, f"expected {type(default).__name__}, got {value!r}")
        elif isinstance(default, float) and isinstance(value, int):
            value = float(value)
        elif isinstance(default, list):
            if not isinstance(value, list):
                raise ConfigError(path, entry, f"expected a list, got {value!r}")
        elif not isinstance(value, type(default)):
            raise ConfigError(path, entry, f"expected {type(default).__name__}, got {value!r}")
        choices = CHOICES.get(tuple(entry.split(".")[-2:]))  # type: ignore[arg-type]
        if choices and value not in choices:
            raise ConfigError(path, entry, f"expected one of {', '.join(choices)}, got {value!r}")
        merged[key] = value
    return merged


@dataclass(frozen=True)
class Config:
    """Everything configurable, validated. ``settings`` mirrors settings.yaml."""

    settings: dict[str, Any]
    actors: ActorTaxonomy
    instruments: InstrumentTaxonomy
    patterns: dict[str, Any]
    source: str  # the settings file the user named, or the default one
    hash: str  # changes when any loaded config file changes

    def get(self, dotted: str) -> Any:
        node: Any = self.settings
        for part in dotted.split("."):
            node = node[part]
        return node


def _resolve(base: Path, name: str) -> Path:
    candidate = Path(name)
    return candidate if candidate.is_absolute() else (base / candidate)


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Load and validate the configuration.

    ``path`` names a settings file whose keys override the defaults; relative
    taxonomy paths in it resolve against its own folder. ``overrides`` are
    dotted keys set from the command line (e.g. ``{"extract.backend": "pdfium"}``).
    """
    defaults = read_yaml(DEFAULT_SETTINGS)
    if not isinstance(defaults, dict):
        raise ConfigError(DEFAULT_SETTINGS, "top level", "expected a mapping")
    settings = copy.deepcopy(defaults)
    source = DEFAULT_SETTINGS
    path_bases = {key: DEFAULT_CONFIG_DIR for key in defaults["paths"]}
    if path is not None:
        source = Path(path)
        user = read_yaml(source) or {}
        settings = _check_against(defaults, user, source, "")
        for key in (user.get("paths") or {}):
            path_bases[key] = source.resolve().parent
    for dotted, value in (overrides or {}).items():
        section, key = dotted.split(".", 1)
        settings = _check_against(settings, {section: {key: value}}, Path("<command line>"), "")

    files = {key: _resolve(path_bases[key], settings["paths"][key]) for key in settings["paths"]}
    actors = load_actors(files["actors"])
    instruments = load_instruments(files["instruments"])
    patterns = read_yaml(files["patterns"]) or {}
    if not isinstance(patterns, dict):
        raise ConfigError(files["patterns"], "top level", "expected a mapping of pattern lists")

    digest = hashlib.sha256()
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for key in sorted(files):
        digest.update(files[key].read_bytes())
    return Config(
        settings=settings,
        actors=actors,
        instruments=instruments,
        patterns=patterns,
        source=str(source),
        hash=digest.hexdigest()[:16],
    )
