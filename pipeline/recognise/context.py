"""A document's context: what kind of document it is, who issues it, for whom, and when.

An analyst reads the cover before the recommendations: a UPR working-group
report's imperatives are addressed to the State under review, a committee
report's "the Government" is the government it reports to, a draft
resolution's recommendations come from the state that tabled it. This module
reads that context from the first pages' layout and language, never from
knowledge of particular documents:

- the genre, from the words a genre uses of itself on its cover ("draft
  resolution", "Report of the Working Group on the Universal Periodic
  Review", "Government Response to", "Select Committee", "Inspector General")
  and from how its body is built (paragraphs opening with operative verbs);
- the issuers: the adopting body and a tabling state ("United Kingdom ...:
  draft resolution"), the audit office, the committee, the government that
  responds, as actor ids, resolved with the actor taxonomy;
- the audience: the actors it is addressed to or about ("Report to the
  President", "Recommendations to ...", the State under review);
- the date: the first full date on the cover, else the PDF's own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from pipeline.types import Block, BlockKind, DocumentContext, DocumentLayout

GENRES = ("paper_or_brief", "resolution", "committee_report", "government_response", "audit",
          "review_or_compilation", "bill_or_strategy")
COVER_PAGES = 2  # the cover and the page after it carry the context
DEFAULT_GENRE = DocumentContext.genre


class ActorResolver(Protocol):
    def resolve(self, text: str) -> str | None: ...


# Each genre's words for itself, strongest first; a cover phrase scores its genre.
_GENRE_CUES: dict[str, tuple[tuple[str, int], ...]] = {
    "government_response": (
        (r"\bgovernment(?:'s|’s)? response to\b", 5), (r"\bresponse to the\b.{0,120}\b(?:report|investigation|inquiry)\b", 4),
        (r"\bresponse of the government\b", 5),
    ),
    "resolution": (
        (r"\bdraft resolution\b", 5), (r"\bresolution adopted by the\b", 5),
        (r"^\s*the (?:security council|general assembly|human rights council|council)\s*,\s*$", 4),
    ),
    "review_or_compilation": (
        (r"\buniversal periodic review\b", 5), (r"\bcompilation of (?:information|un information)\b", 5),
        (r"\bsummary of (?:stakeholders'?|other stakeholders'?) (?:submissions|information)\b", 5),
        (r"\b(?:economic survey|country review|peer review|article iv consultation)\b", 4),
        (r"\bevaluation report\b", 2),
    ),
    "audit": (
        (r"\bgovernment accountability office\b", 5), (r"\boffice of (?:the )?inspector general\b", 5),
        (r"\binspector general\b", 3), (r"\b(?:national )?audit office\b", 5), (r"\bcourt of auditors\b", 5),
        (r"\bauditor[- ]general\b", 5), (r"\brecommendations? for executive action\b", 4), (r"\baudit report\b", 3),
    ),
    "committee_report": (
        (r"\bselect committee\b", 4), (r"\breport of session\b", 4), (r"\b(?:hl|hc) paper\b", 4),
        (r"\b(?:standing|joint|senate|parliamentary) committee\b", 3), (r"\bcommittee on\b.{0,60}\breport\b", 2),
    ),
    "bill_or_strategy": (
        (r"\ba bill\b", 5), (r"\bbe it enacted\b", 5), (r"^\s*(?:h\. ?r\.|s\.) ?\d+\s*$", 4),
        (r"\b(?:national|federal|global|regional)? ?strategy\b", 2), (r"\baction plan\b", 3),
    ),
    "paper_or_brief": (
        (r"\b(?:policy|briefing) (?:brief|paper)\b", 3), (r"\bworking paper\b", 3), (r"\bpolicy report\b", 2),
    ),
}
# A body of paragraphs opening with operative verbs is a resolution whatever its cover says.
_OPERATIVE_OPENING = re.compile(
    r"^\s*(?:\d+\s*\.\s*)?(?:decides|requests|calls upon|calls on|urges|encourages|invites|demands|"
    r"reaffirms|recalling|noting|welcoming|recognizing|recognising|emphasizing|emphasising|expressing)\b",
    re.IGNORECASE,
)
_OPERATIVE_SHARE = 0.2

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_FULL_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b({_MONTHS})\s+((?:19|20)\d\d)\b", re.IGNORECASE)

# "<states>: draft resolution": the tabling states precede the colon
_TABLED_BY = re.compile(r"^(?P<states>[^:\n]{3,300}?)\s*:\s*(?:revised\s+)?draft resolution\b", re.IGNORECASE | re.MULTILINE)
_ADOPTING_BODY = re.compile(r"\b(security council|general assembly|human rights council)\b", re.IGNORECASE)
# a lookahead, so that "Universal Periodic Review" as a heading and in the title are both tried
_REVIEWED_STATE = re.compile(r"(?i:universal\s+periodic\s+review)\*?[ \t]*\n?[ \t]*(?=(?P<state>[A-Z][^\n*]{2,80}))")
_ADDRESSED_TO = re.compile(
    r"\b(?:report to|recommendations? (?:to|for)|addressed to|written for|advice to)\s+(?:the\s+)?"
    r"(?P<who>[A-Z][\w.’'&-]*(?:\s+(?:of|and|the|for|[A-Z][\w.’'&-]*)){0,8})"
)
# letterheads and filing lines of official documents: a body's name alone, "Distr.: General",
# document symbols (A/HRC/17/17, S/2020/445), agenda and session lines
_LETTERHEAD = re.compile(
    r"\bdistr\.|\boriginal:|\bagenda item\b|\bsession\b|^(?:[A-Z]{1,4}/)+[\w./-]+$|"
    r"^(?:the\s+)?(?:united nations|general assembly|security council|human rights council)\b",
    re.IGNORECASE,
)
_LIST_COMMA = re.compile(r"\s*,\s*")
_LIST_AND = re.compile(r"\s+and\s+")
_WORD = re.compile(r"[\w’'.&-]+")
COVER_SCAN_LINES = 12  # the cover's first lines name its issuing body
LONGEST_NAME_WORDS = 8


def read_context(layout: DocumentLayout, actors: ActorResolver) -> DocumentContext:
    """The document's context from its first pages (and, for the genre, how its body is built)."""
    cover = _cover_text(layout)
    genre, genre_why = _genre_of(cover, layout)
    title = _title_of(layout)
    date, date_why = _date_of(cover, layout.meta.date)
    issuers, issuers_why = _issuers_of(genre, cover, actors)
    audience, audience_why = _audience_of(genre, cover, issuers, actors)
    evidence = {"genre": genre_why, "date": date_why, "issuers": issuers_why, "audience": audience_why}
    return DocumentContext(genre=genre, title=title, date=date, issuers=issuers, audience=audience,
                           evidence={k: v for k, v in evidence.items() if v})


