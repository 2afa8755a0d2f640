"""Actor recognition: a gazetteer over spaCy's NER, and entity mentions with actor ids.

:func:`add_actor_ruler` puts a ``span_ruler`` after the statistical ``ner``
that writes the taxonomy's names to ``doc.ents`` with label ``ACTOR`` and the
actor id in ``ent.ent_id_``. Where a gazetteer match overlaps a statistical
entity the match wins; phrases listed under ``not_actors`` only stop shorter
names from matching inside them and leave the statistical entity alone.

:func:`actor_mentions` turns a Doc's entities into
:class:`~pipeline.types.EntityMention` records: gazetteer matches carry their
id, statistical entities are resolved through the taxonomy, and names the
taxonomy lacks keep a stable generated id (``org:shanghai_cooperation_organisation``) so papers
about other countries still produce actors.
"""

from __future__ import annotations

import re

from bisect import bisect_right
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import spacy
from slugify import slugify
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, registry

from pipeline.taxonomy.actors import ActorTaxonomy, ascii_variant, bare_name, is_all_caps, iter_names
from pipeline.types import EntityMention, Sentence

RULER_NAME = "actor_ruler"
ACTOR_LABEL = "ACTOR"
NOT_ACTOR_LABEL = "NOT_ACTOR"
# Working labels of matches that count only when their capitals agree: names
# such as "US" or "Turkey" (exact form or ALL CAPS), and demonym phrases whose
# demonym is an abbreviation ("US officials"). The ents filter checks them and
# relabels them ACTOR; they never reach doc.ents.
CASED_LABEL = "ACTOR_CASED"
CAPS_LABEL = "ACTOR_CAPS"
# Working label of "demonym + governmental noun" matches ("Sudanese authorities").
# A few token patterns over every demonym and head at once keep the ruler small
# (one phrase pattern per pair would be tens of thousands for the world's
# states); the filter checks each match against the demonym table and names its actor.
DEMONYM_LABEL = "ACTOR_DEMONYM"
ENTS_FILTER = "policygraph.actor_ents_filter.v1"

Pattern = dict[str, Any]


# -- the gazetteer -------------------------------------------------------------


