"""policygraph: who is asked to do what, to whom, with which instrument, in policy papers."""

__version__ = "0.1.0"
