"""``kpi schema KIND``: the JSON Schema of a YAML kind, for editors (docs/reference)."""

from __future__ import annotations

import argparse
import sys

from ..reference import shipped_schema
from .common import command


@command("schema")
def schema(args: argparse.Namespace) -> int:
    """Print the schema as generated from the models (UTF-8, whatever the console's
    encoding: the descriptions hold Chinese)."""
    text = shipped_schema(args.kind)
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(text)
        return 0
    sys.stdout.flush()
    out.write(text.encode("utf-8"))
    out.flush()
    return 0
