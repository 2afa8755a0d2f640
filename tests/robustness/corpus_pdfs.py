"""Small policy papers made with reportlab, for corpus-run tests.

The text is generic policy prose written for these tests: prescriptions with
deontic modals and named actors (which the pipeline reports as
recommendations) between descriptive sentences (which it must not).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

SANCTIONS = (
    "The European Union should impose targeted sanctions on the officials responsible for the crackdown.",
    "In 2021 the Council adopted a further package of restrictive measures.",
    "Member states must freeze the assets of the companies that finance the security services.",
)
DETERRENCE = (
    "NATO should strengthen its deterrence posture on the eastern flank.",
    "The alliance held several exercises in the region last year.",
    "Allies must increase their investment in air defence.",
)
CIVIL_SOCIETY = (
    "Western governments should fund independent media and human rights defenders.",
    "Many journalists left the country after the elections.",
    "The United Nations should establish an independent mechanism to collect evidence of torture.",
)
ENGAGEMENT = (
    "The OSCE should send an election observation mission before the vote.",
    "Observers reported irregularities in several districts.",
    "The United States should open a direct channel of dialogue with the opposition.",
)
THEMES = {"sanctions": SANCTIONS, "deterrence": DETERRENCE, "civil-society": CIVIL_SOCIETY, "engagement": ENGAGEMENT}


def write_paper(path: Path, title: str, paragraphs: tuple[str, ...] | list[str], *, pages: int = 1) -> Path:
    """A paper with a title, a recommendations heading and ``paragraphs`` on each of ``pages`` pages."""
    styles = getSampleStyleSheet()
    story: list = [Paragraph(title, styles["Title"]), Paragraph("Recommendations", styles["Heading1"])]
    for page in range(pages):
        if page:
            story.append(PageBreak())
            story.append(Paragraph(f"Recommendations, part {page + 1}", styles["Heading1"]))
        for text in paragraphs:
            story.append(Paragraph(text, styles["BodyText"]))
            story.append(Spacer(1, 6))
    path.parent.mkdir(parents=True, exist_ok=True)
    SimpleDocTemplate(str(path), pagesize=A4, title=title, author="policygraph tests").build(story)
    return path


def write_theme(folder: Path, theme: str, *, pages: int = 1, name: str | None = None) -> Path:
    """One of the THEMES as ``folder/<name or theme>.pdf``."""
    return write_paper(folder / f"{name or theme}.pdf", f"Options on {theme.replace('-', ' ')}", THEMES[theme], pages=pages)


def pdf_with_content(content: bytes, *, compress: bool = True) -> bytes:
    """A one-page PDF (Helvetica as /F1) whose page content stream is ``content``; xref offsets exact."""
    stream = zlib.compress(content) if compress else content
    filters = b" /Filter /FlateDecode" if compress else b""
    return pdf_with_stream(b"<< /Length %d%s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream")


def pdf_with_stream(stream_object: bytes) -> bytes:
    """A one-page PDF whose content stream object (dictionary and stream) is given as is."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream_object,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def deflate_bomb(inflated_bytes: int, chunk: int = 1 << 24) -> bytes:
    """A zlib stream of ``inflated_bytes`` zero bytes, built without ever holding them.

    After a full flush the compressor starts afresh, so every further chunk of
    zeros compresses to the same bytes: compress two chunks, repeat the second.
    The Adler-32 of n zero bytes is (n mod 65521) << 16 | 1.
    """
    count = max(2, inflated_bytes // chunk)
    compressor = zlib.compressobj(9)
    zeros = bytes(chunk)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_empty_block = b"\x03\x00"
    checksum = struct.pack(">I", ((count * chunk) % 65521) << 16 | 1)
    return first + again * (count - 1) + final_empty_block + checksum


def decompression_bomb_pdf(inflated_bytes: int) -> bytes:
    stream = deflate_bomb(inflated_bytes)
    return pdf_with_stream(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")


def slow_pdf(text_objects: int) -> bytes:
    """One page with ``text_objects`` one-letter text objects in 1-point type: slow to lay out."""
    parts = []
    for index in range(text_objects):
        x, y = 20 + index % 570, 20 + (index // 570) % 750
        parts.append(b"BT /F1 1 Tf %d %d Td (a) Tj ET\n" % (x, y))
    return pdf_with_content(b"".join(parts))


# Cyrillic OCR'd as Latin look-alikes, the shape of a broken text layer
MOJIBAKE = (
    "OT4eCTBO yKa3biBaeTCl'l Hanorosas:t AeKnapai...IVIs:t no Hanory, ynnal.IVIBaeMoMy B CBS'I3VI C "
    "npVIMeHeHVIeM ynpo~eHHOH CVICTeMbl Hanoroo6nO>KeHVIS'I HoMep KoppeKn1pOBKH H8norosbiH nepHOA (KoA) "
    "0T48THbiH rO,[I npe,[ICT8BflH8TCH B H8nOrOBbiH opr8H (KOA) no M8CTY H8XO}f{,[I8HHH yKa3biBaeTCl'l."
)


def scanned_page_image(path: Path) -> Path:
    """A grey picture standing for a scanned page (no text layer)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for row in range(60, 760, 24):
        draw.rectangle((60, row, 540, row + 10), fill=90)  # lines of "print"
    image.save(path)
    return path


def write_partly_scanned(path: Path, *, text_pages: int, scanned_pages: int) -> Path:
    """A paper whose first ``text_pages`` pages have text and the rest are scans without a text layer."""
    from reportlab.pdfgen import canvas

    picture = scanned_page_image(path.with_suffix(".png"))
    sheet = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(text_pages):
        text = sheet.beginText(72, 760)
        text.setFont("Helvetica", 11)
        for sentence in SANCTIONS + DETERRENCE:
            text.textLine(sentence[:95])
        sheet.drawText(text)
        sheet.showPage()
    for _ in range(scanned_pages):
        sheet.drawImage(str(picture), 0, 0, width=A4[0], height=A4[1])
        sheet.showPage()
    sheet.save()
    picture.unlink()
    return path


def write_garbled(path: Path, *, clean_first_page: bool = True) -> Path:
    """Page 1 real prose (when asked), page 2 a broken OCR layer that still holds "should"."""
    paragraphs: list = []
    styles = getSampleStyleSheet()
    if clean_first_page:
        paragraphs += [Paragraph(text, styles["BodyText"]) for text in SANCTIONS] + [PageBreak()]
    paragraphs += [Paragraph(MOJIBAKE + " The Hanorosas should npVIMeHeHVIeM CVICTeMbl.", styles["BodyText"])
                   for _ in range(4)]
    SimpleDocTemplate(str(path), pagesize=A4, title="garbled").build(paragraphs)
    return path


def with_info_title(pdf: bytes, title_hex: bytes) -> bytes:
    """``pdf`` (made by reportlab with the title PLACEHOLDERTITLE) with a hex-string /Title instead.

    The same number of bytes replaces the placeholder, so the cross-reference offsets stay right.
    """
    placeholder = b"(PLACEHOLDERTITLE)"
    replacement = b"<" + title_hex + b">"
    assert placeholder in pdf and len(replacement) <= len(placeholder)
    return pdf.replace(placeholder, replacement.ljust(len(placeholder)))


def write_with_lone_surrogate_title(path: Path) -> Path:
    """A readable paper whose /Title is UTF-16 with a lone high surrogate (FEFF D800 0041)."""
    styles = getSampleStyleSheet()
    story = [Paragraph(text, styles["BodyText"]) for text in SANCTIONS]
    path.parent.mkdir(parents=True, exist_ok=True)
    SimpleDocTemplate(str(path), pagesize=A4, title="PLACEHOLDERTITLE").build(story)
    path.write_bytes(with_info_title(path.read_bytes(), b"FEFFD8000041"))
    return path
