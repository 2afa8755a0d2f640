"""Node and edge names of the graph, and the scalar encoding of list attributes.

The report, the exporters and ``inspect`` rely on these names. Every
attribute is a str, int, float or bool so that every export format carries it;
lists are joined with LIST_SEPARATOR.
"""

from __future__ import annotations

import hashlib

ACTOR, MEASURE, DOCUMENT, INSTRUMENT = "actor", "measure", "document", "instrument"
NODE_KINDS = (ACTOR, MEASURE, DOCUMENT, INSTRUMENT)
ADDRESSED_TO, TARGETS, USES, PROPOSED_IN, PROPOSED_BY, CONTRADICTS = (
    "ADDRESSED_TO", "TARGETS", "USES", "PROPOSED_IN", "PROPOSED_BY", "CONTRADICTS",
)
EDGE_TYPES = (ADDRESSED_TO, TARGETS, USES, PROPOSED_IN, PROPOSED_BY, CONTRADICTS)
# List-valued attributes are stored joined with this so that they stay scalars.
LIST_SEPARATOR = ";"
# Attributes that hold LIST_SEPARATOR-joined lists (exporters type them as arrays).
LIST_ATTRIBUTES = frozenset({"instruments", "dime", "nato_tool", "issuers", "audience"})
SECTION_SEPARATOR = " > "
UNSPECIFIED_ACTOR = "unspecified"
MEASURE_HASH_LENGTH = 12


def actor_node(actor_id: str) -> str:
    return f"{ACTOR}:{actor_id}"


def document_node(doc_id: str) -> str:
    return f"{DOCUMENT}:{doc_id}"


def instrument_node(instrument_id: str) -> str:
    return f"{INSTRUMENT}:{instrument_id}"


def measure_node(canonical_text: str, salt: str = "") -> str:
    normalised = " ".join(canonical_text.lower().split())
    digest = hashlib.sha1(f"{normalised}{salt}".encode()).hexdigest()
    return f"{MEASURE}:{digest[:MEASURE_HASH_LENGTH]}"


def split_list(value: str) -> list[str]:
    """The items of a LIST_SEPARATOR-joined attribute ("" is the empty list)."""
    return [item for item in value.split(LIST_SEPARATOR) if item]
