"""Shared fixtures: the spaCy model (loaded once), the default config, paths to shared data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


# Debian's chromium driven by Playwright (no downloaded browser), for the report tests.
CHROMIUM = Path(os.environ.get("POLICYGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright==1.65.2)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set POLICYGRAPH_CHROMIUM)"
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium; missing, it skips the test on a developer machine and fails it in CI."""
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
