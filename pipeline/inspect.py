"""``policygraph inspect DIR``: what a run's graph says, in the terminal or as JSON.

``summarise`` answers the questions analysts ask of a run: which actors are
asked to do the most, which instruments the measures use, which measures
several papers share, which measures several issuers propose (who agrees), where papers contradict each other. Filters narrow it:
``actor`` ("what is NATO asked to do?"), ``instrument`` ("who is asked to
impose sanctions?") and ``doc``. ``render_summary`` lays the result out for a
terminal; the CLI prints it or ``json.dumps`` of the summary.
"""

from __future__ import annotations

import difflib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pipeline.config import Config, load_config
from pipeline.errors import UsageError
from pipeline.export import read_graph
from pipeline.graph import (
    ACTOR, ADDRESSED_TO, CONTRADICTS, DOCUMENT, INSTRUMENT, MEASURE, PROPOSED_BY, PROPOSED_IN, TARGETS, USES,
    actor_node, document_node, instrument_node, split_list,
)

RENDER_WIDTH = 110
SUGGESTIONS = 5


# ------------------------------------------------------------------ resolving


def _normalised(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(choices)), n=SUGGESTIONS, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def resolve_actor(name: str, graph: nx.MultiDiGraph, config: Config) -> str:
    """An actor id from an id, a label or an alias ("NATO" -> "nato")."""
    wanted = _normalised(name)
    names: dict[str, str] = {}
    for actor_id, actor in config.actors.actors.items():
        for alias in (actor_id, actor.label, *getattr(actor, "aliases", ())):
            names.setdefault(_normalised(alias), actor_id)
    for _, data in graph.nodes(data=True):
        if data.get("kind") == ACTOR:
            names.setdefault(_normalised(data["actor_id"]), data["actor_id"])
            names.setdefault(_normalised(str(data.get("label", ""))), data["actor_id"])
    if wanted in names:
        return names[wanted]
    resolve = getattr(config.actors, "resolve", None)
    resolved = resolve(name) if resolve is not None else None
    if resolved:
        return str(resolved)
    raise UsageError(f"--actor {name!r}: expected an actor id or name from the taxonomy or the graph, "
                     f"found none{_suggest(wanted, names)}")


def resolve_instrument(name: str, graph: nx.MultiDiGraph, config: Config) -> str:
    """An instrument id from an id or a label ("Sanctions" -> "sanctions")."""
    wanted = _normalised(name)
    names: dict[str, str] = {}
    for instrument_id, instrument in config.instruments.instruments.items():
        names.setdefault(_normalised(instrument_id), instrument_id)
        names.setdefault(_normalised(instrument.label), instrument_id)
    for _, data in graph.nodes(data=True):
        if data.get("kind") == INSTRUMENT:
            names.setdefault(_normalised(data["instrument_id"]), data["instrument_id"])
    if wanted in names:
        return names[wanted]
    raise UsageError(f"--instrument {name!r}: expected an instrument id ({', '.join(config.instruments.ids)})"
                     f"{_suggest(wanted, names)}")


def resolve_doc(name: str, graph: nx.MultiDiGraph) -> str:
    """A document id from the id or an unambiguous part of it."""
    doc_ids = sorted(d["doc_id"] for _, d in graph.nodes(data=True) if d.get("kind") == DOCUMENT)
    if name in doc_ids:
        return name
    matches = [d for d in doc_ids if name.lower() in d.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"--doc {name!r}: matches {len(matches)} documents ({', '.join(matches)}); give more of the id")
    raise UsageError(f"--doc {name!r}: expected a document id of this run ({', '.join(doc_ids) or 'none'})"
                     f"{_suggest(name, doc_ids)}")


# ------------------------------------------------------------------ summary


def _evidence(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data.get(key, "") for key in ("doc_id", "page", "section", "sentence", "rec_id", "score")}


