"""Contradictions: measures on the same target that pull in opposite directions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from scipy import sparse

from pipeline.graph.analysis import AnalysedRecommendation
from pipeline.graph.measures import MergedMeasure
from pipeline.graph.rules import ContradictionRules
from pipeline.graph.schema import CONTRADICTS, LIST_SEPARATOR
from pipeline.types import Recommendation


def _evidence_pair(a: MergedMeasure, b: MergedMeasure, items: Sequence[AnalysedRecommendation], shared: frozenset[str],
                   same_document: bool) -> tuple[Recommendation, Recommendation] | None:
    """The two sentences that best show the disagreement: different papers first."""
    best: tuple[Any, ...] | None = None
    for i in a.members:
        for j in b.members:
            x, y = items[i].rec, items[j].rec
            if x.doc_id == y.doc_id and not same_document:
                continue
            explicit = int(bool(shared & set(x.targets))) + int(bool(shared & set(y.targets)))
            rank = (x.doc_id == y.doc_id, -explicit, -(x.score + y.score), x.id, y.id)
            if best is None or rank < best[0]:
                best = (rank, x, y)
    return None if best is None else (best[1], best[2])


def _max_similarity(a: MergedMeasure, b: MergedMeasure, similarity: sparse.csr_matrix) -> float:
    block = similarity[list(a.members)][:, list(b.members)]
    return float(block.max()) if block.nnz else 0.0


def _opposed(a: MergedMeasure, b: MergedMeasure, rules: ContradictionRules, dvr_threshold: float,
             similarity: sparse.csr_matrix) -> tuple[str, MergedMeasure, MergedMeasure] | None:
    """(reason, first, second) when the measures pull in opposite directions."""
    same_action: bool | None = None
    agree = False
    for k, opposition in enumerate(rules.oppositions):
        p, q = a.poles[k], b.poles[k]
        if not (p and q):
            continue
        if p == q:
            agree = True  # "do not ease sanctions" and "impose sanctions" pull the same way
            continue
        if a.raw_poles[k] == b.raw_poles[k]:
            same_action = _max_similarity(a, b, similarity) >= dvr_threshold
            if same_action:
                doer_first = a.poles[k] == a.raw_poles[k]
                return (rules.do_vs_refrain_reason, *((a, b) if doer_first else (b, a)))
        return (opposition.reason, *((a, b) if p == "a" else (b, a)))
    if a.negated != b.negated and not agree:
        if same_action is None:
            same_action = _max_similarity(a, b, similarity) >= dvr_threshold
        if same_action:
            return (rules.do_vs_refrain_reason, *((b, a) if a.negated else (a, b)))
    return None


def contradiction_edges(measures: Sequence[MergedMeasure], items: Sequence[AnalysedRecommendation], similarity: sparse.csr_matrix,
                    rules: ContradictionRules, dvr_threshold: float) -> list[tuple[str, str, dict[str, Any]]]:
    by_target: dict[str, list[int]] = defaultdict(list)
    for index, measure in enumerate(measures):
        for target in measure.focus:
            by_target[target].append(index)
    pairs: set[tuple[int, int]] = set()
    for indices in by_target.values():
        pairs.update(combinations(sorted(indices), 2))
    edges = []
    for i, j in sorted(pairs):
        a, b = measures[i], measures[j]
        # At least one side must name the target explicitly: two measures that
        # merely mention the same actor in passing are not about it.
        shared = a.focus & b.focus & (a.targets | b.targets)
        if not shared:
            continue
        opposed = _opposed(a, b, rules, dvr_threshold, similarity)
        if opposed is None:
            continue
        reason, first, second = opposed
        evidence = _evidence_pair(first, second, items, shared, rules.same_document)
        if evidence is None:
            continue
        x, y = evidence
        edges.append((first.node, second.node, {
            "type": CONTRADICTS,
            "reason": reason,
            "target": LIST_SEPARATOR.join(sorted(shared)),
            "sentence_a": x.text, "doc_a": x.doc_id, "page_a": x.page, "rec_a": x.id,
            "sentence_b": y.text, "doc_b": y.doc_id, "page_b": y.page, "rec_b": y.id,
            "score": round(min(x.score, y.score), 4),
        }))
    return edges
