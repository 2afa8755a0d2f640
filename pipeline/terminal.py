"""Text shown on a terminal: what a file name or a PDF's text may not do there.

A file name may hold escape sequences ("\\x1b]0;...") that a terminal would
obey: moving the cursor, retitling the window, hiding text. Everything that
echoes a path or document text to the terminal passes it through
:func:`printable` first.
"""

from __future__ import annotations

import re

# C0 and C1 control characters, DEL, and the bidirectional overrides that can
# make a name read differently from what it is
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), never obeyed."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), str(text))
