"""Backends: read each page of a PDF once into :class:`PageGlyphs`.

``pdfplumber`` (the default) reads pdfminer's character objects; ``pdfium``
reads pypdfium2's character boxes, about ten times faster. Both yield pages
one at a time (a generator) and release each page before reading the next, so
memory stays flat on long documents.

Each backend is registered in :data:`pipeline.registry.BACKENDS` with its
reader, ``read_pages(path, password, max_pages, max_content_bytes)`` in a
module of this package. A module is imported when it is first asked
for, so reading with pdfium never loads pdfminer (a tenth of a second).

Every failure of the underlying parser is turned into a typed error from
:mod:`pipeline.errors` that names the file: callers never see a pdfminer or
pdfium exception.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from pipeline.extract.backends.common import IMAGE_CHECK_MAX_GLYPHS, PdfInfo, sniff
from pipeline.extract.glyphs import PageGlyphs
from pipeline import registry
from pipeline.registry import PDF_BACKENDS as BACKENDS  # named once, in the registry

__all__ = ["BACKENDS", "IMAGE_CHECK_MAX_GLYPHS", "PdfInfo", "backend_module", "check_opens", "largest_content_stream", "read_pages", "sniff"]


def backend_module(backend: str) -> ModuleType:
    """The module implementing the named backend, imported on first use."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown extraction backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    return importlib.import_module(f"{__name__}.{backend}")


def read_pages(
    path: Path, backend: str, password: str | None, max_pages: int | None = None, max_content_bytes: int | None = None,
) -> Iterator[PageGlyphs]:
    """The pages of a PDF read by the named backend.

    ``max_content_bytes`` stops the pdfplumber backend before it interprets a
    page whose content streams expand beyond it (pdfminer would spend minutes
    on a decompression bomb; pdfium reads one in seconds, and the extract stage
    then reports it).
    """
    known = registry.BACKENDS  # read at call time, so a backend registered later is found
    if backend not in known:
        raise ValueError(f"unknown extraction backend {backend!r}: expected one of {', '.join(known)}")
    reader = registry.resolve(known[backend].reader)
    return reader(path, password, max_pages, max_content_bytes)


def check_opens(path: Path, password: str | None) -> PdfInfo:
    """The page count and metadata, read by pdfium whichever backend reads the
    pages, since it checks passwords strictly (see the pdfium module)."""
    return backend_module("pdfium").check_opens(path, password)


def largest_content_stream(path: Path, password: str | None, limit: int) -> tuple[int, int] | None:
    """The page whose content streams expand the most, and how far: pdfminer
    walks the objects, whichever backend read the pages (see the pdfplumber module)."""
    return backend_module("pdfplumber").largest_content_stream(path, password, limit)
