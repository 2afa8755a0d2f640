"""report.html as a file: self-contained, locked down by its CSP, inert data, atomic writes."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_graphs import XSS_STRINGS

from pipeline.report import ReportError, render_report, write_report
from pipeline.report.html import VENDOR_SCRIPT, csp_hash, json_for_script


class _PageParts(HTMLParser):
    """Collects tags with their attributes and the text of each <script> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open_script: dict[str, str | None] | None = None
        self._buffer: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._open_script, self._buffer = attributes, []
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "script" and self._open_script is not None:
            self.scripts.append((self._open_script, "".join(self._buffer)))
            self._open_script = None
        self._in_title = False

    def handle_data(self, data):
        if self._open_script is not None:
            self._buffer.append(data)
        if self._in_title:
            self.title += data


def _parse(page: str) -> _PageParts:
    parts = _PageParts()
    parts.feed(page)
    parts.close()
    return parts


def _csp(parts: _PageParts) -> dict[str, list[str]]:
    metas = [a for t, a in parts.tags if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1, "expected exactly one CSP meta element"
    directives = [d.split() for d in metas[0]["content"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def test_page_loads_nothing_from_outside(report_graph):
    parts = _parse(render_report(*report_graph))
    for tag, attrs in parts.tags:
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            assert name not in attrs, f"<{tag} {name}=...> would load a resource; everything must be inline"
    assert not [t for t, _ in parts.tags if t in ("link", "iframe", "img", "object", "embed", "base")]
    assert len(parts.scripts) == 3


def test_csp_allows_only_the_pages_own_scripts_by_hash(report_graph):
    parts = _parse(render_report(*report_graph))
    csp = _csp(parts)
    executable = [text for attrs, text in parts.scripts if attrs.get("type") is None]
    assert len(executable) == 2  # the vendored library and the page script
    assert sorted(csp["script-src"]) == sorted(csp_hash(text) for text in executable)
    assert csp["default-src"] == ["'none'"] and csp["connect-src"] == ["'none'"]
    assert csp["img-src"] == ["data:"]
    for directive in ("script-src", "style-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"} & set(csp[directive])


def test_csp_meta_comes_before_any_script_or_style(report_graph):
    page = render_report(*report_graph)
    assert page.index("Content-Security-Policy") < min(page.index("<style"), page.index("<script"))


def test_data_cannot_close_its_script_element_and_round_trips(hostile_graph):
    page = render_report(*hostile_graph, title=XSS_STRINGS[2])
    parts = _parse(page)
    data_scripts = [text for attrs, text in parts.scripts if attrs.get("type") == "application/json"]
    assert len(data_scripts) == 1
    raw = data_scripts[0]
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}
    payload = json.loads(raw)
    texts = json.dumps(payload, ensure_ascii=False)
    for hostile in XSS_STRINGS:
        assert hostile in texts
    # The parser found exactly the page's three scripts: nothing in the data opened another one.
    assert len(parts.scripts) == 3


def test_json_for_script_escapes_separators_and_lone_surrogates():
    text = json_for_script({"s": "a\u2028b\u2029c\ud800d</script><!--&"})
    assert text.isascii()
    assert json.loads(text) == {"s": "a\u2028b\u2029c\ud800d</script><!--&"}


def test_title_is_escaped_text(report_graph):
    parts = _parse(render_report(*report_graph, title=XSS_STRINGS[1]))
    assert parts.title == " ".join(XSS_STRINGS[1].split())
    assert not [t for t, _ in parts.tags if t == "img"]


def test_surrogates_in_pdf_text_still_give_a_utf8_page(report_graph):
    graph, recs = report_graph
    recs = [replace(recs[0], text="broken \udce9 text"), *recs[1:]]
    page = render_report(graph, recs, title="odd \udc80 title")
    page.encode("utf-8")


def test_write_report_replaces_the_file_atomically(report_graph, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old report")
    written = write_report(*report_graph, target)
    assert written == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"], "no temporary file may be left behind"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644


def test_write_report_names_the_path_when_the_folder_is_missing(report_graph, tmp_path):
    target = tmp_path / "missing" / "report.html"
    with pytest.raises(ReportError, match=re.escape(str(target))):
        write_report(*report_graph, target)


def test_render_is_deterministic(report_graph):
    assert render_report(*report_graph) == render_report(*report_graph)


def test_vendored_library_has_its_licence_and_is_recorded():
    vendor = VENDOR_SCRIPT.parent
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    version = re.search(r"\| cytoscape \| (\d+\.\d+\.\d+) \| MIT", readme)
    assert version, "vendor/README.md must record the package, its version and licence"
    assert f'"{version.group(1)}"' in VENDOR_SCRIPT.read_text(encoding="utf-8")
    assert "Permission is hereby granted" in (vendor / "cytoscape.LICENSE").read_text(encoding="utf-8")


def test_package_data_ships_the_report_assets():
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    for pattern in ("report/vendor/*", "report/*.html", "report/*.js", "report/*.css"):
        assert pattern in text
