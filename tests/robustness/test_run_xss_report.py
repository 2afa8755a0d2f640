"""End to end: script in a PDF's text reaches report.html as text, never as code.

Runs ``policygraph run`` on a PDF whose recommendations contain markup, then
opens the report in headless Chromium (Debian's ``chromium``, driven by
Playwright). Both missing skips the test on a developer machine and fails it
in CI.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest
from corpus_pdfs import write_paper
from run_helpers import run_cli

pytestmark = pytest.mark.browser

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</script><script>alert(3)</script>",
)
SENTENCES = (
    f"The EU should impose sanctions on {PAYLOADS[0]} officials.",
    f"NATO should strengthen its deterrence against {PAYLOADS[1]} attacks.",
    f"The United Nations should investigate the {PAYLOADS[2]} crimes.",
)


def test_markup_in_a_pdf_shows_as_text_and_never_runs(browser, tmp_path):
    # reportlab reads markup in paragraphs: escape it so the PDF holds the characters themselves
    write_paper(tmp_path / "papers" / "hostile.pdf", "Hostile text", [escape(s, {'"': "&quot;"}) for s in SENTENCES])
    out = tmp_path / "out"
    done = run_cli("run", tmp_path / "papers", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr

    found = [json.loads(line)["text"] for line in (out / "recommendations.jsonl").read_text(encoding="utf-8").splitlines()]
    for payload in PAYLOADS:
        assert any(payload in text for text in found), f"the pipeline did not keep {payload!r} in a recommendation: {found}"

    context = browser.new_context(service_workers="block")
    page = context.new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    url = (out / "report.html").as_uri()
    page.goto(url)
    page.wait_for_function("window.policygraphReport !== undefined", timeout=30_000)
    page.wait_for_timeout(500)  # let any injected handler (img onerror) get its chance to fire
    text = page.locator("body").inner_text()
    context.close()

    assert dialogs == [], f"script from the PDF ran: {dialogs}"
    for payload in PAYLOADS:
        assert payload in text, f"{payload!r} is not shown as text"
    assert [u for u in requests if u != url and not u.startswith("data:")] == []
