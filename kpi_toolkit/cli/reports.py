"""``kpi report`` and ``kpi explore``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from .common import (
    absolute,
    command,
    read_inputs,
)


@command("report")
def _report(args: argparse.Namespace) -> int:
    from ..files import inside, make_folder
    from ..reports.batch import context_for, plan_jobs, run_jobs
    from ..reports.excel import scores_workbooks, write_scores_excel

    data_dir = str(Path(args.data_dir).resolve())
    scheme = absolute(args.scheme, only_if_exists=True) or args.scheme
    sources = absolute(args.sources, only_if_exists=True)
    records = absolute(args.records_dir)
    corrections = absolute(args.corrections)
    ctx = context_for(
        scheme=scheme,
        data_dir=data_dir,
        period=args.period,
        lang=args.lang,
        sources=sources,
        records_dir=records,
        corrections=corrections,
        plans=absolute(args.plans),
    )
    teams = args.team or []
    approval = {k: v for k, v in vars(args).items() if k.endswith(("_by", "_on")) and v}
    jobs = plan_jobs(
        ctx,
        scheme=scheme,
        data_dir=data_dir,
        teams=teams,
        per_employee=args.per_employee,
        employees=args.employee or [],
        approval=approval,
        sources=sources,
        records_dir=records,
        corrections=corrections,
        plans=absolute(args.plans),
    )
    out_dir = make_folder(Path(args.out_dir or Path("reports") / str(ctx.appraisal.period)))
    out_dir = out_dir.resolve()
    for team, stem in scores_workbooks(ctx.appraisal, teams).items():  # one per report: its people
        scores = inside(out_dir, stem, extension=".xlsx")
        excel = write_scores_excel(ctx.appraisal, scores, lang=args.lang, team=team)
        print(f"scores written to {excel}", file=sys.stderr)
    outcomes = run_jobs(jobs, out_dir=out_dir, progress=not args.quiet)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        name = "/".join(filter(None, (outcome.job.folder, outcome.job.stem)))
        print(f"failed: {name}: {outcome.error}", file=sys.stderr)
    written = [o for o in outcomes if o.ok]
    print(f"{len(written)} report(s) written to {out_dir}, {len(failed)} failed", file=sys.stderr)
    for outcome in written:
        if not outcome.job.folder:
            print(outcome.html)
    return 1 if failed else 0


@command("explore")
def _explore(args: argparse.Namespace) -> int:
    from ..explorer.server import serve_explorer
    from ..pipeline import appraise

    data_dir, records_dir = str(Path(args.data_dir).resolve()), absolute(args.records_dir)
    inputs = read_inputs(args, period=args.period)  # bad input stops here, exit 2, before serving
    appraise(inputs, period=args.period, lang=args.lang)
    print(
        f"serving the weight explorer on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)",
        file=sys.stderr,
    )
    serve_explorer(
        scheme=inputs.scheme.path or args.scheme,
        data_dir=data_dir,
        period=args.period,
        lang=args.lang,
        port=args.port,
        open_browser=args.open_browser,
        sources=absolute(args.sources, only_if_exists=True),
        records_dir=records_dir,
    )
    return 0
