"""Time spent in imports by ``policygraph extract --backend pdfium`` (issue 16: under 0.3 s on a 15-page paper).

Runs ``python -X importtime -m pipeline extract --backend pdfium PDF`` ``--runs``
times (default 25) and sums, for each run, the cumulative times of the
top-level imports that ``-X importtime`` reports (every module the command
loads, Python's own start-up included). Prints min, median and max of that sum
in seconds.

With ``--tree A --tree B`` each tree is run with ``PYTHONPATH=<tree>`` (runs
interleaved, A B A B ..., so that a busy machine slows both alike) and the
medians are compared. Without ``--tree`` the tree holding this script is run.

    .venv/bin/python bench/extract_imports.py [--runs 25] [--tree DIR ...] [PDF]

PDF defaults to the sample paper in corpus/ with the fewest pages. The numbers
depend on the machine and its load: compare trees in one invocation.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# "import time: <self us> | <cumulative us> | <indent><module>"; a top-level import has an indent of one space
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)")


def import_seconds(stderr: str) -> float:
    """The sum of the top-level cumulative import times in ``-X importtime`` output, in seconds."""
    total = 0
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if match and len(match.group(3)) == 1:
            total += int(match.group(2))
    return total / 1e6


def shortest_corpus_pdf() -> Path:
    import pypdfium2

    def pages(path: Path) -> int:
        document = pypdfium2.PdfDocument(str(path))
        try:
            return len(document)
        finally:
            document.close()

    pdfs = sorted((REPO / "corpus").glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDF in {REPO / 'corpus'}: pass one as PDF")
    return min(pdfs, key=lambda path: (pages(path), path.name))


def run_once(tree: Path, pdf: Path, python: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [python, "-X", "importtime", "-m", "pipeline", "extract", "--backend", "pdfium", str(pdf)]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("import time:"))[-2000:]
        raise SystemExit(f"{tree}: extract exited with {done.returncode}:\n{tail}")
    return import_seconds(done.stderr)


def summary(times: list[float]) -> str:
    return f"min {min(times):.3f} s  median {statistics.median(times):.3f} s  max {max(times):.3f} s  ({len(times)} runs)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdf", nargs="?", type=Path, help="the PDF to extract (default: the shortest corpus/ paper)")
    parser.add_argument("--runs", type=int, default=25, help="runs per tree (default: 25)")
    parser.add_argument("--tree", action="append", type=Path, metavar="DIR",
                        help="a source tree to run with PYTHONPATH=DIR (repeat to compare; default: this one)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter (default: this one)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be 1 or more, got {args.runs}")
    trees = [tree.resolve() for tree in (args.tree or [REPO])]
    for tree in trees:
        if not (tree / "pipeline" / "__init__.py").is_file():
            parser.error(f"--tree {tree}: no pipeline/ package there")
    pdf = (args.pdf or shortest_corpus_pdf()).resolve()
    print(f"extract --backend pdfium {pdf.name}, {args.runs} runs per tree")
    times: dict[Path, list[float]] = {tree: [] for tree in trees}
    for _ in range(args.runs):
        for tree in trees:
            times[tree].append(run_once(tree, pdf, args.python))
    for tree in trees:
        print(f"{tree}: imports {summary(times[tree])}")
    if len(trees) > 1:
        base = statistics.median(times[trees[0]])
        for tree in trees[1:]:
            print(f"median {tree.name} / {trees[0].name}: {statistics.median(times[tree]) / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
