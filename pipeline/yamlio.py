"""Reading the YAML configuration files: one loader for all of them.

Every failure becomes a :class:`~pipeline.errors.ConfigError` naming the
file, and a key given twice in one mapping is refused: YAML itself lets the
second silently win, which would change results without a word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(f"key {key!r} is given twice (first on line {first_line})")
        self.key = key
        self.line = line


class _StrictLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader (C speed where available), refusing duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise DuplicateKeyError(key, seen[key], line)
            except TypeError:  # an unhashable key: the base constructor reports it
                break
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into a ConfigError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "file", "does not exist", "check the path or restore it from the repository") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "file", f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                          "save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(path, "file", f"cannot be read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader
    except DuplicateKeyError as exc:
        raise ConfigError(path, f"line {exc.line}", str(exc), "keep one of them: a later key would silently replace the earlier") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "document"
        raise ConfigError(path, where, f"is not valid YAML: {getattr(exc, 'problem', exc)}") from None
