"""Matching gold and predicted units one-to-one by text overlap.

Matching follows ANNOTATION.md: per document, one-to-one, by text overlap and
never by offsets, because two segmenters rarely cut a document identically.
Both sides are normalised (case, whitespace, quotes, dashes, line-end
hyphenation, leading bullets and numbering) and compared as sets of content
words; each gold/predicted pair scores the Ochiai (cosine) coefficient of those
sets, and the assignment that maximises the total score over pairs at or above
the match threshold (``evaluate.match_threshold`` in the settings) is solved
with ``scipy.optimize.linear_sum_assignment``.

Why Ochiai: it equals the overlap coefficient scaled by the square root of the
length ratio, so a unit lying wholly inside a slightly longer one (a bullet
glued to its lead-in, a sentence split in two) still matches, while a short
fragment inside a long paragraph does not. Stop words are left out so that two
different recommendations do not match merely because both say "the EU should
do all it can to". Short units that share an actor and a verb can still reach
the threshold; the optimal assignment pairs them correctly when both sides
have them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from slugify import slugify
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.errors import UsageError

# Added to the similarity of a candidate pair on the same page, so that when a
# document repeats a recommendation (executive summary and body) the copies pair
# up page by page; far too small to change which pairs pass the threshold.
SAME_PAGE_BONUS = 1e-3


@lru_cache(maxsize=1)
def default_match_threshold() -> float:
    """``evaluate.match_threshold`` of the default settings, for callers that pass no threshold."""
    from pipeline.config import DEFAULT_SETTINGS
    from pipeline.yamlio import read_yaml

    return float(read_yaml(DEFAULT_SETTINGS)["evaluate"]["match_threshold"])


_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    }
)
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# A hyphen between word characters, with or without the line break's space
# after it, is dropped on both sides: "inter- national", "inter-national" and
# "international" then agree, and so do the hyphenated compounds of both.
_HYPHEN_IN_WORD = re.compile(r"(?<=\w)-\s*(?=\w)")
_BULLETS = (
    "\u2022\u25e6\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u25ba\u25b8\u2023\u2043\u2219\u00b7"
    "\u2713\u2714\u27a2\u27a4\u2192\uf0b7*+>-"
)
_LEADING_MARKER = re.compile(
    r"""^\s*(?:
        [""" + re.escape(_BULLETS) + r"""]
      | \(?\d{1,3}(?:\.\d{1,3})+\.?(?=\s)
      | \(?\d{1,3}[.)](?!\d)
      | \(?(?:[a-z]|[ivxlc]{1,6})[.)](?=\s)
    )\s*""",
    re.VERBOSE,
)
_WORD = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """Casefolded text with quotes, dashes, hyphenation, bullets and spacing unified."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_QUOTES)
    text = _DASHES.sub("-", text).casefold()
    text = _HYPHEN_IN_WORD.sub("", text)
    text = " ".join(text.split())
    while True:
        stripped = _LEADING_MARKER.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def content_tokens(text: str) -> frozenset[str]:
    """The distinct words of a unit that carry its content.

    Falls back to every word when a unit has nothing but stop words, so that
    only a unit without any word is empty.
    """
    words = _WORD.findall(normalise_text(text))
    content = [word for word in words if word not in STOP_WORDS]
    return frozenset(content or words)


def unit_similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Ochiai coefficient of two word sets: shared / sqrt(|first| * |second|)."""
    if not first or not second:
        return 0.0
    return len(first & second) / math.sqrt(len(first) * len(second))


def _indicator(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows = [row for row, words in enumerate(sets) for _ in words]
    columns = [vocabulary[word] for words in sets for word in words]
    return sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(sets), len(vocabulary)))


def similarity_matrix(first: Sequence[frozenset[str]], second: Sequence[frozenset[str]]) -> np.ndarray:
    """``unit_similarity`` of every pair, as one sparse product (long documents have thousands of units)."""
    vocabulary = {word: index for index, word in enumerate(sorted(set().union(*first, *second)))}
    shared = (_indicator(first, vocabulary) @ _indicator(second, vocabulary).T).toarray()
    sizes = np.sqrt(np.outer([len(words) for words in first], [len(words) for words in second]))
    return np.divide(shared, sizes, out=np.zeros_like(shared), where=sizes > 0)


# ---------------------------------------------------------------------------
# Matching


def doc_key(unit: dict[str, Any]) -> str:
    """The unit's document id as the runner writes it (slug of the file stem)."""
    raw = unit.get("doc", unit.get("doc_id")) or ""
    return slugify(str(raw)) or str(raw)


def group_by_document(units: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, unit in enumerate(units):
        groups.setdefault(doc_key(unit), []).append(index)
    return groups


def _page_number(unit: dict[str, Any], *, missing: int) -> int:
    page = unit.get("page")
    return page if isinstance(page, int) and not isinstance(page, bool) else missing


def _pair_weights(
    gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]], threshold: float
) -> np.ndarray:
    similarity = similarity_matrix(
        [content_tokens(unit["text"]) for unit in gold], [content_tokens(unit["text"]) for unit in pred]
    )
    # Missing pages get different sentinels on each side so that they never agree.
    gold_pages = np.array([_page_number(unit, missing=-1) for unit in gold])
    pred_pages = np.array([_page_number(unit, missing=-2) for unit in pred])
    same_page = gold_pages[:, None] == pred_pages[None, :]
    # A tiny tolerance so that a pair exactly at the threshold is not lost to rounding.
    passes = similarity >= threshold - 1e-9
    return np.where(passes, similarity + SAME_PAGE_BONUS * same_page, 0.0)


def match_units(
    gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]], threshold: float | None = None
) -> list[tuple[int, int]]:
    """One-to-one pairs ``(gold index, pred index)`` of units of the same document.

    Among pairs whose text similarity reaches ``threshold`` (default: the
    default settings' ``evaluate.match_threshold``), picks the set that
    maximises total similarity. Sorted by gold index.
    """
    threshold = default_match_threshold() if threshold is None else threshold
    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"match threshold must be in (0, 1], got {threshold}")
    pred_groups = group_by_document(pred)
    pairs: list[tuple[int, int]] = []
    for doc, gold_indices in group_by_document(gold).items():
        pred_indices = pred_groups.get(doc, [])
        if not pred_indices:
            continue
        weights = _pair_weights([gold[i] for i in gold_indices], [pred[j] for j in pred_indices], threshold)
        rows, columns = linear_sum_assignment(weights, maximize=True)
        pairs.extend(
            (gold_indices[row], pred_indices[column])
            for row, column in zip(rows, columns)
            if weights[row, column] > 0.0
        )
    return sorted(pairs)
