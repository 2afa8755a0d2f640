"""A long fuzz campaign that keeps going after a failure and counts them.

The pytest target (``test_fuzz_extract.py``) stops at the first failure and
shrinks it; this script runs the same mutations from a seeded random source for
a set time, alternating backends, and keeps one input per kind of failure
(exception type and where it was raised), so one run lists every bug it meets::

    .venv/bin/python tests/fuzz/campaign.py --seconds 1800 --out /tmp/fuzz-found

It prints a summary line per backend and one line per kind of failure.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from mutations import generated_seed, mutate, seed_files
from worker import ExtractWorker

BACKENDS = ("pdfplumber", "pdfium")
PAGE_LIMITS = (1, 2, 3, None)
KEEP_HANGS = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600.0, help="total time, split between the backends by turns")
    parser.add_argument("--out", type=Path, required=True, help="folder for one input per kind of failure")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one, printed)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input before it counts as a hang")
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="only these backends (default: both)")
    parser.add_argument("--more-seeds", type=Path, help="a folder of further PDFs to mutate (those under 2 MB)")
    args = parser.parse_args()

    from pipeline.config import load_config

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    backends = tuple(args.backend or BACKENDS)
    seeds = {path.name: path.read_bytes() for path in seed_files()}
    seeds["generated-two-columns.pdf"] = generated_seed()
    if args.more_seeds:
        seeds.update((path.name, path.read_bytes()) for path in sorted(args.more_seeds.glob("*.pdf")) if 0 < path.stat().st_size < 2_000_000)
    names = sorted(seeds)
    args.out.mkdir(parents=True, exist_ok=True)
    worker = ExtractWorker(dict(load_config().settings["extract"]), args.timeout)
    outcomes: dict[str, Counter[str]] = {backend: Counter() for backend in backends}
    failures: Counter[tuple[str, str]] = Counter()
    print(f"seed {seed}; {len(names)} seed files; {args.seconds:.0f} s", flush=True)
    stop_at = time.monotonic() + args.seconds
    turn = 0
    try:
        while time.monotonic() < stop_at:
            backend = backends[turn % len(backends)]
            turn += 1
            name = rng.choice(names)
            max_pages = rng.choice(PAGE_LIMITS)
            how, data = mutate(seeds[name], rng.randint)
            outcome = worker.extract(data, backend, max_pages)
            outcomes[backend][outcome.kind] += 1
            if outcome.acceptable:
                continue
            key = (backend, outcome.signature)
            failures[key] += 1
            # A hang or a crash says nothing of where: keep the first few of those.
            if failures[key] == 1 or (outcome.kind in ("hang", "crash") and failures[key] <= KEEP_HANGS):
                slug = re.sub(r"[^a-z0-9]+", "-", outcome.signature.lower()).strip("-")[:60]
                path = args.out / f"fuzz-{backend}-{slug}-{failures[key]}.pdf"
                path.write_bytes(data)
                print(f"NEW {backend} {outcome.signature} <- {name} by {how} (max_pages={max_pages}) -> {path}", flush=True)
                print("    " + outcome.detail.strip().replace("\n", "\n    ")[-1500:], flush=True)
    finally:
        worker.close()
    for backend, counts in outcomes.items():
        print(f"{backend}: {sum(counts.values())} inputs: " + ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())))
    for (backend, signature), count in failures.most_common():
        print(f"{count:6d}  {backend}  {signature}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
