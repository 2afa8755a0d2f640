"""Fixtures for the report tests: hand-built graphs from report_graphs."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest
from report_graphs import build_graph, build_hostile_graph, build_large_graph

from pipeline.types import Recommendation


@pytest.fixture
def report_graph() -> tuple[nx.MultiDiGraph, list[Recommendation]]:
    return build_graph()


@pytest.fixture
def hostile_graph() -> tuple[nx.MultiDiGraph, list[Recommendation]]:
    return build_hostile_graph()


@pytest.fixture
def large_graph_factory() -> Callable[..., tuple[nx.MultiDiGraph, list[Recommendation]]]:
    return build_large_graph
