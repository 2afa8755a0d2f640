"""The plain-text report of ``policygraph evaluate``: summary, per document, per label, notes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.evaluate.units import LABEL_FIELDS


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first, *rest = values
        return "  ".join([first.ljust(widths[0])] + [v.rjust(w) for v, w in zip(rest, widths[1:])]).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(row) for row in cells])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def _metric_row(name: str, metrics: dict[str, Any]) -> list[Any]:
    ratios = [metrics["precision"], metrics["recall"], metrics["f1"]]
    return [name, *ratios, metrics.get("tp"), metrics.get("fp"), metrics.get("fn")]


def format_report(scores: dict[str, Any]) -> str:
    """A plain-text report: the summary table, per document, per label, notes."""
    settings = scores["settings"]
    reported = "scored" if settings["include_reported"] else "optional"
    parts = [
        f"documents: {len(scores['documents'])}  gold units: {scores['gold_units']}  "
        f"predicted units: {scores['pred_units']}  reported calls: {reported}  "
        f"match threshold: {settings['match_threshold']}",
        "",
    ]
    rows = [_metric_row("detection", scores["detection"])]
    for field in LABEL_FIELDS:
        rows.append(_metric_row(f"{field} micro", scores[field]["micro"]))
        macro = scores[field]["macro"]
        rows.append([f"{field} macro", macro["precision"], macro["recall"], macro["f1"], None, None, None])
    rows.append(_metric_row("edges (addressee, instrument)", scores["edges"]))
    parts.append(table(["", "P", "R", "F1", "TP", "FP", "FN"], rows))
    attributes = scores["attributes"]
    parts.append(
        "accuracy on matched units: "
        + ", ".join(f"{field} {a['accuracy']:.3f} ({a['correct']}/{a['total']})" for field, a in attributes.items())
    )
    if len(scores["per_document"]) > 1:
        parts += ["", "per document (F1; addressees, targets, instruments micro)"]
        headers = ["document", "gold", "pred", "detection", *LABEL_FIELDS, "edges"]
        doc_rows = [
            [doc, part["gold_units"], part["pred_units"], part["detection"]["f1"]]
            + [part[field]["micro"]["f1"] for field in LABEL_FIELDS]
            + [part["edges"]["f1"]]
            for doc, part in scores["per_document"].items()
        ]
        parts.append(table(headers, doc_rows))
    for field in LABEL_FIELDS:
        per_label = scores[field].get("per_label", {})
        if per_label:
            parts += ["", f"{field} per label (matched units)"]
            label_rows = [_metric_row(label, metrics) for label, metrics in per_label.items()]
            parts.append(table([field[:-1], "P", "R", "F1", "TP", "FP", "FN"], label_rows))
    if scores["notes"]:
        parts += [""] + [f"note: {note}" for note in scores["notes"]]
    return "\n".join(parts)
