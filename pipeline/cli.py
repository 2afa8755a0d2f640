"""The ``policygraph`` command line: a thin layer over importable functions.

Exit codes: 0 success; 1 usage or configuration error; 2 some documents failed
(``run``) or the one document could not be read (``extract``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from pathlib import Path

from pipeline import __version__
from pipeline.errors import ConfigError, DocumentError, PolicygraphError, UsageError
from pipeline.registry import EXECUTORS, PDF_BACKENDS
from pipeline.terminal import printable

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_DOCUMENT_FAILED = 2

DESCRIPTION = """\
policygraph reads policy papers (PDF) and answers: who is asked to do what,
to whom, with which instrument, and who agrees? It finds every recommendation,
its addressees, targets and instruments, and builds a graph of actors and the
measures proposed to them, exported for Gephi, Cytoscape, Neo4j, pandas and a
browser report.

Typical use:
  policygraph run papers/ --out results/     process a folder, write all outputs
  policygraph inspect results/ --actor NATO  what is NATO asked to do?
  policygraph extract paper.pdf              read one PDF's text in reading order
"""


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="settings file whose keys override configs/settings.yaml (see that file for every default)",
    )


def _add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=PDF_BACKENDS,
        help="PDF reader feeding the layout analysis: pdfplumber (default) or pdfium (much faster, same blocks)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policygraph",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"policygraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="process PDFs and write every output (the main job)",
        description=(
            "Process PDFs (files or folders, searched recursively; PDFs are recognised by their "
            "content, not only by extension) through extract, segment, recognise and classify, "
            "build the corpus graph and write recommendations.jsonl, entities.jsonl, documents/, "
            "graph.graphml, graph.gexf, graph.json, graph.cyjs, nodes.csv, edges.csv, "
            "recommendations.parquet, report.html and manifest.json into --out. Other files found in "
            "folders are listed in manifest.json as skipped. Each document runs in a worker process "
            "within limits.document_seconds and limits.document_memory_mb; one that exceeds them is "
            "reported and the run goes on. Results are cached per document in --out, so a re-run only "
            "processes new or changed papers, and one that finds nothing changed keeps the outputs as "
            "they are. Outputs are replaced only when a run completes. Exit code 0 when every "
            "document succeeded, 2 when some failed (listed at the end and in manifest.json), "
            "1 on usage or configuration errors."
        ),
    )
    run.add_argument("paths", nargs="*", metavar="PATH", help="PDF files or folders (default: corpus/)")
    run.add_argument("--out", default="outputs", metavar="DIR", help="output folder (default: outputs/)")
    _add_config(run)
    run.add_argument("--jobs", type=int, metavar="N", help="worker processes for documents (default from settings: 1)")
    _add_backend(run)
    run.add_argument("--executor", choices=EXECUTORS, help="local processes (default) or a Dask cluster")
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786), or 'local' to start a LocalCluster; needs pip install .[dask]",
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore cached results in --out and process every document again (the cache is refreshed)",
    )
    run.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="follow symbolic links that point outside the given folders (off by default)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar or lines, only warnings and the summary")
    run.add_argument("--verbose", action="store_true", help="log details and print the traceback of each failure")

    extract = sub.add_parser(
        "extract",
        help="print one PDF's text, layout or Markdown",
        description="Extract one PDF: its body text in reading order (text), the layout with kinds and bboxes (json), or Markdown.",
    )
    extract.add_argument("file", metavar="FILE", help="the PDF")
    extract.add_argument("--format", choices=["text", "json", "markdown"], default="text", help="output format (default: text)")
    extract.add_argument("--password", help="password of an encrypted PDF")
    _add_backend(extract)
    _add_config(extract)

    evaluate = sub.add_parser(
        "evaluate",
        help="score predicted recommendations against labelled data",
        description=(
            "Score predictions against a labelled JSONL (ANNOTATION.md format): precision, recall and F1 "
            "for detection, addressees, targets, instruments (micro and macro) and (addressee, instrument) edges. "
            "Predictions come from --pred FILE.jsonl, or are made by running the pipeline on the PDFs given as PATH. "
            "With --cross-validate, each labelled document in --gold DIR is predicted by models trained on all the "
            "others (leave-one-document-out, PDFs in --pdfs DIR) and scored micro, averaged per document and per genre."
        ),
        epilog="example: policygraph evaluate --cross-validate --gold labelled/annotations --pdfs labelled/pdfs",
    )
    evaluate.add_argument("--gold", required=True, metavar="FILE.jsonl|DIR", help="labelled units: a JSONL file or a folder of them")
    evaluate.add_argument("--pred", metavar="FILE.jsonl", help="recommendations.jsonl from a run")
    evaluate.add_argument("paths", nargs="*", metavar="PATH", help="PDFs to run the pipeline on instead of --pred")
    evaluate.add_argument("--include-reported", action="store_true", help="count reported calls (default: optional, not scored)")
    evaluate.add_argument("--models", metavar="DIR", help="use the models in DIR (from train --out) instead of the shipped ones")
    evaluate.add_argument("--format", choices=["text", "json", "markdown"], default="text",
                          help="text (default), json, or markdown (with --cross-validate: the README's per-genre table)")
    evaluate.add_argument("--cross-validate", action="store_true",
                          help="leave-one-document-out over the labelled set in --gold DIR (retrains per fold; every unit scored)")
    evaluate.add_argument("--pdfs", metavar="DIR", help="with --cross-validate: the folder of the labelled documents' PDFs")
    evaluate.add_argument("--docs", nargs="*", metavar="DOC_ID", help="with --cross-validate: only these documents")
    evaluate.add_argument("--save-predictions", metavar="FILE.jsonl",
                          help="with --cross-validate: also write the held-out predictions here (a new file)")
    _add_config(evaluate)

    train = sub.add_parser(
        "train",
        help="fit the classifiers from labelled data",
        description="Fit the recommendation, instrument and modality classifiers from labelled JSONL and the sample PDFs, and write them with a model card.",
    )
    train.add_argument("--data", default="labelled/annotations", metavar="DIR",
                       help="folder of <doc_id>.jsonl labels (default: labelled/annotations, the repo's labelled set)")
    train.add_argument("--pdfs", default="labelled/pdfs", metavar="DIR",
                       help="folder holding the labelled documents' PDFs (default: labelled/pdfs)")
    train.add_argument("--docs", nargs="*", metavar="DOC_ID", help="train on these documents only (for held-out evaluation)")
    train.add_argument("--out", metavar="DIR", help="where to write the models (default: the package's models/ folder)")
    _add_config(train)

    inspect = sub.add_parser(
        "inspect",
        help="summarise a run's graph in the terminal",
        description="Summarise a run's graph: actors ranked by measures addressed to them, measures per instrument, measures shared by several papers, contradictions.",
    )
    inspect.add_argument("dir", metavar="DIR", help="output folder of a run")
    inspect.add_argument("--actor", help="an actor id or name: list what it is asked to do (e.g. --actor NATO)")
    inspect.add_argument("--instrument", help="an instrument id: who is asked to use it (e.g. --instrument sanctions)")
    inspect.add_argument("--doc", help="only measures proposed in this document id")
    inspect.add_argument("--format", choices=["text", "json"], default="text")
    _add_config(inspect)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    overrides: dict[str, object] = {}
    if getattr(args, "backend", None):
        overrides["extract.backend"] = args.backend
    if getattr(args, "jobs", None) is not None:
        if args.jobs < 1:
            raise UsageError(f"--jobs must be 1 or more, got {args.jobs}")
        overrides["run.jobs"] = args.jobs
    if getattr(args, "executor", None):
        overrides["run.executor"] = args.executor
    return overrides


def _load_config(args: argparse.Namespace):
    from pipeline.config import load_config

    return load_config(args.config, _overrides(args))


def cmd_extract(args: argparse.Namespace) -> int:
    """``policygraph extract``: only the settings are checked, since the taxonomies
    it never reads would cost it spaCy's import."""
    from pipeline.config import load_settings
    from pipeline.extract import extract_document, render

    settings = load_settings(args.config, _overrides(args))["extract"]
    layout = extract_document(
        args.file,
        settings=settings,
        backend=settings["backend"],
        password=args.password,
    )
    sys.stdout.write(render(layout, args.format))
    if not args.format == "json":
        sys.stdout.write("\n")
    skipped = layout.image_only_pages
    if skipped:
        print(f"note: {args.file}: pages without a text layer (scans): {', '.join(map(str, skipped))}", file=sys.stderr)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """``policygraph run``: 0 when every document succeeded, 2 when some failed, 1 on usage errors.

    The configuration is only validated when documents need work: a re-run
    that finds nothing changed keeps its outputs without loading spaCy.
    """
    from pipeline.config import ConfigSource
    from pipeline.run import run_corpus

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {args.jobs}")
    # jobs and executor are passed apart from the settings: they never change results,
    # so they must not change the configuration's hash (and with it the cache key)
    overrides = {"extract.backend": args.backend} if args.backend else {}
    summary = run_corpus(
        [Path(p) for p in (args.paths or ["corpus"])],
        Path(args.out),
        ConfigSource.of(args.config, overrides),
        use_cache=not args.no_cache,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
        follow_symlinks=args.follow_symlinks,
        quiet=args.quiet,
        verbose=args.verbose,
    )
    return EXIT_OK if summary.failed == 0 else EXIT_DOCUMENT_FAILED


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline.evaluate import evaluate_command

    config = _load_config(args)
    return evaluate_command(args, config)


