"""How names are compared: the keys every actor name is indexed and looked up by.

Names are compared through a *key*: accents transliterated, punctuation
dropped, case folded (``"Łukaszenka's"`` and ``"lukaszenka"`` share one), so a
variant that differs only in those respects needs no alias of its own.
"""

from __future__ import annotations

import re
import unicodedata

from slugify import slugify

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING_POSSESSIVE = re.compile(r"(?:'s|'S|')$")
_EDGE_PUNCTUATION = " \t\r\n\"'()[]{}<>,;:!?*\u201c\u201d\u00ab\u00bb"


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a name."""
    return slugify(text, separator=" ")


def cased_key(text: str) -> str:
    """Like :func:`name_key` but keeping capitals: "US" and "us" differ."""
    return slugify(text, separator=" ", lowercase=False)


def ascii_variant(text: str) -> str:
    """The name with accented and special letters transliterated, punctuation kept ("Nausėda" -> "Nauseda")."""
    return "".join(c if c.isascii() else slugify(c, separator="", lowercase=False) for c in text)


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def normal_text(text: str) -> str:
    """NFKC, straight apostrophes, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).split())


def bare_name(text: str) -> str:
    """The name a mention carries: without a leading "the", possessive or edge punctuation."""
    name = normal_text(text).strip(_EDGE_PUNCTUATION)
    name = _LEADING_ARTICLE.sub("", name)
    return _TRAILING_POSSESSIVE.sub("", name).strip(_EDGE_PUNCTUATION)
