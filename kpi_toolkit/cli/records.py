"""``kpi metrics`` (actuals from raw records) and ``kpi sample``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import Lang, label, ledger_table

if TYPE_CHECKING:
    from ..records.ledger import Ledger
    from ..records.sources import SourceSpec

from .common import (
    command,
    not_computed,
    write_table,
)


@contextlib.contextmanager
def select_engine(args: argparse.Namespace) -> Iterator[None]:
    """``--engine`` (with ``--spark-remote`` / ``--spark-master``) checked and made the
    environment's while the command runs, so the notebooks a report runs use it too; none
    given: the environment's (``KPI_ENGINE``), else DuckDB."""
    if getattr(args, "engine", None) is None:
        yield
        return
    from ..records.engines import engine_of, use_engine

    remote = args.spark_remote or os.environ.get("SPARK_REMOTE") or None
    with use_engine(engine_of(args.engine, remote=remote, master=args.spark_master)):
        yield


@command("metrics")
def _metrics(args: argparse.Namespace) -> int:
    from ..records.metric_sets import load_metrics
    from ..records.metrics import compute_from_files
    from ..records.sources import load_source

    spec = load_source(args.source)
    chosen = args.metrics or spec.param("metrics", "metrics")
    result = compute_from_files(spec, args.data, grain=args.period_grain, metrics=chosen)
    write_table(result.actuals, args.out, what="actuals", decimals=args.decimals)
    _print_ledger(result.ledger, spec=spec, data=args.data, lang=args.lang)
    if result.skipped:  # the metric set is read again only to name what was skipped
        metrics = load_metrics(chosen).metrics
        names = {m: dict(metrics[m].label).get(args.lang, m) for m in result.skipped}
        not_computed(result.skipped, names=names, lang=args.lang)
    return 0


def _print_ledger(ledger: Ledger, *, spec: SourceSpec, data: str | None, lang: Lang) -> None:
    """Rows read, where they went, and the balance (used + excluded = read), on stderr."""
    summary = ledger.summary(lang=lang)
    file = str(spec.data_path(data))
    title = spec.label.get(lang, "")
    shown = ledger_table(summary.assign(table=spec.table, title=title, file=file), lang=lang)
    print(f"{label('ledger.rows_read', lang)}: {ledger.rows_in}", file=sys.stderr)
    if len(shown):
        print(shown.to_string(index=False), file=sys.stderr)
    balance = label(
        "ledger.balance",
        lang,
        used=ledger.rows_used,
        excluded=ledger.rows_excluded,
        read=ledger.rows_in,
    )
    print(balance, file=sys.stderr)


@command("sample")
def _sample(args: argparse.Namespace) -> int:
    from ..sample.department import write_sample

    paths = write_sample(args.out, seed=args.seed, records=not args.no_records)
    print(f"sample department written to {Path(args.out).resolve()} ({len(paths)} files)")
    return 0
