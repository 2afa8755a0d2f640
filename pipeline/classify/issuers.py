"""Who makes a recommendation, kept apart from whom it is addressed to.

ANNOTATION.md: a unit's issuers are the states in parentheses after a UPR
recommendation, the body whose call is reported, else the body that issues
the document (its context). A recommending state is never an addressee for
that reason, so the states named in a trailing parenthesis are taken out of
the addressee candidates before the addressee is resolved.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Protocol

# "Ratify CED as soon as possible (Germany)" / "... (Argentina, Chile and Mexico);" /
# a recommendation several states made alike: "Consider ratifying the ICRMW (Morocco) (Turkey);"
_TRAILING_PARENTHESIS = re.compile(r"(?:\((?P<names>[^()]{2,300})\)\s*[;.,]?\s*)+$")
_PARENTHESIS = re.compile(r"\(([^()]{2,300})\)")
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|/)\s*")


class ActorResolver(Protocol):
    def resolve(self, text: str) -> str | None: ...


def recommending_states(text: str, actors: ActorResolver) -> tuple[str, ...]:
    """The actors named in a unit's closing parenthesis, when every name in it is an actor.

    "(Germany)" and "(Argentina, Chile and Mexico)" name recommenders;
    "(including spouses)" and "(see annex)" do not, so nothing is returned.
    """
    match = _TRAILING_PARENTHESIS.search(text)
    if not match:
        return ()
    names = [name for group in _PARENTHESIS.findall(match.group(0)) for name in _NAME_SEPARATORS.split(group) if name]
    found: list[str] = []
    for name in names:
        actor = actors.resolve(name)
        if actor is None:
            return ()
        if actor not in found:
            found.append(actor)
    return tuple(found)


def parenthesis_start(text: str) -> int | None:
    """Where a unit's closing parenthesis begins (its recommenders' names), else None."""
    match = _TRAILING_PARENTHESIS.search(text)
    return match.start() if match else None


def unit_issuers(
    recommenders: Sequence[str], reporting_bodies: Sequence[str], reported: bool, document_issuers: Sequence[str],
    genre: str, state_ids: Collection[str] = (),
) -> tuple[str, ...]:
    """A unit's issuers, most specific first: its recommenders, the reporting body, the document's issuers.

    A reported call whose maker the sentence does not name is, in a
    government response, the answered body's: a legislature or committee of
    the responding state, so the state among the document's issuers.
    """
    if recommenders:
        return tuple(recommenders)
    if reported:
        if reporting_bodies:
            return tuple(reporting_bodies)
        if genre == "government_response":
            return tuple(a for a in document_issuers if a in state_ids)
        return ()
    return tuple(document_issuers)


def issuer_reason(issuers: Sequence[str], reported: bool, genre: str) -> str | None:
    """Why a unit has no issuer, for readers of the outputs (None when it has one)."""
    if issuers:
        return None
    if reported:
        return "the reported call names no body that made it"
    if genre == "paper_or_brief":
        return "the document is written by individual authors or a non-governmental body"
    return "the document names no issuing body on its cover"
