"""What every backend shares: the checks made before a PDF's pages are read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CorruptPdfError, EmptyFileError, NotAPdfError

# The PDF header may follow some junk (a mail header, a BOM); readers accept
# it within the first kilobyte, and so do we.
PDF_MAGIC = b"%PDF-"
SNIFF_BYTES = 1024

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
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise CorruptPdfError(path, "the file does not exist", "Check the path") from None
    except OSError as exc:
        raise CorruptPdfError(path, f"the file cannot be read ({exc.strerror})", "Check its permissions") from None
    if not head:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    if PDF_MAGIC not in head:
        start = head[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise NotAPdfError(path, f"expected a PDF (starting with %PDF-), but the file starts with {start!r}")
