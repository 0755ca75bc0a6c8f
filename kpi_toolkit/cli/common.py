"""What every command shares: the registry, the period's inputs, writing a table, the console
summaries."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, Problem
from ..labels import Lang, label, ledger_table, position_names

if TYPE_CHECKING:
    import pandas as pd

    from ..engine.scheme import Scheme
    from ..periods import Period
    from ..pipeline import Inputs


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
MAX_GROUPS_SHOWN = 15  # incomplete (ratee, group) rows printed by kpi collect
PLANS_HELP = "work-objective plans: per-person targets (default: the data directory's plans)"


def command(name: str) -> Callable:
    def add(function: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = function
        return function

    return add


def parameters(pairs: Sequence[str] | None) -> dict[str, float]:
    """``--set NAME=VALUE`` pairs as numbers: each value finite and ≥ 0 (a target, a rate or
    a maximum), every bad pair reported at once."""
    from ..engine.numbers import NON_NEGATIVE, as_numbers, number_problems

    values: dict[str, float] = {}
    problems: list[Problem] = []
    for pair in pairs or ():
        name, equals, text = pair.partition("=")
        if not equals or not name.strip():
            problems.append(
                Problem(
                    where=f"--set {pair}",
                    message="not NAME=NUMBER",
                    value=pair,
                    allowed="e.g. --set complaint_rate_max=0.02",
                )
            )
            continue
        where = f"--set {name.strip()}"
        found = number_problems({where: text}, domain=NON_NEGATIVE)
        problems += found
        if not found:
            values[name.strip()] = float(as_numbers([text])[0])
    if problems:
        raise InputError(problems)
    return values


def write_table(
    frame: pd.DataFrame, out: str | None, *, what: str, decimals: int | None = 4
) -> None:
    """Write a command's table to ``out`` (CSV or ``.xlsx``), or as CSV to stdout: always
    through the one writer that keeps text from running as a formula
    (:func:`kpi_toolkit.reports.excel.write_table`); figures in CSV rounded to ``decimals``
    (``None``: full precision, read back as written)."""
    from ..reports.excel import table_csv
    from ..reports.excel import write_table as write

    if not out:
        print(table_csv(frame, decimals=decimals), end="")
        return
    from ..files import make_folder

    path = Path(out)
    make_folder(path.parent)
    write(frame, path, decimals=decimals)
    print(f"{what} written to {path}", file=sys.stderr)


def report_excluded(excluded: pd.DataFrame, lang: Lang) -> None:
    """People not appraised, grouped by reason (up to 8 names each) on stderr."""
    if excluded.empty:
        return
    print(f"{label('not_appraised', lang)} ({len(excluded)}):", file=sys.stderr)
    for reason, group in excluded.groupby("reason", sort=False):
        people = [f"{e} {n}" for e, n in zip(group["employee_id"], group["name"], strict=True)]
        more = f" … +{len(people) - 8}" if len(people) > 8 else ""
        print(f"  {reason} [{len(people)}]: {', '.join(people[:8])}{more}", file=sys.stderr)


def warn_unused(
    excluded: pd.DataFrame, actuals: pd.DataFrame, *, period: Period, lang: Lang
) -> None:
    """A warning line (stderr) for each person whose actuals of the period go unused because
    the scheme has no such position: they are in the excluded table too."""
    from ..engine.roster import unused_actuals

    unused = unused_actuals(excluded, actuals, period=period)
    for emp, name, reason in zip(
        unused["employee_id"], unused["name"], unused["reason"], strict=True
    ):
        text = label(
            "cli.actuals_unused", lang, employee=emp, name=name, period=period, reason=reason
        )
        print(text, file=sys.stderr)


def summary(scores: pd.DataFrame, *, scheme: Scheme, lang: Lang, columns: Sequence[str]) -> str:
    """The scores as a console table (positions by name, headers labelled), grade counts."""
    from ..reports.html import number

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


def read_inputs(args: argparse.Namespace, *, period: str | None = None) -> Inputs:
    """The period's inputs, resolved as every surface resolves them (ledger on stderr)."""
    from ..periods import parse_period
    from ..pipeline import resolve_inputs

    data_dir, records_dir = folders(args)
    inputs = resolve_inputs(
        args.scheme,
        data_dir=data_dir,
        roster=getattr(args, "roster", None),
        actuals=getattr(args, "actuals", None),
        ratings=getattr(args, "ratings", None),
        plans=getattr(args, "plans", None),
        sources=args.sources,
        records_dir=records_dir,
        parameters=parameters(getattr(args, "set", None)),
        grains=None if period is None else (parse_period(period).grain,),
        corrections=getattr(args, "corrections", None),
    )
    if inputs.bundle is not None:
        shown = ledger_table(inputs.bundle.ledger(lang=args.lang), lang=args.lang)
        print(shown.to_string(index=False), file=sys.stderr)
        kpis = {
            k.id: k.name.get(args.lang) for p in inputs.scheme.positions.values() for k in p.kpis
        }
        not_computed(inputs.bundle.skipped, names=kpis, lang=args.lang)
    return inputs


def folders(args: argparse.Namespace) -> tuple[str | None, str | None]:
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


def not_computed(skipped: Mapping[str, str], *, names: Mapping[str, str], lang: Lang) -> None:
    """Metrics no source could compute, each by its name, with why (on stderr)."""
    for metric, why in skipped.items():
        text = label("cli.not_computed", lang, metric=names.get(metric, metric), why=why)
        print(text, file=sys.stderr)


def organisation(
    args: argparse.Namespace, *, lines: bool = True
) -> tuple[Scheme, pd.DataFrame, Period]:
    """The scheme, the checked roster with its reporting lines (optional unless ``lines``),
    and the period."""
    from ..engine.inputs import check_roster, read_table
    from ..engine.relations import has_reporting_lines
    from ..engine.scheme import load_scheme
    from ..periods import parse_period

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


def listing(items: Iterable[str], *, most: int = 12) -> str:
    shown = list(items)
    more = f" … +{len(shown) - most}" if len(shown) > most else ""
    return ", ".join(shown[:most]) + more


def absolute(path: str | None, *, only_if_exists: bool = False) -> str | None:
    """A path made absolute (a kernel or server runs elsewhere); built-in names kept."""
    if path is None or (only_if_exists and not Path(path).exists()):
        return path
    return str(Path(path).resolve())
