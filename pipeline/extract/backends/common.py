"""What every backend shares: the checks made before a PDF's pages are read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CorruptPdfError, EmptyFileError, NotAPdfError
from pipeline.pdfsniff import has_pdf_signature, read_head  # one signature check, shared with discovery

# Images only matter on pages with little text (to tell a scan from a blank
# page), so pages with more glyphs than this skip the search for them.
IMAGE_CHECK_MAX_GLYPHS = 200


@dataclass(frozen=True)
class PdfInfo:
    """What is known about a PDF before its pages are read."""

    page_count: int
    metadata: dict[str, str]


def sniff(path: Path) -> None:
    """Refuse empty files and files that are not PDFs, by their bytes."""
    try:
        head = read_head(path)
    except FileNotFoundError:
        raise CorruptPdfError(path, "the file does not exist", "Check the path") from None
    except OSError as exc:
        raise CorruptPdfError(path, f"the file cannot be read ({exc.strerror})", "Check its permissions") from None
    if not head:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    if not has_pdf_signature(head):
        start = head[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise NotAPdfError(path, f"expected a PDF (starting with %PDF-), but the file starts with {start!r}")
