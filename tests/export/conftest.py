"""A graph built from hand-made recommendations, with every feature the exporters must carry."""

from __future__ import annotations

import pytest

from pipeline.config import load_config
from pipeline.graph import build_graph
from pipeline.types import DocumentMeta, Recommendation

JUNTA = "org:ruritanian_junta"


def _rec(doc: str, index: int, text: str, measure: str, *, addressees=("eu",), targets=(JUNTA,),
         instruments=("sanctions",), polarity="do", page=1, score=0.75, reported=False) -> Recommendation:
    return Recommendation(
        id=f"{doc}:{index}", doc_id=doc, text=text, page=page, bbox=(72.0, 90.5, 523.25, 118.0),
        section=("Policy options", "Pressure"), addressees=tuple(addressees), targets=tuple(targets),
        instruments=tuple(instruments), modality="should", polarity=polarity, reported=reported, score=score,
        sentence_index=index, measure=measure,
    )


RECOMMENDATIONS = (
    # one measure proposed by two papers in different words
    _rec("white-paper", 4, "The Union should freeze the assets of the junta's senior officers.",
         "freeze the assets of the junta's senior officers", page=3, score=0.9123),
    _rec("green-paper", 11, 'Asset freezes should target the junta\'s "senior officers" & their <families>; now.',
         "Asset freezes should target the junta's senior officers", page=7, addressees=("eu", "canada")),
    # engagement vs isolation of the same target, across papers
    _rec("white-paper", 5, "Open a direct dialogue with the junta leader,\nwithout preconditions.",
         "open a direct dialogue with the junta leader", instruments=("diplomatic_engagement",), page=4,
         addressees=("west",)),
    _rec("green-paper", 12, "Refrain from any official contacts with the junta's top officials.",
         "refrain from any official contacts with the junta's top officials", polarity="refrain",
         instruments=("diplomatic_isolation",), page=12, reported=True),
    # generated actor ids (not in the taxonomy) and a country id
    _rec("blue-paper", 2, "The Erasmus Fund should grant scholarships to Ruritanian students.",
         "grant scholarships to Ruritanian students", addressees=("org:erasmus_fund",), targets=("ruritania",),
         instruments=("civil_society_support", "mobility_asylum"), score=0.5),
    _rec("blue-paper", 3, "NATO should deter incursions at the harbour — Ünïcödé ✓.", "deter incursions at the harbour",
         addressees=("nato",), targets=(), instruments=("security_deterrence",), page=2),
)
DOCUMENTS = {
    "white-paper": DocumentMeta(title="Rethinking policy", author="A. Author", publisher="Institute", date="2023"),
    "green-paper": DocumentMeta(title="Global actors"),
}


@pytest.fixture(scope="session")
def built():
    """(graph, recommendations with measure ids)."""
    return build_graph(RECOMMENDATIONS, DOCUMENTS, load_config())