def _cover_blocks(layout: DocumentLayout) -> Iterable[Block]:
    for page in layout.pages[:COVER_PAGES]:
        # running heads carry document symbols and bodies ("A/HRC/17/17", "GAO-06-282"): read them too
        yield from page.furniture
        yield from page.blocks


def _cover_text(layout: DocumentLayout) -> str:
    return "\n".join(" ".join(block.text.split()) for block in _cover_blocks(layout))


def _title_of(layout: DocumentLayout) -> str | None:
    """The cover's largest heading that is not the issuing body's letterhead or a filing line."""
    headings = [b for b in (layout.pages[0].blocks if layout.pages else ()) if b.kind is BlockKind.HEADING]
    for block in sorted(headings, key=lambda b: -(b.font_size or 0)):
        text = " ".join(block.text.split())
        if text and not _LETTERHEAD.search(text):
            return text
    return layout.meta.title


def _genre_of(cover: str, layout: DocumentLayout) -> tuple[str, str]:
    scores: dict[str, int] = {}
    why: dict[str, str] = {}
    for genre, cues in _GENRE_CUES.items():
        for pattern, weight in cues:
            match = re.search(pattern, cover, re.IGNORECASE | re.MULTILINE)
            if match and weight > scores.get(genre, 0):
                scores[genre], why[genre] = weight, match.group().strip()
    operative = _operative_share(layout)
    if operative >= _OPERATIVE_SHARE:
        scores["resolution"] = max(scores.get("resolution", 0), 5)
        why.setdefault("resolution", f"{operative:.0%} of paragraphs open with an operative verb")
    if not scores:
        return DEFAULT_GENRE, ""
    # a response quotes the committee and a review cites the resolutions: the most specific word wins
    best = max(scores, key=lambda genre: (scores[genre], -GENRES.index(genre)))
    return best, why[best]


def _operative_share(layout: DocumentLayout) -> float:
    paragraphs = [b for p in layout.pages for b in p.blocks if b.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)]
    if len(paragraphs) < 5:
        return 0.0
    return sum(bool(_OPERATIVE_OPENING.match(b.text)) for b in paragraphs) / len(paragraphs)


def _date_of(cover: str, metadata_date: str | None) -> tuple[str | None, str]:
    full = _FULL_DATE.search(cover)
    if full:
        day, month, year = full.groups()
        return f"{year}-{_month_number(month):02d}-{int(day):02d}", full.group()
    partial = _MONTH_YEAR.search(cover)
    if partial:
        month, year = partial.groups()
        return f"{year}-{_month_number(month):02d}", partial.group()
    return metadata_date, "the PDF's metadata" if metadata_date else ""


def _month_number(name: str) -> int:
    return _MONTHS.split("|").index(name.lower()) + 1


def _resolved(names: Iterable[str], actors: ActorResolver) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        actor = actors.resolve(name.strip(" .;*"))
        if actor and actor not in found:
            found.append(actor)
    return tuple(found)


