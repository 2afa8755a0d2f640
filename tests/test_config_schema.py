"""The settings schema (SETTINGS_SCHEMA, checked by plain code in config.py): strict types, ranges, order."""

from __future__ import annotations

import copy

import pytest

from pipeline.config import DEFAULT_SETTINGS, load_settings, validate_settings
from pipeline.errors import ConfigError


def _refused(text: str, tmp_path) -> ConfigError:
    user = tmp_path / "settings.yaml"
    user.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(user)
    assert caught.value.path == str(user)
    return caught.value


@pytest.mark.parametrize(
    ("text", "entry", "expected"),
    [
        ("segment:\n  batch_size: true\n", "segment.batch_size", "expected int, got True"),  # a bool is no int
        ("segment:\n  batch_size: 8.0\n", "segment.batch_size", "expected int, got 8.0"),
        ("graph:\n  measure_merge_threshold: false\n", "graph.measure_merge_threshold", "expected float, got False"),
        ("graph:\n  measure_merge_threshold: '0.3'\n", "graph.measure_merge_threshold", "expected float, got '0.3'"),
        ("segment:\n  disable: [ner, 3]\n", "segment.disable.1", "expected str, got 3"),
        ("segment:\n  disable: ner\n", "segment.disable", "expected a list, got 'ner'"),
        ("paths:\n  actors: null\n", "paths.actors", "expected str, got None"),
        ("run:\n  executor: 2\n", "run.executor", "expected one of local, dask, got 2"),
        ("extract:\n  furniture_zone: 0.5\n", "extract.furniture_zone", "expected a number < 0.5, got 0.5"),
        ("extract:\n  furniture_zone: 0\n", "extract.furniture_zone", "expected a number > 0.0, got 0"),
        ("classify:\n  max_instruments: 19\n", "classify.max_instruments", "expected a number <= 18, got 19"),
        ("limits:\n  document_memory_mb: 100\n", "limits.document_memory_mb", "expected a number >= 256, got 100"),
        ("extract:\n  footnote_zone: .nan\n", "extract.footnote_zone", "expected a number <= 1.0, got nan"),
        ("extract:\n  min_column_gap: .inf\n", "extract.min_column_gap", "expected a finite number, got inf"),
        ("train:\n  detector:\n    calibration_folds: 1\n", "train.detector.calibration_folds",
         "expected a number >= 2, got 1"),
    ],
)
def test_a_value_of_the_wrong_type_or_out_of_range_is_refused(tmp_path, text, entry, expected):
    error = _refused(text, tmp_path)
    assert error.entry == entry and expected in str(error)
    assert f"see the entry's comment and default in {DEFAULT_SETTINGS.name}" in str(error)


def test_a_whole_number_where_a_float_is_expected_becomes_a_float(tmp_path):
    user = tmp_path / "settings.yaml"
    user.write_text("classify:\n  instrument_threshold: 1\nextract:\n  min_column_gap: 12\n", encoding="utf-8")
    settings = load_settings(user)
    assert settings["classify"]["instrument_threshold"] == 1.0
    assert isinstance(settings["classify"]["instrument_threshold"], float)
    assert isinstance(settings["extract"]["min_column_gap"], float)
    assert isinstance(settings["classify"]["max_instruments"], int)


def test_the_first_problem_in_the_schemas_order_is_reported(tmp_path):
    error = _refused("run:\n  jobs: 0\nextract:\n  furniture_zone: 9\n", tmp_path)
    assert error.entry == "extract.furniture_zone"


def test_defaults_missing_a_setting_or_holding_an_unknown_one_are_refused():
    defaults = load_settings()
    missing = copy.deepcopy(defaults)
    del missing["run"]["jobs"]
    with pytest.raises(ConfigError) as caught:
        validate_settings(missing, {})
    assert caught.value.path == str(DEFAULT_SETTINGS) and caught.value.entry == "run.jobs"
    assert "expected this setting (it is missing)" in str(caught.value)
    unknown = copy.deepcopy(defaults)
    unknown["run"]["threads"] = 4
    with pytest.raises(ConfigError, match="run.threads: is not a known setting, got 4"):
        validate_settings(unknown, {})


def test_validated_settings_are_a_copy_in_the_schemas_order():
    defaults = load_settings()
    shuffled = {section: defaults[section] for section in reversed(list(defaults))}
    checked = validate_settings(shuffled, {})
    assert list(checked) == list(defaults) and checked == defaults
    assert checked["segment"]["disable"] is not shuffled["segment"]["disable"]
