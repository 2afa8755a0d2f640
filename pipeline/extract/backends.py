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
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.layout import LTChar, LTContainer, LTImage
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from pipeline.errors import CorruptPdfError, EmptyFileError, EncryptedPdfError, NotAPdfError
from pipeline.extract.glyphs import Glyph, PageGlyphs, is_bold_font, normalise_char, quantise_direction

BACKENDS = ("pdfplumber", "pdfium")

# The PDF header may follow some junk (a mail header, a BOM); readers accept
# it within the first kilobyte, and so do we.
PDF_MAGIC = b"%PDF-"
SNIFF_BYTES = 1024

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
)

_PDFIUM_PASSWORD_ERROR = pdfium_c.FPDF_ERR_PASSWORD
# pdfium functions called with and returning plain addresses (hot paths):
# FPDF_BOOL f(FPDF_TEXTPAGE, int, FS_RECTF*) and FPDF_PAGEOBJECT f(FPDF_TEXTPAGE, int).
_BOX_CALL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
_OBJECT_CALL = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)

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
    try:
        return {k: v for k, v in document.get_metadata_dict(skip_empty=True).items() if isinstance(v, str)}
    except pdfium.PdfiumError:
        return {}


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
    except _PDFMINER_FAILURES as exc:
        raise CorruptPdfError(path, f"pdfminer cannot parse {where}: {type(exc).__name__}: {exc}") from None


def read_pdfplumber(path: Path, password: str | None, max_pages: int | None = None) -> Iterator[PageGlyphs]:
    """Pages read by pdfplumber (pdfminer), one at a time."""
    with _pdfminer_errors(path, "the document"):
        pdf = pdfplumber.open(str(path), password=password or "")
    with pdf:
        with _pdfminer_errors(path, "the page tree"):
            pages = pdf.pages
        for page in pages[:max_pages]:
            with _pdfminer_errors(path, f"page {page.page_number}"):
                layout = page.layout  # pdfminer parses the page here
                width, height, rotation = float(page.width), float(page.height), int(page.rotation or 0) % 360
            glyphs, has_images = _pdfplumber_page(page, layout)
            del layout
            # Drop the page's parsed objects before reading the next one.
            page.close()
            yield PageGlyphs(page.page_number, width, height, rotation, has_images, glyphs)


# --------------------------------------------------------------------------- pdfium


def _pdfium_has_images(page: pdfium.PdfPage) -> bool:
    # get_objects descends into form XObjects, where scans are often placed.
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))


def _to_display(left: float, bottom: float, right: float, top: float, rotation: int, width0: float, height0: float) -> tuple[float, float, float, float]:
    """A box in PDF user space (y up, unrotated) as (x0, x1, top, bottom) on the
    displayed page (y down, /Rotate applied), as pdfplumber reports it."""
    if rotation == 0:
        return left, right, height0 - top, height0 - bottom
    if rotation == 90:
        return bottom, top, left, right
    if rotation == 180:
        return width0 - right, width0 - left, bottom, top
    return height0 - top, height0 - bottom, width0 - right, width0 - left


