"""Fuzz target: damaged copies of real PDFs fed to ``extract_document``.

Any outcome other than a layout or a typed error of :mod:`pipeline.errors`
(a ``DocumentError``) is a bug: another exception, a hang (no result within
the per-input timeout) or a crash of the reading process.

In CI (the default) each backend gets about 30 s, with a derandomized seed so
that every run tries the same inputs. By hand, for longer and with fresh random
inputs on every run::

    POLICYGRAPH_FUZZ_SECONDS=3600 .venv/bin/python -m pytest tests/fuzz -q

(the time is split between the two backends). A failure is shrunk by
hypothesis and written to ``$POLICYGRAPH_FUZZ_OUT`` (default: the system's
temporary folder) as ``fuzz-<backend>-<signature>.pdf``, to be pinned in
``tests/data/`` with a test in ``test_fuzz_regressions.py`` once fixed.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import generated_seed, mutate, seed_files
from worker import ExtractWorker, Outcome

BACKENDS = ("pdfplumber", "pdfium")
LONG_SECONDS = float(os.environ.get("POLICYGRAPH_FUZZ_SECONDS", "0") or 0)
CI_SECONDS_PER_BACKEND = 30.0
# Inputs per backend in CI: about what 30 s hold on the 2-core machine. Once the
# time is spent, inputs are still drawn (hypothesis must see the same draws on
# every run) but no longer extracted, which costs a few milliseconds each.
CI_EXAMPLES = {"pdfplumber": 400, "pdfium": 1000}
# A damaged copy of a 21-page paper reads in a few seconds; far more is a hang.
TIMEOUT_SECONDS = 30.0
# Pages read per input: a few keep the examples quick (the document structure
# is still parsed whole); the long run also reads whole documents.
PAGE_LIMITS = (1, 2, 3, None) if LONG_SECONDS else (1, 2, 3)


@pytest.fixture(scope="module")
def seeds() -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in seed_files()}
    files["generated-two-columns.pdf"] = generated_seed()
    return files


@pytest.fixture(scope="module")
def worker(extract_settings):
    worker = ExtractWorker(extract_settings, TIMEOUT_SECONDS)
    yield worker
    worker.close()


@pytest.fixture(scope="module")
def extract_settings() -> dict:
    from pipeline.config import load_config

    return dict(load_config().settings["extract"])


def _save(data: bytes, backend: str, outcome: Outcome) -> Path:
    folder = Path(os.environ.get("POLICYGRAPH_FUZZ_OUT", tempfile.gettempdir()))
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", outcome.signature.lower()).strip("-")[:60]
    # One file per kind of failure: shrinking rewrites it, and the last write is
    # the shrunk input hypothesis replays at the end.
    path = folder / f"fuzz-{backend}-{slug}.pdf"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_damaged_pdfs_give_a_layout_or_a_typed_error(backend, seeds, worker):
    budget = LONG_SECONDS / len(BACKENDS) if LONG_SECONDS else CI_SECONDS_PER_BACKEND
    stop_at = time.monotonic() + budget
    failed: list[Outcome] = []
    tried: list[str] = []

    @settings(
        max_examples=10**7 if LONG_SECONDS else CI_EXAMPLES[backend],
        deadline=None,
        derandomize=not LONG_SECONDS,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def damaged_copy(data):
        name = data.draw(st.sampled_from(sorted(seeds)), label="seed")
        max_pages = data.draw(st.sampled_from(PAGE_LIMITS), label="max_pages")
        how, mutated = mutate(seeds[name], lambda low, high: data.draw(st.integers(low, high)))
        # The budget stops new inputs, never the shrinking of a failure (and
        # only after drawing, so that hypothesis sees the same draws each time).
        if time.monotonic() > stop_at and not failed:
            return
        outcome = worker.extract(mutated, backend, max_pages)
        tried.append(outcome.kind)
        if not outcome.acceptable:
            failed.append(outcome)
            path = _save(mutated, backend, outcome)
            pytest.fail(f"{name} damaged by {how} (max_pages={max_pages}, saved as {path}): {outcome.kind}\n{outcome.detail}")

    damaged_copy()
    print(f"{backend}: {len(tried)} damaged PDFs in {budget:.0f} s: " + ", ".join(f"{kind} {tried.count(kind)}" for kind in sorted(set(tried))))
    assert tried, "no damaged PDF was tried"
    # The mutations must reach both sides: files that still read and files
    # that are refused.
    assert {"ok", "typed"} <= set(tried), f"outcomes {sorted(set(tried))} over {len(tried)} inputs"
