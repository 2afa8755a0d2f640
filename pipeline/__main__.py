"""``python -m pipeline`` is the same program as ``policygraph``."""

import sys

from pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main())
