"""Render ``report.html``: one self-contained, offline, script-safe page.

Text in the report comes from PDFs, which are untrusted. Three walls keep it
from running as code:

1. the data travels as JSON inside ``<script type="application/json">`` with
   ``<``, ``>``, ``&``, U+2028/2029 (and lone surrogates) written as ``\\uXXXX``,
   so no string can close the element or open a comment;
2. the page script builds the DOM with ``textContent`` only;
3. a Content-Security-Policy allows exactly the page's own inline scripts and
   style (by SHA-256 hash, computed here), no inline event handlers, no
   ``eval`` and no network access of any kind.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from pipeline.atomic import atomic_write_bytes
from pipeline.errors import PolicygraphError
from pipeline.report.payload import build_payload
from pipeline.types import Recommendation

REPORT_DIR = Path(__file__).resolve().parent
VENDOR_SCRIPT = REPORT_DIR / "vendor" / "cytoscape.min.js"
TEMPLATE = REPORT_DIR / "template.html"
PAGE_SCRIPT = REPORT_DIR / "report.js"
PAGE_STYLE = REPORT_DIR / "report.css"

DEFAULT_TITLE = "policygraph report"
_SLOT = re.compile(r"@@([A-Z_]+)@@")
# Characters that could end the <script> element, start "<!--" script-data
# states, or break JavaScript string parsing in older engines; surrogates
# cannot be encoded as UTF-8 at all.
_UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_SCRIPT_END = re.compile(r"</script|<!--", re.IGNORECASE)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class ReportError(PolicygraphError):
    """The report could not be built or written."""

    code = "report_error"


@cache
def _asset(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(
            f"{path}: report asset cannot be read ({exc.strerror}); reinstall policygraph "
            "(pip install -e .) so that pipeline/report/ is complete"
        ) from None
    return text


def _inline_script(path: Path) -> str:
    """A script file's text, checked to be safe to place inside <script>...</script>."""
    text = _asset(path)
    found = _SCRIPT_END.search(text)
    if found:
        raise ReportError(
            f"{path}: contains {found.group(0)!r} at offset {found.start()}, which would end the inline "
            "<script> element early; use a build of the file without it"
        )
    return text


def json_for_script(data: Any) -> str:
    """JSON that is inert inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # These characters only occur inside JSON strings, where \\uXXXX means the same.
    return _UNSAFE_IN_SCRIPT.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: Sequence[str], styles: Sequence[str]) -> str:
    """Only the listed inline scripts and styles run; nothing is fetched, framed or posted."""
    script_src = " ".join(csp_hash(s) for s in scripts)
    style_src = " ".join(csp_hash(s) for s in styles)
    return (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; img-src data:; "
        "connect-src 'none'; font-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; "
        "worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _plain_text(text: str) -> str:
    """Text for an HTML text or attribute position: escaped, encodable, one line."""
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return html.escape(" ".join(text.split()), quote=True)


def _fill(template: str, slots: dict[str, str]) -> str:
    """Fill @@NAME@@ slots in one pass, so filled-in text is never scanned for slots again."""
    def replace(match: re.Match[str]) -> str:
        try:
            return slots[match.group(1)]
        except KeyError:
            raise ReportError(f"{TEMPLATE}: unknown slot {match.group(0)}; known: {', '.join(sorted(slots))}") from None
    return _SLOT.sub(replace, template)


def render_report(
    graph: nx.MultiDiGraph, recommendations: Sequence[Recommendation], *, title: str = DEFAULT_TITLE,
) -> str:
    """The report page for a corpus graph and its recommendations, as one HTML string."""
    payload = build_payload(graph, recommendations, title=title)
    vendor, script, style = _inline_script(VENDOR_SCRIPT), _inline_script(PAGE_SCRIPT), _asset(PAGE_STYLE)
    return _fill(_asset(TEMPLATE), {
        "CSP": html.escape(content_security_policy([vendor, script], [style]), quote=True),
        "TITLE": _plain_text(title) or DEFAULT_TITLE,
        "STYLE": style,
        "DATA": json_for_script(payload),
        "VENDOR_SCRIPT": vendor,
        "PAGE_SCRIPT": script,
    })


def write_report(
    graph: nx.MultiDiGraph, recommendations: Sequence[Recommendation], path: str | Path, *, title: str = DEFAULT_TITLE,
) -> Path:
    """Render and write the report atomically: readers see the old file or the new one, never half."""
    target = Path(path)
    page = render_report(graph, recommendations, title=title).encode("utf-8")
    if not target.parent.is_dir():
        raise ReportError(f"{target}: cannot create a file in {target.parent} (no such folder); "
                          "check that the output folder exists and is writable")
    try:
        atomic_write_bytes(target, page)
    except OSError as exc:
        raise ReportError(f"{target}: report could not be written ({exc.strerror}); "
                          "check free space and permissions of the output folder") from None
    return target