def _ordered(evidence: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    unique = {e["rec_id"]: e for e in evidence}
    return sorted(unique.values(), key=lambda e: (e["doc_id"], e["page"], e["rec_id"]))


@dataclass
class _Support:
    """One recommendation behind a measure: its evidence, whom it asks, what it uses, who makes it."""

    evidence: dict[str, Any]
    addressees: set[str] = field(default_factory=set)
    instruments: set[str] = field(default_factory=set)
    issuers: set[str] = field(default_factory=set)


class _View:
    """Indexes over the graph that the summary sections share."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.support: dict[str, dict[str, _Support]] = defaultdict(dict)
        self.targets: dict[str, set[str]] = defaultdict(set)
        self.contradictions: list[tuple[str, str, dict[str, Any]]] = []
        links: list[tuple[str, str, str, str]] = []  # (measure, rec id, field, value)
        for source, target, data in graph.edges(data=True):
            kind = data.get("type")
            if kind == PROPOSED_IN:
                self.support[source][data["rec_id"]] = _Support(_evidence(data))
            elif kind == ADDRESSED_TO:
                links.append((target, data["rec_id"], "addressees", graph.nodes[source]["actor_id"]))
            elif kind == USES:
                links.append((source, data["rec_id"], "instruments", graph.nodes[target]["instrument_id"]))
            elif kind == PROPOSED_BY:
                links.append((source, data["rec_id"], "issuers", graph.nodes[target]["actor_id"]))
            elif kind == TARGETS:
                self.targets[source].add(graph.nodes[target]["actor_id"])
            elif kind == CONTRADICTS:
                self.contradictions.append((source, target, data))
        for measure, rec_id, name, value in links:
            support = self.support[measure].get(rec_id)
            if support is not None:
                getattr(support, name).add(value)
        self.measures = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == MEASURE)

    def label(self, node: str, fallback: str) -> str:
        return str(self.graph.nodes[node].get("label", fallback)) if node in self.graph else fallback

    def supporting(self, measure: str, actor: str | None = None, instrument: str | None = None,
                   doc: str | None = None) -> list[_Support]:
        """The measure's recommendations that match every filter given."""
        return [
            s for s in self.support[measure].values()
            if (actor is None or actor in s.addressees)
            and (instrument is None or instrument in s.instruments)
            and (doc is None or s.evidence["doc_id"] == doc)
        ]

    def docs(self, measure: str) -> list[str]:
        return sorted({s.evidence["doc_id"] for s in self.support[measure].values()})

    def entry(self, measure: str, support: Iterable[_Support] | None = None) -> dict[str, Any]:
        data = self.graph.nodes[measure]
        chosen = self.support[measure].values() if support is None else support
        return {
            "measure_id": measure,
            "text": data.get("text", data.get("label", "")),
            "instruments": split_list(str(data.get("instruments", ""))),
            "modality": data.get("modality", ""),
            "polarity": data.get("polarity", ""),
            "support_docs": int(data.get("support_docs", len(self.docs(measure)))),
            "documents": self.docs(measure),
            "addressees": sorted({a for s in self.support[measure].values() for a in s.addressees}),
            "targets": sorted(self.targets[measure]),
            "issuers": sorted({a for s in self.support[measure].values() for a in s.issuers}),
            "evidence": _ordered(s.evidence for s in chosen),
        }


def _contradiction_entry(view: _View, source: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
    def side(measure: str, suffix: str) -> dict[str, Any]:
        return {
            "measure_id": measure,
            "text": view.graph.nodes[measure].get("text", ""),
            "doc_id": data.get(f"doc_{suffix}", ""),
            "page": data.get(f"page_{suffix}", ""),
            "sentence": data.get(f"sentence_{suffix}", ""),
        }

    return {"reason": data.get("reason", ""), "target": data.get("target", ""),
            "a": side(source, "a"), "b": side(target, "b")}


def summarise(
    source: str | Path | nx.MultiDiGraph,
    *,
    actor: str | None = None,
    instrument: str | None = None,
    doc: str | None = None,
    config: Config | None = None,
) -> dict[str, Any]:
    """Summarise a run's graph (an output folder or the graph itself), optionally filtered."""
    graph = source if isinstance(source, nx.MultiDiGraph) else read_graph(Path(source))
    if (actor or instrument) and config is None:
        config = load_config()
    view = _View(graph)
    actor_id = resolve_actor(actor, graph, config) if actor else None  # type: ignore[arg-type]
    instrument_id = resolve_instrument(instrument, graph, config) if instrument else None  # type: ignore[arg-type]
    doc_id = resolve_doc(doc, graph) if doc else None

    matching = {m: view.supporting(m, actor_id, instrument_id, doc_id) for m in view.measures}
    selected = [m for m in view.measures if matching[m]]
    chosen = set(selected)
    actors = _actor_rows(view, selected, matching)
    contradictions = [_contradiction_entry(view, s, t, d) for s, t, d in view.contradictions if s in chosen or t in chosen]
    summary: dict[str, Any] = {
        "source": str(source) if not isinstance(source, nx.MultiDiGraph) else "<graph>",
        "filters": {"actor": actor_id, "instrument": instrument_id, "doc": doc_id},
        "totals": {
            "measures": len(selected),
            "recommendations": sum(len(matching[m]) for m in selected),
            "documents": len({s.evidence["doc_id"] for m in selected for s in matching[m]}),
            "actors": len(actors),
            "contradictions": len(contradictions),
        },
        "actors": actors,
        "instruments": _instrument_rows(view, selected, matching),
        "shared_measures": sorted(
            (view.entry(m) for m in selected if len(view.docs(m)) > 1),
            key=lambda e: (-e["support_docs"], -len(e["evidence"]), e["measure_id"]),
        ),
        "agreed_measures": sorted(
            (entry for entry in (view.entry(m) for m in selected) if len(entry["issuers"]) > 1),
            key=lambda e: (-len(e["issuers"]), -e["support_docs"], e["measure_id"]),
        ),
        "contradictions": contradictions,
    }
    if actor_id is not None:
        summary["actor"] = _actor_section(view, actor_id, selected, matching)
    if instrument_id is not None:
        summary["instrument"] = _instrument_section(view, instrument_id, selected, matching)
    if doc_id is not None:
        summary["doc"] = _doc_section(view, doc_id, selected, matching)
    return summary


# The recommendations behind each measure that match the filters.
Matching = dict[str, list[_Support]]


def _addressees(support: Iterable[_Support]) -> list[str]:
    return sorted({a for s in support for a in s.addressees})


def _actor_rows(view: _View, selected: list[str], matching: Matching) -> list[dict[str, Any]]:
    """Actors ranked by the measures, then the recommendations, addressed to them."""
    rows: dict[str, dict[str, Any]] = {}
    for measure in selected:
        for addressee in _addressees(matching[measure]):
            row = rows.setdefault(addressee, {
                "actor_id": addressee, "label": view.label(actor_node(addressee), addressee),
                "measures": 0, "recommendations": 0,
            })
            row["measures"] += 1
            row["recommendations"] += sum(addressee in s.addressees for s in matching[measure])
    return sorted(rows.values(), key=lambda r: (-r["measures"], -r["recommendations"], r["actor_id"]))


def _instrument_rows(view: _View, selected: list[str], matching: Matching) -> list[dict[str, Any]]:
    """Instruments ranked by the measures that use them."""
    rows: dict[str, dict[str, Any]] = {}
    for measure in selected:
        for used in sorted({i for s in matching[measure] for i in s.instruments}):
            node = instrument_node(used)
            row = rows.setdefault(used, {
                "instrument_id": used, "label": view.label(node, used),
                "dime": str(view.graph.nodes[node].get("dime", "")) if node in view.graph else "", "measures": 0,
            })
            row["measures"] += 1
    return sorted(rows.values(), key=lambda r: (-r["measures"], r["instrument_id"]))


def _actor_section(view: _View, actor_id: str, selected: list[str], matching: Matching) -> dict[str, Any]:
    """What ``--actor`` is asked to do."""
    return {
        "actor_id": actor_id,
        "label": view.label(actor_node(actor_id), actor_id),
        "measures": [view.entry(m, matching[m]) for m in selected],
    }


def _instrument_section(view: _View, instrument_id: str, selected: list[str], matching: Matching) -> dict[str, Any]:
    """Who is asked to use ``--instrument``, most asked first, with the measures asking them."""
    asked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for measure in selected:
        for addressee in _addressees(matching[measure]):
            asked[addressee].append(view.entry(measure, [s for s in matching[measure] if addressee in s.addressees]))
    return {
        "instrument_id": instrument_id,
        "label": view.label(instrument_node(instrument_id), instrument_id),
        "actors": [
            {"actor_id": a, "label": view.label(actor_node(a), a), "measures": asked[a]}
            for a in sorted(asked, key=lambda a: (-len(asked[a]), a))
        ],
    }


def _doc_section(view: _View, doc_id: str, selected: list[str], matching: Matching) -> dict[str, Any]:
    """The measures proposed in ``--doc``."""
    node = document_node(doc_id)
    return {
        "doc_id": doc_id,
        "title": str(view.graph.nodes[node].get("title", "")) if node in view.graph else "",
        "measures": [view.entry(m, matching[m]) for m in selected],
    }


# ------------------------------------------------------------------ rendering


def _where(evidence: dict[str, Any]) -> str:
    place = f"{evidence['doc_id']} p.{evidence['page']}"
    return f"{place} ({evidence['section']})" if evidence.get("section") else place


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _indented(console: Console, text: Text, indent: int) -> None:
    # Padding keeps wrapped lines of a long sentence under their first line.
    console.print(Padding(text, (0, 0, 0, indent), expand=False))


def _print_measures(console: Console, entries: list[dict[str, Any]], indent: int = 2) -> None:
    for number, entry in enumerate(entries, start=1):
        details = ", ".join(filter(None, [
            "; ".join(entry["instruments"]), entry["modality"],
            "refrain" if entry["polarity"] == "refrain" else "",
            _plural(entry["support_docs"], "paper"),
            "proposed by " + ", ".join(entry["issuers"]) if entry.get("issuers") else "",
        ]))
        _indented(console, Text.assemble((f"{number}. {entry['text']}", "bold"), f"  [{details}]"), indent)
        for evidence in entry["evidence"]:
            _indented(console, Text(f"- {_where(evidence)}: \u201c{evidence['sentence']}\u201d"), indent + 3)


def _table(title: str, columns: list[str], rows: list[list[Any]], console: Console) -> None:
    console.print()
    console.print(Text(title, style="bold"))
    if not rows:
        console.print(Text("  (none)"))
        return
    table = Table(show_edge=False, pad_edge=False, expand=False)
    for column in columns:
        table.add_column(column, justify="right" if column in ("#", "measures", "recs") else "left")
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    console.print(table)


def _section(console: Console, title: str) -> None:
    console.print()
    console.rule(Text(title, style="bold"), align="left")


def render_summary(summary: dict[str, Any], *, width: int = RENDER_WIDTH) -> str:
    """The summary as plain text for a terminal."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False, markup=False, emoji=False)
    filters = ", ".join(f"{k}={v}" for k, v in summary["filters"].items() if v) or "none"
    totals = summary["totals"]
    console.print(Text(f"policygraph inspect: {summary['source']} (filters: {filters})", style="bold"))
    console.print(Text(
        f"{_plural(totals['measures'], 'measure')} from {_plural(totals['recommendations'], 'recommendation')} "
        f"in {_plural(totals['documents'], 'document')}; {_plural(totals['actors'], 'actor')} addressed; "
        f"{_plural(totals['contradictions'], 'contradiction')}"
    ))
    if "actor" in summary:
        actor = summary["actor"]
        _section(console, f"What is {actor['label']} ({actor['actor_id']}) asked to do?")
        if not actor["measures"]:
            console.print(Text("  No measure in this run is addressed to this actor."))
        _print_measures(console, actor["measures"])
    if "instrument" in summary:
        instrument = summary["instrument"]
        _section(console, f"Who is asked to act with {instrument['label']} ({instrument['instrument_id']})?")
        if not instrument["actors"]:
            console.print(Text("  No measure in this run uses this instrument."))
        for asked in instrument["actors"]:
            _indented(console, Text(f"{asked['label']} ({asked['actor_id']}): "
                                    f"{_plural(len(asked['measures']), 'measure')}", style="bold"), 2)
            _print_measures(console, asked["measures"], indent=4)
    if "doc" in summary:
        doc = summary["doc"]
        _section(console, f"Measures proposed in {doc['doc_id']}" + (f": {doc['title']}" if doc["title"] else ""))
        _print_measures(console, doc["measures"])
    _table("Actors by measures addressed to them", ["#", "actor", "id", "measures", "recs"], [
        [rank, row["label"], row["actor_id"], row["measures"], row["recommendations"]]
        for rank, row in enumerate(summary["actors"], start=1)
    ], console)
    _table("Measures per instrument", ["instrument", "id", "DIME", "measures"], [
        [row["label"], row["instrument_id"], row["dime"], row["measures"]] for row in summary["instruments"]
    ], console)
    _section(console, f"Measures shared by several papers ({len(summary['shared_measures'])})")
    _print_measures(console, summary["shared_measures"])
    _section(console, f"Measures proposed by several issuers: who agrees ({len(summary['agreed_measures'])})")
    _print_measures(console, summary["agreed_measures"])
    _section(console, f"Contradictions ({len(summary['contradictions'])})")
    for number, item in enumerate(summary["contradictions"], start=1):
        _indented(console, Text(f"{number}. {item['reason']} on {item['target']}", style="bold"), 2)
        for side in ("a", "b"):
            entry = item[side]
            _indented(console, Text(f"{side.upper()}: {entry['text']}"), 5)
            _indented(console, Text(f"{entry['doc_id']} p.{entry['page']}: \u201c{entry['sentence']}\u201d"), 8)
    # rich pads wrapped blocks to their widest line; terminals and diffs want none.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
