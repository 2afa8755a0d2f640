"""A long-lived child process that extracts one PDF at a time, so that the fuzz
target survives what a hostile file may do to a reader: loop forever (the
parent kills the child after a timeout), crash the process (a segfault in C
code) or allocate without bound (the child has an address-space ceiling).

The parent sends (bytes, backend, max_pages) and gets an :class:`Outcome`.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

# The child may use this much more address space than it has at start.
MEMORY_HEADROOM_BYTES = 3 * 1024**3


@dataclass(frozen=True)
class Outcome:
    """What extracting one input did. ``kind`` is ``ok`` (a layout), ``typed``
    (a DocumentError), ``bug`` (any other exception), ``hang`` or ``crash``."""

    kind: str
    detail: str = ""
    error_type: str = ""

    @property
    def acceptable(self) -> bool:
        return self.kind in ("ok", "typed")

    @property
    def signature(self) -> str:
        """What tells one bug from another: the exception type and where it was raised."""
        if self.kind != "bug":
            return f"{self.kind}:{self.error_type}"
        frames = [line.strip() for line in self.detail.splitlines() if line.strip().startswith("File ")]
        return f"bug:{self.error_type}:{frames[-1] if frames else ''}"


def _address_space_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _serve(connection: Connection, settings: dict, work_dir: str) -> None:
    from pipeline.errors import DocumentError
    from pipeline.extract import extract_document

    limit = _address_space_bytes() + MEMORY_HEADROOM_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    path = Path(work_dir) / "input.pdf"
    while True:
        try:
            data, backend, max_pages = connection.recv()
        except EOFError:
            return
        path.write_bytes(data)
        try:
            layout = extract_document(path, settings=settings, backend=backend, max_pages=max_pages)
            outcome = Outcome("ok", f"{len(layout.pages)} pages, {len(layout.blocks)} blocks")
        except DocumentError as error:
            outcome = Outcome("typed", str(error), type(error).__name__)
        except Exception as error:  # noqa: BLE001 - the fuzz target reports every other exception as a bug
            outcome = Outcome("bug", "".join(traceback.format_exception(error)), type(error).__name__)
        connection.send(outcome)


class ExtractWorker:
    """Runs ``extract_document`` in a child process, with a timeout per input."""

    def __init__(self, settings: dict, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.work_dir = tempfile.TemporaryDirectory(prefix="pg-fuzz-")
        self._context = multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self._connection, child_end = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child_end, self.settings, self.work_dir.name), daemon=True)
        self._process.start()
        child_end.close()

    def _restart(self) -> None:
        self._process.kill()
        self._process.join()
        self._connection.close()
        self._start()

    def extract(self, data: bytes, backend: str, max_pages: int | None) -> Outcome:
        self._connection.send((data, backend, max_pages))
        if not self._connection.poll(self.timeout):
            self._restart()
            return Outcome("hang", f"no result within {self.timeout:.0f} s", "timeout")
        try:
            return self._connection.recv()
        except EOFError:
            self._process.join()
            code = self._process.exitcode
            self._restart()
            return Outcome("crash", f"the worker died with exit code {code}", f"exit{code}")

    def close(self) -> None:
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self.work_dir.cleanup()
