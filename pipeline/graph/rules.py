"""The graph stage's view of the contradiction rules; they are parsed and validated in the configuration layer
(:mod:`pipeline.taxonomy.contradictions`) and carried by :class:`~pipeline.config.Config`."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import DEFAULT_CONFIG_DIR, Config
from pipeline.taxonomy.contradictions import ContradictionRules, Opposition, Pole, load_contradictions

__all__ = ["DEFAULT_CONTRADICTIONS", "ContradictionRules", "Opposition", "Pole", "load_contradiction_rules", "rules_for"]

DEFAULT_CONTRADICTIONS = DEFAULT_CONFIG_DIR / "contradictions.yaml"


def load_contradiction_rules(path: str | Path | None = None, config: Config | None = None) -> ContradictionRules:
    """Read and validate contradictions.yaml (instrument ids are checked against ``config``)."""
    known = config.instruments.ids if config is not None else None
    return load_contradictions(DEFAULT_CONTRADICTIONS if path is None else path, known)


def rules_for(config: Config) -> ContradictionRules:
    """The rules named by ``paths.contradictions`` in the settings, as ``load_config`` read them."""
    return config.contradictions
