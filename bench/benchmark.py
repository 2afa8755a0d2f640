"""policygraph benchmark: speed and memory against the bare libraries, in one run.

Measures, each as the median of several repetitions (``--repeat``):
  * extraction pages/s of each backend against a bare pdfplumber
    ``page.extract_text()`` loop over the same file;
  * spaCy words/s of the segment stage against bare ``nlp.pipe`` over the same
    block texts with the same components;
  * end-to-end pages/s of ``run`` (no cache) with each backend;
  * peak memory (RSS) of extracting the long document, in a fresh process;
  * a cached re-run's time against the cold run;
  * the speed-up of ``--jobs 2``.

Inputs: the sample corpus, ``../shared/pdfs/pdf2image-memory-error-test-400p.pdf``
(when present) and the two sample papers concatenated ten times (made here).
Writes a Markdown table to stdout and JSON to ``bench/results/``.

    .venv/bin/python bench/benchmark.py [--repeat 3] [--quick]
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


def bench_extraction(files: dict[str, Path], repeat: int, settings: dict) -> list[dict]:
    rows = []
    for name, path in files.items():
        pages = page_count(path)
        reps = 1 if pages > 100 else repeat
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
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=False, cwd=REPO, capture_output=True)
    return time.perf_counter() - started


def bench_runs(corpus: Path, big: Path, repeat: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="pg-bench-"))
    try:
        pages = sum(page_count(p) for p in corpus.glob("*.pdf"))
        results: dict[str, float] = {}
        for backend in ("pdfplumber", "pdfium"):
            cold = statistics.median(
                run_cli(["run", str(corpus), "--out", str(out / f"cold-{backend}-{i}"), "--no-cache", "--quiet", "--backend", backend])
                for i in range(repeat)
            )
            results[f"end_to_end_{backend}_pages_s"] = pages / cold
            results[f"cold_{backend}_s"] = cold
        warm_dir = out / "warm"
        results["cold_run_s"] = run_cli(["run", str(corpus), "--out", str(warm_dir), "--quiet", "--backend", "pdfium"])
        results["cached_rerun_s"] = statistics.median(
            run_cli(["run", str(corpus), "--out", str(warm_dir), "--quiet", "--backend", "pdfium"]) for _ in range(repeat)
        )
        results["cached_rerun_share_of_cold"] = results["cached_rerun_s"] / results["cold_run_s"]
        big_dir = out / "big"
        big_dir.mkdir()
        for i in range(4):
            shutil.copy(big, big_dir / f"copy-{i}.pdf")
        one = run_cli(["run", str(big_dir), "--out", str(out / "j1"), "--no-cache", "--quiet", "--backend", "pdfium", "--jobs", "1"])
        two = run_cli(["run", str(big_dir), "--out", str(out / "j2"), "--no-cache", "--quiet", "--backend", "pdfium", "--jobs", "2"])
        results["jobs1_s"], results["jobs2_s"], results["jobs2_speedup"] = one, two, one / two
        return results
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per measurement (median reported)")
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
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "repeat": args.repeat}
    report["extraction"] = bench_extraction(files, args.repeat, config.settings["extract"])
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
        report["runs"] = bench_runs(REPO / "corpus", files["papers-x10.pdf"], args.repeat)
    shutil.rmtree(work, ignore_errors=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    print(render_markdown(report))
    return 0


def render_markdown(report: dict) -> str:
    lines = [
        f"Benchmark of {report['date']}, medians of {report['repeat']} repetitions (1 for files over 100 pages).",
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
        lines.append(
            f"End to end on corpus/: pdfplumber {runs['end_to_end_pdfplumber_pages_s']:.1f} pages/s, pdfium {runs['end_to_end_pdfium_pages_s']:.1f} pages/s "
            f"(includes process start and model loading). Cached re-run {runs['cached_rerun_s']:.2f} s = "
            f"{100 * runs['cached_rerun_share_of_cold']:.1f}% of the cold run ({runs['cold_run_s']:.2f} s). "
            f"--jobs 2 on 4 x papers-x10: {runs['jobs2_speedup']:.2f}x ({runs['jobs1_s']:.1f} s -> {runs['jobs2_s']:.1f} s)."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
