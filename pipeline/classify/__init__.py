"""Classify: turn detected units into Recommendation records.

One module per question: ``addressees`` (who is asked to act: the subject,
else the list lead-in, section headings or the document's declared audience),
``targets`` (whom the measure acts on, inherited by role when none is named),
``modality`` (must / should / could and do / refrain), ``instruments`` (the
trained multi-label classifier), over the shared ``mentions`` index;
``classifier`` puts them together for each detected unit.
"""

from pipeline.classify.addressees import UNSPECIFIED, AddresseeResolver
from pipeline.classify.classifier import classify_document
from pipeline.classify.mentions import MentionIndex
from pipeline.classify.modality import modality_of, polarity_of
from pipeline.classify.targets import inherit_implicit_targets, targets_of

__all__ = [
    "UNSPECIFIED",
    "AddresseeResolver",
    "MentionIndex",
    "classify_document",
    "inherit_implicit_targets",
    "modality_of",
    "polarity_of",
    "targets_of",
]
