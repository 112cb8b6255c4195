"""The ``loyaltysim`` command line.

Every problem with the input is reported as one line on stderr naming the
parameter, what it got and what it accepts, with exit status 2 and nothing
written to disk. Output files are written only when the work succeeded, each
through a temporary file renamed into place.

- :mod:`~loyaltysim.cli.parser` — the sub-commands and their options;
- :mod:`~loyaltysim.cli.commands` — one handler per sub-command;
- :mod:`~loyaltysim.cli.serve` — serving the app on this machine.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from loyaltysim.errors import LoyaltysimError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``loyaltysim`` command; returns the exit status."""
    from loyaltysim.cli.parser import build_parser

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except LoyaltysimError as exc:
        print(f"loyaltysim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `loyaltysim params | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("loyaltysim: interrupted; nothing was written", file=sys.stderr)
        return 130