class _PdfiumTextReader:
    """Reads a text page's characters through pdfium's C API with as few calls
    per character as possible: one for the box, and at the start of each word
    or run one for its text object, whose style (weight, angle, size) is read
    once per object."""

    def __init__(self) -> None:
        self.rect = pdfium_c.FS_RECTF()
        # The per-character call goes through an untyped prototype taking plain
        # addresses, and the box is unpacked in one step: about a third of the
        # cost of the typed binding and four field reads.
        self.rect_address = ctypes.addressof(self.rect)
        self.rect_bytes = (ctypes.c_char * ctypes.sizeof(self.rect)).from_address(self.rect_address)
        self.unpack_rect = struct.Struct("4f").unpack_from  # FS_RECTF: left, top, right, bottom
        self.get_loose_box = _BOX_CALL(ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)
        # The text object a character belongs to, as a plain address: the key
        # of its style.
        self.text_object_of = _OBJECT_CALL(ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value)
        self.name_buffer = ctypes.create_string_buffer(256)
        self.flags = ctypes.c_int()
        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_ref = ctypes.byref(self.matrix)
        self.bold_cache: dict[bytes, bool] = {}

    def _bold(self, textpage: Any, index: int) -> bool:
        size = pdfium_c.FPDFText_GetFontInfo(textpage, index, self.name_buffer, 256, ctypes.byref(self.flags))
        name = self.name_buffer.raw[: max(size - 1, 0)] if 0 < size <= 256 else b""
        bold = self.bold_cache.get(name)
        if bold is None:
            bold = is_bold_font(name.decode("latin-1"))
            self.bold_cache[name] = bold
        return bold

    def _run_style(self, textpage: Any, index: int) -> tuple[bool, int, float]:
        """Boldness, quarter-turn angle in user space and font size (as drawn)."""
        bold = self._bold(textpage, index)
        angle = pdfium_c.FPDFText_GetCharAngle(textpage, index)
        # pdfium's angle is clockwise in unrotated user space (y up).
        quarter = (int(round(max(angle, 0.0) * 57.29577951308232 / 90.0)) * 90) % 360
        pdfium_c.FPDFText_GetMatrix(textpage, index, self.matrix_ref)
        matrix = self.matrix
        size = pdfium_c.FPDFText_GetFontSize(textpage, index) * (matrix.c * matrix.c + matrix.d * matrix.d) ** 0.5
        return bold, quarter, size

    def read(self, textpage: Any, rotation: int, width0: float, height0: float) -> list[Glyph]:
        count = pdfium_c.FPDFText_CountChars(textpage)
        if count <= 0:
            return []
        text = self._page_text(textpage, count)
        get_box, unpack_rect, rect_bytes, rect_address = self.get_loose_box, self.unpack_rect, self.rect_bytes, self.rect_address
        handle = ctypes.cast(textpage, ctypes.c_void_p).value
        is_generated = pdfium_c.FPDFText_IsGenerated
        new_glyph = tuple.__new__  # Glyph(...) without NamedTuple's keyword handling
        text_object_of = self.text_object_of
        styles: dict[int | None, tuple[bool, int, float]] = {}
        normalised_of: dict[str, str] = {"\x02": "-", "\ufffe": "-"}  # pdfium's line-end hyphen
        glyphs: list[Glyph] = []
        append = glyphs.append
        prev_right = prev_height = prev_bottom = -1.0e9
        bold, quarter, size = False, 0, 0.0
        last_left = last_right = last_bottom = None
        space = word_start = False
        for index in range(count):
            char = text[index]
            normalised = normalised_of.get(char)
            if normalised is None:
                normalised = normalised_of[char] = "" if char in "\r\n\x00" else normalise_char(char)
            if not normalised:
                continue
            if normalised == " ":
                # Spaces pdfium infers are left to the layout analysis, which
                # measures gaps itself; it marks some of the PDF's own spaces as
                # generated too, but those sit in gaps wide enough to measure.
                word_start = True
                if not is_generated(textpage, index):
                    space = True
                continue
            get_box(handle, index, rect_address)
            left, top, right, bottom = unpack_rect(rect_bytes)
            if left == last_left and right == last_right and bottom == last_bottom:
                # pdfium splits a ligature into its letters, all on the ligature's
                # box; pdfminer keeps one glyph. Keep one glyph here too.
                glyphs[-1] = glyphs[-1]._replace(text=glyphs[-1].text + normalised)
                continue
            last_left, last_right, last_bottom = left, right, bottom
            height = top - bottom
            if word_start or height != prev_height or bottom != prev_bottom or not -height < left - prev_right < height:
                # A new run or word may change font: the style belongs to the
                # PDF text object the character comes from, looked up once.
                key = text_object_of(handle, index)
                style = styles.get(key)
                if style is None:
                    style = styles[key] = self._run_style(textpage, index)
                bold, quarter, size = style
                prev_height, prev_bottom = height, bottom
            prev_right = right
            word_start = False
            # pdfium's loose box spans the font's ascent and descent; pdfminer's
            # spans one font size up from the descent. Keep the baseline side and
            # measure one font size from it, so both backends agree.
            if quarter == 0:
                top = bottom + size
            elif quarter == 90:
                right = left + size
            elif quarter == 180:
                bottom = top - size
            else:
                left = right - size
            if rotation == 0:
                append(new_glyph(Glyph, (normalised, left, right, height0 - top, height0 - bottom, bold, quarter, space)))
            else:
                x0, x1, y0, y1 = _to_display(left, bottom, right, top, rotation, width0, height0)
                append(new_glyph(Glyph, (normalised, x0, x1, y0, y1, bold, (quarter + rotation) % 360, space)))
            space = False
        return glyphs

    @staticmethod
    def _page_text(textpage: Any, count: int) -> str:
        """All characters of the page in one call; falls back to one call per
        character when pdfium's text has surrogate pairs (indices then differ)."""
        buffer = ctypes.create_string_buffer(2 * (count + 1))
        written = pdfium_c.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
        if len(text) == count:
            return text
        return "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))


def read_pdfium(path: Path, password: str | None, max_pages: int | None = None) -> Iterator[PageGlyphs]:
    """Pages read by pypdfium2, one at a time."""
    document = open_pdfium(path, password)
    reader = _PdfiumTextReader()
    try:
        total = len(document)
        for index in range(total if max_pages is None else min(total, max_pages)):
            try:
                page = document[index]
            except pdfium.PdfiumError as exc:
                raise CorruptPdfError(path, f"pdfium cannot load page {index + 1}: {exc}") from None
            try:
                rotation = page.get_rotation() % 360
                width0, height0 = float(pdfium_c.FPDF_GetPageWidthF(page.raw)), float(pdfium_c.FPDF_GetPageHeightF(page.raw))
                # FPDF_GetPageWidthF reports the displayed (rotated) size.
                if rotation in (90, 270):
                    width0, height0 = height0, width0
                try:
                    textpage = page.get_textpage()
                except pdfium.PdfiumError as exc:
                    raise CorruptPdfError(path, f"pdfium cannot read the text of page {index + 1}: {exc}") from None
                try:
                    glyphs = reader.read(textpage.raw, rotation, width0, height0)
                finally:
                    textpage.close()
                has_images = len(glyphs) < IMAGE_CHECK_MAX_GLYPHS and _pdfium_has_images(page)
                width, height = (height0, width0) if rotation in (90, 270) else (width0, height0)
                yield PageGlyphs(index + 1, width, height, rotation, has_images, glyphs)
            finally:
                page.close()
    finally:
        document.close()


def read_pages(path: Path, backend: str, password: str | None, max_pages: int | None = None) -> Iterator[PageGlyphs]:
    """The pages of a PDF read by the named backend."""
    if backend == "pdfplumber":
        return read_pdfplumber(path, password, max_pages)
    if backend == "pdfium":
        return read_pdfium(path, password, max_pages)
    raise ValueError(f"unknown extraction backend {backend!r}: expected one of {', '.join(BACKENDS)}")
