"""Backends: read each page of a PDF once into :class:`PageGlyphs`.

``pdfplumber`` (the default) reads pdfminer's character objects; ``pdfium``
reads pypdfium2's character boxes, about ten times faster. Both yield pages
one at a time (a generator) and release each page before reading the next, so
memory stays flat on long documents.

Every failure of the underlying parser is turned into a typed error from
:mod:`pipeline.errors` that names the file: callers never see a pdfminer or
pdfium exception.
"""

from __future__ import annotations

import ctypes
import functools
import io
import mmap
import os
import re
import zlib
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.internal as pdfium_i
import pypdfium2.raw as pdfium_c
from pdfminer.layout import LTChar, LTContainer, LTImage
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.pdfpage import LITERAL_PAGE, LITERAL_PAGES, PDFPage
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFObjectNotFound, PDFObjRef, PDFStream, dict_value, list_value, resolve1
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from pipeline.errors import CONTENT_HINT, CorruptPdfError, DocumentTooLargeError, EmptyFileError, EncryptedPdfError, NotAPdfError
from pipeline.pdfsniff import has_pdf_signature, read_head  # one signature check, shared with discovery
from pipeline.registry import PDF_BACKENDS as BACKENDS  # named once, in the registry
from pipeline.extract.glyphs import BoolArray, FloatArray, Glyph, GlyphArrays, IntArray, PageGlyphs, is_bold_font, normalise_char, quantise_direction


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

_PDFIUM_PASSWORD_ERROR = pdfium_c.FPDF_ERR_PASSWORD


def _untyped(function: Any, restype: Any) -> Any:
    """A pdfium function called without argument conversion (hot paths): every
    argument must be a ctypes pointer (best a :func:`_pointer_arg`) or an int
    that fits a C int. It keeps the GIL during the call (PYFUNCTYPE): these
    functions return in well under a microsecond, less than releasing and
    taking back the GIL costs."""
    prototype = ctypes.PYFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)
    prototype.argtypes = None
    return prototype


def _pointer_arg(address: int) -> Any:
    """An address as a ready-made ctypes call argument: passed as it is, where
    a ``c_void_p`` object is converted into one on every call."""
    return ctypes.c_void_p.from_param(address)


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


def _pdfium_error(path: Path, exc: pdfium.PdfiumError, password: str | None) -> Exception:
    if exc.err_code == _PDFIUM_PASSWORD_ERROR:
        if password is None:
            return EncryptedPdfError(path, "the PDF is encrypted with a user password")
        return EncryptedPdfError(path, "the password given does not open the PDF", "Check the password and retry")
    return CorruptPdfError(path, f"expected a readable PDF, but pdfium cannot parse it ({str(exc).rstrip('.')})")


def open_pdfium(path: Path, password: str | None) -> pdfium.PdfDocument:
    """Open with pdfium, turning its failures into typed errors."""
    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        raise _pdfium_error(path, exc, password) from None


def _pdfium_metadata(document: pdfium.PdfDocument) -> dict[str, str]:
    """The Info dictionary's text fields; a value that is not valid UTF-16 (a lone
    surrogate) is read with U+FFFD in place of the bad unit, since metadata is
    never a reason to lose a readable document."""
    metadata = {}
    for key in document.METADATA_KEYS:
        name = (key + "\x00").encode("utf-8")
        size = pdfium_c.FPDF_GetMetaText(document, name, None, 0)
        if size <= 2:
            continue
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDF_GetMetaText(document, name, buffer, size)
        value = buffer.raw[: size - 2].decode("utf-16-le", errors="replace")
        if value:
            metadata[key] = value
    return metadata


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


def check_opens(path: Path, password: str | None) -> PdfInfo:
    """Open the file with pdfium to learn its page count and to check the password.

    pdfium checks passwords strictly on every encryption revision (pdfminer
    accepts a missing password on some AES-256 files and then reads garbage), so
    both backends ask it first: a missing or wrong user password is an
    :class:`EncryptedPdfError` whichever backend reads the pages.
    """
    document = open_pdfium(path, password)
    try:
        return PdfInfo(page_count=len(document), metadata=_pdfium_metadata(document))
    finally:
        document.close()


# --------------------------------------------------------------------------- pdfplumber


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


