"""The real-world PDFs of ../shared/pdfs (see its MANIFEST.md): every file
extracts or raises one of the typed errors, and the multi-column ones read
column by column (phrases read off the page images)."""

from __future__ import annotations

import pytest
from extract_pdfs import SHARED, normalise

from pipeline.errors import DocumentError, EncryptedPdfError
from pipeline.extract import extract_document, render

PDFS = SHARED / "pdfs"
# From MANIFEST.md.
PASSWORDS = {"password-example.pdf": "test", "r6-user-password.pdf": "asdfzxcv"}
# Pages read per file: enough to meet each file's trouble, few enough to keep
# the 352- and 400-page books quick.
MAX_PAGES = {"pdfplumber": 2, "pdfium": 30}

# (file, page, columns, phrases in reading order): the top and foot of one
# column, then the head of the next, so reading row by row would fail.
COLUMN_ORDER = [
    ("tracemonkey.pdf", 1, 2, [
        "Since no concrete type information is available",
        "the de facto standard for client-side web programming",
        "and is used for the application logic of browser-based productivity",
        "Unlike method-based dynamic compilers, our dynamic compiler operates",
    ]),
    ("multi-column.pdf", 2, 2, [
        "In this paper, we address the question",
        "system is required to answer it using a large corpus of diversified topics",
        "the extractive QA setting, in which the answer is restricted to a span",
        "We focus our research in this work on improving the retrieval component",
    ]),
    ("federal-register-2020-17221.pdf", 2, 3, [
        "Investigation of the accident has been completed by the Indonesian authorities",
        "These effects include stall warning activation, airspeed disagree alert, and",
        "altitude disagree alert, and may affect the flightcrew’s ability",
        "European Union Aviation Safety Agency (EASA), the manufacturer, the operator,",
        "and the Ethiopian Civil Aviation Authority (ECAA).",
        "To address the unsafe condition, the FAA proposes to require four design changes",
    ]),
]


def _files() -> list[str]:
    if not PDFS.is_dir():
        return []
    return sorted(p.name for p in PDFS.glob("*.pdf"))


def _require_shared() -> None:
    if not PDFS.is_dir():
        pytest.skip(f"{PDFS} is absent: the shared PDFs are not beside the repository")


@pytest.mark.parametrize("backend", sorted(MAX_PAGES))
@pytest.mark.parametrize("name", _files() or ["<no shared pdfs>"])
def test_extracts_or_raises_a_typed_error(extract_settings, name, backend):
    _require_shared()
    path = PDFS / name
    try:
        layout = extract_document(path, settings=extract_settings, backend=backend, max_pages=MAX_PAGES[backend])
    except EncryptedPdfError:
        assert name in PASSWORDS, f"{name} has no user password (MANIFEST.md) but was refused as encrypted"
        layout = extract_document(path, settings=extract_settings, backend=backend, password=PASSWORDS[name], max_pages=MAX_PAGES[backend])
    except DocumentError as error:
        assert str(path) in str(error)
        return
    assert layout.pages and all(p.number == i + 1 for i, p in enumerate(layout.pages))
    assert isinstance(render(layout, "text"), str) and render(layout, "json") and render(layout, "markdown")


@pytest.mark.parametrize("backend", sorted(MAX_PAGES))
@pytest.mark.parametrize(("name", "page", "columns", "phrases"), COLUMN_ORDER, ids=[c[0] for c in COLUMN_ORDER])
def test_multi_column_pages_read_column_by_column(extract_settings, name, page, columns, phrases, backend):
    _require_shared()
    layout = extract_document(PDFS / name, settings=extract_settings, backend=backend, max_pages=page + 1)
    assert layout.pages[page - 1].columns == columns
    text = normalise(" ".join(b.text for b in layout.pages[page - 1].blocks))
    positions = []
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} is not one passage on page {page} of {name}"
        positions.append(text.index(phrase))
    assert positions == sorted(positions), f"{name} page {page} is not read column by column"


def test_the_password_opens_an_aes256_file(extract_settings):
    _require_shared()
    layout = extract_document(PDFS / "r6-user-password.pdf", settings=extract_settings, backend="pdfium", password="asdfzxcv")
    assert "asdfzxcv" in render(layout, "text")


def test_the_page_rotated_by_90_reads_upright(extract_settings):
    _require_shared()
    layout = extract_document(PDFS / "nics-background-checks-2015-11-rotated.pdf", settings=extract_settings, backend="pdfium")
    text = render(layout, "text")
    assert "NICS Firearm Checks" in text or "Alabama" in text
