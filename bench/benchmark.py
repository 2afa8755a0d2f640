"""policygraph benchmark: speed and memory against the bare libraries, in one run.

Measures, each as the median of several repetitions (``--repeat``):
  * extraction pages/s of each backend against a bare pdfplumber
    ``page.extract_text()`` loop over the same file;
  * spaCy words/s of the segment stage against bare ``nlp.pipe`` over the same
    block texts with the same components;
  * end-to-end pages/s of ``run`` (no cache) with each backend, and with pdfium
    on the papers concatenated ten times (one pass);
  * peak memory (RSS) of extracting the long document, in a fresh process;
  * a cached re-run's time against the cold run;
  * the speed-up of ``--jobs 2`` over ``--jobs 1`` on ``--copies`` copies of
    each sample paper (interleaved repetitions).

Inputs: the sample corpus, ``../shared/pdfs/pdf2image-memory-error-test-400p.pdf``
(when present) and the two sample papers concatenated ten times (made here).
Files over 100 pages are repeated ``--long-repeat`` times (default ``--repeat``).
Writes a Markdown table to stdout and JSON to ``bench/results/``.

    .venv/bin/python bench/benchmark.py [--repeat 3] [--long-repeat N] [--copies 4] [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_PDFS = REPO.parent / "shared" / "pdfs"
LONG_PDF = SHARED_PDFS / "pdf2image-memory-error-test-400p.pdf"
RESULTS = REPO / "bench" / "results"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bare_pdfplumber(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def our_extract(path: Path, backend: str, settings: dict):
    from pipeline.extract import extract_document

    return extract_document(path, settings=settings, backend=backend)


def concatenated(papers: list[Path], times: int, out: Path) -> Path:
    import pypdfium2

    merged = pypdfium2.PdfDocument.new()
    for _ in range(times):
        for paper in papers:
            source = pypdfium2.PdfDocument(str(paper))
            merged.import_pages(source)
            source.close()
    merged.save(str(out))
    merged.close()
    return out


def page_count(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def peak_rss_mb(path: Path, backend: str) -> float:
    """Peak RSS of a fresh process that extracts ``path`` (ru_maxrss of the child)."""
    code = (
        "import resource, sys\n"
        "from pipeline.config import load_config\n"
        "from pipeline.extract import extract_document\n"
        "c = load_config()\n"
        f"extract_document({str(path)!r}, settings=c.settings['extract'], backend={backend!r})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO)
    return int(out.stdout.strip().splitlines()[-1]) / 1024.0


def bench_extraction(files: dict[str, Path], repeat: int, long_repeat: int, settings: dict) -> list[dict]:
    rows = []
    for name, path in files.items():
        pages = page_count(path)
        reps = repeat if pages <= 100 else long_repeat
        bare = median_time(lambda: bare_pdfplumber(path), reps)
        plumber = median_time(lambda: our_extract(path, "pdfplumber", settings), reps)
        pdfium = median_time(lambda: our_extract(path, "pdfium", settings), max(reps, 3))
        rows.append(
            {
                "file": name,
                "pages": pages,
                "bare_pdfplumber_pages_s": pages / bare,
                "pdfplumber_backend_pages_s": pages / plumber,
                "pdfium_backend_pages_s": pages / pdfium,
                "pdfplumber_vs_bare": bare / plumber,
                "pdfium_vs_bare": bare / pdfium,
                "repetitions": reps,
            }
        )
        print(f"  extraction {name}: {rows[-1]}", file=sys.stderr)
    return rows


def bench_segment(papers: list[Path], repeat: int, config) -> dict:
    from pipeline.extract import extract_document
    from pipeline.segment import load_nlp, segment_layout

    nlp = load_nlp(config.settings)
    layouts = [extract_document(p, settings=config.settings["extract"], backend="pdfium") for p in papers]
    texts = [" ".join(b.text.split()) for layout in layouts for b in layout.blocks if b.text.strip()]
    words = sum(len(t.split()) for t in texts)
    batch = config.get("segment.batch_size")
    bare = median_time(lambda: list(nlp.pipe(texts, batch_size=batch)), repeat)
    ours = median_time(lambda: [segment_layout(layout, nlp, batch_size=batch) for layout in layouts], repeat)
    return {"words": words, "bare_nlp_pipe_words_s": words / bare, "segment_words_s": words / ours, "segment_vs_bare": bare / ours}


def run_cli(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], check=False, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"benchmark: `policygraph {' '.join(args)}` exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def stage_seconds(out_dir: Path) -> dict[str, float]:
    """Seconds per per-document stage, summed over the run's documents (from manifest.json)."""
    manifest = json.loads((out_dir / "manifest.json").read_text())
    totals: dict[str, float] = {}
    for document in manifest["documents"]:
        for stage, seconds in (document.get("seconds") or {}).items():
            totals[stage] = totals.get(stage, 0.0) + seconds
    return totals


