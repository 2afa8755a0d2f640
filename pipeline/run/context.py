"""What every step of one run needs to know, decided once by ``run_corpus``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.run.versions import CacheKeys


@dataclass(frozen=True)
class RunContext:
    out_dir: Path
    config: Config
    versions: dict[str, str]
    keys: CacheKeys
    fingerprint: str | None
    executor: str
    jobs: int
    started: float
    verbose: bool = False
