"""Taxonomies from ``configs/``: actors and instruments, validated at load."""

from pipeline.taxonomy.actors import Actor, ActorTaxonomy, load_actors
from pipeline.taxonomy.instruments import Instrument, InstrumentTaxonomy, load_instruments

__all__ = [
    "Actor",
    "ActorTaxonomy",
    "Instrument",
    "InstrumentTaxonomy",
    "load_actors",
    "load_instruments",
]
