"""A seeded sample after-sales department: roster, actuals, ratings and plans.

About 60 people: a department head, two managers, six supervisors each leading a team,
specialists and technicians, a few on probation, a few who joined or left during the year.
Quarterly actuals (2025-Q1 … 2026-Q3) for the ``after_sales_team`` scheme, the managers'
quarters under ``manager_post`` and months (2026-01 … 2026-09) under ``monthly_repair``,
yearly rows for the yearly positions. One ratings table holds what people score, for every
scheme: the 360 ratings of teamwork, and the superior's ratings of the managers
(``manager_post`` items 6, 10, 11; ``monthly_repair``'s work mistakes, with the manager's
own self-appraisal) and of the department head (``department_head``'s subjective items).
The plans table holds six specialists' 2026-Q3 work-objective plans with personal targets
and two adjustments, one approved after the quarter (so it does not count).
Each person has a latent ability, so results are consistent over quarters.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import make_folder
from ..periods import Period

__all__ = ["SampleDepartment", "make_sample", "write_sample"]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌浩宇晨欣怡子涵")
TEAMS = ["华东服务组", "华南服务组", "华北服务组", "西南服务组", "维修组", "安装组"]
QUARTERS = [Period(2025, "quarter", q) for q in range(1, 5)] + [
    Period(2026, "quarter", q) for q in range(1, 4)
]
SCALE = ["很不满意", "不满意", "较满意", "很满意"]
MONTHS = [Period(2026, "month", m) for m in range(1, 10)]
RATING_COLUMNS = ["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"]
# KPIs scored by the person's direct superior (source: ratings), per scheme.
MANAGER_POST_RATED = ["skill_development", "internal_cooperation", "adhoc_tasks"]
DEPARTMENT_HEAD_RATED = ["rules_regulations", "daily_affairs"]


@dataclass(frozen=True)
class SampleDepartment:
    """The sample's tables, as written by :func:`write_sample`."""

    roster: pd.DataFrame
    actuals_after_sales_team: pd.DataFrame
    actuals_manager_post: pd.DataFrame
    actuals_department_head: pd.DataFrame
    actuals_monthly_repair: pd.DataFrame
    ratings: pd.DataFrame  # every scheme's rated KPIs: one table, as one ratings.csv
    plans: pd.DataFrame  # work-objective plans with personal targets, as plans.csv
    ability: pd.Series  # each person's latent ability: actuals, ratings and records follow it


def _names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = str(rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN, size=rng.integers(1, 3)))
        if name not in names:
            names.append(name)
    return names


def _roster(rng: np.random.Generator) -> pd.DataFrame:
    names = iter(_names(rng, 63))
    rows = [("E001", next(names), "department_head", "部门管理", "regular", "售后服务部部长")]
    rows += [
        (f"E00{i}", next(names), "manager", "部门管理", "regular", "售后服务经理") for i in (2, 3)
    ]
    number = 4
    for team in TEAMS:
        rows.append((f"E{number:03d}", next(names), "supervisor", team, "regular", "售后服务主管"))
        number += 1
        title = {"维修组": "维修技师", "安装组": "安装技师"}.get(team, "售后服务专员")
        for k in range(9):
            status = "probation" if k == 8 and team in TEAMS[:4] else "regular"
            rows.append((f"E{number:03d}", next(names), "specialist", team, status, title))
            number += 1
    roster = pd.DataFrame(
        rows, columns=["employee_id", "name", "position", "team", "status", "title"]
    )
    roster["joined"] = "2023-03-01"
    roster.loc[roster["status"] == "probation", "joined"] = "2026-08-17"
    roster.loc[roster.index[[12, 33]], "joined"] = ["2025-05-12", "2025-11-03"]
    roster["left"] = ""
    roster.loc[roster.index[[25]], "left"] = ["2026-08-31"]
    return roster


DIRECTOR = ("S001", "周志远", "sales_director", "销售中心", "regular", "销售总监")


