"""Fixtures for the extract tests: the extract settings and a PDF factory."""

from __future__ import annotations

from pathlib import Path

import pytest
from extract_pdfs import PdfFactory


@pytest.fixture(scope="session")
def extract_settings() -> dict:
    from pipeline.config import load_config

    return dict(load_config().settings["extract"])


@pytest.fixture
def make_pdf(tmp_path: Path) -> PdfFactory:
    return PdfFactory(tmp_path)
