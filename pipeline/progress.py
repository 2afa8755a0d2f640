"""Progress of a corpus run: a bar on a terminal, plain lines otherwise, and a summary.

On a terminal a rich progress bar shows documents, pages, pages per second and
the time left; in a log (not a TTY) each finished document is one line; with
``quiet`` only the end-of-run summary is printed. The time left is estimated
from the bytes of the PDFs still to do: page counts are only known once a
worker has opened a file, and opening untrusted files in the main process is
what the workers are there to avoid.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from pipeline.terminal import printable

PREFIX = "policygraph: "


class _Entry(Protocol):
    path: str
    doc_id: str | None
    status: str
    error: dict[str, str] | None
    traceback: str | None
    warnings: list[dict[str, Any]]


class _Summary(Protocol):
    documents: int
    failed: int
    skipped: int
    cache_hits: int
    recommendations: int
    actors: int
    measures: int
    seconds: float
    outputs_reused: bool
    entries: list[Any]
    out_dir: Any


@dataclass(frozen=True)
class Finished:
    """One document done, as the progress display needs it."""

    doc_id: str
    pages: int
    size: int  # bytes of the PDF: the unit of the time estimate
    status: str
    error_code: str | None = None


def format_eta(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Documents and pages done, rate and ETA; ``quiet`` leaves only the summary."""

    def __init__(
        self,
        *,
        total_docs: int,
        total_bytes: int,
        quiet: bool = False,
        stream: TextIO | None = None,
        verbose: bool = False,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total_docs = total_docs
        self.total_bytes = max(total_bytes, 1)
        self.quiet = quiet
        self.verbose = verbose
        self.done_docs = 0
        self.done_pages = 0
        self.done_bytes = 0
        self.started = time.perf_counter()
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)
        self.interactive = self.console.is_terminal and not quiet
        self._bar: RichProgress | None = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        self.started = time.perf_counter()
        if self.interactive:
            self._bar = RichProgress(
                TextColumn("[bold]policygraph"),
                BarColumn(),
                TextColumn("docs {task.fields[docs]} · pages {task.fields[pages]} · {task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                "run", total=self.total_bytes, docs=f"0/{self.total_docs}", pages=0, rate="- pages/s"
            )
        elif not self.quiet:
            self.line(f"processing {self.total_docs} document(s)")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def line(self, text: str) -> None:
        print(PREFIX + printable(text), file=self.stream, flush=True)

    def advance(self, done: Finished) -> None:
        self.done_docs += 1
        self.done_pages += done.pages
        self.done_bytes += done.size
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        rate = f"{self.done_pages / elapsed:.1f} pages/s"
        outcome = done.status if done.error_code is None else f"{done.status} ({done.error_code})"
        if self._bar is not None:
            self._bar.update(
                self._task, advance=done.size, docs=f"{self.done_docs}/{self.total_docs}", pages=self.done_pages, rate=rate
            )
            if done.error_code is not None:
                self._bar.console.print(f"[red]{escape(outcome)}[/red] {escape(printable(done.doc_id))}")
        elif not self.quiet:
            share = self.done_bytes / self.total_bytes
            eta = elapsed * (1 - share) / share if share > 0 else 0.0
            self.line(
                f"[{self.done_docs}/{self.total_docs}] {done.doc_id}: {outcome}, {done.pages} pages, "
                f"{rate}, eta {format_eta(eta)}"
            )

    def summary(self, summary: _Summary) -> None:
        """The end-of-run summary and, when documents failed, a table of files and reasons."""
        ok = summary.documents - summary.failed
        parts = [f"{summary.documents} document(s): {ok} ok, {summary.failed} failed"]
        if summary.skipped:
            parts.append(f"{summary.skipped} other file(s) skipped")
        if summary.cache_hits:
            parts.append(f"{summary.cache_hits} from the cache")
        text = ", ".join(parts) + (
            f"; {summary.recommendations} recommendations, {summary.actors} actors, {summary.measures} measures; "
            f"{summary.seconds:.1f} s; outputs in {summary.out_dir}"
        )
        if summary.outputs_reused:
            text += " (unchanged: same documents and settings as the previous run)"
        self.line(text)
        failed = [e for e in summary.entries if e.status == "failed"]
        if failed:
            self._failure_table(failed)
        warned = [e for e in summary.entries if getattr(e, "warnings", None)]
        if warned:
            self.line("documents read in part (file | warning | pages | message):")
            for entry in warned:
                for warning in entry.warnings:
                    pages = ", ".join(map(str, warning.get("pages", [])))
                    print(printable(f"  {entry.path} | {warning.get('code')} | {pages} | {warning.get('message')}"),
                          file=self.stream)
            self.stream.flush()

    def _failure_table(self, failed: list[_Entry]) -> None:
        if self.console.is_terminal:
            table = Table(title="Documents that failed", expand=False)
            table.add_column("file", overflow="fold")
            table.add_column("reason", style="red")
            table.add_column("message", overflow="fold")
            for entry in failed:
                error = entry.error or {}
                table.add_row(*(escape(printable(cell)) for cell in (entry.path, error.get("code", "?"), error.get("message", ""))))
            self.console.print(table)
        else:
            # a log keeps one failure per line, whole, so it can be grepped
            self.line("documents that failed (file | reason | message):")
            for entry in failed:
                error = entry.error or {}
                print(printable(f"  {entry.path} | {error.get('code', '?')} | {error.get('message', '')}"), file=self.stream)
        if self.verbose:
            for entry in failed:
                if entry.traceback:
                    print(f"\n{PREFIX}traceback for {printable(entry.path)}:\n{entry.traceback.rstrip()}", file=self.stream)
        self.stream.flush()
