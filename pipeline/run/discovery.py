"""Discovery: the files under the paths a run is given, each once, PDFs told from the rest by their bytes.

Every regular file under the given paths is considered, hidden files and
folders excepted; a file is a PDF when its first kilobyte holds ``%PDF-`` or
its name ends in ``.pdf``. Symbolic links that lead outside the given paths
are not followed unless ``follow_symlinks``; followed folder links are visited
once, so cycles end. The output folder is never read as input.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import BrokenLinkError, DocumentError, SymlinkOutsideError, UnreadableFileError, UsageError
from pipeline.pdfsniff import has_pdf_signature, read_head

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A file found under the given paths."""

    path: Path
    is_pdf: bool
    given: bool = False  # named on the command line rather than found in a folder
    refusal: DocumentError | None = None  # why it is not read at all (a link leading outside)


def looks_like_pdf(path: Path) -> bool:
    """True when the PDF signature sits in the first kilobyte (as readers accept it)."""
    try:
        return has_pdf_signature(read_head(path))
    except OSError:
        return False


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    """``path`` (resolved) is one of ``roots`` or lies below one."""
    return any(path == root or root in path.parents for root in roots)


@dataclass
class _Discovery:
    roots: list[Path]
    excluded: list[Path]
    follow_symlinks: bool
    found: list[Candidate] = field(default_factory=list)
    seen_files: set[Path] = field(default_factory=set)
    seen_dirs: set[Path] = field(default_factory=set)

    def add_file(self, path: Path, *, given: bool = False) -> None:
        real = path.resolve()
        if real in self.seen_files:
            return
        self.seen_files.add(real)
        self.found.append(Candidate(path, path.suffix.lower() == ".pdf" or looks_like_pdf(path), given))

    def refuse(self, path: Path, error: DocumentError) -> None:
        log.warning("%s", error)
        self.found.append(Candidate(path, False, refusal=error))

    def visit_dir(self, folder: Path) -> None:
        real = folder.resolve()
        if real in self.seen_dirs or _inside(real, self.excluded):
            return
        self.seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            self.refuse(folder, UnreadableFileError(folder, f"the folder cannot be listed ({exc.strerror})"))
            return
        visible = [entry for entry in entries if not entry.name.startswith(".")]
        for entry in visible:
            if entry.is_dir(follow_symlinks=False):
                self.visit_dir(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                self.add_file(Path(entry.path))
            # sockets, pipes and devices are not documents (a pipe would block a reader)
        # links last, so that a file reached both ways keeps its own name
        for entry in visible:
            if entry.is_symlink():
                self.visit_link(Path(entry.path))

    def visit_link(self, link: Path) -> None:
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):
            self.refuse(link, BrokenLinkError(link, "the symbolic link leads to nothing"))
            return
        if not self.follow_symlinks and not _inside(target, self.roots):
            self.refuse(link, SymlinkOutsideError(link, f"the symbolic link leads to {target}, outside the given paths, and is not followed"))
            return
        if target.is_dir():
            self.visit_dir(link)
        elif target.is_file():
            self.add_file(link)


def check_given_paths(paths: Sequence[Path]) -> None:
    """Every path named on the command line exists and is a file or a folder."""
    for given in map(Path, paths):
        if not given.exists():
            raise UsageError(f"{given}: no such file or folder; pass PDF files or folders that hold them")
        if not (given.is_dir() or given.is_file()):
            raise UsageError(f"{given}: not a regular file or folder; pass PDF files or folders that hold them")


def discover(paths: Sequence[Path], *, follow_symlinks: bool = False, exclude: Sequence[Path] = ()) -> list[Candidate]:
    """Every regular file under ``paths`` (recursively), in sorted order, each once.

    Hidden files and folders are skipped, and so are folders in ``exclude``
    (the output folder) unless they are themselves one of ``paths``.
    """
    given_paths = [Path(p) for p in paths]
    check_given_paths(given_paths)
    roots = [p.resolve() for p in given_paths]
    excluded = [e.resolve() for e in map(Path, exclude) if e.resolve() not in roots]
    walk = _Discovery(roots=roots, excluded=excluded, follow_symlinks=follow_symlinks)
    for given in given_paths:
        if given.is_dir():
            walk.visit_dir(given)
        else:
            walk.add_file(given, given=True)
    return walk.found

