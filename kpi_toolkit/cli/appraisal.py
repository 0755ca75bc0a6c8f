"""``kpi validate``, ``kpi score``, ``kpi annual`` and ``kpi bonus``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import InputError, Problem
from ..labels import label

if TYPE_CHECKING:
    from ..engine.scheme import Scheme

from .common import (
    command,
    read_inputs,
    report_excluded,
    summary,
    warn_unused,
    write_table,
)


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from ..engine.scheme import load_scheme

    scheme = load_scheme(args.scheme)
    kpis = sum(len(p.kpis) for p in scheme.positions.values())
    print(
        f"{scheme.path}: valid — scheme {scheme.id}, {len(scheme.positions)} position(s), "
        f"{kpis} KPI(s)"
    )
    if scheme.unfilled:
        print(f"parameters to fill before scoring: {', '.join(scheme.unfilled)}")
    return 0


@command("score")
def _score(args: argparse.Namespace) -> int:
    from ..engine.grading import team_ranking
    from ..pipeline import appraise
    from ..reports.html import number

    inputs = read_inputs(args, period=args.period)
    scheme = inputs.scheme
    result = appraise(inputs, period=args.period, lang=args.lang)
    write_table(result.scores, args.out, what="scores")
    report_excluded(result.excluded, args.lang)
    warn_unused(result.excluded, inputs.actuals, period=result.period, lang=args.lang)
    if args.out:
        columns = ["employee_id", "name", "position", "team", "total", "grade", "rank"]
        print(summary(result.scores, scheme=scheme, lang=args.lang, columns=columns))
        teams = team_ranking(result.scores, scheme=scheme, lang=args.lang)
        print(f"\n{label('team_ranking', args.lang)}:")
        teams = teams.rename(columns={"rank": "team_rank"})
        print(
            teams.rename(columns=lambda c: label(c, args.lang)).to_string(
                index=False, float_format=number
            )
        )
        print(f"\n{Path(args.out).resolve()}")
    return 0


@command("annual")
def _annual(args: argparse.Namespace) -> int:
    from ..pipeline import appraise_year

    inputs = read_inputs(args)
    scheme = inputs.scheme
    result = appraise_year(inputs, year=args.year, lang=args.lang)
    write_table(result.scores, args.out, what="year results")
    report_excluded(result.excluded, args.lang)
    if args.out:
        columns = ["employee_id", "name", "position", "total", "quarters", "grade", "rank"]
        print(summary(result.scores, scheme=scheme, lang=args.lang, columns=columns))
    from ..engine.improvement import losses_of, year_pattern
    from ..reports.improvement import year_pattern_lines

    # the year's pattern (a KPI lost in 3 quarters or more): after the summary, or on
    # stderr when the results themselves go to stdout
    pattern = year_pattern_lines(
        year_pattern(losses_of(result.appraisals)), scheme=scheme, lang=args.lang
    )
    print("\n" + "\n".join(pattern), file=sys.stdout if args.out else sys.stderr)
    return 0


@command("bonus")
def _bonus(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..engine.bonus import (
        add_extras,
        allocate_bonus,
        allocate_by_grade,
        bonus_pool,
        check_scores,
    )
    from ..engine.inputs import read_table
    from ..engine.roster import require_appraised

    scores = read_table(args.scores)
    missing = [c for c in ("employee_id", "name", "total", "grade") if c not in scores]
    if missing:
        raise InputError(
            Problem(
                where=args.scores,
                message=f"columns missing: {', '.join(missing)}",
                allowed="a scores file written by kpi score or kpi annual",
            )
        )
    read = len(scores)
    scores = check_scores(scores, period=args.period)
    require_appraised(
        scores,
        pd.DataFrame(),
        period=args.period or "the scores file",
        rows=read,
        file=args.scores,
        where="rows of the scores",
    )
    scheme, prices, allocation = _bonus_settings(args)
    pool = bonus_pool(
        installs=args.installs,
        install_price=prices[0],
        repairs=args.repairs,
        repair_price=prices[1],
        headcount=len(scores),
    )
    if allocation == "grade" and scheme is not None:
        result = allocate_by_grade(scores, pool=pool, scheme=scheme)
    else:
        mode: Literal["base", "proportional"] = (
            "proportional" if allocation == "proportional" else "base"
        )
        result = allocate_bonus(scores, pool=pool, allocation=mode)
    wanted = ("employee_id", "name", "position", "team", "period", "year", "total", "grade")
    keep = [c for c in (*wanted, "bonus_factor", "bonus") if c in result]
    result = result[keep]
    if args.extras:
        result = add_extras(result, read_table(args.extras))
    print(
        f"pool {pool.pool:.2f} yuan, {pool.headcount} appraised, base per head "
        f"{pool.base_per_head:.2f} yuan, allocation {allocation}",
        file=sys.stderr,
    )
    write_table(result, args.out, what="bonus")
    return 0


def _bonus_settings(
    args: argparse.Namespace,
) -> tuple[Scheme | None, tuple[float, float], Literal["base", "proportional", "grade"]]:
    """The scheme (``--scheme``), the unit prices and the allocation
    (:func:`~kpi_toolkit.engine.bonus.bonus_settings`)."""
    from ..engine.bonus import bonus_settings
    from ..engine.scheme import load_scheme

    scheme = load_scheme(args.scheme) if args.scheme else None
    prices, allocation = bonus_settings(
        scheme, args.install_price, args.repair_price, args.allocation
    )
    return scheme, prices, allocation
