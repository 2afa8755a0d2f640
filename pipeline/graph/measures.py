"""Merging: recommendations that propose the same action become one measure node.

Similar, compatible pairs link into components, and complete linkage splits
each component so that every pair in a measure is similar and compatible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering

from pipeline.graph.analysis import AnalysedRecommendation
from pipeline.graph.schema import UNSPECIFIED_ACTOR, measure_node


def _compatible(x: AnalysedRecommendation, y: AnalysedRecommendation) -> bool:
    """Whether two recommendations may describe the same measure, text aside."""
    if x.negated != y.negated:
        return False
    if any(p and q and p != q for p, q in zip(x.poles, y.poles)):
        return False
    if x.instruments and y.instruments and not x.instruments & y.instruments:
        return False
    if x.targets and y.targets and not x.targets & y.targets:
        return False
    if x.audience is not None and y.audience is not None:
        return x.audience.overlaps(y.audience)
    return True


def _components(items: Sequence[AnalysedRecommendation], similarity: sparse.csr_matrix, threshold: float) -> list[list[int]]:
    """Groups of items linked by similar, compatible pairs (union-find)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    upper = sparse.triu(similarity, k=1).tocoo()
    for i, j, value in zip(upper.row, upper.col, upper.data):
        if value >= threshold and _compatible(items[i], items[j]):
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[root(i)].append(i)
    return sorted(groups.values(), key=min)


def _complete_linkage(group: list[int], items: Sequence[AnalysedRecommendation], similarity: sparse.csr_matrix,
                      threshold: float) -> list[list[int]]:
    """Split a component so that every pair in a cluster is similar and compatible."""
    if len(group) < 2:
        return [group]
    block = similarity[group][:, group].toarray()
    distance = np.clip(1.0 - block, 0.0, None)
    for a, b in combinations(range(len(group)), 2):
        if not _compatible(items[group[a]], items[group[b]]):
            distance[a, b] = distance[b, a] = 2.0
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="complete",
        distance_threshold=1.0 - threshold + 1e-9,
    ).fit_predict(distance)
    clusters: dict[int, list[int]] = defaultdict(list)
    for index, label in zip(group, labels):
        clusters[int(label)].append(index)
    return sorted(clusters.values(), key=min)


@dataclass(frozen=True)
class MergedMeasure:
    node: str
    members: tuple[int, ...]
    text: str
    negated: bool
    raw_poles: tuple[str | None, ...]
    poles: tuple[str | None, ...]
    targets: frozenset[str]  # the members' explicit targets
    focus: frozenset[str]  # targets a contradiction can be about: explicit, else named in the text
    docs: frozenset[str]


def _first_known(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _measure_nodes(clusters: list[list[int]], items: Sequence[AnalysedRecommendation], similarity: sparse.csr_matrix) -> list[MergedMeasure]:
    measures: list[MergedMeasure] = []
    used: set[str] = set()
    for cluster in clusters:
        block = similarity[cluster][:, cluster].toarray()
        centrality = block.sum(axis=1)
        central = min(range(len(cluster)),
                      key=lambda k: (-round(float(centrality[k]), 9), len(items[cluster[k]].text),
                                     items[cluster[k]].rec.id))
        members = [items[i] for i in cluster]
        text = items[cluster[central]].text
        # The same words can stand for two measures (refrained from, or proposed
        # to disjoint audiences); salting by polarity first keeps ids stable.
        node = measure_node(text, "|refrain" if members[0].negated else "")
        salt = 0
        while node in used:
            salt += 1
            node = measure_node(text, f"#{salt}")
        used.add(node)
        targets = frozenset().union(*(m.targets for m in members))
        mentioned = frozenset().union(*(m.mentions for m in members))
        measures.append(MergedMeasure(
            node=node,
            members=tuple(cluster),
            text=text,
            negated=members[0].negated,
            raw_poles=tuple(_first_known(v) for v in zip(*(m.raw_poles for m in members))),
            poles=tuple(_first_known(v) for v in zip(*(m.poles for m in members))),
            targets=targets - {UNSPECIFIED_ACTOR},
            focus=(targets or mentioned) - {UNSPECIFIED_ACTOR},
            docs=frozenset(m.rec.doc_id for m in members),
        ))
    return measures


def merge_measures(items: Sequence[AnalysedRecommendation], similarity: sparse.csr_matrix,
                   threshold: float) -> list[MergedMeasure]:
    """The measures the items form at the merge ``threshold`` (a cosine similarity)."""
    clusters = [c for g in _components(items, similarity, threshold)
                for c in _complete_linkage(g, items, similarity, threshold)]
    return _measure_nodes(clusters, items, similarity)
