"""The ``kpi`` command line (also ``python -m kpi_toolkit``).

Exit codes: 0 ok, 2 bad input (a message naming the file, row or key, the bad value and
what is allowed; no traceback), 1 internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

import pandas as pd

from . import __version__
from .errors import InputError, KpiError, Problem
from .labels import Lang, label, ledger_table, position_names

if TYPE_CHECKING:
    from .engine.scheme import Scheme
    from .periods import Period
    from .pipeline import Inputs
    from .reports.collect import Collected

__all__ = ["main"]

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
MAX_GROUPS_SHOWN = 15  # incomplete (ratee, group) rows printed by kpi collect
PLANS_HELP = "work-objective plans: per-person targets (default: the data directory's plans)"


def command(name: str) -> Callable:
    def add(function: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = function
        return function

    return add


def _parameters(pairs: Sequence[str] | None) -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs or ():
        name, _, text = pair.partition("=")
        try:
            values[name.strip()] = float(text)
        except ValueError:
            raise InputError(
                Problem(
                    where=f"--set {pair}",
                    message="not NAME=NUMBER",
                    value=pair,
                    allowed="e.g. --set complaint_rate_max=0.02",
                )
            ) from None
    return values


def _write(frame: pd.DataFrame, out: str | None, *, what: str) -> None:
    if not out:
        print(frame.to_csv(index=False), end="")
        return
    from .files import write_atomic

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from .reports.excel import write_table_excel

        write_table_excel(frame, path)
    else:
        write_atomic(path, frame.round(4).to_csv(index=False).encode("utf-8-sig"))
    print(f"{what} written to {path}", file=sys.stderr)


def _report_excluded(excluded: pd.DataFrame, lang: Lang) -> None:
    """People not appraised, grouped by reason (up to 8 names each) on stderr."""
    if excluded.empty:
        return
    print(f"{label('not_appraised', lang)} ({len(excluded)}):", file=sys.stderr)
    for reason, group in excluded.groupby("reason", sort=False):
        people = [f"{e} {n}" for e, n in zip(group["employee_id"], group["name"], strict=True)]
        more = f" … +{len(people) - 8}" if len(people) > 8 else ""
        print(f"  {reason} [{len(people)}]: {', '.join(people[:8])}{more}", file=sys.stderr)


def _summary(scores: pd.DataFrame, *, scheme: Scheme, lang: Lang, columns: Sequence[str]) -> str:
    """The scores as a console table (positions by name, headers labelled), grade counts."""
    from .reports.html import number

    head = scores[list(columns)].copy()
    if "position" in head:
        head["position"] = position_names(head["position"], scheme=scheme, lang=lang)
    head = head.rename(columns=lambda c: label(c, lang))
    counts = scores["grade_id"].value_counts()  # in the scheme's order, best first
    grades = "  ".join(f"{g.name.get(lang)} {counts.get(g.id, 0)}" for g in scheme.grade_order())
    return (
        f"{head.to_string(index=False, float_format=number)}\n\n"
        f"{label('grade', lang)}: {grades}   {label('mean_total', lang)}: "
        f"{number(scores['total'].mean())}"
    )


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from .engine.scheme import load_scheme

    scheme = load_scheme(args.scheme)
    kpis = sum(len(p.kpis) for p in scheme.positions.values())
    print(
        f"{scheme.path}: valid — scheme {scheme.id}, {len(scheme.positions)} position(s), "
        f"{kpis} KPI(s)"
    )
    if scheme.unfilled:
        print(f"parameters to fill before scoring: {', '.join(scheme.unfilled)}")
    return 0


def _inputs(args: argparse.Namespace, *, period: str | None = None) -> Inputs:
    """The period's inputs, resolved as every surface resolves them (ledger on stderr)."""
    from .periods import parse_period
    from .pipeline import resolve_inputs

    data_dir, records_dir = _folders(args)
    inputs = resolve_inputs(
        args.scheme,
        data_dir=data_dir,
        roster=getattr(args, "roster", None),
        actuals=getattr(args, "actuals", None),
        ratings=getattr(args, "ratings", None),
        plans=getattr(args, "plans", None),
        sources=args.sources,
        records_dir=records_dir,
        parameters=_parameters(getattr(args, "set", None)),
        grains=None if period is None else (parse_period(period).grain,),
        corrections=getattr(args, "corrections", None),
    )
    if inputs.bundle is not None:
        shown = ledger_table(inputs.bundle.ledger(lang=args.lang), lang=args.lang)
        print(shown.to_string(index=False), file=sys.stderr)
        kpis = {
            k.id: k.name.get(args.lang) for p in inputs.scheme.positions.values() for k in p.kpis
        }
        _not_computed(inputs.bundle.skipped, names=kpis, lang=args.lang)
    return inputs


