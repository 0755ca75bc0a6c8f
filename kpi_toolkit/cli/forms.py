"""``kpi raters``, ``kpi forms`` and ``kpi collect``: who rates whom, forms out and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import InputError, Problem
from ..labels import Lang, label

if TYPE_CHECKING:
    from ..periods import Period
    from ..reports.collect import Collected

from .common import (
    MAX_GROUPS_SHOWN,
    command,
    listing,
    organisation,
    write_table,
)


@command("raters")
def _raters(args: argparse.Namespace) -> int:
    from ..engine.raters import assign_raters
    from ..labels import name_of

    scheme, roster, period = organisation(args)
    assigned = assign_raters(roster, scheme=scheme, period=period)
    assigned["rater_group_name"] = [
        name_of("rater_group", g, args.lang) for g in assigned["rater_group"]
    ]
    write_table(assigned, args.out, what="raters")
    if args.out:
        counts = assigned.groupby("rater_group_name", sort=False).size()
        people = assigned["employee_id"].nunique()
        raters = assigned["rater_id"].nunique()
        groups = "  ".join(f"{g} {n}" for g, n in counts.items())
        print(label("cli.raters", args.lang, people=people, raters=raters, groups=groups))
    return 0


@command("forms")
def _forms(args: argparse.Namespace) -> int:
    from ..engine.raters import assign_raters
    from ..reports.forms import write_rating_forms

    if args.kind == "plan":
        return _plan_forms(args)
    scheme, roster, period = organisation(args)
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
    from ..engine.inputs import read_table
    from ..reports.forms import SELF_COLUMNS, self_scores

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
    from ..engine.raters import assign_raters
    from ..reports.collect import collect_rating_forms

    if args.kind == "plan":
        return _collect_plans(args)
    scheme, roster, period = organisation(args)
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
    write_table(collected.ratings, args.out, what="ratings")
    _print_completeness(collected, lang=args.lang, out=sys.stdout if args.out else sys.stderr)
    return 0


def _print_completeness(collected: Collected, *, lang: Lang, out: TextIO) -> None:
    """Forms back and not, rows left blank, and per ratee and group what came back."""
    from ..labels import name_of
    from ..reports.collect import returned_by_group

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
        raters = listing(
            f"{r} {n}" for r, n in zip(missing["rater_id"], missing["rater_name"], strict=True)
        )
        print(label("collect.not_returned", lang, count=len(missing), raters=raters), file=out)
    blank = back.loc[back["blank"] > 0]
    if len(blank):
        raters = listing(
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
    from ..reports.plan_form import write_plan_forms

    scheme, roster, period = organisation(args, lines=False)
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
    from ..reports.collect import collect_plan_forms

    scheme, roster, period = organisation(args, lines=False)
    collected = collect_plan_forms(
        args.forms, roster=roster, scheme=scheme, period=period, lang=args.lang
    )
    write_table(collected.plans, args.out, what="plans")
    forms, out = collected.forms, sys.stdout if args.out else sys.stderr
    back = forms.loc[forms["file"].notna()]
    people = int((back["targets"] > 0).sum())
    targets = int(back["targets"].sum())
    counts = {"returned": len(back), "forms": len(forms), "people": people, "targets": targets}
    print(label("plan.summary", args.lang, **counts), file=out)
    missing = forms.loc[forms["file"].isna()]
    if len(missing):
        names = listing(
            f"{e} {n}" for e, n in zip(missing["employee_id"], missing["name"], strict=True)
        )
        print(label("plan.not_returned", args.lang, count=len(missing), people=names), file=out)
    return 0
