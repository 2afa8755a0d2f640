"""Joining lines into text: line-end hyphenation and the document's own words.

Rule for a line that ends in a hyphen right after a letter ("self-" + "organization"):

1. the next line starts with a capital or a digit ("Belarus-" + "Russia",
   "COVID-" + "19"): a real hyphen, kept;
2. the word before the hyphen is already hyphenated ("white-red-" + "white"):
   a compound, the hyphen is kept;
3. the document itself decides when it can: if it prints the hyphenated form
   elsewhere on one line ("pro-democracy"), the hyphen is kept; if it prints the
   joined form elsewhere ("organization"), the pieces are joined; if it prints
   neither but uses both halves as words ("check" and "in"), the hyphen is kept;
4. otherwise the hyphen is kept after a common English prefix that forms
   hyphenated compounds (pro, anti, non, self, co, post, pre, ex, multi, well,
   ...) and before a particle that ends one (in, on, up, out, off, by), and the
   pieces are joined in every other case ("organi-" + "zation").

A dash (en or em, or a hyphen after a space) at a line end is punctuation:
the lines are joined with a space.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

HYPHEN_PREFIXES = frozenset(
    "pro anti non self co post pre ex multi well semi pseudo quasi cross all half mid neo ultra vice".split()
)

# A line-end hyphenation never leaves just one of these on the next line; after
# a hyphen they end a compound ("check-in", "set-up", "follow-on").
HYPHEN_PARTICLES = frozenset("in on up out off by".split())

_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# In ASCII text _WORDS's letters are a-z and A-Z: every other character but the
# hyphen separates words, and can become a space (a byte table: bytes.translate
# looks each character up in C, str.translate in a dict).
_ASCII_NON_WORD = bytes(c if chr(c) in string.ascii_letters + "-" else ord(" ") for c in range(256))
_LAST_WORD = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)*)-$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+)")
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
# The same test read from the end: a sentence mark, then only closing quotes
# and brackets (the characters of SENTENCE_END's two classes).
_SENTENCE_MARKS = ".!?…:;"
_SENTENCE_CLOSERS = "\"'”’»)]"


class Vocabulary:
    """The words a document prints, lower-cased: evidence for hyphenation."""

    def __init__(self) -> None:
        self.words: set[str] = set()

    def add_line(self, text: str) -> None:
        self.add_lines((text,))

    def add_lines(self, lines: Iterable[str]) -> None:
        # One search over all the lines (no word spans a line break); the last
        # word of a line that ends in a hyphen is half a word.
        text = "\n".join([_without_half_word(line) if line.endswith("-") else line for line in lines]).lower()
        if not text.isascii():
            self.words.update(_WORDS.findall(text))
            return
        # The same words found faster: split at everything but letters and
        # hyphens; a piece without a hyphen is one word, and only the pieces
        # with hyphens need the pattern (which drops stray hyphens).
        pieces = text.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split()
        if "-" in text:
            self.words.update(_WORDS.findall(" ".join([piece for piece in pieces if "-" in piece])))
            pieces = [piece for piece in pieces if "-" not in piece]
        self.words.update(pieces)

    def __contains__(self, word: str) -> bool:
        return word in self.words


def _without_half_word(line: str) -> str:
    return line[: line.rfind(" ") + 1] if " " in line else ""


def keep_line_end_hyphen(left: str, right: str, vocabulary: Vocabulary | None) -> bool:
    """Whether the hyphen between ``left`` (the word before it, hyphen removed)
    and ``right`` (the first word of the next line) is a real one."""
    if not right or right[0].isupper() or right[0].isdigit():
        return True
    if "-" in left:
        return True
    if vocabulary is not None:
        if f"{left}-{right}".lower() in vocabulary:
            return True
        if f"{left}{right}".lower() in vocabulary:
            return False
        if left.lower() in vocabulary and right.lower() in vocabulary:
            return True
    return left.lower() in HYPHEN_PREFIXES or right.lower() in HYPHEN_PARTICLES


def join_lines(first: str, second: str, vocabulary: Vocabulary | None = None) -> str:
    """Join two lines of one paragraph, undoing line-end hyphenation."""
    if not first:
        return second
    if not second:
        return first
    if not first.endswith("-"):
        return f"{first} {second}"
    # Only the end of the text matters; searching all of a long paragraph again
    # for every line would be quadratic.
    hyphenated = _LAST_WORD.search(first[-80:])
    if hyphenated and not first.endswith(" -"):
        next_word = _FIRST_WORD.match(second)
        if next_word is None:
            return first + second if second[0].isdigit() else f"{first} {second}"
        if keep_line_end_hyphen(hyphenated.group(1), next_word.group(1), vocabulary):
            return first + second
        return first[:-1] + second
    return f"{first} {second}"


def ends_sentence(text: str) -> bool:
    """Whether the text ends a sentence (SENTENCE_END matches its end). Read
    from the end: a regular-expression search would scan a whole paragraph."""
    body = text.rstrip().rstrip(_SENTENCE_CLOSERS)
    return bool(body) and body[-1] in _SENTENCE_MARKS
