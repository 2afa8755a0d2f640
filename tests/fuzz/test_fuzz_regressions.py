"""Inputs the fuzz target found, pinned: each made extraction fail with something
other than a typed error, or never return. ``tests/fuzz/README.md`` says where
each file comes from.

A loop inside pdfminer is pure Python, so an alarm signal stops it: a hang
fails the test instead of stalling the suite.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from mutations import generated_seed

from pipeline.errors import CorruptPdfError, DocumentError
from pipeline.extract import extract_document, render

DATA = Path(__file__).resolve().parents[1] / "data"
SECONDS_BEFORE_A_HANG = 60


class _Hang(BaseException):  # not an Exception: no library handler may swallow it
    pass


@pytest.fixture
def no_hang():
    def stop(signum, frame):
        raise _Hang(f"extraction did not return within {SECONDS_BEFORE_A_HANG} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(SECONDS_BEFORE_A_HANG)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def extract_settings() -> dict:
    from pipeline.config import load_config

    return dict(load_config().settings["extract"])


def _extract(name: str, backend: str, settings: dict):
    return extract_document(DATA / name, settings=settings, backend=backend)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        # Object 5 (a page) reads as "5 0 R": pdfminer followed it forever.
        ("fuzz-page-tree-reference-loop.pdf", "object 5 refers back to itself"),
        # The trailer's /Info object reads as a reference to itself: pdfminer
        # looped while opening the file.
        ("fuzz-info-refers-to-itself.pdf", "object 7 refers back to itself"),
        # A page dictionary with an odd number of entries: pdfplumber's close()
        # walked the broken page tree again and its PdfminerException replaced
        # the CorruptPdfError on its way out.
        ("fuzz-odd-page-dictionary.pdf", "Invalid dictionary construct"),
    ],
)
def test_pdfminer_failures_are_corrupt_pdf_errors(name, reason, extract_settings, no_hang):
    with pytest.raises(CorruptPdfError, match=reason) as raised:
        _extract(name, "pdfplumber", extract_settings)
    assert str(DATA / name) in str(raised.value)


@pytest.mark.parametrize("name", ["fuzz-page-tree-reference-loop.pdf", "fuzz-info-refers-to-itself.pdf", "fuzz-odd-page-dictionary.pdf"])
def test_pdfium_reads_what_pdfminer_refuses(name, extract_settings, no_hang):
    # pdfium repairs these files; the damage is in objects it can do without.
    layout = _extract(name, "pdfium", extract_settings)
    assert "Left column line 20 asks the ministry to act." in render(layout, "text")


def test_text_placed_far_off_the_page_is_left_out(extract_settings, no_hang):
    # The heading's text matrix puts it 9e15 points to the right (pdfminer reads
    # the number as it is; pdfium clamps it): measuring the page's columns
    # across it asked for petabytes (a MemoryError).
    layout = _extract("fuzz-text-far-off-the-page.pdf", "pdfplumber", extract_settings)
    assert "Left column line 20 asks the ministry to act." in render(layout, "text")
    assert not [block.text for block in layout.pages[0].blocks if "A hea" in block.text]
    pdfium_text = render(_extract("fuzz-text-far-off-the-page.pdf", "pdfium", extract_settings), "text")
    assert "Left column line 20 asks the ministry to act." in pdfium_text


@pytest.mark.parametrize("length", [b"1099511627776", b"9223372036854775808"])
def test_a_stream_length_beyond_the_file_is_a_corrupt_pdf(length, extract_settings, tmp_path, no_hang):
    # The cross-reference stream of a sample paper claims a /Length of 1 TiB
    # (pdfminer asked the file for a TiB: MemoryError) or 2**63 (OverflowError).
    pinned = (DATA / "fuzz-xref-stream-length-lie.pdf").read_bytes()
    assert pinned.count(b"/Length 1099511627776>>") == 1
    path = tmp_path / "length.pdf"
    path.write_bytes(pinned.replace(b"/Length 1099511627776>>", b"/Length " + length + b">>"))
    with pytest.raises(CorruptPdfError, match="pdfminer cannot parse the document"):
        extract_document(path, settings=extract_settings, backend="pdfplumber")
    layout = extract_document(path, settings=extract_settings, backend="pdfium")
    assert len(layout.pages) == 15


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("fuzz-*.pdf")))
@pytest.mark.parametrize("backend", ["pdfplumber", "pdfium"])
def test_every_pinned_input_gives_a_layout_or_a_typed_error(name, backend, extract_settings, no_hang):
    try:
        layout = _extract(name, backend, extract_settings)
    except DocumentError as error:
        assert error.path == str(DATA / name)
    else:
        assert layout.pages


def test_objects_whose_offsets_moved_are_still_found(extract_settings, tmp_path, no_hang):
    # Bytes inserted after the header move every object away from its
    # cross-reference offset. pdfminer then searches forward for each object's
    # header; a 1 MB fuzzed file took minutes that way (tokenising binary
    # streams), so the search now runs over the raw bytes. It must still find
    # them.
    seed = generated_seed()
    header_end = seed.find(b"\n", 10) + 1
    path = tmp_path / "moved.pdf"
    path.write_bytes(seed[:header_end] + b"%" + b"(unbalanced (junk " * 20 + b"\n" + seed[header_end:])
    layout = extract_document(path, settings=extract_settings, backend="pdfplumber")
    assert "Left column line 20 asks the ministry to act." in render(layout, "text")
