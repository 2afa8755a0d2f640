"""Shared fixtures: the spaCy model (loaded once), the default config, paths to shared data."""

from __future__ import annotations

import pytest

from shared_paths import CORPUS, REPO, SAMPLE_IDS, SHARED, shared_dir  # noqa: F401  (re-exported)


@pytest.fixture(scope="session")
def config():
    from pipeline.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def nlp(config):
    from pipeline.segment import load_nlp

    return load_nlp(config.settings)


@pytest.fixture(scope="session")
def nlp_with_actors(config):
    from pipeline.recognise.actors import add_actor_ruler
    from pipeline.segment import load_nlp

    pipeline = load_nlp(config.settings)
    add_actor_ruler(pipeline, config.actors)
    return pipeline
