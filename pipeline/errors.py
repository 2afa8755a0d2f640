"""Typed errors. Each says what was expected, what arrived, and how to fix it.

Document errors carry the document's path and a short machine-readable
``code`` that goes into ``manifest.json``; the CLI prints ``str(error)``
without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class PolicygraphError(Exception):
    """Base class of every error policygraph raises on purpose."""

    code = "error"


class ConfigError(PolicygraphError):
    """A configuration file is missing, malformed or inconsistent."""

    code = "config_error"

    def __init__(self, path: str | Path, entry: str, problem: str, fix: str = "") -> None:
        self.path = str(path)
        self.entry = entry
        self.problem = problem
        self.fix = fix
        message = f"{self.path}: {entry}: {problem}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class UsageError(PolicygraphError):
    """The command line asks for something that cannot be done."""

    code = "usage_error"


class OutputError(PolicygraphError):
    """The outputs cannot be written (a full disk, no permission); the previous ones are untouched."""

    code = "output_error"


class DocumentError(PolicygraphError):
    """A document could not be processed. Names the file and what to do."""

    code = "document_error"
    default_hint = ""

    def __init__(self, path: str | Path, reason: str, hint: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.hint = self.default_hint if hint is None else hint
        message = f"{self.path}: {reason}"
        if self.hint:
            message += f". {self.hint}"
        super().__init__(message)

    def __reduce__(self):  # keep the fields when errors cross process boundaries
        return (self.__class__, (self.path, self.reason, self.hint))


class EmptyFileError(DocumentError):
    code = "empty_file"
    default_hint = "The file has no bytes; download it again"


class NotAPdfError(DocumentError):
    code = "not_a_pdf"
    default_hint = "Only PDF files are read; convert the document to PDF first"


class EncryptedPdfError(DocumentError):
    code = "encrypted"
    default_hint = "The PDF needs a password to open; pass it with --password"


class CorruptPdfError(DocumentError):
    code = "corrupt"
    default_hint = (
        "The PDF is damaged or truncated; download it again, or repair it "
        "(for example with `qpdf in.pdf out.pdf`) and retry"
    )


class ImageOnlyPdfError(DocumentError):
    code = "image_only"
    default_hint = (
        "The PDF has no text layer (a scan); run OCR on it first, "
        "for example `ocrmypdf in.pdf out.pdf`, then retry"
    )


class NoTextError(DocumentError):
    code = "no_text"
    default_hint = "its pages are blank or drawn as shapes; there is no text to read"


CONTENT_HINT = "If the file is genuine, raise extract.max_content_mb in the settings"


class DocumentTimeoutError(DocumentError):
    code = "timeout"
    default_hint = "Raise limits.document_seconds in the settings if the document is simply long"


class DocumentTooLargeError(DocumentError):
    code = "too_large"
    default_hint = "Raise limits.document_memory_mb or limits.max_pages in the settings if this is expected"


class WorkerCrashError(DocumentError):
    code = "crashed"
    default_hint = "The reader crashed on this file; try --backend pdfium, or repair the PDF (qpdf) and retry"


class SymlinkOutsideError(DocumentError):
    code = "symlink_outside"
    default_hint = "Pass --follow-symlinks to read files that links lead to outside the given folders"


class BrokenLinkError(DocumentError):
    code = "broken_link"
    default_hint = "Fix or remove the link"


class UnreadableFileError(DocumentError):
    code = "unreadable"
    default_hint = "Check that the file exists and that you may read it"


class ModelError(PolicygraphError):
    """A trained model is missing or does not load."""

    code = "model_error"
