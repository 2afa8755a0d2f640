"""Progress of a run: plain lines in a log, a bar on a terminal, only the summary with --quiet."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.progress import Finished, Progress
from pipeline.run import DocumentEntry, RunSummary

FAILED = DocumentEntry(
    "papers/broken.pdf", "broken", "failed",
    error={"code": "corrupt", "message": "papers/broken.pdf: pdfminer cannot parse page 1"},
    traceback="Traceback (most recent call last):\n  ...\nValueError: bad xref\n",
)
OK = DocumentEntry("papers/good.pdf", "good", "ok", pages=12, recommendations=7)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _summary(*entries: DocumentEntry) -> RunSummary:
    return RunSummary(
        documents=len(entries), failed=sum(e.status == "failed" for e in entries), skipped=0, cache_hits=0,
        processed=len(entries), recommendations=7, actors=3, measures=5, seconds=1.5, outputs_reused=False,
        entries=list(entries), out_dir=Path("outputs"),
    )


def _run(stream: io.StringIO, *, quiet: bool = False, verbose: bool = False) -> list[str]:
    progress = Progress(total_docs=2, total_bytes=300, quiet=quiet, stream=stream, verbose=verbose)
    with progress:
        progress.advance(Finished("good", pages=12, size=200, status="ok"))
        progress.advance(Finished("broken", pages=0, size=100, status="failed", error_code="corrupt"))
    progress.summary(_summary(OK, FAILED))
    return stream.getvalue().splitlines()


def test_a_log_gets_one_plain_line_per_document_and_a_failure_table():
    lines = _run(io.StringIO())
    assert lines[0] == "policygraph: processing 2 document(s)"
    assert lines[1].startswith("policygraph: [1/2] good: ok, 12 pages, ")
    assert "pages/s, eta 0:" in lines[1]
    assert lines[2].startswith("policygraph: [2/2] broken: failed (corrupt), 0 pages, ")
    assert lines[2].endswith("eta 0:00")
    assert lines[3].startswith("policygraph: 2 document(s): 1 ok, 1 failed; 7 recommendations, 3 actors, 5 measures; 1.5 s")
    assert lines[4:] == [
        "policygraph: documents that failed (file | reason | message):",
        "  papers/broken.pdf | corrupt | papers/broken.pdf: pdfminer cannot parse page 1",
    ]
    assert not any("\x1b[" in line for line in lines), "no terminal codes in a log"


def test_quiet_leaves_only_the_summary_and_failures():
    lines = _run(io.StringIO(), quiet=True)
    assert lines[0].startswith("policygraph: 2 document(s): 1 ok, 1 failed")
    assert not any("[1/2]" in line or "processing" in line for line in lines)
    assert "  papers/broken.pdf | corrupt | papers/broken.pdf: pdfminer cannot parse page 1" in lines


def test_verbose_adds_tracebacks_after_the_table():
    lines = _run(io.StringIO(), verbose=True)
    assert "policygraph: traceback for papers/broken.pdf:" in lines
    assert "ValueError: bad xref" in lines


def test_a_terminal_gets_a_bar_instead_of_lines():
    text = "\n".join(_run(_Terminal()))
    assert "[1/2]" not in text and "processing 2" not in text
    assert "docs 2/2" in text and "pages 12" in text
    assert "Documents that failed" in text and "corrupt" in text
