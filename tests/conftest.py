"""Shared fixtures: the spaCy model (loaded once), the default config, paths to shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"
SAMPLE_IDS = ("astapenia-2023-rethinking-western-policy-belarus", "kharytonau-2020-global-actors-belarus")


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared, or a skip when the shared data is not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data folder is not beside the repository")
    return path


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
