"""``python -m paper`` (with tools/ on ``sys.path``): see :mod:`paper`."""

import sys

from paper.cli import main

if __name__ == "__main__":
    sys.exit(main())
