"""The command line's options, spelled the same in every command."""

from __future__ import annotations

import argparse

from .. import __version__
from .common import PLANS_HELP


def add_inputs(parser: argparse.ArgumentParser, *, data_dir_required: bool = False) -> None:
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
    add_engine(parser)


def add_engine(parser: argparse.ArgumentParser) -> None:
    """The engine that aggregates raw exports: DuckDB here, or Spark (kpi-toolkit[spark])."""
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default=None,
        help="what computes actuals from raw exports: duckdb (default) or spark",
    )
    parser.add_argument(
        "--spark-remote", help="with --engine spark: Spark Connect sc://host:15002 (SPARK_REMOTE)"
    )
    parser.add_argument(
        "--spark-master", help="with --engine spark: a master URL (default local[2])"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpi", description="售后服务部绩效考核 — kpi-toolkit")
    parser.add_argument("--version", action="version", version=f"kpi-toolkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a scheme file")
    p.add_argument("scheme")
    for name in ("score", "annual"):
        p = sub.add_parser(name, help=f"{name}: appraise from actuals or raw exports")
        p.add_argument("--scheme", required=True)
        add_inputs(p)
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
    p.add_argument(
        "--period", help="the period (or year) to pay, where the scores file holds several"
    )
    p.add_argument("--out")
    p = sub.add_parser("metrics", help="actuals from raw records")
    p.add_argument("--source", required=True)
    p.add_argument("--data")
    p.add_argument("--period-grain", choices=("month", "quarter", "year"), required=True)
    p.add_argument("--metrics", help="metric set (name or YAML) instead of the mapping's")
    add_engine(p)
    p.add_argument(
        "--decimals",
        type=int,
        help="round the figures of a CSV to N decimals (default: full precision)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--out")
    p = sub.add_parser("report", help="run the report notebooks, write offline HTML")
    p.add_argument("--scheme", required=True)
    add_inputs(p, data_dir_required=True)
    p.add_argument("--period", help="the period reported (not with --annual)")
    p.add_argument("--annual", metavar="YYYY", help="the annual review of this year, not --period")
    p.add_argument("--compare", metavar="PERIOD", help="compare with this earlier period")
    p.add_argument("--pdf", action="store_true", help="also a PDF beside each HTML page")
    p.add_argument("--installs", type=float, help="annual review: 锁具的安装把数 (bonus pool)")
    p.add_argument("--install-price", type=float, help="default: the scheme's bonus: setting")
    p.add_argument("--repairs", type=float, help="annual review: 锁具的维修把数 (bonus pool)")
    p.add_argument("--repair-price", type=float, help="default: the scheme's bonus: setting")
    p.add_argument(
        "--allocation",
        choices=("base", "proportional", "grade"),
        help="annual review: default the scheme's bonus: setting, else base",
    )
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
    add_inputs(p, data_dir_required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--open-browser", action="store_true")
    p.add_argument(
        "--scenario-dir",
        help="where scenarios are saved and listed (default: params/scenarios in this folder)",
    )
    p = sub.add_parser("sample", help="write the sample department")
    p.add_argument("--out", default="sample")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--no-records", action="store_true", help="skip the raw exports")
    # kpi schema: the JSON Schema of a YAML kind (kpi_toolkit.reference)
    from ..reference import KINDS

    p = sub.add_parser("schema", help="print the JSON Schema of a YAML kind (docs/reference)")
    p.add_argument("kind", choices=tuple(KINDS), help="the kind of YAML file")
    return parser
