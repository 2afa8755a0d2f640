"""What a run's results depend on: program and library versions, source digests, cache keys, the run's fingerprint.

Per-document results are cached under keys of these, so an edited checkout or
an upgraded library never reuses stale results. Layouts have their own,
narrower key, so a taxonomy change redoes recognition but not extraction.
Which sources and libraries count is declared in :mod:`pipeline.registry`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import __version__, registry
from pipeline.config import Config

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def short_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@functools.cache
def source_digest(*parts: str) -> str:
    """A hash of the package's files (or of the named parts), trained models aside."""
    tops = [PACKAGE_DIR / part for part in parts] if parts else [PACKAGE_DIR]
    files: list[Path] = []
    for top in tops:
        if top.is_file():
            files.append(top)
            continue
        for path in top.rglob("*"):
            relative = path.relative_to(PACKAGE_DIR).parts
            if path.is_file() and "__pycache__" not in relative and relative[0] != "models":
                files.append(path)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def program_versions(model_package: str) -> dict[str, str]:
    """Versions that change results, from package metadata (without importing the libraries)."""
    from importlib.metadata import PackageNotFoundError, version

    from pipeline.models import model_version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    versions = {"policygraph": __version__, "policygraph_source": source_digest()}
    versions.update({library: installed(library) for library in registry.libraries()})
    versions["spacy_model"] = f"{model_package} {installed(model_package.replace('_', '-'))}"
    versions["classifiers"] = model_version()
    return versions


@dataclass(frozen=True)
class CacheKeys:
    extract: str  # layouts: extraction settings, extract code, PDF libraries
    result: str  # results: the whole configuration and every version


def cache_keys(config: Config, versions: dict[str, str]) -> CacheKeys:
    extract = short_hash([
        config.settings["extract"], source_digest(*registry.layout_sources()),
        *(versions[library] for library in registry.layout_libraries()),
    ])
    per_document = {k: v for k, v in versions.items() if k != "policygraph_source"}
    return CacheKeys(extract=extract, result=short_hash([config.hash, per_document, source_digest(*registry.result_sources())]))


def run_fingerprint(config_fingerprint: str, versions: dict[str, str], plan: Sequence[Any]) -> str:
    """One hash over everything the outputs depend on: configuration, versions, files and their bytes.

    ``plan`` holds the run's :class:`~pipeline.run.planning.PlannedDocument` entries.
    """
    files = [(p.path, p.doc_id, p.digest, p.decided.status if p.decided else None) for p in plan]
    return short_hash([config_fingerprint, versions, files])
