"""The ``pdfplumber`` backend (the default): pages read from pdfminer's
character objects, guarded against the damaged files pdfminer would loop on,
read minutes on, or allocate a terabyte for.

Every pdfminer failure is turned into a typed error from :mod:`pipeline.errors`
that names the file. :func:`largest_content_stream` is pdfminer's too: it tells
a decompression bomb from a blank document for either backend.
"""

from __future__ import annotations

import functools
import io
import mmap
import os
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTImage
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.pdfpage import LITERAL_PAGE, LITERAL_PAGES, PDFPage
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFObjectNotFound, PDFObjRef, PDFStream, dict_value, list_value, resolve1
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from pipeline.errors import CONTENT_HINT, CorruptPdfError, DocumentTooLargeError, EmptyFileError, EncryptedPdfError
from pipeline.extract.glyphs import Glyph, GlyphArrays, PageGlyphs, is_bold_font, normalise_char, quantise_direction

# What pdfminer raises on damaged input besides its own exception classes:
# zlib on a corrupted stream; struct/index/key/type/value errors from tables it
# trusts. Named here so the catch stays specific (never a bare except).
_PDFMINER_FAILURES: tuple[type[BaseException], ...] = (
    PSException,
    PdfminerException,
    MalformedPDFException,
    zlib.error,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    AssertionError,
    RecursionError,
    OverflowError,
)


def largest_content_stream(path: Path, password: str | None, limit: int) -> tuple[int, int] | None:
    """The page whose content streams expand the most, and how far (bytes, counted up to ``limit + 1``).

    Inflated piece by piece, so a bomb is measured without being held in memory.
    None when the file's objects cannot be walked.
    """
    largest: tuple[int, int] | None = None
    try:
        with path.open("rb") as handle:
            document = PDFDocument(PDFParser(handle), password or "")
            for number, page in enumerate(PDFPage.create_pages(document), 1):
                size = sum(_expanded_size(stream, limit) for stream in _content_streams(page))
                if largest is None or size > largest[1]:
                    largest = (number, size)
                if size > limit:
                    break
    except (PSException, PDFSyntaxError, PDFObjectNotFound, PDFPasswordIncorrect, ValueError, TypeError, KeyError, zlib.error):
        return largest
    return largest


def _content_streams(page: PDFPage) -> list[PDFStream]:
    contents = resolve1(page.attrs.get("Contents"))
    items = contents if isinstance(contents, list) else [contents]
    return [stream for stream in map(resolve1, items) if isinstance(stream, PDFStream)]


def _refuse_a_bomb(path: Path, number: int, page: PDFPage, limit: int) -> None:
    expanded = sum(_expanded_size(stream, limit) for stream in _content_streams(page))
    if expanded > limit:
        raise DocumentTooLargeError(
            path, f"page {number}'s content stream expands to more than extract.max_content_mb = {limit >> 20} MB: "
            "a decompression bomb, or a page too large to read",
            CONTENT_HINT,
        )


def _expanded_size(stream: PDFStream, limit: int) -> int:
    """How many bytes a content stream inflates to, counted up to ``limit + 1``; 0 when it cannot tell
    (a damaged stream is pdfminer's to report when it reads the page)."""
    data = stream.rawdata or b""
    filters = stream.get_filters()
    if len(filters) != 1 or filters[0][0] not in LITERALS_FLATE_DECODE:
        return len(data)  # unfiltered, or filters that do not multiply size
    try:
        if stream.decipher:  # an encrypted file: inflate what the key deciphers
            data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
        inflater = zlib.decompressobj()
        total = 0
        while data and total <= limit:
            total += len(inflater.decompress(data, 1 << 20))
            data = inflater.unconsumed_tail
    except (zlib.error, ValueError, TypeError):
        return 0
    return total


def _layout_items(items: Any) -> Iterator[Any]:
    """pdfminer's layout items, descending into figures (form XObjects)."""
    for item in items:
        if isinstance(item, LTContainer):
            yield from _layout_items(item._objs)
        else:
            yield item


