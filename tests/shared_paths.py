"""Paths every test may need, importable by name (several folders have a conftest.py of their own)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"
LABELLED = REPO / "labelled"  # the labelled set: annotations/, pdfs/, manifest.d/
SAMPLE_IDS = ("astapenia-2023-rethinking-western-policy-belarus", "kharytonau-2020-global-actors-belarus")


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared, or a skip when the shared data is not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data folder is not beside the repository")
    return path
