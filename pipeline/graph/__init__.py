"""The actor-measure graph: who is asked to do what, to whom, with which instrument.

Recommendations that propose the same action (in any wording, in any paper)
merge into one *measure* node; actors, instruments and documents hang off it
with one evidence edge per supporting sentence, and measures that pull in
opposite directions on the same target are linked by ``CONTRADICTS``.

Schema (the report, the exporters and ``inspect`` rely on these names):

- nodes ``actor:<actor_id>``, ``measure:<hash>``, ``document:<doc_id>``,
  ``instrument:<instrument_id>``, each with ``kind`` and ``label`` (a document
  node also carries its context: ``genre``, ``issuers``, ``audience``);
- edges actor -> measure ``ADDRESSED_TO``, measure -> actor ``TARGETS``,
  measure -> instrument ``USES``, measure -> issuing actor ``PROPOSED_BY`` (who
  makes the recommendation: the answer to "who agrees"), measure -> document ``PROPOSED_IN`` (keyed
  by recommendation id, one per supporting sentence, with its evidence) and
  measure -> measure ``CONTRADICTS`` (keyed ``CONTRADICTS``, with both sides'
  evidence).

Every attribute is a str, int, float or bool so that every export format
carries it. ``build_graph`` writes nothing; it reads the contradiction rules
and, unless a lemmatiser is passed, loads the spaCy model named in the settings.

Modules: ``schema`` (node and edge names), ``rules`` (contradictions.yaml),
``lemmas`` (the lemmatiser), ``poles`` and ``analysis`` (how a recommendation
is read), ``measures`` (merging into measure nodes), ``contradictions`` and
``build`` (the MultiDiGraph).
"""

from pipeline.graph.analysis import measure_text
from pipeline.graph.build import LABEL_WIDTH, MODALITY_STRENGTH, build_graph, evidence_attributes
from pipeline.graph.lemmas import Lemmatiser, spacy_lemmatiser
from pipeline.graph.rules import (
    DEFAULT_CONTRADICTIONS, ContradictionRules, Opposition, Pole, load_contradiction_rules, rules_for,
)
from pipeline.graph.schema import (
    ACTOR, ADDRESSED_TO, CONTRADICTS, DOCUMENT, EDGE_TYPES, INSTRUMENT, LIST_ATTRIBUTES, LIST_SEPARATOR,
    MEASURE, MEASURE_HASH_LENGTH, NODE_KINDS, PROPOSED_BY, PROPOSED_IN, SECTION_SEPARATOR, TARGETS, UNSPECIFIED_ACTOR, USES,
    actor_node, document_node, instrument_node, measure_node, split_list,
)

__all__ = [
    "ACTOR", "ADDRESSED_TO", "CONTRADICTS", "DEFAULT_CONTRADICTIONS", "DOCUMENT", "EDGE_TYPES", "INSTRUMENT",
    "LABEL_WIDTH", "LIST_ATTRIBUTES", "LIST_SEPARATOR", "MEASURE", "MEASURE_HASH_LENGTH", "MODALITY_STRENGTH",
    "NODE_KINDS", "PROPOSED_BY", "PROPOSED_IN", "SECTION_SEPARATOR", "TARGETS", "UNSPECIFIED_ACTOR", "USES",
    "ContradictionRules", "Lemmatiser", "Opposition", "Pole",
    "actor_node", "build_graph", "document_node", "evidence_attributes", "instrument_node",
    "load_contradiction_rules", "measure_node", "measure_text", "rules_for", "spacy_lemmatiser", "split_list",
]
