"""Benchmark: one weight change in the explorer, 5,000 managers under ``manager_post``.

Builds the appraisal once with :func:`kpi_toolkit.score` from synthetic in-domain actuals,
opens :class:`kpi_toolkit.explorer.widget.WeightExplorer` on it (no browser), then moves a slider
50 times (each KPI in turn, up and down, re-spread in its category). One move is everything
the kernel does for it: re-spread the weights, recompute totals, grades and ranks from the
attainment shares, the ranking table with rank changes, the grade distribution, the people
nearest a band edge, and the HTML of those tables; not the browser's redraw.

Also checks the last move's shown totals, grades and ranks against ``score()`` under
``scheme.with_weights`` (equal: both graded by ``grading.grade_and_rank``). Prints the median
as its last line::

    explorer weight change, 5000 employees: median 6.2 ms (aim < 50 ms)

Run with ``.venv/bin/python benchmarks/bench_explorer.py``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.explorer.widget import WeightExplorer

EMPLOYEES = 5_000
MOVES = 50
PERIOD = "2026-Q3"
SEED = 20260705
SCALE = ["不满意", "较满意", "很满意"]
RATED = ("skill_development", "internal_cooperation", "adhoc_tasks")


def department(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A roster of ``n`` managers in 50 teams, their quarter's actuals and the superior's
    ratings (as in the sample)."""
    ids = [f"M{i:05d}" for i in range(n)]
    roster = pd.DataFrame(
        {
            "employee_id": ids,
            "name": [f"经理{i}" for i in range(n)],
            "position": "manager",
            "team": [f"服务组{i % 50:02d}" for i in range(n)],
            "status": "regular",
        }
    )

    def ratio(centre: float, spread: float) -> np.ndarray:
        return np.round(np.clip(rng.normal(centre, spread, n), 0, 1), 4)

    actuals = pd.DataFrame(
        {
            "employee_id": ids,
            "period": PERIOD,
            "response_speed": rng.poisson(1.5, n),
            "invalid_service_ratio": np.round(np.clip(rng.gamma(2, 0.012, n), 0, 1), 4),
            "report_on_time_rate": ratio(0.94, 0.04),
            "complaints": rng.poisson(3, n),
            "plm_usage_rate": ratio(0.93, 0.04),
            "training_coverage": ratio(0.85, 0.06),
            "new_staff_training_failures": rng.binomial(3, 0.1, n),
            "skill_development": rng.choice(SCALE, n, p=[0.15, 0.5, 0.35]),
            "internal_cooperation": rng.choice(SCALE, n, p=[0.1, 0.45, 0.45]),
            "periodic_report_on_time_rate": ratio(0.95, 0.04),
            "adhoc_tasks": rng.choice(SCALE, n, p=[0.1, 0.4, 0.5]),
        }
    )
    # items 6, 10, 11 are the superior's ratings (source: ratings), one per manager and KPI
    ratings = actuals.melt(
        id_vars=["employee_id", "period"],
        value_vars=list(RATED),
        var_name="kpi_id",
        value_name="value",
    ).assign(rater_id="S1", rater_group="superior")
    return roster, actuals.drop(columns=list(RATED)), ratings


def main() -> None:
    rng = np.random.default_rng(SEED)
    scheme = builtin_scheme("manager_post")
    roster, actuals, ratings = department(EMPLOYEES, rng)
    appraisal = score(actuals, scheme=scheme, roster=roster, period=PERIOD, ratings=ratings)
    explorer = WeightExplorer(appraisal)
    movable = [k for k in scheme.positions["manager"].kpis if not explorer.sliders[k.id].disabled]
    times = []
    for move in range(MOVES):
        kpi = movable[move % len(movable)]
        change = 2.5 if (move // len(movable)) % 2 == 0 else -2.5
        value = explorer.weights["manager"][kpi.id] + change
        start = time.perf_counter()
        explorer.sliders[kpi.id].value = value
        times.append(time.perf_counter() - start)
    check = score(
        actuals,
        scheme=scheme.with_weights("manager", explorer.weights["manager"]),
        roster=roster,
        period=PERIOD,
        ratings=ratings,
    ).scores.set_index("employee_id")
    shown = explorer.scores.set_index("employee_id").loc[check.index]
    assert (shown["total"] == check["total"]).all(), "totals differ from score()"
    assert (shown["grade_id"] == check["grade_id"]).all(), "grades differ from score()"
    assert (shown["rank"] == check["rank"]).all(), "ranks differ from score()"
    median = statistics.median(times) * 1000
    print(f"moves: {MOVES}, fastest {min(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms")
    print(f"explorer weight change, {EMPLOYEES} employees: median {median:.1f} ms (aim < 50 ms)")


if __name__ == "__main__":
    main()
