"""Small real PDFs copied into tests/data/ (sources in tests/data/SOURCES-extract.md),
each pinning one behaviour that generated PDFs do not reproduce."""

from __future__ import annotations

import pytest
from extract_pdfs import DATA

from pipeline.errors import EncryptedPdfError
from pipeline.extract import extract_document, render
from pipeline.types import BlockKind

BACKENDS = ("pdfplumber", "pdfium")


@pytest.mark.parametrize("backend", BACKENDS)
def test_aes256_user_password_is_required_by_both_backends(extract_settings, backend):
    # pdfminer alone opens this R6 file without its password; the typed error
    # must not depend on the backend.
    path = DATA / "aes256-r6-user-password.pdf"
    with pytest.raises(EncryptedPdfError):
        extract_document(path, settings=extract_settings, backend=backend)
    text = render(extract_document(path, settings=extract_settings, backend=backend, password="asdfzxcv"), "text")
    assert "password: asdfzxcv" in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_sideways_table_on_a_rotated_page_reads_upright(extract_settings, backend):
    layout = extract_document(DATA / "rotate-90-sideways-table.pdf", settings=extract_settings, backend=backend)
    text = render(layout, "text")
    assert "NICS Firearm Background Checks November - 2015" in text
    table = next(b for b in layout.blocks if b.kind is BlockKind.TABLE)
    rows = table.text.split("\n")
    assert any(row.startswith("Alabama | 18,870 | 23,022") for row in rows)
    assert layout.pages[0].width < layout.pages[0].height or layout.pages[0].rotation in (0, 180)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_corrupted_stream_still_gives_what_can_be_read(extract_settings, backend):
    layout = extract_document(DATA / "corrupted-zlib-stream.pdf", settings=extract_settings, backend=backend)
    assert "Beautiful is better than ugly." in render(layout, "text")