def _with_reporting_lines(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with ``manager_id`` (直接上级) and the sales director the managers report to.

    The director heads the department head and both managers (seed section 4: the manager's
    direct superior is the sales director); the first three service teams' supervisors report
    to the first manager, the other three to the second; specialists to their team's
    supervisor. The director is listed with a position no scheme appraises.
    """
    director = pd.DataFrame(
        [DIRECTOR], columns=["employee_id", "name", "position", "team", "status", "title"]
    ).assign(joined="2020-01-01", left="")
    out = pd.concat([roster, director], ignore_index=True)
    supervisors = out.loc[out["position"] == "supervisor"].set_index("team")["employee_id"]
    head = {team: ("E002" if i < 3 else "E003") for i, team in enumerate(TEAMS)}
    manager = np.where(
        out["position"].isin(["department_head", "manager"]),
        DIRECTOR[0],
        np.where(
            out["position"] == "supervisor",
            out["team"].map(head).fillna(""),
            out["team"].map(supervisors).fillna(""),
        ),
    )
    out["manager_id"] = np.where(out["position"] == "sales_director", "", manager)
    return out


def _employed(roster: pd.DataFrame, period: Period) -> pd.Series:
    joined = pd.to_datetime(roster["joined"])
    left = pd.to_datetime(roster["left"].replace("", None))
    return (joined <= pd.Timestamp(period.end)) & ~(left < pd.Timestamp(period.start))


def _team_actuals(
    rng: np.random.Generator, people: pd.DataFrame, ability: np.ndarray, period: Period
) -> pd.DataFrame:
    n = len(people)
    skill = ability + rng.normal(0, 0.25, n)

    def ratio(centre: float, spread: float) -> np.ndarray:
        return np.round(np.clip(centre + spread * skill + rng.normal(0, spread / 2, n), 0, 1), 4)

    months = {"quarter": 3, "year": 12}[period.grain]
    return pd.DataFrame(
        {
            "employee_id": people["employee_id"].to_numpy(),
            "period": str(period),
            "csat": ratio(0.86, 0.05),
            "complaint_rate": np.round(
                np.clip(0.05 - 0.02 * skill + rng.normal(0, 0.01, n), 0, 1), 4
            ),
            "resolution_rate": ratio(0.90, 0.04),
            "first_response": np.round(np.clip(37 - 8 * skill + rng.normal(0, 5, n), 3, None), 1),
            "handling_time": np.round(np.clip(29 - 6 * skill + rng.normal(0, 4, n), 1, None), 1),
            "quality_score": ratio(0.85, 0.05),
            "workload": np.maximum(
                0, np.round(108 * months * (1 + 0.12 * skill) + rng.normal(0, 15 * months, n))
            ).astype(int),
            "knowledge_sharing": rng.poisson(np.clip(months + skill * months / 2, 0.2, None)),
            "training": rng.poisson(np.clip(2 * months / 3 + skill, 0.2, None)),
            "communication": ratio(0.77, 0.06),
        }
    )


def _manager_post_actuals(
    rng: np.random.Generator, people: pd.DataFrame, period: Period
) -> pd.DataFrame:
    n = len(people)

    def ratio(centre: float, spread: float) -> np.ndarray:
        return np.round(np.clip(rng.normal(centre, spread, n), 0, 1), 4)

    return pd.DataFrame(
        {
            "employee_id": people["employee_id"].to_numpy(),
            "period": str(period),
            "response_speed": rng.poisson(1.5, n),
            "invalid_service_ratio": np.round(np.clip(rng.gamma(2, 0.012, n), 0, 1), 4),
            "report_on_time_rate": ratio(0.94, 0.04),
            "complaints": rng.poisson(3, n),
            "plm_usage_rate": ratio(0.93, 0.04),
            "training_coverage": ratio(0.85, 0.06),
            "new_staff_training_failures": rng.binomial(3, 0.1, n),
            "skill_development": rng.choice(SCALE[1:], n, p=[0.15, 0.5, 0.35]),
            "internal_cooperation": rng.choice(SCALE[1:], n, p=[0.1, 0.45, 0.45]),
            "periodic_report_on_time_rate": ratio(0.95, 0.04),
            "adhoc_tasks": rng.choice(SCALE[1:], n, p=[0.1, 0.4, 0.5]),
        }
    )


def _monthly_repair(seed: int, managers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The managers' months under ``monthly_repair``: the measured KPIs, and the work
    mistakes the superior counts (the manager counts his own first: self, shown beside).

    Drawn from a generator of their own, so the rest of the sample stays as it was.
    """
    rng = np.random.default_rng([seed, 3])
    ids, superiors, n = managers["employee_id"], managers["manager_id"], len(managers)
    actuals, ratings = [], []
    for period in MONTHS:
        completion = np.clip(rng.normal(0.94, 0.025, n), 0, 1)
        accuracy = np.clip(rng.normal(0.975, 0.015, n), 0, 1)
        actuals.append(
            pd.DataFrame(
                {
                    "employee_id": ids.to_numpy(),
                    "period": str(period),
                    "repair_task_completion_rate": np.round(completion, 4),
                    "report_accuracy_rate": np.round(accuracy, 4),
                }
            )
        )
        mistakes = rng.poisson(1.0, n)
        own = mistakes - rng.binomial(mistakes, 0.4)  # one's own count is the kinder one
        for raters, group, values in ((superiors, "superior", mistakes), (ids, "self", own)):
            ratings.append(
                pd.DataFrame(
                    zip(ids, raters, values, strict=True),
                    columns=["employee_id", "rater_id", "value"],
                ).assign(period=str(period), kpi_id="work_mistakes", rater_group=group)
            )
    rated = pd.concat(ratings, ignore_index=True)[RATING_COLUMNS]
    return pd.concat(actuals, ignore_index=True), rated


PLAN_COLUMNS = [
    "employee_id",
    "period",
    "kpi_id",
    "target",
    "weight",
    "approved_by",
    "approved_on",
    "adjusted_on",
    "reason",
    "note",
]
# The personal targets a specialist may agree with the supervisor (after_sales_team).
PLANNED = {
    "csat": (0.88, 0.92),
    "resolution_rate": (0.92, 0.97),
    "first_response": (25.0, 35.0),
    "workload": (320.0, 400.0),
}


def _plans(seed: int, roster: pd.DataFrame) -> pd.DataFrame:
    """2026-Q3 work-objective plans of six specialists (after_sales_team), each approved by
    the direct superior at the start of the quarter, and two adjustments: one approved in
    the quarter (it counts), one approved after it (listed as late, it does not count).

    Drawn from a generator of their own, so the rest of the sample stays as it was.
    """
    rng = np.random.default_rng([seed, 10])
    quarter = Period(2026, "quarter", 3)
    staff = roster.loc[
        (roster["position"] == "specialist")
        & (roster["status"] == "regular")
        & _employed(roster, quarter)
    ]
    people = staff.iloc[np.sort(rng.choice(len(staff), size=6, replace=False))]
    rows = []
    for person in people.itertuples():
        kpis = rng.choice(list(PLANNED), size=2, replace=False)
        for kpi in sorted(kpis, key=list(PLANNED).index):
            low, high = PLANNED[kpi]
            target = float(rng.choice(np.linspace(low, high, 5)))
            on = f"2026-07-0{int(rng.integers(1, 8))}"
            rows.append((person.employee_id, str(quarter), kpi, target, person.manager_id, on))
    plans = pd.DataFrame(
        rows, columns=["employee_id", "period", "kpi_id", "target", "approved_by", "approved_on"]
    )
    first, second = plans.iloc[0], plans.iloc[-1]
    adjustments = pd.DataFrame(
        [
            {
                **first.to_dict(),
                "target": _eased(first["kpi_id"], first["target"]),
                "approved_on": "2026-08-14",
                "adjusted_on": "2026-08-10",
                "reason": "承接新客户上线,目标经批准调整",
            },
            {
                **second.to_dict(),
                "target": _eased(second["kpi_id"], second["target"]),
                "approved_on": "2026-10-09",
                "adjusted_on": "2026-09-22",
                "reason": "9 月下旬系统切换,申请调整目标",
                "note": "考核期结束后才批准:不计入 2026-Q3",
            },
        ]
    )
    out = pd.concat([plans, adjustments], ignore_index=True)
    return out.reindex(columns=PLAN_COLUMNS).fillna({"adjusted_on": "", "reason": "", "note": ""})


def _eased(kpi: str, target: float) -> float:
    """A target made easier: lower where higher is better, higher for response time."""
    return round(target * (1.15 if kpi == "first_response" else 0.95), 4)


def _rated_by_superior(
    drawn: pd.DataFrame, kpis: list[str], roster: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split drawn rows into the actuals and the superior's ratings of ``kpis``.

    The superior is each person's ``manager_id``; the values are the ones drawn.
    """
    superior = drawn["employee_id"].map(roster.set_index("employee_id")["manager_id"])
    ratings = (
        drawn.assign(rater_id=superior, rater_group="superior")
        .melt(
            id_vars=["employee_id", "period", "rater_id", "rater_group"],
            value_vars=kpis,
            var_name="kpi_id",
            value_name="value",
            ignore_index=False,
        )
        .sort_index(kind="stable")  # each person's ratings together, in the KPIs' order
        .astype({"value": object})
    )
    return drawn.drop(columns=kpis), ratings[RATING_COLUMNS].reset_index(drop=True)


def _department_head_actuals(rng: np.random.Generator, head: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": head["employee_id"].to_numpy(),
            "period": "2025",
            "rules_regulations": [13],
            "plan_completion_rate": [0.96],
            "complaint_rate": [0.018],
            "complaint_handling_days": [2.5],
            "compensation_paid": [3.2],
            "budget_deviation_rate": [0.062],
            "cost_income_ratio": [0.171],
            "daily_affairs": [9],
        }
    )


def _ratings(
    rng: np.random.Generator,
    roster: pd.DataFrame,
    ability: pd.Series,
    ratee: pd.DataFrame,
    period: Period,
) -> pd.DataFrame:
    """Teamwork ratings (1–5) from the groups each position is rated by, along the roster's
    reporting lines (not every assigned rater rates: the rest is incomplete)."""
    rows = []
    present = set(roster.loc[_employed(roster, period), "employee_id"])
    for person in ratee.itertuples():
        same_team = roster.loc[(roster["team"] == person.team) & (roster["status"] == "regular")]
        if person.position == "manager":
            groups = {
                "superior": [person.manager_id],
                "subordinates": list(
                    roster.loc[roster["manager_id"] == person.employee_id, "employee_id"]
                ),
            }
        elif person.position == "supervisor":
            groups = {
                "superior": [person.manager_id],
                "peers": list(
                    roster.loc[
                        (roster["position"] == "supervisor")
                        & (roster["employee_id"] != person.employee_id),
                        "employee_id",
                    ]
                )[:3],
                "subordinates": list(
                    same_team.loc[same_team["position"] == "specialist", "employee_id"]
                )[:4],
            }
        else:
            supervisor = same_team.loc[same_team["position"] == "supervisor", "employee_id"]
            peers = same_team.loc[
                (same_team["position"] == "specialist")
                & (same_team["employee_id"] != person.employee_id),
                "employee_id",
            ]
            groups = {
                "superior": list(supervisor),
                "peers": list(
                    peers.sample(n=min(3, len(peers)), random_state=int(rng.integers(1 << 31)))
                ),
            }
            if rng.random() < 0.05:
                groups["peers"] = groups["peers"][:1]  # too few peers: flagged, not counted
        for group, raters in groups.items():
            for rater in raters:
                drawn = 3.9 + 0.5 * ability[str(person.employee_id)] + rng.normal(0, 0.4)
                value = np.clip(np.round(drawn, 1), 1, 5)
                if rater in present:  # drawn either way: the later draws stay the same
                    rows.append((person.employee_id, str(period), "teamwork", rater, group, value))
    return pd.DataFrame(rows, columns=RATING_COLUMNS)


def _generated(seed: int) -> SampleDepartment:
    """The tables drawn from the seed, before the team actuals follow the raw exports."""
    rng = np.random.default_rng(seed)
    roster = _roster(rng)
    ability = pd.Series(rng.normal(0, 1, len(roster)), index=roster["employee_id"])
    ability.iloc[[7, 19]] = pd.Series([-2.6, -2.2])  # two people who struggle
    roster = _with_reporting_lines(roster)
    staff = roster.loc[roster["position"].isin(["supervisor", "specialist"])]
    managers = roster.loc[roster["position"] == "manager"]
    team, post, ratings = [], [], []
    for period in QUARTERS:
        present = staff.loc[_employed(staff, period)]
        team.append(_team_actuals(rng, present, ability[present["employee_id"]].to_numpy(), period))
        post.append(_manager_post_actuals(rng, managers, period))
        ratings.append(
            _ratings(rng, roster, ability, present.loc[present["status"] == "regular"], period)
        )
    year = Period(2025, "year", 1)
    team.append(_team_actuals(rng, managers, ability[managers["employee_id"]].to_numpy(), year))
    ratings.append(_ratings(rng, roster, ability, managers, year))
    head = roster.loc[roster["position"] == "department_head"]
    post_actuals, post_ratings = _rated_by_superior(
        pd.concat(post, ignore_index=True), MANAGER_POST_RATED, roster
    )
    head_actuals, head_ratings = _rated_by_superior(
        _department_head_actuals(rng, head), DEPARTMENT_HEAD_RATED, roster
    )
    monthly_actuals, monthly_ratings = _monthly_repair(seed, managers)
    return SampleDepartment(
        roster=roster,
        actuals_after_sales_team=pd.concat(team, ignore_index=True),
        actuals_manager_post=post_actuals,
        actuals_department_head=head_actuals,
        actuals_monthly_repair=monthly_actuals,
        ratings=pd.concat(
            [*ratings, post_ratings, head_ratings, monthly_ratings], ignore_index=True
        ),
        plans=_plans(seed, roster),
        ability=ability,
    )


def make_sample(*, seed: int = 2026) -> SampleDepartment:
    """Generate the sample department (the same tables for the same seed).

    The supervisors' and specialists' quarterly actuals are computed from the sample's own
    raw exports (:mod:`kpi_toolkit.sample.records`) through the ``sample_department``
    bundle, exactly as ``kpi score --sources sample_department`` computes them: the table
    and the raw exports tell one story, and both routes give the same scores. The tables
    are made once per seed in a process; each call returns copies.
    """
    return _copy(_made(seed))


@functools.cache
def _made(seed: int) -> SampleDepartment:
    with tempfile.TemporaryDirectory(prefix="kpi-sample-") as folder:
        sample, _ = _with_records(seed, Path(folder))
    return sample


def _copy(sample: SampleDepartment) -> SampleDepartment:
    return SampleDepartment(**{k: v.copy() for k, v in vars(sample).items()})


def _with_records(seed: int, folder: Path) -> tuple[SampleDepartment, dict[str, Path]]:
    """The sample with its raw exports written to ``folder`` and the team actuals from them."""
    from .records import write_records

    sample = _generated(seed)
    written = write_records(folder, roster=sample.roster, seed=seed, ability=sample.ability)
    team = _team_from_records(sample, folder)
    return replace(sample, actuals_after_sales_team=team), written


def _team_from_records(sample: SampleDepartment, folder: Path) -> pd.DataFrame:
    """Quarterly team actuals computed from the raw exports; the yearly rows as drawn."""
    from ..engine.inputs import check_roster
    from ..records.bundle import actuals_from_bundle

    drawn = sample.actuals_after_sales_team
    computed = actuals_from_bundle(
        "sample_department", grain="quarter", roster=check_roster(sample.roster), data_dir=folder
    ).actuals
    computed = computed.reindex(columns=drawn.columns)
    for column in computed.columns[2:]:
        values = computed[column].astype(float)
        if values.dropna().mod(1).eq(0).all() and drawn[column].dtype.kind == "i":
            computed[column] = values.astype("Int64")
    yearly = drawn.loc[~drawn["period"].str.contains("Q")]
    return pd.concat([computed, yearly], ignore_index=True)


def write_sample(
    directory: str | Path, *, seed: int = 2026, records: bool = False
) -> dict[str, Path]:
    """Write the sample as CSV (UTF-8 with BOM, opens in Excel) and XLSX; return the paths.

    With ``records``, also the raw exports the actuals can be computed from (a GBK ticket
    CSV with Chinese headers, an XLSX report log, surveys, ... with a few bad rows) in
    ``records/``: see :mod:`kpi_toolkit.sample.records`.
    """
    out = make_folder(directory)
    paths: dict[str, Path] = {}
    if records:
        sample, written = _with_records(seed, out / "records")
        paths |= {f"records_{name}": path for name, path in written.items()}
    else:
        sample = make_sample(seed=seed)
    for name, frame in vars(sample).items():
        if name == "ability":
            continue
        paths[name] = out / f"{name}.csv"
        frame.to_csv(paths[name], index=False, encoding="utf-8-sig")
    from ..reports.excel import write_table_excel

    for name in ("roster", "actuals_after_sales_team"):
        paths[f"{name}_xlsx"] = out / f"{name}.xlsx"
        write_table_excel(getattr(sample, name), paths[f"{name}_xlsx"])
    return paths