@registry.misc(ENTS_FILTER)
def make_actor_ents_filter(
    cased_forms: list[str],
    demonyms: dict[str, str] | None = None,
    caps_demonyms: dict[str, str] | None = None,
    heads: list[str] | None = None,
) -> Callable[[Iterable[Span], Iterable[Span]], list[Span]]:
    """The span ruler's ``ents_filter``: merges gazetteer matches into the statistical entities.

    Matches whose capitals disagree are dropped first. Then the longest match
    wins among overlapping ones; a winning actor match replaces the
    statistical entities it overlaps; a winning NOT_ACTOR match is dropped so
    that the statistical entity under it survives.
    """
    forms = frozenset(cased_forms)
    table = _DemonymTable(demonyms or {}, caps_demonyms or {}, frozenset(heads or ()))

    def actor_ents_filter(entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
        candidates = [checked for span in spans if (checked := _with_case_checked(span, forms, table)) is not None]
        winners = [span for span in filter_spans(candidates) if span.label_ != NOT_ACTOR_LABEL]
        taken = {i for span in winners for i in range(span.start, span.end)}
        kept = [ent for ent in entities if not any(i in taken for i in range(ent.start, ent.end))]
        return sorted(kept + winners, key=lambda span: span.start)

    return actor_ents_filter


class _DemonymTable:
    """Demonyms by their tokens' norms (and capitals-only ones by exact text), and head norms."""

    def __init__(self, demonyms: dict[str, str], caps: dict[str, str], heads: frozenset[str]) -> None:
        self.demonyms, self.caps, self.heads = demonyms, caps, heads

    def owner(self, span: Span) -> str | None:
        """The actor of a "demonym head" match, or None when the pieces are no demonym and head."""
        for cut in range(1, len(span)):
            if " ".join(t.norm_ for t in span[cut:]) not in self.heads:
                continue
            found = self.caps.get(" ".join(t.text for t in span[:cut])) or self.demonyms.get(
                " ".join(t.norm_ for t in span[:cut])
            )
            if found is not None:
                return found
        return None


def _with_case_checked(span: Span, forms: frozenset[str], table: _DemonymTable) -> Span | None:
    if span.label_ == DEMONYM_LABEL:
        owner = table.owner(span)
        return Span(span.doc, span.start, span.end, label=ACTOR_LABEL, span_id=owner) if owner else None
    if span.label_ == CASED_LABEL:
        agrees = _surface(span.text) in forms
    elif span.label_ == CAPS_LABEL:
        agrees = span[0].text.isupper()
    else:
        return span
    return Span(span.doc, span.start, span.end, label=ACTOR_LABEL, span_id=span.id) if agrees else None


def _surface(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


def add_actor_ruler(nlp: Language, taxonomy: ActorTaxonomy) -> Language:
    """Add (or replace) the actor gazetteer in ``nlp``, after ``ner`` when there is one."""
    if RULER_NAME in nlp.component_names:
        nlp.remove_pipe(RULER_NAME)
    placement = {"after": "ner"} if "ner" in nlp.component_names else {}
    demonyms, caps, heads = demonym_tables(taxonomy)
    ruler = nlp.add_pipe(
        "span_ruler",
        name=RULER_NAME,
        config={
            "spans_key": None,
            "annotate_ents": True,
            "overwrite": False,
            "ents_filter": {
                "@misc": ENTS_FILTER,
                "cased_forms": sorted(cased_forms(taxonomy)),
                "demonyms": demonyms,
                "caps_demonyms": caps,
                "heads": heads,
            },
            # Names are phrase patterns (fast at any number); NORM folds case,
            # curly apostrophes and British/American spelling.
            "phrase_matcher_attr": "NORM",
            "validate": True,
        },
        **placement,
    )
    # The span ruler runs the pipeline before it over phrase patterns; the
    # matcher needs only tokens, so switch every component off meanwhile.
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(list(ruler_patterns(taxonomy)))
    return nlp


def cased_forms(taxonomy: ActorTaxonomy) -> set[str]:
    """The exact surfaces a cased name may take: as written, in ALL CAPS, and sentence-initial."""
    return {
        _surface(form)
        for name, _, cased in iter_names(taxonomy)
        if cased
        for form in (name, name.upper(), name[:1].upper() + name[1:])
    }


def ruler_patterns(taxonomy: ActorTaxonomy) -> Iterator[Pattern]:
    """Every gazetteer pattern the taxonomy implies, as span-ruler entries."""
    for name, actor_id, cased in iter_names(taxonomy):
        if cased:
            yield {"label": CASED_LABEL, "id": actor_id, "pattern": name}
        else:
            for variant in dict.fromkeys((name, ascii_variant(name))):
                yield {"label": ACTOR_LABEL, "id": actor_id, "pattern": variant}
    yield from _demonym_patterns(taxonomy)
    for actor in taxonomy.actors.values():
        for pattern in actor.patterns:
            yield {"label": ACTOR_LABEL, "id": actor.id, "pattern": [dict(token) for token in pattern]}
    for phrase in taxonomy.not_actors:
        yield {"label": NOT_ACTOR_LABEL, "pattern": phrase}


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    # The norms of a blank English tokenizer are those of every English
    # pipeline: what the span ruler's NORM patterns are compared with.
    return spacy.blank("en").tokenizer


def _norms(text: str) -> tuple[str, ...]:
    return tuple(t.norm_ for t in _tokenizer()(text))


def _heads(taxonomy: ActorTaxonomy) -> list[str]:
    return [variant for head in (*taxonomy.demonym_heads, *taxonomy.organ_heads) for variant in _hyphen_variants(head)]


def demonym_tables(taxonomy: ActorTaxonomy) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Demonyms by norms, capitals-only demonyms by text, and head norms: what the ents filter checks."""
    demonyms: dict[str, str] = {}
    caps: dict[str, str] = {}
    for actor in taxonomy.actors.values():
        for demonym in actor.demonyms:
            if is_all_caps(demonym):
                caps[" ".join(t.text for t in _tokenizer()(demonym))] = actor.id
            else:
                demonyms[" ".join(_norms(demonym))] = actor.id
    heads = sorted({" ".join(_norms(head)) for head in _heads(taxonomy)})
    return demonyms, caps, heads


def _demonym_patterns(taxonomy: ActorTaxonomy) -> Iterator[Pattern]:
    """One token pattern per (demonym length, head length): each position any norm seen there."""
    shapes: dict[tuple[int, int], tuple[list[set[str]], list[set[str]]]] = {}
    demonyms = [_norms(d) for actor in taxonomy.actors.values() for d in actor.demonyms]
    heads = [_norms(head) for head in _heads(taxonomy)]
    for demonym in demonyms:
        for head in heads:
            left, right = shapes.setdefault((len(demonym), len(head)), ([set() for _ in demonym], [set() for _ in head]))
            for slot, norm in zip(left + right, demonym + head):
                slot.add(norm)
    for _, (left, right) in sorted(shapes.items()):
        pattern = [{"NORM": {"IN": sorted(slot)}} for slot in left + right]
        yield {"label": DEMONYM_LABEL, "pattern": pattern}


def _hyphen_variants(head: str) -> tuple[str, ...]:
    """ "decision makers" also as "decision-makers", "state-owned" also as "state owned"."""
    variants = [head, head.replace("-", " ")]
    if len(head.split()) == 2:
        variants.append(head.replace(" ", "-"))
    return tuple(dict.fromkeys(variants))


# -- mentions -----------------------------------------------------------------


def actor_mentions(
    doc: Doc, sentences: Sequence[Sentence], doc_id: str, taxonomy: ActorTaxonomy
) -> list[EntityMention]:
    """The Doc's entities as mention records with actor ids, page, bbox and sentence index.

    ``sentences`` are the document's sentences with character offsets into
    ``doc.text`` (from the segment stage).
    """
    if not sentences and not len(doc):
        return []  # nothing was read (every page garbled): no mentions
    if not sentences:
        raise ValueError(
            f"{doc_id}: actor_mentions needs the document's sentences to place each entity on a page, "
            "got none; pass the Sentence records the segment stage made for this Doc"
        )
    ordered = sorted(sentences, key=lambda s: s.start_char)
    starts = [s.start_char for s in ordered]
    wanted = frozenset(taxonomy.entity_labels)
    found: list[tuple[Span, str, str | None]] = [
        (ent, ent.label_, mention_actor_id(ent, taxonomy)) for ent in doc.ents if ent.label_ in wanted
    ]
    found = _with_context_mentions(doc, taxonomy, found)
    found = _with_defined_acronyms(doc, found)
    mentions = []
    for span, label, actor_id in sorted(found, key=lambda item: item[0].start_char):
        sentence = ordered[max(bisect_right(starts, span.start_char) - 1, 0)]
        mentions.append(
            EntityMention(
                doc_id=doc_id,
                text=" ".join(span.text.split()),
                label=label,
                actor_id=actor_id,
                page=sentence.page,
                bbox=sentence.bboxes[0] if sentence.bboxes else None,
                sentence_index=sentence.index,
                start_char=span.start_char,
                end_char=span.end_char,
            )
        )
    return mentions


# "the Federal Government of Somalia (FGS)": an abbreviation the document defines for an actor
_DEFINED_ACRONYM = re.compile(r"\s*\((?P<acronym>[A-Z][A-Za-z]{0,2}[A-Z][A-Z&]{0,7}s?)\)")


def _with_defined_acronyms(doc: Doc, found: list[tuple[Span, str, str | None]]) -> list[tuple[Span, str, str | None]]:
    """``found`` with the abbreviations the document defines after an actor's name, wherever they recur.

    Documents name an actor once in full and then by their own abbreviation
    ("the Federal Government of Somalia (FGS)", "Troop Contributing Countries
    (TCCs)"); no taxonomy can list every such abbreviation, but the document
    itself defines it.
    """
    defined: dict[str, str] = {}
    for span, _label, actor_id in found:
        if actor_id and ":" not in actor_id:
            match = _DEFINED_ACRONYM.match(doc.text, span.end_char)
            if match:
                defined.setdefault(match.group("acronym"), actor_id)
    if not defined:
        return found
    # an entity found with no actor (or a generated "org:" id) that is the abbreviation itself takes its actor
    found = [(span, label, defined.get(span.text, actor_id) if actor_id is None or ":" in actor_id else actor_id)
             for span, label, actor_id in found]
    taken = [(span.start_char, span.end_char) for span, _, _ in found]
    pattern = re.compile(r"\b(" + "|".join(re.escape(a) for a in sorted(defined, key=len, reverse=True)) + r")\b")
    added = []
    for match in pattern.finditer(doc.text):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            added.append((span, "ACTOR", defined[match.group(1)]))
    return found + added


# A document is "about" an anchor when it names it at least this often, and
# at least this share as often as the state it names most: a UPR report that
# lists Belarus among forty recommending states is not about Belarus.
MIN_ANCHOR_MENTIONS = 3
MIN_ANCHOR_SHARE = 0.25
_CONTEXT_MATCHERS: dict[int, tuple[Any, dict[int, str]]] = {}


def _context_matcher(doc: Doc, taxonomy: ActorTaxonomy):
    """A PhraseMatcher over every actor's context aliases, built once per taxonomy."""
    key = id(taxonomy)
    if key not in _CONTEXT_MATCHERS:
        tokenizer = spacy.blank("en", vocab=doc.vocab)
        matcher = PhraseMatcher(doc.vocab, attr="LOWER")
        labels: dict[int, str] = {}
        for actor in taxonomy.actors.values():
            if actor.context_aliases:
                match_id = doc.vocab.strings.add(f"context:{actor.id}")
                labels[match_id] = actor.id
                matcher.add(f"context:{actor.id}", [tokenizer.make_doc(a) for a in actor.context_aliases])
        _CONTEXT_MATCHERS[key] = (matcher, labels)
    return _CONTEXT_MATCHERS[key]


def _with_context_mentions(doc: Doc, taxonomy: ActorTaxonomy, found: list[tuple[Span, str, str | None]]) -> list[tuple[Span, str, str | None]]:
    """``found`` with common nouns ("the regime", "civil society") that name an actor in a document about its anchor.

    Only for actors whose anchor (an actor or country id) the document names
    at least MIN_ANCHOR_MENTIONS times and at least MIN_ANCHOR_SHARE as often
    as its most named state, and only where no entity was found
    already or where the entity is a world-wide group the context alias
    narrows ("civil society" is belarus_civil_society in a paper about Belarus).
    """
    counts: dict[str, int] = {}
    for _, _, actor_id in found:
        if actor_id:
            counts[actor_id] = counts.get(actor_id, 0) + 1
    states = [n for actor_id, n in counts.items() if getattr(taxonomy.actors.get(actor_id), "kind", None) == "state"]
    floor = max(MIN_ANCHOR_MENTIONS, MIN_ANCHOR_SHARE * max(states, default=0))
    active = {
        actor.id
        for actor in taxonomy.actors.values()
        if actor.context_aliases and counts.get(actor.anchor or "", 0) >= floor
    }
    if not active:
        return found
    matcher, labels = _context_matcher(doc, taxonomy)
    groups = {a.id for a in taxonomy.actors.values() if a.kind == "collective"}
    # token indices already inside a mention: a set, so long documents stay linear
    taken = {i for span, _, aid in found if aid not in groups for i in range(span.start, span.end)}
    added: list[tuple[Span, str, str | None]] = []
    for match_id, start, end in sorted(matcher(doc), key=lambda m: (m[1], -(m[2] - m[1]))):
        actor_id = labels.get(match_id)
        if actor_id not in active:
            continue
        if any(i in taken for i in range(start, end)):
            continue
        taken.update(range(start, end))
        added.append((doc[start:end], ACTOR_LABEL, actor_id))
    # a group mention under a context alias gives way to it
    kept = [item for item in found if not _overlaps_any(item[0], added)] if added else found
    return kept + added


def _overlaps_any(span: Span, added: list[tuple[Span, str, str | None]]) -> bool:
    return any(span.start < other.end and other.start < span.end for other, _, _ in added)


def mention_actor_id(ent: Span, taxonomy: ActorTaxonomy) -> str | None:
    """The actor an entity names: the gazetteer's id, the taxonomy's resolution, or a generated id.

    A bare demonym ("Russian" in "Russian culture") is an adjective of a known
    actor, not a mention of it, and a generic noun ("the Government") names
    no particular actor: neither gets an id. Other entities of the labels in
    ``new_actor_labels`` get ``<label>:<slug>``.
    """
    if ent.label_ == ACTOR_LABEL and ent.ent_id_:
        return ent.ent_id_
    found = taxonomy.resolve(ent.text) or _capital_as_subject(ent, taxonomy)
    if found is not None:
        return found
    if (
        ent.label_ not in taxonomy.new_actor_labels
        or taxonomy.demonym_owner(ent.text) is not None
        or taxonomy.is_generic(ent.text)
        or not _could_be_a_name(ent)
    ):
        return None
    return f"{ent.label_.lower()}:{slugify(bare_name(ent.text), separator='_')}"


def _capital_as_subject(ent: Span, taxonomy: ActorTaxonomy) -> str | None:
    """ "Seoul should ...", "Washington and Seoul agreed": a capital acting stands for its government."""
    root = ent.root
    acting = root.dep_ == "nsubj" or (root.dep_ == "conj" and root.head.dep_ == "nsubj")
    return taxonomy.capital_owner(ent.text) if acting else None


def _could_be_a_name(ent: Span) -> bool:
    """False for what NER mislabels in footnotes and layout debris: URLs, stray letters."""
    if any(token.like_url or token.like_email for token in ent):
        return False
    return sum(char.isalpha() for char in ent.text) >= 2