def read_pdfplumber(
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
    """The pages of a PDF opened by :func:`read_pdfplumber`."""
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


# --------------------------------------------------------------------------- pdfium


# How deep pypdfium2's PdfPage.get_objects descends into nested form XObjects.
_MAX_FORM_DEPTH = 15


def _pdfium_has_images(raw_page: Any) -> bool:
    """Whether the page draws an image, in its content or in a form XObject
    (where scans are often placed): pypdfium2's ``get_objects`` walk, done on
    the raw page handle."""

    def images_in(count_objects: Any, get_object: Any, parent: Any, level: int) -> bool:
        count = count_objects(parent)
        if count < 0:
            raise pdfium.PdfiumError("Failed to get number of pageobjects.")
        for index in range(count):
            item = get_object(parent, index)
            if not item:
                raise pdfium.PdfiumError("Failed to get pageobject.")
            kind = pdfium_c.FPDFPageObj_GetType(item)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                return True
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < _MAX_FORM_DEPTH - 1:
                if images_in(pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, item, level + 1):
                    return True
        return False

    return images_in(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, raw_page, 0)


def _to_display(left: FloatArray, bottom: FloatArray, right: FloatArray, top: FloatArray, rotation: int, width0: float, height0: float) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Boxes in PDF user space (y up, unrotated) as (x0, x1, top, bottom) on the
    displayed page (y down, /Rotate applied), as pdfplumber reports them."""
    if rotation == 0:
        return left, right, height0 - top, height0 - bottom
    if rotation == 90:
        return bottom, top, left, right
    if rotation == 180:
        return width0 - right, width0 - left, bottom, top
    return height0 - top, height0 - bottom, width0 - right, width0 - left


class _NormalisedChars(dict[str, str]):
    """A character -> its glyph text ('' for characters that carry none), filled
    on first use: pages repeat a few hundred distinct characters."""

    def __init__(self) -> None:
        super().__init__({"\x02": "-", "\ufffe": "-"})  # pdfium's line-end hyphen

    def __missing__(self, char: str) -> str:
        normalised = self[char] = "" if char in "\r\n\x00" else normalise_char(char)
        return normalised


class _CharKinds(dict[str, int]):
    """A character -> what it is to the reader: nothing, a space, or a glyph."""

    def __init__(self, normalised: _NormalisedChars) -> None:
        super().__init__()
        self.normalised = normalised

    def __missing__(self, char: str) -> int:
        text = self.normalised[char]
        kind = self[char] = _GLYPH if text and text != " " else _SPACE if text else _NOTHING
        return kind


_NOTHING, _SPACE, _GLYPH = 0, 1, 2
# Character boxes read per batch: pages with more characters take several.
BOX_CHUNK = 8192


def _increases(counts: IntArray) -> BoolArray:
    """Where a running count has grown since the previous position (from 0 at the first)."""
    grown = counts > 0
    grown[1:] = counts[1:] > counts[:-1]
    return grown


class _PdfiumTextReader:
    """Reads a text page's characters through pdfium's C API with one call per
    character (its box, into one buffer for the page), and one call per run of
    same-style characters (its text object, whose weight, angle and size are
    read once per object); everything else is computed for the whole page at
    once."""

    def __init__(self) -> None:
        # The per-character calls go through prototypes without argument types,
        # given ready-made pointer arguments for the text page and for each box
        # slot (built once per page and once per reader, not per call), and
        # plain ints for the indices: under half the cost of pypdfium2's typed
        # bindings.
        self.get_loose_box = _untyped(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)
        self.is_generated = _untyped(pdfium_c.FPDFText_IsGenerated, ctypes.c_int)
        # The text object a character belongs to, as a plain address: the key
        # of its style.
        self.text_object_of = _untyped(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p)
        self.font_of = _untyped(pdfium_c.FPDFTextObj_GetFont, ctypes.c_void_p)
        self.char_angle = _untyped(pdfium_c.FPDFText_GetCharAngle, ctypes.c_float)
        self.char_matrix = _untyped(pdfium_c.FPDFText_GetMatrix, ctypes.c_int)
        self.font_size = _untyped(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
        self.get_text = _untyped(pdfium_c.FPDFText_GetText, ctypes.c_int)
        self.box_buffer = (pdfium_c.FS_RECTF * BOX_CHUNK)()
        self.box_slots: list[Any] = []  # pointer arguments into box_buffer, made as pages need them
        self.text_buffer = (ctypes.c_uint16 * 0)()  # the page's UTF-16 text, grown as pages need it
        self.name_buffer = ctypes.create_string_buffer(256)
        self.flags = ctypes.c_int()
        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_ref = ctypes.byref(self.matrix)
        self.bold_cache: dict[bytes, bool] = {}
        self.normalised = _NormalisedChars()
        self.kinds = _CharKinds(self.normalised)
        # The kind and the glyph text of each UTF-16 code unit that is a whole
        # character, filled from ``kinds`` and ``normalised`` on first use
        # (kind -1: not looked up yet): a page's characters are then looked
        # up all at once.
        self.kind_by_code = np.full(0x10000, -1, dtype=np.int8)
        self.text_by_code = np.empty(0x10000, dtype=object)

    def _bold(self, textpage: Any, index: int) -> bool:
        size = pdfium_c.FPDFText_GetFontInfo(textpage, index, self.name_buffer, 256, ctypes.byref(self.flags))
        name = self.name_buffer.raw[: max(size - 1, 0)] if 0 < size <= 256 else b""
        bold = self.bold_cache.get(name)
        if bold is None:
            bold = is_bold_font(name.decode("latin-1"))
            self.bold_cache[name] = bold
        return bold

    def _run_style(self, textpage: Any, handle: Any, index: int, bold: bool | None) -> tuple[bool, int, float]:
        """Boldness (read here unless given), quarter-turn angle in user space
        and font size (as drawn)."""
        if bold is None:
            bold = self._bold(textpage, index)
        read_matrix = self.char_matrix(handle, index, self.matrix_ref)
        matrix = self.matrix
        if read_matrix and matrix.c == 0.0 and matrix.a > 0.0:
            # pdfium's angle is atan2f(c, a) of this matrix: zero, as for most text.
            quarter = 0
        else:
            angle = self.char_angle(handle, index)
            # pdfium's angle is clockwise in unrotated user space (y up).
            quarter = (int(round(max(angle, 0.0) * 57.29577951308232 / 90.0)) * 90) % 360
        size = self.font_size(handle, index) * (matrix.c * matrix.c + matrix.d * matrix.d) ** 0.5
        return bold, quarter, size

    def _boxes(self, handle: Any, chars: list[int]) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """The loose boxes (left, top, right, bottom in user space) of the
        characters at ``chars``: one C call each, into the reader's box buffer
        (a chunk of characters at a time, so its size stays bounded)."""
        count = len(chars)
        if len(self.box_slots) < min(count, BOX_CHUNK):
            base, size = ctypes.addressof(self.box_buffer), ctypes.sizeof(pdfium_c.FS_RECTF)
            self.box_slots += [_pointer_arg(base + size * i) for i in range(len(self.box_slots), min(count, BOX_CHUNK))]
        # One row per side (left, top, right, bottom): each side contiguous
        # for the page-wide arithmetic that follows.
        boxes = np.empty((4, count), dtype=np.float64)
        failures: list[int] = []
        for start in range(0, count, BOX_CHUNK):
            part = chars[start : start + BOX_CHUNK]
            done = list(map(self.get_loose_box, repeat(handle, len(part)), part, self.box_slots))
            boxes[:, start : start + len(part)] = np.frombuffer(self.box_buffer, dtype=np.float32, count=4 * len(part)).reshape(len(part), 4).T
            if 0 in done:  # rare: look for the failed calls only then
                failures += [start + j for j, ok in enumerate(done) if not ok]
        # A failed call leaves its box as the previous character's (the reader
        # used to reuse one box), which then merges with it as a ligature would.
        for failed in failures:
            if failed > 0:
                boxes[:, failed] = boxes[:, failed - 1]
        return boxes[0], boxes[1], boxes[2], boxes[3]

    def _styles(self, textpage: Any, handle: Any, run_chars: list[int]) -> tuple[BoolArray, IntArray, FloatArray]:
        """Boldness, quarter turn and size of each run, read once per text object
        (at its first run)."""
        keys = list(map(self.text_object_of, repeat(handle, len(run_chars)), run_chars))
        # Each text object's first character (later ones are overwritten by earlier ones).
        first_char = dict(zip(reversed(keys), reversed(run_chars)))
        # Text objects share a few fonts: the weight is read from the font's
        # name once per font of the page.
        bold_by_font: dict[int, bool] = {}
        styles = []
        for key, index in first_char.items():
            font = self.font_of(_pointer_arg(key)) if key is not None else None
            bold = bold_by_font.get(font) if font is not None else None
            style = self._run_style(textpage, handle, index, bold)
            if font is not None:
                bold_by_font[font] = style[0]
            styles.append(style)
        style_of = {key: number for number, key in enumerate(first_char)}
        per_run = np.fromiter(map(style_of.__getitem__, keys), dtype=np.int64, count=len(keys))
        bold, quarter, size = zip(*styles)
        return np.array(bold, dtype=np.bool_)[per_run], np.array(quarter, dtype=np.int64)[per_run], np.array(size, dtype=np.float64)[per_run]

    def _page_text(self, textpage: Any, handle: Any, count: int) -> tuple[str, IntArray | None]:
        """All characters of the page in one call, and their UTF-16 codes when
        each character is one code unit (None when pdfium's text has surrogates:
        then the text is read one character per call, as indices differ)."""
        if len(self.text_buffer) < count + 1:
            self.text_buffer = (ctypes.c_uint16 * (2 * count + 2))()
        written = self.get_text(handle, 0, count, self.text_buffer)
        raw = bytes(memoryview(self.text_buffer).cast("B")[: max(min(written - 1, count + 1), 0) * 2])
        codes = np.frombuffer(raw, dtype=np.uint16)
        text = raw.decode("utf-16-le", errors="replace")
        if len(text) == count:
            if not ((codes & 0xF800) == 0xD800).any():
                return text, codes
            return text, None
        return "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count)), None

    def _kinds(self, text: str, codes: IntArray | None) -> npt.NDArray[np.int8]:
        """What each character of the page is (nothing, a space, a glyph)."""
        if codes is None:
            return np.fromiter(map(self.kinds.__getitem__, text), dtype=np.int8, count=len(text))
        kinds = self.kind_by_code.take(codes)
        unknown = kinds < 0
        if unknown.any():
            for code in np.unique(codes[unknown]).tolist():
                self.kind_by_code[code] = self.kinds[chr(code)]
                self.text_by_code[code] = self.normalised[chr(code)]
            kinds = self.kind_by_code.take(codes)
        return kinds

    def read(self, textpage: Any, rotation: int, width0: float, height0: float) -> GlyphArrays:
        count = pdfium_c.FPDFText_CountChars(textpage)
        if count <= 0:
            return GlyphArrays.empty()
        handle = _pointer_arg(ctypes.cast(textpage, ctypes.c_void_p).value)
        text, codes = self._page_text(textpage, handle, count)
        kinds = self._kinds(text, codes)
        glyph_chars = (kinds == _GLYPH).nonzero()[0]
        if not len(glyph_chars):
            return GlyphArrays.empty()
        chars = glyph_chars.tolist()
        left, top, right, bottom = self._boxes(handle, chars)

        # pdfium splits a ligature into its letters, all on the ligature's box;
        # pdfminer keeps one glyph. Keep one glyph here too.
        repeated = np.zeros(len(chars), dtype=np.bool_)
        repeated[1:] = (left[1:] == left[:-1]) & (right[1:] == right[:-1]) & (bottom[1:] == bottom[:-1])
        if codes is not None:
            texts = self.text_by_code.take(codes.take(glyph_chars)).tolist()
        else:
            texts = list(map(self.normalised.__getitem__, map(text.__getitem__, chars)))
        if repeated.any():
            first = ~repeated
            kept = first.nonzero()[0]
            merged = repeated.nonzero()[0]
            owners = (first.cumsum() - 1)[merged]  # the kept glyph each repeat joins
            kept_texts = list(compress(texts, first.tolist()))
            for owner, j in zip(owners.tolist(), merged.tolist()):
                kept_texts[owner] += texts[j]
            texts = kept_texts
            glyph_chars, left, top, right, bottom = glyph_chars[kept], left[kept], top[kept], right[kept], bottom[kept]

        # Spaces pdfium infers are left to the layout analysis, which measures
        # gaps itself; it marks some of the PDF's own spaces as generated too,
        # but those sit in gaps wide enough to measure. Any space since the
        # previous glyph starts a word; a space of the PDF's own marks it.
        spaces = kinds == _SPACE
        own_spaces = np.zeros(count, dtype=np.int64)
        space_chars = spaces.nonzero()[0]
        generated = np.fromiter(map(self.is_generated, repeat(handle, len(space_chars)), space_chars.tolist()), dtype=np.int64, count=len(space_chars))
        own_spaces[space_chars] = generated == 0
        word_start = _increases(spaces.cumsum()[glyph_chars])
        space_before = _increases(own_spaces.cumsum()[glyph_chars])

        # A new run starts at a word, a change of line box, or a jump: only there
        # may the font change, and its style is read.
        height = top - bottom
        jump = left[1:] - right[:-1]
        new_run = np.ones(len(left), dtype=np.bool_)
        new_run[1:] = word_start[1:] | (height[1:] != height[:-1]) | (bottom[1:] != bottom[:-1]) | ~((-height[1:] < jump) & (jump < height[1:]))
        run_bold, run_quarter, run_size = self._styles(textpage, handle, glyph_chars[new_run].tolist())
        run = new_run.cumsum() - 1
        bold, quarter, size = run_bold[run], run_quarter[run], run_size[run]

        # pdfium's loose box spans the font's ascent and descent; pdfminer's
        # spans one font size up from the descent. Keep the baseline side and
        # measure one font size from it, so both backends agree.
        if not quarter.any():  # the common case: every glyph upright
            top = bottom + size
        else:
            top, right, bottom, left = (
                np.where(quarter == 0, bottom + size, top),
                np.where(quarter == 90, left + size, right),
                np.where(quarter == 180, top - size, bottom),
                np.where(quarter == 270, right - size, left),
            )
        x0, x1, y0, y1 = _to_display(left, bottom, right, top, rotation, width0, height0)
        return GlyphArrays(texts, x0, x1, y0, y1, bold, (quarter + rotation) % 360, space_before)


def _page_rotation(raw_page: Any) -> int:
    """The page's /Rotate in clockwise degrees (pypdfium2's ``get_rotation``)."""
    quarters = pdfium_c.FPDFPage_GetRotation(raw_page)
    if quarters == -1:
        raise pdfium.PdfiumError("Failed to get page rotation.")
    return pdfium_i.RotationToDegrees[quarters]


def read_pdfium(path: Path, password: str | None, max_pages: int | None = None) -> Iterator[PageGlyphs]:
    """Pages read by pypdfium2, one at a time."""
    document = open_pdfium(path, password)
    reader = _PdfiumTextReader()
    try:
        total = len(document)
        for index in range(total if max_pages is None else min(total, max_pages)):
            # Pages and text pages go through the C API directly (with
            # pypdfium2's messages): its wrappers (finalizers and weak
            # references) cost tens of microseconds a page.
            page = pdfium_c.FPDF_LoadPage(document.raw, index)
            if not page:
                raise CorruptPdfError(path, f"pdfium cannot load page {index + 1}: Failed to load page.")
            try:
                rotation = _page_rotation(page) % 360
                width0, height0 = float(pdfium_c.FPDF_GetPageWidthF(page)), float(pdfium_c.FPDF_GetPageHeightF(page))
                # FPDF_GetPageWidthF reports the displayed (rotated) size.
                if rotation in (90, 270):
                    width0, height0 = height0, width0
                textpage = pdfium_c.FPDFText_LoadPage(page)
                if not textpage:
                    raise CorruptPdfError(path, f"pdfium cannot read the text of page {index + 1}: Failed to load text page.")
                try:
                    glyphs = reader.read(textpage, rotation, width0, height0)
                finally:
                    pdfium_c.FPDFText_ClosePage(textpage)
                has_images = len(glyphs) < IMAGE_CHECK_MAX_GLYPHS and _pdfium_has_images(page)
                width, height = (height0, width0) if rotation in (90, 270) else (width0, height0)
                yield PageGlyphs(index + 1, width, height, rotation, has_images, glyphs)
            finally:
                pdfium_c.FPDF_ClosePage(page)
    finally:
        document.close()


def read_pages(
    path: Path, backend: str, password: str | None, max_pages: int | None = None, max_content_bytes: int | None = None,
) -> Iterator[PageGlyphs]:
    """The pages of a PDF read by the named backend.

    ``max_content_bytes`` stops the pdfplumber backend before it interprets a
    page whose content streams expand beyond it (pdfminer would spend minutes
    on a decompression bomb; pdfium reads one in seconds, and the extract stage
    then reports it).
    """
    if backend == "pdfplumber":
        return read_pdfplumber(path, password, max_pages, max_content_bytes)
    if backend == "pdfium":
        return read_pdfium(path, password, max_pages)
    raise ValueError(f"unknown extraction backend {backend!r}: expected one of {', '.join(BACKENDS)}")