def _pdfplumber_page(page: pdfplumber.page.Page, layout: Any) -> tuple[list[Glyph], bool]:
    """A page's glyphs and whether it draws an image.

    Reads pdfplumber's pdfminer layout (``page.layout``) and computes the same
    coordinates as ``page.chars`` (top-left origin, MediaBox offsets applied):
    ``page.chars`` spends nearly half its time copying every attribute of every
    character (colours, graphic state) into a dict, which the layout analysis
    never reads.
    """
    height = float(page.height)
    mb_x0, mb_top = float(page.mediabox[0]), float(page.mediabox[1])
    glyphs: list[Glyph] = []
    append = glyphs.append
    space = has_images = False
    for item in _layout_items(layout._objs):
        if not isinstance(item, LTChar):
            has_images = has_images or isinstance(item, LTImage)
            continue
        text = normalise_char(item.get_text())
        if not text or text.startswith("(cid:"):
            # "(cid:N)" is pdfminer's name for a glyph without a Unicode mapping.
            continue
        if text == " ":
            space = True
            continue
        a, b = item.matrix[0], item.matrix[1]
        # pdfminer's matrix is in PDF space (y up); display space has y down.
        direction = 0 if (a > 0 and abs(b) < 1e-6 * abs(a) + 1e-9) else quantise_direction(a, -b)
        fontname = item.fontname if isinstance(item.fontname, str) else item.fontname.decode("latin-1")
        append(Glyph(text, item.x0 + mb_x0, item.x1 + mb_x0, height - item.y1 + mb_top, height - item.y0 + mb_top, is_bold_font(fontname), direction, space))
        space = False
    return glyphs, has_images


@contextmanager
def _pdfminer_errors(path: Path, where: str) -> Iterator[None]:
    try:
        yield
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedPdfError(path, "the PDF is encrypted with a user password") from None
        raise CorruptPdfError(path, f"pdfminer cannot parse {where}: {type(cause).__name__}: {cause}") from None
    except PDFPasswordIncorrect:
        raise EncryptedPdfError(path, "the PDF is encrypted with a user password") from None
    except _PDFMINER_FAILURES as exc:
        raise CorruptPdfError(path, f"pdfminer cannot parse {where}: {type(exc).__name__}: {exc}") from None


def _without_reference_loop(getobj: Callable[[int], object], objid: int) -> object:
    """Object ``objid``, once the chain of references it may start is known to end.

    pdfminer resolves a reference by following references until it meets
    something else, without looking back: a damaged file whose object 5 reads
    as "5 0 R" (or 5 -> 7 -> 5) makes it loop forever. A chain that comes back
    on itself is a syntax error here.
    """
    value = getobj(objid)
    chain = [objid]
    link = value
    while isinstance(link, PDFObjRef):
        if link.objid in chain:
            route = " -> ".join(str(number) for number in [*chain, link.objid])
            raise PDFSyntaxError(f"object {objid} refers back to itself through references ({route})")
        chain.append(link.objid)
        try:
            link = getobj(link.objid)
        except PDFObjectNotFound:
            break  # pdfminer resolves a missing object to None: the chain ends
    return value


# An object's header, "12 0 obj": where a cross-reference offset should point.
_OBJECT_HEADER = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]*")


def _parse_at_header(parse: Callable[[int, int], object], data: mmap.mmap, position: int, objid: int) -> object:
    """pdfminer's ``_getobj_parse(position, objid)``, quick where the offset is stale.

    When the cross-reference offset does not point at the object's header,
    pdfminer reads tokens forward to the next "obj" keyword and accepts the
    object there if it has the right number; through binary stream data that
    takes about a second per object in Python, and a file whose offsets all
    moved (bytes inserted early on) took minutes. The same search over the
    raw bytes takes a millisecond.
    """
    start = _WHITESPACE.match(data, position).end()
    header = _OBJECT_HEADER.match(data, start)
    if header is not None and int(header.group(1)) == objid:
        return parse(position, objid)
    found = _OBJECT_HEADER.search(data, position)
    if found is None or int(found.group(1)) != objid:
        raise PDFSyntaxError(f"object {objid} is not where the cross-reference table says (offset {position})")
    return parse(found.start(), objid)


class _LoopSafeDocument(PDFDocument):
    """pdfminer's document, refusing references that loop (see :func:`_without_reference_loop`)."""

    def getobj(self, objid: int) -> object:
        return _without_reference_loop(super().getobj, objid)


class _CappedReader(io.BufferedReader):
    """A PDF file whose ``read(n)`` never asks for more bytes than the file
    has: pdfminer reads a stream by its /Length, and a damaged /Length of a
    terabyte must not make it allocate a terabyte (a MemoryError) or more
    than an index can hold (an OverflowError)."""

    def __init__(self, path: Path) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self.file_size = os.fstat(self.fileno()).st_size

    def read(self, size: int | None = -1, /) -> bytes:
        if size is not None and size > self.file_size:
            size = self.file_size
        return super().read(size)


