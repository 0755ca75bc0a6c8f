"""Benchmark: score 100,000 employee-periods × the 11 KPIs of ``manager_post``.

Eight KPIs come from the actuals, three (items 6, 10, 11) from the superior's ratings, one
rating per manager and KPI (300,000 rows): the ratings path is part of what is timed.

Times :func:`kpi_toolkit.score` (median of 5 runs after one warm-up) against a bare numpy
version of the same arithmetic, checks that both give the same totals (to 1e-9), grades
and ranks, prints the time of the steps inside (input checks, the 360) and then both
times and their ratio as its last line::

    scoring 100000x11: kpi_toolkit 0.412 s, bare numpy 0.151 s, ratio 2.73x

Run with ``.venv/bin/python benchmarks/bench_scoring.py`` (``make bench``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.engine import Scheme, check_actuals, check_ratings, check_roster
from kpi_toolkit.engine.raters import rate_360
from kpi_toolkit.periods import parse_period

EMPLOYEES = 100_000
PERIOD = "2026-Q3"
RUNS = 5
SEED = 20260701

# manager_post's bands (seed section 2): (from, to, points at from, points at to).
INVALID_SERVICE_BANDS = (
    (0.00, 0.01, 10, 10),
    (0.01, 0.02, 10, 8),
    (0.02, 0.05, 7, 5),
    (0.05, 0.10, 4, 2),
    (0.10, 1.00, 1, 0),
)
REPORT_BANDS = (
    (0.00, 0.60, 0, 0),
    (0.60, 0.80, 0, 8),
    (0.80, 0.90, 8, 12),
    (0.90, 0.95, 12, 15),
    (0.95, 1.00, 15, 15),
)
PLM_BANDS = (
    (0.00, 0.80, 0, 0),
    (0.80, 0.85, 2, 4),
    (0.85, 0.90, 5, 7),
    (0.90, 0.95, 8, 10),
    (0.95, 1.00, 10, 10),
)
PERIODIC_BANDS = (
    (0.00, 0.60, 0, 0),
    (0.60, 0.80, 0, 2.6666666667),
    (0.80, 0.90, 2.6666666667, 4),
    (0.90, 0.95, 4, 5),
    (0.95, 1.00, 5, 5),
)
GRADE_MINS = np.array([0.0, 60.0, 80.0, 90.0])
GRADE_IDS = np.array(["fail", "pass", "good", "excellent"], dtype=object)


RATED = ("skill_development", "internal_cooperation", "adhoc_tasks")


def make_data(n: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A roster of ``n`` regular managers, their numeric in-domain actuals, and the
    superior's ratings of the rated KPIs."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("E", np.arange(n).astype(str)).astype(object)
    roster = pd.DataFrame(
        {
            "employee_id": ids,
            "name": ids,
            "position": "manager",
            "team": np.array(["华东", "华南", "华北", "西部"], dtype=object)[rng.integers(0, 4, n)],
            "status": "regular",
        }
    )
    actuals = pd.DataFrame(
        {
            "employee_id": ids,
            "period": PERIOD,
            "response_speed": rng.poisson(2.0, n).astype(float),
            "invalid_service_ratio": rng.beta(1.2, 40, n),
            "report_on_time_rate": rng.beta(12, 1.2, n),
            "complaints": rng.poisson(3.5, n).astype(float),
            "plm_usage_rate": rng.beta(14, 1.2, n),
            "training_coverage": rng.uniform(0.6, 1.0, n),
            "new_staff_training_failures": rng.binomial(2, 0.1, n).astype(float),
            "skill_development": rng.integers(0, 4, n).astype(float),
            "internal_cooperation": rng.uniform(0, 3, n),
            "periodic_report_on_time_rate": rng.beta(10, 1, n),
            "adhoc_tasks": rng.integers(0, 4, n).astype(float),
        }
    )
    ratings = actuals.melt(
        id_vars=["employee_id", "period"],
        value_vars=list(RATED),
        var_name="kpi_id",
        value_name="value",
    ).assign(rater_id="S1", rater_group="superior")
    return roster, actuals.drop(columns=list(RATED)), ratings


def _band_table(bands: tuple, *, closed: str) -> tuple[np.ndarray, ...]:
    """Edges to search, and each band's points as ``intercept + slope × actual``."""
    table = np.array(bands, dtype=float)
    lower, upper, p_lower, p_upper = table.T
    slope = (p_upper - p_lower) / (upper - lower)
    intercept = p_lower - slope * lower
    edges = lower if closed == "lower" else upper
    return edges, intercept, slope, lower[0], upper[-1]


def _bands(values: np.ndarray, table: tuple[np.ndarray, ...], *, closed: str) -> np.ndarray:
    """Piecewise-linear bands that meet edge to edge; ``closed`` edge belongs to the band."""
    edges, intercept, slope, first, last = table
    actual = np.clip(values, first, last)
    if closed == "lower":
        index = np.searchsorted(edges, actual, side="right") - 1
    else:
        index = np.searchsorted(edges, actual, side="left")
    np.clip(index, 0, len(edges) - 1, out=index)
    return intercept[index] + slope[index] * actual


def _deduct(values: np.ndarray, *, full: float, per_unit: float, allowance: float) -> np.ndarray:
    return np.clip(full - per_unit * np.maximum(values - allowance, 0), 0, full)


