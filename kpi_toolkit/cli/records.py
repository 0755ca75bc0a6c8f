"""``kpi metrics`` (actuals from raw records) and ``kpi sample``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import ledger_table

if TYPE_CHECKING:
    pass

from .common import (
    command,
    not_computed,
    write_table,
)


@command("metrics")
def _metrics(args: argparse.Namespace) -> int:
    from ..records.metric_sets import load_metrics
    from ..records.metrics import compute_from_files
    from ..records.sources import load_source

    spec = load_source(args.source)
    result = compute_from_files(spec, args.data, grain=args.period_grain)
    write_table(result.actuals, args.out, what="actuals")
    summary = result.ledger.summary(lang=args.lang)
    if len(summary):
        file = str(spec.data_path(args.data))
        title = spec.label.get(args.lang, "")
        shown = ledger_table(
            summary.assign(table=spec.table, title=title, file=file), lang=args.lang
        )
        print(shown.to_string(index=False), file=sys.stderr)
    if result.skipped:  # the metric set is read again only to name what was skipped
        metrics = load_metrics(spec.metrics).metrics
        names = {m: dict(metrics[m].label).get(args.lang, m) for m in result.skipped}
        not_computed(result.skipped, names=names, lang=args.lang)
    return 0


@command("sample")
def _sample(args: argparse.Namespace) -> int:
    from ..sample.department import write_sample

    paths = write_sample(args.out, seed=args.seed, records=not args.no_records)
    print(f"sample department written to {Path(args.out).resolve()} ({len(paths)} files)")
    return 0
