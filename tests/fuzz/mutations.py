"""Ways to damage a real PDF, as a fuzz target's input.

Every mutator takes the file's bytes and ``draw(low, high)``, a source of
integers in [low, high]: hypothesis in the tests (so failures shrink), a
seeded ``random.Random`` in the long campaign. Mutators aim at what PDF readers
trust: byte values, the file's end, the cross-reference table and trailer,
``/Length`` entries, ``endobj`` markers, object numbers and stream contents.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

DrawInt = Callable[[int, int], int]
Mutator = Callable[[bytes, DrawInt], bytes]

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
CORPUS = REPO / "corpus"
# Seeds from tests/data larger than this are skipped: small files keep the
# number of examples per second high.
MAX_SEED_BYTES = 200_000

_XREF_KEYWORDS = (b"startxref", b"xref", b"trailer", b"/Root", b"/Size", b"/Prev", b"/XRefStm", b"/Type /XRef", b"/Type/XRef", b"/W ", b"/Index")
_LENGTH = re.compile(rb"/Length\s+(\d+)")
_OBJECT = re.compile(rb"(\d{1,7})\s+(\d{1,5})\s+obj\b(.*?)endobj", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n")
_NUMBER = re.compile(rb"-?\d+")


def _pick(items: list, draw: DrawInt):
    return items[draw(0, len(items) - 1)]


def flip_bytes(pdf: bytes, draw: DrawInt) -> bytes:
    data = bytearray(pdf)
    for _ in range(draw(1, 16)):
        data[draw(0, len(data) - 1)] ^= draw(1, 255)
    return bytes(data)


def truncate(pdf: bytes, draw: DrawInt) -> bytes:
    return pdf[: draw(0, len(pdf) - 1)]


def damage_xref(pdf: bytes, draw: DrawInt) -> bytes:
    """Rewrite the numbers after a cross-reference keyword, or cut a span there."""
    spots = [m.start() for keyword in _XREF_KEYWORDS for m in re.finditer(re.escape(keyword), pdf)]
    if not spots:
        return flip_bytes(pdf, draw)
    at = _pick(sorted(spots), draw)
    window = pdf[at : at + 200]
    if draw(0, 2) == 0:
        return pdf[:at] + pdf[at + draw(1, 200) :]
    numbers = list(_NUMBER.finditer(window))
    if not numbers:
        return pdf[:at] + pdf[at + draw(1, 40) :]
    data = bytearray(pdf)
    for _ in range(draw(1, 3)):
        number = _pick(numbers, draw)
        value = str(_pick([0, 1, -1, draw(0, 2**31), draw(0, len(pdf) * 2), int(number.group()) + draw(-50, 50)], draw)).encode()
        start, end = at + number.start(), at + number.end()
        data[start:end] = value.ljust(end - start)[: max(end - start, len(value))]
    return bytes(data)


def lie_about_length(pdf: bytes, draw: DrawInt) -> bytes:
    lengths = list(_LENGTH.finditer(pdf))
    if not lengths:
        return truncate(pdf, draw)
    found = _pick(lengths, draw)
    true_length = int(found.group(1))
    lie = _pick([0, 1, true_length // 2, true_length + draw(1, 5000), draw(0, 2**31 - 1), 2**63], draw)
    return pdf[: found.start(1)] + str(lie).encode() + pdf[found.end(1) :]


def delete_endobj(pdf: bytes, draw: DrawInt) -> bytes:
    spots = [m.start() for m in re.finditer(rb"endobj", pdf)]
    if not spots:
        return truncate(pdf, draw)
    data = pdf
    for at in sorted({_pick(spots, draw) for _ in range(draw(1, 4))}, reverse=True):
        data = data[:at] + data[at + 6 :]
    return data


def duplicate_object(pdf: bytes, draw: DrawInt) -> bytes:
    """Copy an object elsewhere, perhaps under another object's number and with
    its body damaged: two definitions of one object."""
    objects = list(_OBJECT.finditer(pdf[:2_000_000]))
    if not objects:
        return flip_bytes(pdf, draw)
    source = _pick(objects, draw)
    copy = bytearray(source.group(0))
    if draw(0, 1):
        other = _pick(objects, draw)
        copy[: source.end(2) - source.start()] = other.group(1) + b" " + other.group(2)
    if draw(0, 1) and len(copy) > 1:
        for _ in range(draw(1, 8)):
            copy[draw(0, len(copy) - 1)] ^= draw(1, 255)
    at = draw(0, len(pdf))
    return pdf[:at] + b"\n" + bytes(copy) + b"\n" + pdf[at:]


def damage_stream(pdf: bytes, draw: DrawInt) -> bytes:
    """Flip bytes inside one stream's data (compressed content, fonts, images)."""
    streams = [m.end() for m in _STREAM.finditer(pdf)]
    if not streams:
        return flip_bytes(pdf, draw)
    start = _pick(streams, draw)
    end = pdf.find(b"endstream", start)
    end = len(pdf) if end < 0 else end
    if end <= start:
        return flip_bytes(pdf, draw)
    data = bytearray(pdf)
    for _ in range(draw(1, 8)):
        data[draw(start, end - 1)] ^= draw(1, 255)
    return bytes(data)


def splice(pdf: bytes, draw: DrawInt) -> bytes:
    """Insert junk, delete a span, or repeat a span."""
    at = draw(0, len(pdf))
    how = draw(0, 2)
    if how == 0:
        return pdf[:at] + bytes(draw(0, 255) for _ in range(draw(1, 64))) + pdf[at:]
    span = draw(1, 4096)
    if how == 1:
        return pdf[:at] + pdf[at + span :]
    return pdf[: at + span] + pdf[at : at + span] + pdf[at + span :]


MUTATORS: tuple[tuple[str, Mutator], ...] = (
    ("flip", flip_bytes),
    ("truncate", truncate),
    ("xref", damage_xref),
    ("length", lie_about_length),
    ("endobj", delete_endobj),
    ("duplicate", duplicate_object),
    ("stream", damage_stream),
    ("splice", splice),
)


def mutate(pdf: bytes, draw: DrawInt) -> tuple[str, bytes]:
    """One to three mutations in a row; returns their names and the result."""
    names: list[str] = []
    for _ in range(draw(1, 3)):
        if not pdf:
            break
        name, mutator = MUTATORS[draw(0, len(MUTATORS) - 1)]
        pdf = mutator(pdf, draw)
        names.append(name)
    return "+".join(names) or "none", pdf


def generated_seed() -> bytes:
    """A small two-column PDF drawn with reportlab (classic xref table,
    uncompressed content): quick to read, and its structure is plain text
    for the mutators to hit."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    # invariant: no dates or random ids, so the seed is the same on every run.
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0, invariant=1)
    canvas.setTitle("Fuzz seed")
    for page in range(2):
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(50, 800, f"A heading on page {page + 1}")
        canvas.setFont("Helvetica", 10)
        for line in range(40):
            canvas.drawString(50, 770 - 12 * line, f"Left column line {line} asks the ministry to act.")
            canvas.drawString(310, 770 - 12 * line, f"Right column line {line} with a foot-")
        canvas.setFont("Helvetica", 7)
        canvas.drawString(50, 40, "1 A footnote at the foot of the page.")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def seed_files() -> list[Path]:
    """The real PDFs to mutate: the sample papers and the small files of tests/data."""
    files = sorted(CORPUS.glob("*.pdf")) + sorted(p for p in DATA.glob("*.pdf") if p.stat().st_size <= MAX_SEED_BYTES and not p.name.startswith("fuzz-"))
    return files
