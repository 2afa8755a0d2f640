"""Progress of a corpus run: a bar on a terminal, plain lines otherwise, and a summary."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table


class Progress:
    """Documents and pages done, rate and ETA; ``quiet`` leaves only the summary."""

    def __init__(self, *, total_docs: int, total_pages: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total_docs = total_docs
        self.total_pages = total_pages
        self.quiet = quiet
        self.done_docs = 0
        self.done_pages = 0
        self.started = time.perf_counter()
        self.console = Console(file=self.stream, highlight=False)
        self.interactive = self.console.is_terminal and not quiet
        self._bar: RichProgress | None = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        self.started = time.perf_counter()
        if self.interactive:
            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("pages {task.completed}/{task.total} · docs {task.fields[docs]}"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                "policygraph", total=max(self.total_pages, 1), docs=f"0/{self.total_docs}", rate=""
            )
        elif not self.quiet:
            self._line(f"processing {self.total_docs} document(s), {self.total_pages} page(s)")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _line(self, text: str) -> None:
        print(f"policygraph: {text}", file=self.stream, flush=True)

    def advance(self, doc_id: str, pages: int, status: str, error: dict[str, str] | None) -> None:
        self.done_docs += 1
        self.done_pages += pages
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        rate = f"{self.done_pages / elapsed:.1f} pages/s"
        if self._bar is not None:
            self._bar.update(self._task, advance=pages, docs=f"{self.done_docs}/{self.total_docs}", rate=rate)
            if error:
                self._bar.console.print(f"[red]failed[/red] {doc_id}: {error['code']}")
        elif not self.quiet:
            remaining = self.total_pages - self.done_pages
            eta = remaining / (self.done_pages / elapsed) if self.done_pages else 0.0
            detail = f" ({error['code']})" if error else ""
            self._line(
                f"[{self.done_docs}/{self.total_docs}] {doc_id}: {status}{detail}, {pages} pages, "
                f"{rate}, eta {eta:.0f} s"
            )

    def summary(self, summary: Any) -> None:
        """The end-of-run summary and, when documents failed, a table of reasons."""
        lines = (
            f"{summary.documents} document(s): {summary.documents - summary.failed} ok, {summary.failed} failed"
            + (f", {summary.skipped} non-PDF file(s) skipped" if summary.skipped else "")
            + f"; {summary.recommendations} recommendations, {summary.actors} actors, "
            f"{summary.measures} measures; {summary.seconds:.1f} s; outputs in {summary.out_dir}"
        )
        self.console.print(f"policygraph: {lines}", soft_wrap=True)
        failed = [e for e in summary.entries if e.status == "failed"]
        if failed:
            table = Table(title="Documents that failed", show_lines=False, expand=False)
            table.add_column("file", overflow="fold")
            table.add_column("reason", style="red")
            table.add_column("message", overflow="fold")
            for entry in failed:
                table.add_row(entry.path, entry.error["code"], entry.error["message"])
            self.console.print(table)