def cmd_train(args: argparse.Namespace) -> int:
    from pipeline.training import train_command

    config = _load_config(args)
    return train_command(args, config)


def cmd_inspect(args: argparse.Namespace) -> int:
    from pipeline.inspect import render_summary, summarise

    config = _load_config(args)
    from pipeline.run import half_swapped

    out_dir = Path(args.dir)
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: not a folder; pass the --out folder of a run (default: outputs)")
    leftover = half_swapped(out_dir)
    if leftover is not None:
        raise UsageError(
            f"{out_dir}: a run was stopped while it replaced these outputs ({leftover.name} holds the rest), so the "
            "folder mixes two runs; run `policygraph run` again with the same --out to complete it, then inspect"
        )
    summary = summarise(out_dir, actor=args.actor, instrument=args.instrument, doc=args.doc, config=config)
    if args.format == "json":
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(render_summary(summary))
    return EXIT_OK


COMMANDS = {
    "run": cmd_run,
    "extract": cmd_extract,
    "evaluate": cmd_evaluate,
    "train": cmd_train,
    "inspect": cmd_inspect,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except DocumentError as exc:
        _error(exc, verbose)
        return EXIT_DOCUMENT_FAILED
    except (ConfigError, UsageError) as exc:
        _error(exc, False)
        return EXIT_USAGE
    except PolicygraphError as exc:
        _error(exc, verbose)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("policygraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` and the like: stop quietly, as Unix tools do
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        # the machine, not the documents: a full disk, a folder gone, no permission
        if exc.errno is None:  # raised by policygraph itself, with its own message
            _error(exc, verbose)
        else:
            where = f"{exc.filename}: " if exc.filename else ""
            _error(f"{where}{exc.strerror}; free space or fix permissions and run again "
                   "(earlier outputs are kept as they were)", verbose)
        return EXIT_USAGE


def _error(error: object, verbose: bool) -> None:
    """One line on stderr, with control characters escaped; the traceback only with --verbose."""
    print(f"policygraph: error: {printable(error)}", file=sys.stderr)
    if verbose:
        traceback.print_exc()


if __name__ == "__main__":
    sys.exit(main())
