"""Hand-built corpus graphs in the schema of ``pipeline.graph``, for the report tests.

A plain module (not conftest) so that tests can import the builders by a
name no other test folder uses.

The graph is invented: five actors, two documents, five instruments, five
measures (one supported by both documents), parallel evidence edges keyed by
recommendation id, and a contradiction stored in both directions, as a graph
stage may do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import networkx as nx

from pipeline.types import Recommendation

XSS_STRINGS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</script><script>alert(3)</script>",
)

ACTORS = {
    "eu": ("European Union", "organisation", "Q458"),
    "nato": ("NATO", "organisation", "Q7184"),
    "lithuania": ("Lithuania", "state", "Q37"),
    "target_regime": ("The regime", "regime", ""),
    "civil_society": ("Civil society", "society", ""),
}
INSTRUMENTS = {
    "sanctions": "economic",
    "diplomatic_engagement": "diplomatic",
    "diplomatic_isolation": "diplomatic",
    "civil_society_support": "societal",
    "accountability": "legal",
}
# Hood's tools of government of the same instruments (configs/instruments.yaml)
TOOLS = {"sanctions": "authority", "diplomatic_engagement": "nodality", "diplomatic_isolation": "authority",
         "civil_society_support": "organisation", "accountability": "authority"}
DOCUMENTS = {
    "doc-alpha": ("Options for a harder line", "2021", "Institute A"),
    "doc-beta": ("Keeping channels open", "2022", ""),
}


@dataclass(frozen=True)
class MeasureSpec:
    text: str
    instruments: tuple[str, ...]
    addressees: tuple[str, ...]
    targets: tuple[str, ...]
    modality: str
    polarity: str
    # (doc_id, page, section trail, sentence)
    support: tuple[tuple[str, int, tuple[str, ...], str], ...]


MEASURES = (
    MeasureSpec(
        "impose targeted sanctions on officials", ("sanctions",), ("eu", "nato"), ("target_regime",), "should", "do",
        (("doc-alpha", 3, ("Recommendations", "Pressure"), "The EU and NATO should impose targeted sanctions on officials."),
         ("doc-beta", 5, ("Policy options",), "Allies must impose sanctions on the officials responsible.")),
    ),
    MeasureSpec(
        "open a dialogue with the regime", ("diplomatic_engagement",), ("eu",), ("target_regime",), "could", "do",
        (("doc-beta", 7, ("Policy options", "Engagement"), "The EU could open a dialogue with the regime."),),
    ),
    MeasureSpec(
        "suspend all contacts with the regime", ("diplomatic_isolation",), ("lithuania",), ("target_regime",), "must", "do",
        (("doc-alpha", 4, ("Recommendations",), "Lithuania must suspend all contacts with the regime."),),
    ),
    MeasureSpec(
        "fund independent media", ("civil_society_support", "sanctions"), ("eu",), ("civil_society",), "should", "do",
        (("doc-alpha", 6, ("Recommendations", "Support"), "Brussels should fund independent media."),),
    ),
    MeasureSpec(
        "document abuses by security forces", ("accountability",), ("lithuania",), (), "should", "do",
        (("doc-beta", 9, ("Accountability",), "Vilnius should document abuses by security forces."),),
    ),
)
CONTRADICTION = (1, 2, "engagement vs isolation", "target_regime")


def measure_node_id(text: str) -> str:
    return "measure:" + hashlib.sha256(text.encode()).hexdigest()[:12]


def _evidence(doc: str, page: int, section: tuple[str, ...], sentence: str, rec_id: str) -> dict[str, object]:
    return {"doc_id": doc, "page": page, "section": " > ".join(section), "sentence": sentence, "score": 0.9, "rec_id": rec_id}


def build_graph(measures: tuple[MeasureSpec, ...] = MEASURES, contradiction=CONTRADICTION,
                actors: dict[str, tuple[str, str, str]] = ACTORS,
                documents: dict[str, tuple[str, str, str]] = DOCUMENTS) -> tuple[nx.MultiDiGraph, list[Recommendation]]:
    """The corpus graph and the recommendations behind it, as the graph stage would hand them over."""
    graph = nx.MultiDiGraph()
    for actor_id, (label, kind, qid) in actors.items():
        graph.add_node(f"actor:{actor_id}", kind="actor", label=label, actor_id=actor_id, actor_kind=kind, qid=qid, bipartite=0)
    for doc_id, (title, date, publisher) in documents.items():
        graph.add_node(f"document:{doc_id}", kind="document", label=title, doc_id=doc_id, title=title, date=date, publisher=publisher)
    for iid, dime in INSTRUMENTS.items():
        graph.add_node(f"instrument:{iid}", kind="instrument", label=iid.replace("_", " "), instrument_id=iid, dime=dime,
                       nato_tool=TOOLS[iid])
    recommendations: list[Recommendation] = []
    for index, spec in enumerate(measures):
        node = measure_node_id(spec.text)
        graph.add_node(
            node, kind="measure", label=spec.text, text=spec.text, instruments=";".join(sorted(spec.instruments)),
            dime=";".join(sorted({INSTRUMENTS[i] for i in spec.instruments})), modality=spec.modality,
            polarity=spec.polarity, support_docs=len({s[0] for s in spec.support}),
            support_sentences=len(spec.support), bipartite=1,
        )
        for n, (doc, page, section, sentence) in enumerate(spec.support):
            rec_id = f"{doc}:{index * 10 + n}"
            evidence = _evidence(doc, page, section, sentence, rec_id)
            for actor in spec.addressees:
                graph.add_edge(f"actor:{actor}", node, key=rec_id, type="ADDRESSED_TO", **evidence)
            for actor in spec.targets:
                graph.add_edge(node, f"actor:{actor}", key=rec_id, type="TARGETS", **evidence)
            for iid in spec.instruments:
                graph.add_edge(node, f"instrument:{iid}", key=rec_id, type="USES", **evidence)
            graph.add_edge(node, f"document:{doc}", key=rec_id, type="PROPOSED_IN", **evidence)
            # The graph stage may store the hash alone, the node id, or (before merging) nothing.
            measure_id = (node, node.removeprefix("measure:"), None)[index % 3]
            recommendations.append(Recommendation(
                id=rec_id, doc_id=doc, text=sentence, page=page, bbox=(10.0, 20.0, 300.0, 40.0), section=section,
                addressees=spec.addressees, targets=spec.targets, instruments=spec.instruments,
                modality=spec.modality, polarity=spec.polarity, reported=False, score=0.9 - index / 100,
                sentence_index=index * 10 + n, measure=spec.text, measure_id=measure_id,
            ))
    if contradiction is not None:
        a, b, reason, target = contradiction
        spec_a, spec_b = measures[a], measures[b]
        attrs = {
            "type": "CONTRADICTS", "reason": reason, "target": target,
            "sentence_a": spec_a.support[0][3], "doc_a": spec_a.support[0][0], "page_a": spec_a.support[0][1],
            "sentence_b": spec_b.support[0][3], "doc_b": spec_b.support[0][0], "page_b": spec_b.support[0][1],
        }
        graph.add_edge(measure_node_id(spec_a.text), measure_node_id(spec_b.text), key="CONTRADICTS", **attrs)
        mirrored = {**attrs, "sentence_a": attrs["sentence_b"], "doc_a": attrs["doc_b"], "page_a": attrs["page_b"],
                    "sentence_b": attrs["sentence_a"], "doc_b": attrs["doc_a"], "page_b": attrs["page_a"]}
        graph.add_edge(measure_node_id(spec_b.text), measure_node_id(spec_a.text), key="CONTRADICTS", **mirrored)
    return graph, recommendations


def build_hostile_graph() -> tuple[nx.MultiDiGraph, list[Recommendation]]:
    """The same corpus with script-injection strings in every kind of PDF-derived text."""
    one, two, three = XSS_STRINGS
    hostile = list(MEASURES)
    first = hostile[0]
    hostile[0] = replace(
        first, text=f"impose sanctions {one}",
        support=((first.support[0][0], 3, (f"Section {two}",), f"Sanctions {one} now."),
                 (first.support[1][0], 5, ("Policy options",), f"Sanctions {three} later.")),
    )
    actors = {**ACTORS, "eu": (f"EU {two}", "organisation", "Q458")}
    documents = {**DOCUMENTS, "doc-alpha": (f"Title {three}", "2021", one)}
    return build_graph(tuple(hostile), (1, 2, f"reason {one}", "target_regime"), actors, documents)


def build_large_graph(measure_count: int = 200, actor_count: int = 25) -> tuple[nx.MultiDiGraph, list[Recommendation]]:
    """A corpus of the size the report must stay readable for."""
    actor_ids = [f"actor_{i:02d}" for i in range(actor_count)]
    actors = {a: (f"Actor {i}", "state", "") for i, a in enumerate(actor_ids)}
    instruments = tuple(INSTRUMENTS)
    measures = tuple(
        MeasureSpec(
            f"measure number {i} about topic {i % 17}", (instruments[i % len(instruments)],),
            tuple(dict.fromkeys((actor_ids[i % 4], actor_ids[(i * 7) % actor_count]))), (actor_ids[4 + i % (actor_count - 4)],),
            "should", "do",
            tuple((("doc-alpha", "doc-beta")[k % 2], 1 + (i + k) % 40, ("Recommendations",), f"Sentence {k} for measure {i}.")
                  for k in range(1 + i % 3)),
        )
        for i in range(measure_count)
    )
    return build_graph(measures, (0, 1, "do vs refrain", actor_ids[1]), actors)
