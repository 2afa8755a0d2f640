"""Text layers that are not text: OCR that read one script as another.

A scanned page whose OCR took Cyrillic for Latin reads "OT4eCTBO
yKa3biBaeTCl'l": words with a capital after a small letter, digits among
letters, brackets and tildes inside words. Real prose has few such words in
any language written in Latin script (names like "McDonald" or codes like
"A/HRC/59" are rare on a page), so the share of them on a page tells a
broken layer from a real one without a dictionary.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’«»-–—*/"
_LETTER = re.compile(r"[A-Za-z]")
_CAPITAL_AFTER_SMALL = re.compile(r"[a-z][A-Z]")
_DIGIT_AMONG_LETTERS = re.compile(r"[A-Za-z]\d|\d[A-Za-z]")
# codes and ordinals that mix letters and digits in real text: G20, A4, 1990s, 21st, H2O
_LEGITIMATE_MIX = re.compile(r"[A-Z]+\d+[A-Z]?|\d+(?:st|nd|rd|th|s)|[A-Z]\d+[A-Z]?|[A-Z]+\d+[A-Z]+\d*")
_ODD_INSIDE = re.compile(r"[<>~{}\[\]|\\^]")


def _odd(word: str) -> bool | None:
    """True for a word of broken OCR shape, False for a normal one, None when too short to tell."""
    core = word.strip(_EDGE_PUNCTUATION)
    if len(core) < 3 or not _LETTER.search(core):
        return None
    if _CAPITAL_AFTER_SMALL.search(core) or _ODD_INSIDE.search(core):
        return True
    return bool(_DIGIT_AMONG_LETTERS.search(core)) and not _LEGITIMATE_MIX.fullmatch(core)


def odd_word_share(text: str) -> tuple[float, int]:
    """The share of words of broken OCR shape in ``text``, and how many words were judged."""
    verdicts = [v for v in map(_odd, _TOKEN.findall(text)) if v is not None]
    return (sum(verdicts) / len(verdicts) if verdicts else 0.0, len(verdicts))


def is_garbled(text: str, *, min_share: float, min_words: int) -> bool:
    share, words = odd_word_share(text)
    return words >= min_words and share >= min_share