def bench_runs(corpus: Path, repeat: int, copies: int, long_file: Path) -> dict:
    """End-to-end runs of the CLI: cold per backend, a long document, a cached re-run, and --jobs 1 against --jobs 2."""
    out = Path(tempfile.mkdtemp(prefix="pg-bench-"))
    try:
        papers = sorted(corpus.glob("*.pdf"))
        pages = sum(page_count(p) for p in papers)
        results: dict = {"pages": pages}
        for backend in ("pdfplumber", "pdfium"):
            times = []
            for i in range(repeat):
                target = out / f"cold-{backend}-{i}"
                times.append(run_cli(["run", str(corpus), "--out", str(target), "--no-cache", "--quiet", "--backend", backend]))
                results[f"stages_{backend}_s"] = stage_seconds(target)
            cold = statistics.median(times)
            results[f"end_to_end_{backend}_pages_s"] = pages / cold
            results[f"cold_{backend}_s"] = cold
        # one long document: its pages/s should match the short papers' (nothing grows faster than the text)
        long_dir = out / "long"
        long_dir.mkdir()
        shutil.copy(long_file, long_dir / long_file.name)
        long_out = out / "long-out"
        long_s = run_cli(["run", str(long_dir), "--out", str(long_out), "--no-cache", "--quiet", "--backend", "pdfium"])
        results["long_file"], results["long_pages"] = long_file.name, page_count(long_file)
        results["long_end_to_end_pages_s"] = results["long_pages"] / long_s
        results["long_s"], results["stages_long_s"] = long_s, stage_seconds(long_out)
        warm_dir = out / "warm"
        results["cold_run_s"] = run_cli(["run", str(corpus), "--out", str(warm_dir), "--quiet", "--backend", "pdfium"])
        results["cached_rerun_s"] = statistics.median(
            run_cli(["run", str(corpus), "--out", str(warm_dir), "--quiet", "--backend", "pdfium"]) for _ in range(repeat)
        )
        results["cached_rerun_share_of_cold"] = results["cached_rerun_s"] / results["cold_run_s"]

        # --jobs: several copies of each paper, so both workers have documents to take
        many = out / "many"
        many.mkdir()
        for i in range(copies):
            for paper in papers:
                shutil.copy(paper, many / f"{paper.stem}-{i}.pdf")
        serial, parallel = [], []
        for i in range(repeat):  # interleaved, so a change in machine load hits both legs alike
            args = ["run", str(many), "--no-cache", "--quiet", "--backend", "pdfium"]
            serial.append(run_cli([*args, "--out", str(out / f"j1-{i}"), "--jobs", "1"]))
            parallel.append(run_cli([*args, "--out", str(out / f"j2-{i}"), "--jobs", "2"]))
        results["jobs_documents"] = copies * len(papers)
        results["jobs_pages"] = copies * pages
        results["jobs1_s"] = statistics.median(serial)
        results["jobs2_s"] = statistics.median(parallel)
        results["jobs2_speedup"] = results["jobs1_s"] / results["jobs2_s"]
        results["jobs1_all_s"], results["jobs2_all_s"] = serial, parallel
        return results
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per measurement (median reported)")
    parser.add_argument("--long-repeat", type=int, default=None, help="repetitions for files over 100 pages (default: --repeat)")
    parser.add_argument("--copies", type=int, default=4, help="copies of each sample paper for the --jobs comparison")
    parser.add_argument("--quick", action="store_true", help="skip the 400-page document and the run timings")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from pipeline.config import load_config

    config = load_config()
    papers = sorted((REPO / "corpus").glob("*.pdf"))
    work = Path(tempfile.mkdtemp(prefix="pg-bench-files-"))
    files = {p.name: p for p in papers}
    files["papers-x10.pdf"] = concatenated(papers, 10, work / "papers-x10.pdf")
    if LONG_PDF.exists() and not args.quick:
        files[LONG_PDF.name] = LONG_PDF
    long_repeat = args.long_repeat or args.repeat
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "repeat": args.repeat, "long_repeat": long_repeat}
    report["extraction"] = bench_extraction(files, args.repeat, long_repeat, config.settings["extract"])
    report["segment"] = bench_segment(papers, args.repeat, config)
    memory_file = LONG_PDF if LONG_PDF.exists() else files["papers-x10.pdf"]
    report["peak_rss_mb"] = {
        "file": memory_file.name,
        "pages": page_count(memory_file),
        "pdfplumber": peak_rss_mb(memory_file, "pdfplumber"),
        "pdfium": peak_rss_mb(memory_file, "pdfium"),
        "pdfplumber_papers_x10": peak_rss_mb(files["papers-x10.pdf"], "pdfplumber"),
        "papers_x10_pages": page_count(files["papers-x10.pdf"]),
    }
    if not args.quick:
        report["runs"] = bench_runs(REPO / "corpus", args.repeat, args.copies, files["papers-x10.pdf"])
    shutil.rmtree(work, ignore_errors=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    print(render_markdown(report))
    return 0


def render_markdown(report: dict) -> str:
    lines = [
        f"Benchmark of {report['date']}, medians of {report['repeat']} repetitions "
        f"({report.get('long_repeat', 1)} for files over 100 pages).",
        "",
        "| file | pages | bare pdfplumber p/s | pdfplumber backend p/s | pdfium backend p/s | plumber/bare | pdfium/bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["extraction"]:
        lines.append(
            f"| {row['file']} | {row['pages']} | {row['bare_pdfplumber_pages_s']:.1f} | {row['pdfplumber_backend_pages_s']:.1f} | "
            f"{row['pdfium_backend_pages_s']:.1f} | {row['pdfplumber_vs_bare']:.2f}x | {row['pdfium_vs_bare']:.1f}x |"
        )
    seg = report["segment"]
    lines += [
        "",
        f"Segment stage: {seg['segment_words_s']:.0f} words/s against bare nlp.pipe {seg['bare_nlp_pipe_words_s']:.0f} words/s "
        f"({seg['segment_vs_bare']:.2f}x) over {seg['words']} words.",
    ]
    mem = report["peak_rss_mb"]
    lines.append(
        f"Peak RSS extracting {mem['file']} ({mem['pages']} pages): pdfplumber {mem['pdfplumber']:.0f} MB, pdfium {mem['pdfium']:.0f} MB; "
        f"papers x10 ({mem['papers_x10_pages']} pages) with pdfplumber: {mem['pdfplumber_papers_x10']:.0f} MB."
    )
    runs = report.get("runs")
    if runs:
        stages = runs["stages_pdfium_s"]
        spacy_s = sum(v for k, v in stages.items() if k != "extract")
        lines += [
            f"End to end on corpus/ ({runs['pages']} pages, including process start and model loading): "
            f"pdfplumber {runs['end_to_end_pdfplumber_pages_s']:.2f} pages/s ({runs['cold_pdfplumber_s']:.1f} s), "
            f"pdfium {runs['end_to_end_pdfium_pages_s']:.2f} pages/s ({runs['cold_pdfium_s']:.1f} s).",
            f"Per-document stages with pdfium: extract {stages.get('extract', 0):.1f} s, segment {stages.get('segment', 0):.1f} s, "
            f"recognise {stages.get('recognise', 0):.1f} s, classify {stages.get('classify', 0):.1f} s "
            f"(spaCy stages {spacy_s / max(stages.get('extract', 0), 1e-9):.1f}x extraction).",
            f"End to end on {runs['long_file']} ({runs['long_pages']} pages, one pass, pdfium): "
            f"{runs['long_end_to_end_pages_s']:.2f} pages/s ({runs['long_s']:.1f} s; stages "
            + ", ".join(f"{k} {v:.1f} s" for k, v in runs["stages_long_s"].items()) + ").",
            f"Cached re-run {runs['cached_rerun_s']:.2f} s = {100 * runs['cached_rerun_share_of_cold']:.1f}% of the cold run "
            f"({runs['cold_run_s']:.2f} s).",
            f"--jobs 2 on {runs['jobs_documents']} documents ({runs['jobs_pages']} pages): {runs['jobs2_speedup']:.2f}x "
            f"({runs['jobs1_s']:.1f} s -> {runs['jobs2_s']:.1f} s).",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
