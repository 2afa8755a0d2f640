"""Every configuration file is checked at start, against one schema, before the first PDF.

Duplicate keys, values out of range, a bad regular expression in an actor
pattern and a broken contradictions.yaml each name the file and the entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import DEFAULT_CONFIG_DIR, SETTINGS_SCHEMA, load_config
from pipeline.errors import ConfigError


def _error(settings_text: str, tmp_path: Path) -> ConfigError:
    user = tmp_path / "settings.yaml"
    user.write_text(settings_text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(user)
    return caught.value


def test_a_settings_section_given_twice_is_refused(tmp_path):
    error = _error("segment:\n  batch_size: 8\nsegment:\n  batch_size: 16\n", tmp_path)
    assert error.path.endswith("settings.yaml")
    assert error.entry == "line 3" and "'segment' is given twice (first on line 1)" in str(error)


def test_an_actor_id_given_twice_is_refused(tmp_path):
    actors = tmp_path / "actors.yaml"
    text = (DEFAULT_CONFIG_DIR / "actors.yaml").read_text(encoding="utf-8")
    actors.write_text(text + "\n  nato:\n    label: NATO again\n", encoding="utf-8")
    error = _error(f"paths:\n  actors: {actors}\n", tmp_path)
    assert error.path == str(actors) and "'nato' is given twice" in str(error)


@pytest.mark.parametrize(
    ("text", "entry", "expected"),
    [
        ("segment:\n  batch_size: -3\n", "segment.batch_size", "expected a number >= 1, got -3"),
        ("limits:\n  document_seconds: 0\n", "limits.document_seconds", "expected a number >= 1, got 0"),
        ("recognise:\n  recommendation_threshold: 7.5\n", "recognise.recommendation_threshold",
         "expected a number <= 1.0, got 7.5"),
        ("run:\n  cache: 1\n", "run.cache", "expected bool, got 1"),
        ("segment:\n  model: ''\n", "segment.model", "expected a non-empty string"),
    ],
)
def test_values_out_of_range_name_the_file_entry_and_what_was_expected(tmp_path, text, entry, expected):
    error = _error(text, tmp_path)
    assert error.path == str(tmp_path / "settings.yaml") and error.entry == entry
    assert expected in str(error)


def _dotted(tree: dict, trail: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in tree.items():
        entry = f"{trail}.{key}" if trail else key
        keys |= _dotted(value, entry) if isinstance(value, dict) else {entry}
    return keys


def test_every_setting_has_a_range_in_the_one_schema():
    defaults = load_config().settings
    assert sorted(setting.key for setting in SETTINGS_SCHEMA) == sorted(_dotted(defaults))


def test_a_bad_regular_expression_in_an_actor_pattern_names_the_entry(tmp_path):
    actors = tmp_path / "actors.yaml"
    text = (DEFAULT_CONFIG_DIR / "actors.yaml").read_text(encoding="utf-8")
    broken = text.replace("\nactors:\n", "\nactors:\n  broken_actor:\n    label: Broken\n    kind: collective\n"
                          "    patterns:\n      - [{LOWER: {REGEX: '[unclosed'}}]\n", 1)
    assert broken != text
    actors.write_text(broken, encoding="utf-8")
    error = _error(f"paths:\n  actors: {actors}\n", tmp_path)
    assert error.entry == "actors.broken_actor.patterns[0].REGEX"
    assert "not a valid regular expression" in str(error)