def _folders(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """``--data-dir`` (roster, actuals, ratings) and ``--records-dir`` (raw exports).

    Earlier versions of ``kpi score``/``kpi annual`` spelled the raw exports' folder
    ``--data-dir`` beside ``--sources`` and ``--roster``: that spelling keeps working.
    """
    data_dir, records_dir = args.data_dir, getattr(args, "records_dir", None)
    old_spelling = args.sources and data_dir and not records_dir and getattr(args, "roster", None)
    if old_spelling and args.command in ("score", "annual"):
        print(label("cli.old_records_dir", args.lang, folder=data_dir), file=sys.stderr)
        return None, data_dir
    return data_dir, records_dir


@command("score")
def _score(args: argparse.Namespace) -> int:
    from .engine.grading import team_ranking
    from .pipeline import appraise
    from .reports.html import number

    inputs = _inputs(args, period=args.period)
    scheme = inputs.scheme
    result = appraise(inputs, period=args.period, lang=args.lang)
    _write(result.scores, args.out, what="scores")
    _report_excluded(result.excluded, args.lang)
    if args.out:
        columns = ["employee_id", "name", "position", "team", "total", "grade", "rank"]
        print(_summary(result.scores, scheme=scheme, lang=args.lang, columns=columns))
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
    from .pipeline import appraise_year

    inputs = _inputs(args)
    scheme = inputs.scheme
    result = appraise_year(inputs, year=args.year, lang=args.lang)
    _write(result.scores, args.out, what="year results")
    _report_excluded(result.excluded, args.lang)
    if args.out:
        columns = ["employee_id", "name", "position", "total", "quarters", "grade", "rank"]
        print(_summary(result.scores, scheme=scheme, lang=args.lang, columns=columns))
    from .engine.improvement import losses_of, year_pattern
    from .reports.improvement import year_pattern_lines

    # the year's pattern (a KPI lost in 3 quarters or more): after the summary, or on
    # stderr when the results themselves go to stdout
    pattern = year_pattern_lines(
        year_pattern(losses_of(result.appraisals)), scheme=scheme, lang=args.lang
    )
    print("\n" + "\n".join(pattern), file=sys.stdout if args.out else sys.stderr)
    return 0


@command("bonus")
def _bonus(args: argparse.Namespace) -> int:
    from .engine.bonus import (
        add_extras,
        allocate_bonus,
        allocate_by_grade,
        bonus_pool,
        check_scores,
    )
    from .engine.inputs import read_table

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
    scores = check_scores(scores)
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
    _write(result, args.out, what="bonus")
    return 0


def _bonus_settings(
    args: argparse.Namespace,
) -> tuple[Scheme | None, tuple[float, float], Literal["base", "proportional", "grade"]]:
    """The scheme (``--scheme``), the unit prices and the allocation: each option as given,
    else the scheme's ``bonus:`` setting; a price nowhere given is refused."""
    from .engine.scheme import load_scheme

    scheme = load_scheme(args.scheme) if args.scheme else None
    setting = scheme.bonus if scheme is not None else None
    given = {"install_price": args.install_price, "repair_price": args.repair_price}
    prices: dict[str, float | None] = {
        k: v if v is not None else getattr(setting, k, None) for k, v in given.items()
    }
    allocation = args.allocation or (setting.allocation if setting else "base")
    problems = [
        Problem(
            where=f"--{name.replace('_', '-')}",
            message="no unit price given",
            allowed="--" + name.replace("_", "-") + " PRICE, or a scheme whose bonus: sets it",
        )
        for name, price in prices.items()
        if price is None
    ]
    if allocation == "grade" and scheme is None:
        problems.append(
            Problem(
                where="--allocation grade",
                message="the bonus factors are the scheme's grades': no --scheme given",
                allowed="--scheme S (a YAML file or a built-in scheme name)",
            )
        )
    if problems:
        raise InputError(problems)
    install, repair = prices["install_price"] or 0.0, prices["repair_price"] or 0.0
    return scheme, (float(install), float(repair)), allocation


@command("metrics")
def _metrics(args: argparse.Namespace) -> int:
    from .records.metric_sets import load_metrics
    from .records.metrics import compute_from_files
    from .records.sources import load_source

    spec = load_source(args.source)
    result = compute_from_files(spec, args.data, grain=args.period_grain)
    _write(result.actuals, args.out, what="actuals")
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
        _not_computed(result.skipped, names=names, lang=args.lang)
    return 0


def _not_computed(skipped: Mapping[str, str], *, names: Mapping[str, str], lang: Lang) -> None:
    """Metrics no source could compute, each by its name, with why (on stderr)."""
    for metric, why in skipped.items():
        text = label("cli.not_computed", lang, metric=names.get(metric, metric), why=why)
        print(text, file=sys.stderr)


@command("report")
def _report(args: argparse.Namespace) -> int:
    from .reports.batch import context_for, plan_jobs, run_jobs
    from .reports.excel import write_scores_excel

    data_dir = str(Path(args.data_dir).resolve())
    scheme = _absolute(args.scheme, only_if_exists=True) or args.scheme
    sources = _absolute(args.sources, only_if_exists=True)
    records = _absolute(args.records_dir)
    corrections = _absolute(args.corrections)
    ctx = context_for(
        scheme=scheme,
        data_dir=data_dir,
        period=args.period,
        lang=args.lang,
        sources=sources,
        records_dir=records,
        corrections=corrections,
        plans=_absolute(args.plans),
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
        plans=_absolute(args.plans),
    )
    out_dir = Path(args.out_dir or Path("reports") / str(ctx.appraisal.period)).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    excel = write_scores_excel(
        ctx.appraisal, out_dir / f"scores_{ctx.appraisal.period}.xlsx", lang=args.lang
    )
    print(f"scores written to {excel}", file=sys.stderr)
    outcomes = run_jobs(jobs, out_dir=out_dir, progress=not args.quiet)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        print(f"failed: {outcome.job.stem}: {outcome.error}", file=sys.stderr)
    written = [o for o in outcomes if o.ok]
    print(f"{len(written)} report(s) written to {out_dir}, {len(failed)} failed", file=sys.stderr)
    for outcome in written:
        if not outcome.job.stem.startswith("scorecards/"):
            print(outcome.html)
    return 1 if failed else 0


def _org(args: argparse.Namespace, *, lines: bool = True) -> tuple[Scheme, pd.DataFrame, Period]:
    """The scheme, the checked roster with its reporting lines (optional unless ``lines``),
    and the period."""
    from .engine.inputs import check_roster, read_table
    from .engine.relations import has_reporting_lines
    from .engine.scheme import load_scheme
    from .periods import parse_period

    scheme = load_scheme(args.scheme)
    period = parse_period(args.period)
    roster = check_roster(read_table(args.roster))
    if lines and not has_reporting_lines(roster):
        raise InputError(
            Problem(
                where=f"{args.roster}: column manager_id",
                message="the roster says nobody's direct superior, so nobody's raters",
                allowed="a manager_id column: each person's direct superior (直接上级), "
                "as an employee_id of the roster",
            )
        )
    return scheme, roster, period


@command("raters")
def _raters(args: argparse.Namespace) -> int:
    from .engine.raters import assign_raters
    from .labels import name_of

    scheme, roster, period = _org(args)
    assigned = assign_raters(roster, scheme=scheme, period=period)
    assigned["rater_group_name"] = [
        name_of("rater_group", g, args.lang) for g in assigned["rater_group"]
    ]
    _write(assigned, args.out, what="raters")
    if args.out:
        counts = assigned.groupby("rater_group_name", sort=False).size()
        people = assigned["employee_id"].nunique()
        raters = assigned["rater_id"].nunique()
        groups = "  ".join(f"{g} {n}" for g, n in counts.items())
        print(label("cli.raters", args.lang, people=people, raters=raters, groups=groups))
    return 0


@command("forms")
def _forms(args: argparse.Namespace) -> int:
    from .engine.raters import assign_raters
    from .reports.forms import write_rating_forms

    if args.kind == "plan":
        return _plan_forms(args)
    scheme, roster, period = _org(args)
    assigned = assign_raters(roster, scheme=scheme, period=period)
    own = _self_ratings(args.self_ratings, period=period) if args.self_ratings else None
    shows_self = any("self" in p.raters and p.rated_kpis for p in scheme.positions.values())
    if args.round == "superior" and own is None and shows_self:
        print(label("forms.no_self_ratings", args.lang), file=sys.stderr)
    written = write_rating_forms(
        assigned,
        roster=roster,
        scheme=scheme,
        period=period,
        out_dir=args.out_dir,
        round=args.round,
        self_ratings=own,
        lang=args.lang,
    )
    folder = Path(args.out_dir).resolve()
    print(
        label(
            "forms.written",
            args.lang,
            forms=len(written),
            rows=written["rows"].sum(),
            folder=folder,
        )
    )
    return 0


def _self_ratings(path: str, *, period: Period) -> dict[tuple[str, str], object]:
    """The self-appraisals of a ratings table (what ``kpi collect --round self`` wrote)."""
    from .engine.inputs import read_table
    from .reports.forms import SELF_COLUMNS, self_scores

    table = read_table(path)
    missing = [c for c in SELF_COLUMNS if c not in table]
    if missing:
        raise InputError(
            Problem(
                where=f"{path}: columns",
                message=f"columns missing: {', '.join(missing)}",
                value=", ".join(c for c in table.columns if c != "_row"),
                allowed="the ratings table kpi collect --round self writes: "
                + ", ".join(SELF_COLUMNS),
            )
        )
    return self_scores(table, period=period)


@command("collect")
def _collect(args: argparse.Namespace) -> int:
    from .engine.raters import assign_raters
    from .reports.collect import collect_rating_forms

    if args.kind == "plan":
        return _collect_plans(args)
    scheme, roster, period = _org(args)
    assigned = assign_raters(roster, scheme=scheme, period=period)
    collected = collect_rating_forms(
        args.forms,
        assigned=assigned,
        roster=roster,
        scheme=scheme,
        period=period,
        round=args.round,
        lang=args.lang,
    )
    _write(collected.ratings, args.out, what="ratings")
    _print_completeness(collected, lang=args.lang, out=sys.stdout if args.out else sys.stderr)
    return 0


def _print_completeness(collected: Collected, *, lang: Lang, out: TextIO) -> None:
    """Forms back and not, rows left blank, and per ratee and group what came back."""
    from .labels import name_of
    from .reports.collect import returned_by_group

    forms, done = collected.forms, collected.completeness
    back = forms.loc[forms["file"].notna()]
    print(
        label(
            "collect.summary",
            lang,
            returned=len(back),
            forms=len(forms),
            rated=int(done["rated"].sum()),
            assigned=len(done),
        ),
        file=out,
    )
    missing = forms.loc[forms["file"].isna()]
    if len(missing):
        raters = _listing(
            f"{r} {n}" for r, n in zip(missing["rater_id"], missing["rater_name"], strict=True)
        )
        print(label("collect.not_returned", lang, count=len(missing), raters=raters), file=out)
    blank = back.loc[back["blank"] > 0]
    if len(blank):
        raters = _listing(
            label("collect.blank_rows", lang, rater=f"{r} {n}", count=c)
            for r, n, c in zip(blank["rater_id"], blank["rater_name"], blank["blank"], strict=True)
        )
        print(
            label("collect.blank", lang, count=int(blank["blank"].sum()), raters=raters), file=out
        )
    table = returned_by_group(done)
    table = table.loc[table["rated"] < table["assigned"]]
    if table.empty:
        print(f"\n{label('collect.all_back', lang)}", file=out)
        return
    table["rater_group"] = [name_of("rater_group", g, lang) for g in table["rater_group"]]
    headers = {
        "employee_id": label("forms.col.ratee_id", lang),
        "name": label("forms.col.ratee", lang),
        "rater_group": label("forms.col.relation", lang),
        "rated": label("collect.rated", lang),
        "assigned": label("collect.assigned", lang),
    }
    print(f"\n{label('collect.by_group', lang)}", file=out)
    shown = table.head(MAX_GROUPS_SHOWN).rename(columns=headers)
    print(shown.to_string(index=False), file=out)
    if len(table) > MAX_GROUPS_SHOWN:
        print(label("collect.by_group_more", lang, count=len(table) - MAX_GROUPS_SHOWN), file=out)


def _plan_forms(args: argparse.Namespace) -> int:
    """kpi forms --kind plan: each appraised person's 《工作目标计划表》."""
    from .reports.plan_form import write_plan_forms

    scheme, roster, period = _org(args, lines=False)
    written = write_plan_forms(
        roster, scheme=scheme, period=period, out_dir=args.out_dir, lang=args.lang
    )
    if written.empty:
        print(label("plan.none", args.lang), file=sys.stderr)
        return 0
    folder = Path(args.out_dir).resolve()
    counts = {"forms": len(written), "rows": written["rows"].sum(), "open": written["open"].sum()}
    print(label("plan.written", args.lang, **counts, folder=folder))
    return 0


def _collect_plans(args: argparse.Namespace) -> int:
    """kpi collect --kind plan: the returned plans as the plans table."""
    from .reports.collect import collect_plan_forms

    scheme, roster, period = _org(args, lines=False)
    collected = collect_plan_forms(
        args.forms, roster=roster, scheme=scheme, period=period, lang=args.lang
    )
    _write(collected.plans, args.out, what="plans")
    forms, out = collected.forms, sys.stdout if args.out else sys.stderr
    back = forms.loc[forms["file"].notna()]
    people = int((back["targets"] > 0).sum())
    targets = int(back["targets"].sum())
    counts = {"returned": len(back), "forms": len(forms), "people": people, "targets": targets}
    print(label("plan.summary", args.lang, **counts), file=out)
    missing = forms.loc[forms["file"].isna()]
    if len(missing):
        names = _listing(
            f"{e} {n}" for e, n in zip(missing["employee_id"], missing["name"], strict=True)
        )
        print(label("plan.not_returned", args.lang, count=len(missing), people=names), file=out)
    return 0


def _listing(items: Iterable[str], *, most: int = 12) -> str:
    shown = list(items)
    more = f" … +{len(shown) - most}" if len(shown) > most else ""
    return ", ".join(shown[:most]) + more


@command("explore")
def _explore(args: argparse.Namespace) -> int:
    from .explorer.server import serve_explorer
    from .pipeline import appraise

    data_dir, records_dir = str(Path(args.data_dir).resolve()), _absolute(args.records_dir)
    inputs = _inputs(args, period=args.period)  # bad input stops here, exit 2, before serving
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
        sources=_absolute(args.sources, only_if_exists=True),
        records_dir=records_dir,
    )
    return 0


