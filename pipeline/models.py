"""The trained classifiers: saved with skops (never a pickle), loaded with a type check.

``policygraph train`` writes ``detector.skops``, ``instruments.skops`` and
``models.json`` (labels, training data, scores) plus ``MODEL_CARD.md`` into a
models folder; the package ships the ones ``train`` makes from the repo's own
labelled data in ``pipeline/models/``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.atomic import atomic_write_bytes
from pipeline.errors import ModelError

PACKAGED_MODELS = Path(__file__).resolve().parent / "models"
DETECTOR_FILE = "detector.skops"
INSTRUMENTS_FILE = "instruments.skops"
META_FILE = "models.json"
# Only estimators from these libraries, and policygraph's own estimators, may
# be loaded from a model file.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.", "pandas.")
TRUSTED_TYPES = frozenset({"pipeline.classify.instruments.InstrumentClassifier"})


@dataclass(frozen=True)
class Models:
    detector: Any  # sklearn Pipeline (build_detector): rows_frame feature rows -> P(recommendation)
    instruments: Any  # InstrumentClassifier: (text, measure) rows -> one probability per instrument
    instrument_labels: tuple[str, ...]
    meta: dict[str, Any]


def _load_skops(path: Path) -> Any:
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{path}: not a readable skops model file ({exc}); run `policygraph train` to rebuild it") from None
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES) and t not in TRUSTED_TYPES]
    if refused:
        raise ModelError(
            f"{path}: the model file names types outside scikit-learn/numpy/scipy and policygraph's estimators "
            f"({', '.join(refused[:5])}); "
            "refusing to load it. Rebuild it with `policygraph train`"
        )
    return sio.load(path, trusted=untrusted)


def load_models(directory: str | Path | None = None) -> Models:
    """Load the models from ``directory`` (default: the ones shipped in the package)."""
    directory = Path(directory) if directory is not None else PACKAGED_MODELS
    meta_path = directory / META_FILE
    if not meta_path.exists():
        raise ModelError(
            f"{directory}: no trained models here (expected {META_FILE}, {DETECTOR_FILE}, {INSTRUMENTS_FILE}); "
            "run `policygraph train` to create them"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return Models(
        detector=_load_skops(directory / DETECTOR_FILE),
        instruments=_load_skops(directory / INSTRUMENTS_FILE),
        instrument_labels=tuple(meta["instrument_labels"]),
        meta=meta,
    )


def save_models(models: Models, directory: str | Path, card: str) -> list[Path]:
    """Write the models, their metadata and model card into ``directory``."""
    import skops.io as sio

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, estimator in ((DETECTOR_FILE, models.detector), (INSTRUMENTS_FILE, models.instruments)):
        atomic_write_bytes(directory / name, sio.dumps(estimator))
        written.append(directory / name)
    meta = dict(models.meta, instrument_labels=list(models.instrument_labels))
    atomic_write_bytes(directory / META_FILE, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
    atomic_write_bytes(directory / "MODEL_CARD.md", card.encode())
    written += [directory / META_FILE, directory / "MODEL_CARD.md"]
    return written


def model_version(directory: str | Path | None = None) -> str:
    """A short hash of the model files, for the manifest and the cache key."""
    directory = Path(directory) if directory is not None else PACKAGED_MODELS
    digest = hashlib.sha256()
    for name in (META_FILE, DETECTOR_FILE, INSTRUMENTS_FILE):
        path = directory / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