def _issuers_of(genre: str, cover: str, actors: ActorResolver) -> tuple[tuple[str, ...], str]:
    """Who issues the document: the body that adopts or publishes it, a state that tables a draft."""
    if genre == "paper_or_brief":
        return (), ""  # individual authors or a think tank: no actor issues it
    names: list[str] = []
    if genre in ("resolution", "review_or_compilation"):
        body = _ADOPTING_BODY.search(cover)
        if body:
            names.append(body.group(1))
    issuers = list(_resolved(names, actors))
    tabled = _TABLED_BY.search(cover)
    if tabled:
        issuers += [a for a in _listed_states(tabled.group("states"), actors) if a not in issuers]
        names.append(tabled.group("states"))
    if not issuers:
        named = _named_actors(cover.splitlines()[:COVER_SCAN_LINES], actors)
        first = tuple(actor for actor in named if _is_body(actor, actors))[:1]  # the cover's first named body
        return first, "the cover's first named body" if first else ""
    return tuple(issuers), "; ".join(names)


_BODY_KINDS = ("state", "international_organisation")


def _is_body(actor_id: str, actors: ActorResolver) -> bool:
    """A state or an organisation can issue a document; "businesses" or "civil society" named on a cover do not."""
    actor = actors.get(actor_id) if hasattr(actors, "get") else None
    return actor is None or getattr(actor, "kind", None) in _BODY_KINDS


def _listed_states(text: str, actors: ActorResolver) -> list[str]:
    """The states of "France, Germany and the United Kingdom of Great Britain and Northern Ireland"."""
    whole = actors.resolve(text)
    if whole:
        return [whole]
    found: list[str] = []
    for piece in _LIST_COMMA.split(text):
        resolved = [actors.resolve(piece)] if actors.resolve(piece) else [actors.resolve(p) for p in _LIST_AND.split(piece)]
        found += [a for a in resolved if a and a not in found]
    return found


def _named_actors(lines: Iterable[str], actors: ActorResolver) -> tuple[str, ...]:
    """Actors named in ``lines``, in reading order, by their longest name (up to LONGEST_NAME_WORDS words)."""
    found: list[str] = []
    for line in lines:
        words = _WORD.findall(line)
        start = 0
        while start < len(words):
            for length in range(min(LONGEST_NAME_WORDS, len(words) - start), 0, -1):
                actor = actors.resolve(" ".join(words[start:start + length]))
                if actor:
                    if actor not in found:
                        found.append(actor)
                    start += length
                    break
            else:
                start += 1
    return tuple(found)


def _audience_of(
    genre: str, cover: str, issuers: Sequence[str], actors: ActorResolver,
) -> tuple[tuple[str, ...], str]:
    """Whom the document addresses: the State under review, a named recipient, the government a body reports to."""
    if genre == "review_or_compilation":
        for reviewed in _REVIEWED_STATE.finditer(cover):
            state = _resolved([reviewed.group("state")], actors)
            if state:
                return state, f"Universal Periodic Review: {reviewed.group('state').strip()}"
    named = [match.group("who") for match in _ADDRESSED_TO.finditer(cover)]
    audience = _resolved(named, actors)
    if audience:
        return audience, "; ".join(named)
    if genre in ("committee_report", "audit", "government_response") and issuers:
        # a committee advises its own government; an audit office, the agencies of its state
        states = tuple(actor for actor in issuers if actor not in ("un", "eu"))
        return states, "the state of the issuing body" if states else ""
    return (), ""


# genres written by or for a government: their cover may name only an office or none
_STATE_GENRES = ("government_response", "committee_report", "audit", "bill_or_strategy")


def with_home_state(
    context: DocumentContext, mentioned: Sequence[str], state_ids: Collection[str], *, min_share: float, min_mentions: int,
) -> DocumentContext:
    """A government document's context completed with its home state when its cover names no body.

    ``mentioned`` are the actor ids of the document's mentions in reading
    order. A response, committee report, audit or strategy that talks of one
    state far more than of any other ("the Federal Government", "DWP",
    "Americans") is that state's: it becomes the issuer, and the audience when
    none is named (ANNOTATION.md: "the Government" is the state the document
    is about or written for).
    """
    if context.genre not in _STATE_GENRES or (context.issuers and context.audience):
        return context
    states = Counter(actor for actor in mentioned if actor in state_ids)
    if not states:
        return context
    state, count = states.most_common(1)[0]
    if count < min_mentions or count / sum(states.values()) < min_share:
        return context
    why = f"the state of {count} of the document's {sum(states.values())} state mentions"
    evidence = dict(context.evidence)
    issuers, audience = context.issuers, context.audience
    if not issuers:
        issuers, evidence["issuers"] = (state,), why
    if not audience:
        audience, evidence["audience"] = (state,), why
    return replace(context, issuers=issuers, audience=audience, evidence=evidence)
