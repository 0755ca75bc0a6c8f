"""The ``kpi`` command line (also ``python -m kpi_toolkit``).

One module per family of commands, each registering its commands with
:func:`~kpi_toolkit.cli.common.command`: ``appraisal`` (validate, score, annual, bonus),
``records`` (metrics, sample), ``reports`` (report, explore), ``forms`` (raters, forms,
collect); ``parser`` holds the options, ``common`` what they share.

Exit codes: 0 ok, 2 bad input (a message naming the file, row or key, the bad value and
what is allowed; no traceback), 1 internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..errors import InputError, KpiError
from . import appraisal, forms, records, reports, schema  # noqa: F401  (each registers its commands)
from .common import COMMANDS
from .parser import build_parser
from .records import select_engine

__all__ = ["build_parser", "main"]

_parser = build_parser  # the name earlier versions had


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        with select_engine(args):
            return COMMANDS[args.command](args)
    except InputError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return 2
    except KpiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an internal error: short message, traceback on request
        if os.environ.get("KPI_DEBUG"):
            raise
        print(
            f"internal error: {type(error).__name__}: {error}\n"
            "(set KPI_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1
