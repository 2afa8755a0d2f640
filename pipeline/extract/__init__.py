"""The extract stage: PDF -> pages of blocks in reading order (``DocumentLayout``).

``extract_document`` reads a PDF with the pdfplumber (default) or pdfium
backend and runs one shared layout analysis (columns, running heads and feet,
footnotes, paragraphs, headings, lists, hyphenation); ``render`` prints the
result as text, JSON or Markdown.
"""

from pipeline.extract.backends import BACKENDS
from pipeline.extract.document import extract_document, slugify
from pipeline.extract.render import FORMATS, render

__all__ = ["BACKENDS", "FORMATS", "extract_document", "render", "slugify"]