def _absolute(path: str | None, *, only_if_exists: bool = False) -> str | None:
    """A path made absolute (a kernel or server runs elsewhere); built-in names kept."""
    if path is None or (only_if_exists and not Path(path).exists()):
        return path
    return str(Path(path).resolve())


@command("sample")
def _sample(args: argparse.Namespace) -> int:
    from .sample.department import write_sample

    paths = write_sample(args.out, seed=args.seed, records=not args.no_records)
    print(f"sample department written to {Path(args.out).resolve()} ({len(paths)} files)")
    return 0


def _add_inputs(parser: argparse.ArgumentParser, *, data_dir_required: bool = False) -> None:
    """The options naming a period's inputs, spelled the same in every command."""
    parser.add_argument(
        "--data-dir",
        required=data_dir_required,
        help="the folder of roster, actuals_<scheme>.csv (or actuals.csv) and ratings",
    )
    parser.add_argument(
        "--sources", help="compute the actuals from raw exports: a bundle (params/bundles)"
    )
    parser.add_argument("--records-dir", help="with --sources: the folder of the raw exports")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpi", description="售后服务部绩效考核 — kpi-toolkit")
    parser.add_argument("--version", action="version", version=f"kpi-toolkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a scheme file")
    p.add_argument("scheme")
    for name in ("score", "annual"):
        p = sub.add_parser(name, help=f"{name}: appraise from actuals or raw exports")
        p.add_argument("--scheme", required=True)
        _add_inputs(p)
        p.add_argument("--roster", help="the roster (default: the data directory's)")
        p.add_argument("--actuals", help="a table of actuals (CSV or XLSX)")
        p.add_argument("--ratings", help="the 360 ratings (default: the data directory's)")
        p.add_argument("--plans", help=PLANS_HELP)
        p.add_argument("--period" if name == "score" else "--year", required=True)
        p.add_argument(
            "--set", action="append", metavar="NAME=VALUE", help="fill a scheme parameter"
        )
        p.add_argument("--lang", choices=("zh", "en"), default="zh")
        p.add_argument("--out")
        p.add_argument("--corrections", help="approved corrections of the actuals (appeals)")
    p = sub.add_parser("bonus", help="allocate the bonus pool")
    p.add_argument("--scores", required=True)
    p.add_argument("--installs", type=float, required=True)
    p.add_argument("--install-price", type=float, help="default: the scheme's bonus: setting")
    p.add_argument("--repairs", type=float, required=True)
    p.add_argument("--repair-price", type=float, help="default: the scheme's bonus: setting")
    p.add_argument(
        "--allocation",
        choices=("base", "proportional", "grade"),
        help="default: the scheme's bonus: setting, else base",
    )
    p.add_argument("--scheme", help="the scheme: grades' bonus factors, bonus: setting")
    p.add_argument("--extras", help="per-person amounts: employee_id, 加班费, 装锁提成, ...")
    p.add_argument("--out")
    p = sub.add_parser("metrics", help="actuals from raw records")
    p.add_argument("--source", required=True)
    p.add_argument("--data")
    p.add_argument("--period-grain", choices=("month", "quarter", "year"), required=True)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--out")
    p = sub.add_parser("report", help="run the report notebooks, write offline HTML")
    p.add_argument("--scheme", required=True)
    _add_inputs(p, data_dir_required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--team", action="append", help="a team (repeatable), or 'all' for each team")
    p.add_argument("--per-employee", action="store_true", help="also one scorecard per person")
    p.add_argument(
        "--employee",
        action="append",
        metavar="ID",
        help="also this person's scorecard",
    )
    p.add_argument("--out-dir")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--plans", help=PLANS_HELP)
    for role in ("prepared", "reviewed", "approved"):
        p.add_argument(f"--{role}-by", help=f"approval block: {role} by")
        p.add_argument(f"--{role}-on", help=f"approval block: date {role}")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--corrections", help="approved corrections of the actuals (appeals)")
    p = sub.add_parser("raters", help="who rates whom, from the roster's reporting lines")
    p.add_argument("--scheme", required=True)
    p.add_argument("--roster", required=True, help="a roster with manager_id (直接上级)")
    p.add_argument("--period", required=True)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--out")
    for name in ("forms", "collect"):
        what = "write one rating form per rater" if name == "forms" else "read the returned forms"
        p = sub.add_parser(name, help=f"{what} (Excel)")
        p.add_argument(
            "--kind",
            choices=("ratings", "plan"),
            default="ratings",
            help="rating forms (one per rater) or work plans (工作目标计划表, one per person)",
        )
        p.add_argument("--scheme", required=True)
        p.add_argument(
            "--roster", required=True, help="a roster with manager_id (直接上级; plans: optional)"
        )
        p.add_argument("--period", required=True)
        p.add_argument(
            "--round",
            choices=("all", "self", "superior", "others"),
            default="all",
            help="which rater groups: every group, self-appraisals, superiors, or peers "
            "and subordinates",
        )
        p.add_argument("--lang", choices=("zh", "en"), default="zh")
        if name == "forms":
            p.add_argument("--out-dir", required=True, help="the folder of the forms")
            p.add_argument(
                "--self-ratings",
                help="with --round superior: the table kpi collect --round self wrote",
            )
        else:
            p.add_argument("--forms", required=True, help="the folder of returned forms")
            p.add_argument(
                "--out", help="the ratings (or plans) table (CSV or XLSX; default: stdout)"
            )
    p = sub.add_parser("explore", help="serve the weight scenario explorer (Voilà, 127.0.0.1)")
    p.add_argument("--scheme", required=True)
    _add_inputs(p, data_dir_required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--open-browser", action="store_true")
    p = sub.add_parser("sample", help="write the sample department")
    p.add_argument("--out", default="sample")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--no-records", action="store_true", help="skip the raw exports")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    args = _parser().parse_args(argv)
    try:
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


if __name__ == "__main__":
    sys.exit(main())
