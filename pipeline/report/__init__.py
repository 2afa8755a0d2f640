"""The browser report: ``report.html``, one self-contained page that works offline.

``render_report`` returns the page as a string; ``write_report`` writes it
atomically. See :mod:`pipeline.report.html` for how untrusted PDF text is kept
from running as code, and ``vendor/README.md`` for the vendored graph library.
"""

from pipeline.report.html import ReportError, render_report, write_report
from pipeline.report.payload import build_payload

__all__ = ["ReportError", "build_payload", "render_report", "write_report"]
