"""Settings are validated once at load: unknown keys, wrong types and bad choices name file and entry."""

from __future__ import annotations

import pytest

from pipeline.config import DEFAULT_SETTINGS, load_config, load_settings, read_yaml
from pipeline.errors import ConfigError


def test_defaults_load_and_every_default_is_in_the_settings_file(config):
    defaults = read_yaml(DEFAULT_SETTINGS)
    assert config.settings == defaults
    assert config.get("extract.backend") == "pdfplumber"
    assert len(config.hash) == 16


def test_user_file_overrides_part_of_the_defaults(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("recognise:\n  recommendation_threshold: 0.7\n")
    config = load_config(user)
    assert config.get("recognise.recommendation_threshold") == 0.7
    assert config.get("classify.max_instruments") == 3
    assert config.hash != load_config().hash


@pytest.mark.parametrize(
    ("text", "entry", "problem"),
    [
        ("extract:\n  colums: 2\n", "extract.colums", "not a known setting"),
        ("run:\n  jobs: many\n", "run.jobs", "expected int"),
        ("extract:\n  backend: mupdf\n", "extract.backend", "expected one of pdfplumber, pdfium"),
        ("run: [1, 2]\n", "run", "expected a mapping"),
        ("extract: {backend: [\n", "line", "not valid YAML"),
    ],
)
def test_invalid_settings_name_the_file_and_entry(tmp_path, text, entry, problem):
    user = tmp_path / "bad.yaml"
    user.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(user)
    message = str(caught.value)
    assert str(user) in message
    assert entry in message
    assert problem in message


def test_command_line_overrides_are_validated():
    assert load_config(overrides={"extract.backend": "pdfium"}).get("extract.backend") == "pdfium"
    with pytest.raises(ConfigError, match="run.jobs"):
        load_config(overrides={"run.jobs": "two"})


def test_missing_taxonomy_file_is_reported(tmp_path):
    user = tmp_path / "settings.yaml"
    user.write_text("paths:\n  actors: nowhere.yaml\n")
    with pytest.raises(ConfigError, match="nowhere.yaml: file: does not exist"):
        load_config(user)


def test_training_hyperparameters_are_settings_with_ranges(tmp_path):
    """Every training hyperparameter is in settings.yaml; a value out of range names the entry."""
    from pipeline.config import ConfigError, load_config

    config = load_config()
    assert set(config.get("train.detector")) == {
        "c", "min_df", "ngram_weight", "max_ngrams", "calibration_folds", "max_iter", "random_state"}
    assert set(config.get("train.instruments")) == {"c", "max_iter", "random_state"}
    bad = tmp_path / "settings.yaml"
    bad.write_text("train:\n  detector:\n    calibration_folds: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"train\.detector\.calibration_folds"):
        load_config(bad)


def test_load_settings_validates_the_settings_as_load_config_does_without_reading_taxonomies(tmp_path, config):
    assert load_settings() == config.settings
    assert load_settings(overrides={"extract.backend": "pdfium"})["extract"]["backend"] == "pdfium"
    user = tmp_path / "settings.yaml"
    user.write_text("paths:\n  actors: nowhere.yaml\nrun:\n  jobs: 2\n")
    assert load_settings(user)["run"]["jobs"] == 2
    user.write_text("run:\n  jobs: many\n")
    with pytest.raises(ConfigError, match="run.jobs"):
        load_settings(user)


def test_the_cheap_fingerprint_is_the_loaded_configs_hash(tmp_path):
    from pipeline.config import ConfigSource

    assert ConfigSource.of(None).fingerprint() == load_config().hash
    user = tmp_path / "mine.yaml"
    user.write_text("classify:\n  instrument_threshold: 1\n")  # a whole number where a float is expected
    overrides = {"extract.backend": "pdfium"}
    assert ConfigSource.of(user, overrides).fingerprint() == load_config(user, overrides).hash
    assert ConfigSource.of(user, overrides).settings() == load_config(user, overrides).settings


def test_load_config_validates_and_carries_the_contradiction_rules(tmp_path, config):
    assert config.contradictions.oppositions and config.contradictions.path.endswith("contradictions.yaml")
    broken = tmp_path / "contradictions.yaml"
    broken.write_text("oppositions:\n  - reason: x\n    a: {instruments: [no_such_instrument]}\n    b: {}\n")
    user = tmp_path / "settings.yaml"
    user.write_text(f"paths:\n  contradictions: {broken}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(user)
    assert caught.value.path == str(broken) and caught.value.entry == "oppositions[0].a.instruments"
    assert "unknown instrument 'no_such_instrument'" in str(caught.value)
