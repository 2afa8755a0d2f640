"""The graph's lemmatiser: measures and cue phrases are compared as lemmas."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from pipeline.errors import ModelError

HYPHENS = frozenset({"-", "\u2010", "\u2011"})
# Prefixes that never stand alone: "non - recognition" (as some text
# reconstructions space it) is still one word.
BOUND_PREFIXES = frozenset({"non", "anti", "pro", "pre", "re", "co", "counter", "self", "post", "semi", "ex"})
WORD = re.compile(r"[^\W_][\w-]*")

Lemmatiser = Callable[[Sequence[str]], list[tuple[str, ...]]]


def lemmas_of(doc: Any) -> tuple[str, ...]:
    """Lower-cased lemmas of the words of a spaCy Doc; hyphenated compounds stay
    one word so that "non-recognition" is not read as "recognition"."""
    words: list[str] = []
    glue_next = False
    for token in doc:
        joins_tightly = not token.whitespace_ and token.i > 0 and not doc[token.i - 1].whitespace_
        if token.text in HYPHENS and words and (joins_tightly or words[-1] in BOUND_PREFIXES):
            glue_next = True
            continue
        lemma = token.lemma_.lower()
        if not WORD.fullmatch(lemma):
            glue_next = False
            continue
        if glue_next:
            words[-1] = f"{words[-1]}-{lemma}"
        else:
            words.append(lemma)
        glue_next = False
    return tuple(words)


@lru_cache(maxsize=2)
def spacy_lemmatiser(model: str) -> Lemmatiser:
    """A lemmatiser over the installed spaCy model (tagger and lemmatiser only)."""
    import spacy

    try:
        nlp = spacy.load(model, exclude=["parser", "ner", "senter"])
    except OSError as exc:
        raise ModelError(
            f"spaCy model {model!r} (settings: segment.model) could not be loaded: {exc}. "
            f"Install the model package into the environment, e.g. `pip install {model}`"
        ) from None

    def lemmatise(texts: Sequence[str]) -> list[tuple[str, ...]]:
        # a corpus repeats measures (summaries, executive summaries): tag each text once
        unique = list(dict.fromkeys(texts))
        lemmas = dict(zip(unique, (lemmas_of(doc) for doc in nlp.pipe(unique, batch_size=64))))
        return [lemmas[text] for text in texts]

    return lemmatise
