"""A big department for the report benchmarks: the sample department repeated."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from kpi_toolkit.cli import main as kpi
from kpi_toolkit.sample.department import make_sample

PERIOD = "2026-Q3"
SCHEME = "after_sales_team"


def department(directory: Path, copies: int) -> list[str]:
    """The sample department repeated ``copies`` times (new ids and teams); its teams."""
    sample = make_sample()
    tables = {
        "roster": sample.roster,
        "actuals_after_sales_team": sample.actuals_after_sales_team,
        "ratings": sample.ratings,
    }
    out = {name: [] for name in tables}
    for k in range(copies):
        for name, frame in tables.items():
            part = frame.copy()
            part["employee_id"] = part["employee_id"] + f"-{k}"
            if "team" in part:
                part["team"] = part["team"] + f"{k}"
            if "rater_id" in part:
                part["rater_id"] = part["rater_id"] + f"-{k}"
            if "manager_id" in part:  # each copy reports to its own superiors
                part["manager_id"] = part["manager_id"].where(
                    part["manager_id"] == "", part["manager_id"] + f"-{k}"
                )
            out[name].append(part)
    for name, parts in out.items():
        pd.concat(parts).to_csv(directory / f"{name}.csv", index=False, encoding="utf-8-sig")
    roster = pd.concat(out["roster"])
    staff = roster.loc[roster["position"].isin(["supervisor", "specialist"])]
    return sorted(staff["team"].unique())


def kpi_report(
    directory: Path, out: Path, *, option: str = "", values: Sequence[str] = ()
) -> float:
    """Seconds of ``kpi report`` of the department in this process, with ``option`` given
    once per value (``--team`` per team, ``--employee`` per person)."""
    args = ["report", "--scheme", SCHEME, "--data-dir", str(directory), "--period", PERIOD]
    args += ["--out-dir", str(out), "--quiet"]
    for value in values:
        args += [option, value]
    start = time.perf_counter()
    code = kpi(args)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"kpi report failed with exit code {code}")
    return elapsed
