"""``kpi report`` and ``kpi explore``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..reports.batch import Outcome

from ..errors import Problem, raise_if
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

    _check_report_options(args)
    if args.annual is not None:
        return _annual(args)
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
        compare=args.compare,
    )
    teams = args.team or []
    jobs = plan_jobs(
        ctx,
        scheme=scheme,
        data_dir=data_dir,
        teams=teams,
        per_employee=args.per_employee,
        employees=args.employee or [],
        approval=_approval(args),
        sources=sources,
        records_dir=records,
        corrections=corrections,
        plans=absolute(args.plans),
        compare=None if args.compare is None or ctx.previous is None else str(ctx.previous.period),
    )
    out_dir = make_folder(Path(args.out_dir or Path("reports") / str(ctx.appraisal.period)))
    out_dir = out_dir.resolve()
    for team, stem in scores_workbooks(ctx.appraisal, teams).items():  # one per report: its people
        scores = inside(out_dir, stem, extension=".xlsx")
        excel = write_scores_excel(ctx.appraisal, scores, lang=args.lang, team=team)
        print(f"scores written to {excel}", file=sys.stderr)
    outcomes = run_jobs(jobs, out_dir=out_dir, progress=not args.quiet, pdf=args.pdf, context=ctx)
    return _written(outcomes, out_dir)


def _approval(args: argparse.Namespace) -> dict[str, str]:
    """The approval block's names and dates given (``--prepared-by`` …)."""
    return {k: v for k, v in vars(args).items() if k.endswith(("_by", "_on")) and v}


# Options that make sense only for a period's report, or only for the annual review.
_PERIOD_ONLY = ("team", "per_employee", "employee", "compare", "corrections", "plans")
_ANNUAL_ONLY = ("installs", "install_price", "repairs", "repair_price", "allocation")


def _check_report_options(args: argparse.Namespace) -> None:
    """Exactly one of ``--period`` and ``--annual``, and no option of the other kind."""
    annual = args.annual is not None
    problems = []
    if annual == (args.period is not None):
        problems.append(
            Problem(
                where="--period / --annual",
                message="both given" if annual else "neither given",
                allowed="--period P (a period's report) or --annual YYYY (the annual review)",
            )
        )
    wrong = _PERIOD_ONLY if annual else _ANNUAL_ONLY
    problems += [
        Problem(
            where="--" + name.replace("_", "-"),
            message="not an option of the annual review"
            if annual
            else "an option of the annual review (--annual YYYY) only",
            allowed="leave it out",
        )
        for name in wrong
        if getattr(args, name) not in (None, False, [])
    ]
    raise_if(problems)


def _annual(args: argparse.Namespace) -> int:
    """``kpi report --annual YYYY``: the annual review, its inputs checked here first."""
    from ..engine.annual import parse_year
    from ..engine.bonus import bonus_settings
    from ..files import make_folder
    from ..reports.annual_review import load_review
    from ..reports.batch import annual_job, run_jobs

    year = parse_year(args.annual).year
    data_dir = str(Path(args.data_dir).resolve())
    scheme = absolute(args.scheme, only_if_exists=True) or args.scheme
    sources, records = absolute(args.sources, only_if_exists=True), absolute(args.records_dir)
    review = load_review(  # bad input stops here, exit 2, before any notebook runs
        scheme=scheme,
        data_dir=data_dir,
        year=year,
        lang=args.lang,
        sources=sources,
        records_dir=records,
    )
    bonus: dict[str, object] = {}
    if args.installs or args.repairs:
        prices, rule = bonus_settings(
            review.scheme, args.install_price, args.repair_price, args.allocation
        )
        bonus = {
            "installs": args.installs or 0,
            "install_price": prices[0],
            "repairs": args.repairs or 0,
            "repair_price": prices[1],
            "allocation": rule,
        }
    job = annual_job(
        scheme=scheme,
        data_dir=data_dir,
        year=year,
        lang=args.lang,
        bonus=bonus,
        approval=_approval(args),
        sources=sources,
        records_dir=records,
    )
    out_dir = make_folder(Path(args.out_dir or Path("reports") / str(year))).resolve()
    outcomes = run_jobs([job], out_dir=out_dir, progress=not args.quiet, pdf=args.pdf)
    return _written(outcomes, out_dir)


def _written(outcomes: list[Outcome], out_dir: Path) -> int:
    """Say what was written and what failed; the exit code (1 where a report failed)."""
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        name = "/".join(filter(None, (outcome.job.folder, outcome.job.stem)))
        print(f"failed: {name}: {outcome.error}", file=sys.stderr)
    written = [o for o in outcomes if o.ok]
    print(f"{len(written)} report(s) written to {out_dir}, {len(failed)} failed", file=sys.stderr)
    for outcome in written:
        if not outcome.job.folder:
            print(outcome.html)
            if outcome.pdf is not None:
                print(outcome.pdf)
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
        scenario_dir=absolute(args.scenario_dir),
        sources=absolute(args.sources, only_if_exists=True),
        records_dir=records_dir,
    )
    return 0