def _open_pdfplumber(path: Path, stream: _CappedReader, data: mmap.mmap, password: str | None) -> pdfplumber.PDF:
    """Open with pdfplumber, whose document resolves references safely.

    pdfplumber makes its own pdfminer document and resolves the catalog and the
    metadata while it opens the file, so those are first read with a
    :class:`_LoopSafeDocument` (a few milliseconds: the cross-reference table
    and the trailer); then pdfplumber's document gets the same guard for
    everything it resolves later (the page tree, resources, content streams).
    """
    with _pdfminer_errors(path, "the document"):
        document = _LoopSafeDocument(PDFParser(stream), password=password or "")
        for info in document.info:
            for value in info.values():
                resolve1(value)
        stream.seek(0)
        pdf = pdfplumber.open(stream, password=password or "")
    # Instance attributes, for this document only: pdfminer's references call
    # their document's getobj, which calls its _getobj_parse.
    pdf.doc.getobj = functools.partial(_without_reference_loop, pdf.doc.getobj)  # type: ignore[method-assign]
    pdf.doc._getobj_parse = functools.partial(_parse_at_header, pdf.doc._getobj_parse, data)  # type: ignore[method-assign]
    return pdf


def _page_tree_has_a_page(document: PDFDocument) -> bool:
    """Whether the catalog's page tree leads to a page, walked as pdfminer walks
    it (``PDFPage.create_pages``), stopping at the first page."""
    stack: list[Any] = [document.catalog.get("Pages")]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        objid = node if isinstance(node, int) else getattr(node, "objid", None)
        if objid is not None:
            if objid in visited:
                continue
            visited.add(objid)
        properties = dict_value(document.getobj(node) if isinstance(node, int) else node)
        kind = properties.get("Type", properties.get("type"))
        if kind is LITERAL_PAGE:
            return True
        if kind is LITERAL_PAGES and "Kids" in properties:
            stack.extend(reversed(list_value(properties["Kids"])))
    return False


def read_pages(
    path: Path, password: str | None, max_pages: int | None = None, max_content_bytes: int | None = None,
) -> Iterator[PageGlyphs]:
    """Pages read by pdfplumber (pdfminer), one at a time."""
    with _CappedReader(path) as stream:
        if not stream.file_size:
            raise EmptyFileError(path, "the file is empty (0 bytes)")
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield from _read_pdfplumber_pages(path, stream, data, password, max_pages, max_content_bytes)


def _read_pdfplumber_pages(
    path: Path, stream: _CappedReader, data: mmap.mmap, password: str | None, max_pages: int | None,
    max_content_bytes: int | None,
) -> Iterator[PageGlyphs]:
    """The pages of a PDF opened by :func:`read_pages`."""
    pdf = _open_pdfplumber(path, stream, data, password)
    try:
        with _pdfminer_errors(path, "the page tree"):
            if not _page_tree_has_a_page(pdf.doc):
                # pdfminer would then parse every object of the file looking
                # for pages, and where the cross-reference offsets are stale
                # it rescans the file for each one: minutes on a 1 MB file.
                raise CorruptPdfError(
                    path,
                    "expected a page tree (/Pages with /Kids) in the document catalog, but it leads to no page",
                    "The PDF is damaged; try --backend pdfium, which repairs such files, or repair it with `qpdf in.pdf out.pdf`",
                )
            pages = pdf.pages
        for page in pages[:max_pages]:
            with _pdfminer_errors(path, f"page {page.page_number}"):
                if max_content_bytes is not None:
                    _refuse_a_bomb(path, page.page_number, page.page_obj, max_content_bytes)
                layout = page.layout  # pdfminer parses the page here
                width, height, rotation = float(page.width), float(page.height), int(page.rotation or 0) % 360
            glyphs, has_images = _pdfplumber_page(page, layout)
            del layout
            # Drop the page's parsed objects before reading the next one.
            page.close()
            yield PageGlyphs(page.page_number, width, height, rotation, has_images, GlyphArrays.from_glyphs(glyphs))
    finally:
        _close_pdfplumber(pdf)


def _close_pdfplumber(pdf: pdfplumber.PDF) -> None:
    """Release the pages' caches (the file is the caller's to close)."""
    try:
        pdf.close()
    except _PDFMINER_FAILURES:
        # close() walks the page tree again, and fails again where it is
        # damaged (which would hide the typed error already on its way); the
        # pages read were closed one by one, and nothing else is left to free.
        pass
