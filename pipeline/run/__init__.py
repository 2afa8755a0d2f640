"""Corpus runs, in the kedro way: discovery, planning, execution and outputs apart.

Modules, each with one job:

- ``discovery``: the files under the given paths, PDFs told by their bytes;
- ``planning``: doc ids, page counts, bytes' hashes, cache look-up, rebinding;
- ``versions``: program and library versions, source digests, cache keys, fingerprint;
- ``worker``: one document in a worker process, its clock and memory ceiling;
- ``executors``: local worker processes (pebble) or a Dask cluster;
- ``folder``: the output folder's names, lock and the checks that protect the user's files;
- ``outputs``: staging, the swap file by file, recovery of an interrupted swap;
- ``manifest``: entries, the run's summary, re-runs that change nothing;
- ``corpus``: ``run_corpus``, the orchestration.

Decisions a user can rely on: other files found in folders get a manifest
entry ``skipped`` (``not_a_pdf``) and do not make the run fail, while a
non-PDF named on the command line is a failure; a document that exceeds the
limits or kills its worker costs that document only; results are cached per
document and committed as each finishes; outputs replace only what an earlier
run wrote; a lock file keeps two runs from writing one folder at once.
"""

from pipeline.run.corpus import run_corpus
from pipeline.run.discovery import Candidate, discover
from pipeline.run.manifest import DocumentEntry, RunSummary
from pipeline.run.outputs import half_swapped
from pipeline.run.planning import assign_doc_ids, plan_documents, rebind
from pipeline.run.worker import predict_paths, process_document

__all__ = [
    "Candidate", "DocumentEntry", "RunSummary", "assign_doc_ids", "discover", "half_swapped", "plan_documents",
    "predict_paths", "process_document", "rebind", "run_corpus",
]