def _rank_desc(rounded: np.ndarray) -> np.ndarray:
    """1 = best; ties share the best rank (totals already rounded to 6 decimals)."""
    order = np.argsort(-rounded)  # ties need no order: each run takes its first rank
    ordered = rounded[order]
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    positions = np.where(starts, np.arange(1, len(ordered) + 1), 0)
    ranks = np.empty(len(ordered), dtype=np.int64)
    ranks[order] = np.maximum.accumulate(positions)
    return ranks


INVALID_TABLE = _band_table(INVALID_SERVICE_BANDS, closed="upper")
REPORT_TABLE = _band_table(REPORT_BANDS, closed="lower")
PLM_TABLE = _band_table(PLM_BANDS, closed="lower")
PERIODIC_TABLE = _band_table(PERIODIC_BANDS, closed="lower")


def bare_numpy(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same rules written directly with numpy: totals, grade ids, department ranks."""
    c = columns
    total = _deduct(c["response_speed"], full=20, per_unit=1, allowance=0)
    total += _bands(c["invalid_service_ratio"], INVALID_TABLE, closed="upper")
    total += _bands(c["report_on_time_rate"], REPORT_TABLE, closed="lower")
    total += _deduct(c["complaints"], full=15, per_unit=1, allowance=3)
    total += _bands(c["plm_usage_rate"], PLM_TABLE, closed="lower")
    total += np.where(c["training_coverage"] >= 0.80, 5.0, 0.0)
    total += _deduct(c["new_staff_training_failures"], full=5, per_unit=5, allowance=0)
    total += (5 / 3) * c["skill_development"]
    total += (8 / 3) * c["internal_cooperation"]
    total += _bands(c["periodic_report_on_time_rate"], PERIODIC_TABLE, closed="lower")
    total += (2 / 3) * c["adhoc_tasks"]
    # the shown total, as grading makes it: 9 decimals (float noise), then 2, halves up
    shown = _half_up(_half_up(total * 1e9) / 1e7) / 100
    grades = GRADE_IDS[np.searchsorted(GRADE_MINS, shown, side="right") - 1]
    return shown, grades, _rank_desc(shown)


def _half_up(x: np.ndarray) -> np.ndarray:
    whole = np.floor(x)
    return whole + (x - whole >= 0.5)


def timed(function: Callable[[], object], *, runs: int = RUNS) -> tuple[float, object]:
    """Median wall time of ``runs`` calls after one warm-up, and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def breakdown(
    scheme: Scheme, roster: pd.DataFrame, actuals: pd.DataFrame, ratings: pd.DataFrame
) -> dict[str, float]:
    """Median times of the steps inside :func:`kpi_toolkit.score` run on their own: the
    input checks and the 360 by rater group (the rest is joining, points and grading)."""
    period = parse_period(PERIOD)
    checked_roster = check_roster(roster)
    checked_ratings = check_ratings(ratings, scheme=scheme, roster=checked_roster)
    steps: dict[str, Callable[[], object]] = {
        "roster check": lambda: check_roster(roster),
        "actuals check": lambda: check_actuals(actuals, scheme=scheme, roster=checked_roster),
        "ratings check": lambda: check_ratings(ratings, scheme=scheme, roster=checked_roster),
        "360 by rater group": lambda: rate_360(
            checked_ratings, scheme=scheme, roster=checked_roster, period=period
        ),
    }
    return {name: timed(step, runs=3)[0] for name, step in steps.items()}


def main() -> None:
    scheme = builtin_scheme("manager_post")
    kpi_ids = [k.id for k in scheme.positions["manager"].kpis]
    roster, actuals, ratings = make_data(EMPLOYEES)
    rated = ratings.pivot(index="employee_id", columns="kpi_id", values="value")
    wide = actuals.join(rated, on="employee_id")
    columns = {k: wide[k].to_numpy(dtype=float) for k in kpi_ids}

    toolkit_time, appraisal = timed(
        lambda: score(actuals, scheme=scheme, roster=roster, period=PERIOD, ratings=ratings)
    )
    numpy_time, (totals, grades, ranks) = timed(lambda: bare_numpy(columns))

    scores = appraisal.scores.set_index("employee_id").loc[actuals["employee_id"]]  # type: ignore[attr-defined]
    assert len(scores) == EMPLOYEES, f"{len(scores)} scored, expected {EMPLOYEES}"
    gap = np.max(np.abs(scores["total"].to_numpy(dtype=float) - totals))
    assert gap == 0, f"shown totals differ by up to {gap:g}"
    assert (scores["grade_id"].to_numpy() == grades).all(), "grades differ"
    toolkit_ranks = scores["department_rank"].to_numpy(dtype=np.int64)
    assert (toolkit_ranks == ranks).all(), "ranks differ"

    steps = breakdown(scheme, roster, actuals, ratings)
    rest = toolkit_time - sum(steps.values())
    for name, seconds in [*steps.items(), ("the rest (joins, points, grading)", rest)]:
        print(f"  {name}: {seconds:.3f} s")
    print(
        f"scoring {EMPLOYEES}x{len(kpi_ids)}: kpi_toolkit {toolkit_time:.3f} s, "
        f"bare numpy {numpy_time:.3f} s, ratio {toolkit_time / numpy_time:.2f}x"
    )


if __name__ == "__main__":
    main()
