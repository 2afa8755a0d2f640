"""The PDF signature check shared by discovery (is this file a PDF?) and extraction (refuse it if not).

A kernel module: it imports nothing of the stages, so discovery can tell a PDF
from other files without loading a PDF library.
"""

from __future__ import annotations

from pathlib import Path

# The PDF header may follow some junk (a mail header, a BOM); readers accept
# it within the first kilobyte, and so do we.
PDF_MAGIC = b"%PDF-"
SNIFF_BYTES = 1024


def read_head(path: Path) -> bytes:
    """The bytes where a PDF signature may sit; raises OSError when the file cannot be read."""
    with Path(path).open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def has_pdf_signature(head: bytes) -> bool:
    """True when ``head`` (from :func:`read_head`) holds the PDF signature."""
    return PDF_MAGIC in head
