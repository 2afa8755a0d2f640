"""Names chosen on the command line and in settings.yaml, in one place.

The CLI's choices and the settings schema read these tuples, so a new PDF
backend or executor is named here once (and implemented in its module).
"""

from __future__ import annotations

# each is a module of pipeline/extract/backends/ with its name (imported when used)
PDF_BACKENDS = ("pdfplumber", "pdfium")
# run executors: worker processes on this machine, or a Dask cluster
EXECUTORS = ("local", "dask")
