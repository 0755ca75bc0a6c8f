"""Where each person lost points (改进重点, 培训需求, the year's pattern) and the employee's
acknowledgement with the appeal window (员工确认), against values computed by hand."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import PERIOD, TINY_SCHEME, make_roster, write_scheme
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.cli import main
from kpi_toolkit.engine.annual import annual
from kpi_toolkit.engine.improvement import (
    focus,
    losses_by_kpi,
    losses_of,
    points_lost,
    year_pattern,
)
from kpi_toolkit.engine.scheme import Scheme, load_scheme
from kpi_toolkit.engine.scoring import score
from kpi_toolkit.records.calendar import CalendarSpec, load_calendar, working_day_after
from kpi_toolkit.reports import sections as rs
from kpi_toolkit.reports.context import ReportContext, load_context
from kpi_toolkit.reports.improvement import (
    acknowledgement,
    appeal_window,
    training_needs,
    year_pattern_lines,
)
from kpi_toolkit.sample.department import write_sample

# TINY_SCHEME (tests/helpers.py), clerk: on_time 40 (bands: ≥ 0.9 → 40, 0–0.9 → 0…40),
# complaints 30 (30 − 2 per complaint), attitude_score 30 (the score as given).
# Points and points lost worked out by hand:
#   E1: on_time 0.81 → 0.81/0.9 × 40 = 36 (lost 4); 3 complaints → 24 (lost 6); 27 (lost 3)
#   E2: on_time 0.95 → 40 (lost 0); 1 complaint → 28 (lost 2); 28 (lost 2)
#   E3: on_time 1.0 → 40; no complaint → 30; 30: nothing lost
#   E4: on_time 0.855 → 38 (lost 2); 1 complaint → 28 (lost 2); 28 (lost 2): a three-way tie
ACTUALS = {
    "E1": (0.81, 3, 27),
    "E2": (0.95, 1, 28),
    "E3": (1.0, 0, 30),
    "E4": (0.855, 1, 28),
}
LOST = {
    "E1": {"on_time": 4, "complaints": 6, "attitude_score": 3},
    "E2": {"on_time": 0, "complaints": 2, "attitude_score": 2},
    "E3": {"on_time": 0, "complaints": 0, "attitude_score": 0},
    "E4": {"on_time": 2, "complaints": 2, "attitude_score": 2},
}
TEAMS = ["一组", "一组", "二组", "二组"]
KPIS = ("on_time", "complaints", "attitude_score")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Scheme:
    return load_scheme(write_scheme(tmp_path_factory.mktemp("tiny"), TINY_SCHEME))


def _actuals(rows: dict[str, tuple[float, float, float]], period: str = PERIOD) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"employee_id": e, "period": period, **dict(zip(KPIS, v, strict=True))}
            for e, v in rows.items()
        ]
    )


def _roster(ids: list[str]) -> pd.DataFrame:
    return make_roster(*[(e, "clerk") for e in ids], team=TEAMS[: len(ids)])


@pytest.fixture(scope="module")
def appraisal(tiny: Scheme):
    return score(_actuals(ACTUALS), scheme=tiny, roster=_roster(list(ACTUALS)), period=PERIOD)


# --- points lost per person and KPI --------------------------------------------------------


def test_points_lost_by_hand(appraisal, tiny: Scheme) -> None:
    lost = points_lost(appraisal.scores, scheme=tiny)
    found = {
        (e, k): v for e, k, v in zip(lost["employee_id"], lost["kpi_id"], lost["lost"], strict=True)
    }
    expected = {(e, k): v for e, kpis in LOST.items() for k, v in kpis.items()}
    assert found.keys() == expected.keys()
    assert found == pytest.approx(expected)
    # the points lost and the points make up the weight, person by person
    assert (lost["points"] + lost["lost"]).to_numpy() == pytest.approx(lost["weight"].to_numpy())


def test_focus_orders_by_points_lost_and_keeps_the_scheme_order_in_a_tie(appraisal, tiny) -> None:
    chosen = focus(points_lost(appraisal.scores, scheme=tiny), actuals=appraisal.actuals)
    by_person = {e: list(g["kpi_id"]) for e, g in chosen.groupby("employee_id")}
    assert by_person == {
        "E1": ["complaints", "on_time", "attitude_score"],  # 6 > 4 > 3
        "E2": ["complaints", "attitude_score"],  # 2 = 2: the scheme's order; on_time lost none
        "E4": ["on_time", "complaints", "attitude_score"],  # all 2: the scheme's order
    }  # E3 lost nothing: no row
    e1 = chosen.loc[chosen["employee_id"] == "E1"]
    assert list(e1["order"]) == [1, 2, 3]
    assert list(e1["actual"]) == pytest.approx([3, 0.81, 27])
    assert list(e1["lost"]) == pytest.approx([6, 4, 3])


def test_focus_cuts_a_tie_at_the_top_in_the_scheme_order(appraisal, tiny) -> None:
    chosen = focus(points_lost(appraisal.scores, scheme=tiny), top=2)
    assert list(chosen.loc[chosen["employee_id"] == "E4", "kpi_id"]) == ["on_time", "complaints"]
    assert chosen.groupby("employee_id").size().max() == 2


def test_a_kpi_left_out_is_no_loss_and_the_others_count_against_their_respread_weight(
    tmp_path: Path,
) -> None:
    scheme = load_scheme(write_scheme(tmp_path, "missing: exclude\n" + TINY_SCHEME))
    actuals = _actuals({"E1": (0.95, 1, np.nan)})
    result = score(actuals, scheme=scheme, roster=_roster(["E1"]), period=PERIOD)
    lost = points_lost(result.scores, scheme=scheme).set_index("kpi_id")
    # attitude (30) left out: on_time and complaints count × 100/70; one complaint loses 2
    assert list(lost.index) == ["on_time", "complaints"]
    assert lost.loc["complaints", "weight"] == pytest.approx(30 * 100 / 70)
    assert lost.loc["complaints", "lost"] == pytest.approx(2 * 100 / 70)
    assert lost.loc["on_time", "lost"] == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 20), st.floats(0, 30)), min_size=1, max_size=6
    )
)
def test_points_lost_stay_within_the_weight_and_add_up_to_what_the_total_misses(
    tiny: Scheme, rows: list[tuple[float, int, float]]
) -> None:
    ids = [f"E{i}" for i in range(len(rows))]
    actuals = _actuals(dict(zip(ids, rows, strict=True)))
    roster = make_roster(*[(e, "clerk") for e in ids])
    result = score(actuals, scheme=tiny, roster=roster, period=PERIOD)
    lost = points_lost(result.scores, scheme=tiny)
    assert ((lost["lost"] >= 0) & (lost["lost"] <= lost["weight"] + 1e-9)).all()
    missed = 100 - result.scores.set_index("employee_id")["total"]
    summed = lost.groupby("employee_id")["lost"].sum().reindex(missed.index)
    assert summed.to_numpy() == pytest.approx(missed.to_numpy(), abs=0.006)  # totals: 2 decimals


# --- the department and its teams ----------------------------------------------------------


def test_losses_by_kpi_across_the_department_and_by_team(appraisal, tiny) -> None:
    lost = points_lost(appraisal.scores, scheme=tiny)
    department = losses_by_kpi(lost)
    # complaints 6+2+0+2 = 10, attitude 3+2+0+2 = 7, on_time 4+0+0+2 = 6
    assert list(department["kpi_id"]) == ["complaints", "attitude_score", "on_time"]
    assert list(department["lost"]) == pytest.approx([10, 7, 6])
    assert list(department["losing"]) == [3, 3, 2]
    assert list(department["people"]) == [4, 4, 4]
    assert department["share"].iloc[0] == pytest.approx(10 / 120)
    teams = losses_by_kpi(lost, by="team")
    first = teams.groupby("team").head(1).set_index("team")
    # 一组 (E1, E2): complaints 8, on_time 4, attitude 5; 二组 (E3, E4): all three 2, a tie
    assert first.loc["一组", "kpi_id"] == "complaints" and first.loc["一组", "lost"] == 8
    assert first.loc["二组", "kpi_id"] == "on_time" and first.loc["二组", "lost"] == 2


# --- the year's pattern --------------------------------------------------------------------

# E1 loses complaints in Q1, Q2, Q4 and attitude in all four quarters, on_time in Q1 and Q2
# only; E2 loses on_time in Q3 only.
YEAR = {
    "2026-Q1": {"E1": (0.81, 1, 29), "E2": (1.0, 0, 30)},
    "2026-Q2": {"E1": (0.855, 2, 28), "E2": (1.0, 0, 30)},
    "2026-Q3": {"E1": (0.95, 0, 29), "E2": (0.45, 0, 30)},
    "2026-Q4": {"E1": (1.0, 1, 25), "E2": (1.0, 0, 30)},
}


def test_year_pattern_on_four_quarters(tiny: Scheme) -> None:
    actuals = pd.concat([_actuals(rows, period) for period, rows in YEAR.items()])
    result = annual(actuals, scheme=tiny, roster=_roster(["E1", "E2"]), year=2026)
    pattern = year_pattern(losses_of(result.appraisals))
    assert pattern[["employee_id", "kpi_id", "quarters"]].values.tolist() == [
        ["E1", "attitude_score", 4],
        ["E1", "complaints", 3],
    ]
    # attitude: 1 + 2 + 1 + 5 = 9; complaints: 2 + 4 + 2 = 8
    assert list(pattern["lost"]) == pytest.approx([9, 8])
    assert pattern["periods"].iloc[1] == "2026-Q1, 2026-Q2, 2026-Q4"
    lines = year_pattern_lines(pattern, scheme=tiny)
    assert lines[0] == "全年同一指标 3 个季度及以上失分:"
    assert lines[1] == "  E1 员工E1:态度(4 个季度,失分 9.00)、投诉(3 个季度,失分 8.00)"


def test_a_month_counts_for_its_quarter_and_a_year_for_none() -> None:
    rows = [("2026-01", 1.0), ("2026-02", 2.0), ("2026-05", 1.0), ("2026", 3.0)]
    lost = pd.DataFrame(
        {
            "employee_id": "E1",
            "name": "张伟",
            "position": "manager",
            "team": "维修",
            "period": [p for p, _ in rows],
            "kpi_id": "repair",
            "weight": 30.0,
            "points": [30 - x for _, x in rows],
            "lost": [x for _, x in rows],
        }
    )
    assert year_pattern(lost).empty  # Q1 (two months) and Q2: two quarters
    more = pd.concat([lost, lost.iloc[[0]].assign(period="2026-11")])
    assert year_pattern(more)[["quarters", "periods"]].values.tolist() == [
        [3, "2026-Q1, 2026-Q2, 2026-Q4"]
    ]


def test_kpi_annual_prints_the_year_pattern_after_the_summary(tiny, tmp_path: Path, capsys) -> None:
    actuals = pd.concat([_actuals(rows, period) for period, rows in YEAR.items()])
    actuals.to_csv(tmp_path / "actuals.csv", index=False)
    _roster(["E1", "E2"]).to_csv(tmp_path / "roster.csv", index=False)
    scheme = write_scheme(tmp_path, TINY_SCHEME)
    common = ["--scheme", str(scheme), "--actuals", str(tmp_path / "actuals.csv")]
    common += ["--roster", str(tmp_path / "roster.csv"), "--year", "2026"]
    assert main(["annual", *common, "--out", str(tmp_path / "year.csv")]) == 0
    out = capsys.readouterr().out
    summary, _, pattern = out.partition("全年同一指标 3 个季度及以上失分:")
    assert "平均分" in summary
    assert "E1 员工E1:态度(4 个季度,失分 9.00)、投诉(3 个季度,失分 8.00)" in pattern
    assert "E2" not in pattern
    # without --out the results go to stdout as CSV, the pattern to stderr
    assert main(["annual", *common]) == 0
    captured = capsys.readouterr()
    assert "失分" not in captured.out and "态度(4 个季度" in captured.err


# --- the appeal window -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        # 国庆 2026: 1–7 Oct off, Sat 10 Oct a make-up working day → 8, 9, 10, 12, 13 Oct
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # the Saturday that is worked
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        # 中秋 Fri 25 Sep 2026 off, then the weekend → Mon 28 Sep
        (date(2026, 9, 24), 1, date(2026, 9, 28)),
        (date(2026, 7, 3), 5, date(2026, 7, 10)),  # an ordinary week: Fri + 5 → next Fri
    ],
)
def test_working_day_after_by_hand(day: date, count: int, expected: date) -> None:
    assert working_day_after(day, count, calendar=load_calendar("cn_office")) == expected


def test_working_day_after_a_plain_week_without_holidays() -> None:
    plain = CalendarSpec(base="weekdays")
    assert working_day_after(date(2026, 9, 30), 5, calendar=plain) == date(2026, 10, 7)


def test_appeal_window_from_the_scheme_or_the_default(tiny: Scheme) -> None:
    window = appeal_window(tiny, report_date=date(2026, 9, 30))
    assert (window.deadline, window.days, window.default) == (date(2026, 10, 13), 5, True)
    three = tiny.model_copy(update={"appeal_working_days": 3})
    window = appeal_window(three, report_date=date(2026, 9, 30))
    assert (window.deadline, window.days, window.default) == (date(2026, 10, 10), 3, False)


def test_the_scheme_refuses_an_appeal_window_of_no_days(tmp_path: Path) -> None:
    from kpi_toolkit.errors import SchemeError

    with pytest.raises(SchemeError, match="appeal_working_days"):
        load_scheme(write_scheme(tmp_path, "appeal_working_days: 0\n" + TINY_SCHEME))


# --- what the reader sees ---------------------------------------------------------------------


def _context(appraisal, **changes) -> ReportContext:
    ctx = ReportContext(appraisal=appraisal, previous=None, team=None, lang="zh", inputs={})
    return dataclasses.replace(ctx, generated="2026-09-30T10:00:00", **changes)


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_scorecard_carries_the_focus_and_the_acknowledgement(appraisal) -> None:
    ctx = _context(appraisal)
    card = rs.scorecard(ctx, "E1", for_employee=True) + acknowledgement(ctx, "E1").data
    assert "改进重点" in card and "员工确认" in card
    assert "申诉期限:2026-10-13 前(含当日,5 个工作日)" in card
    assert "考核方案未规定申诉期,按默认 5 个工作日" in card
    focus_part = _text(card[card.index("改进重点") : card.index("员工确认")])
    # complaints (3, target none, lost 6), on_time (81.0 %, lost 4), attitude (27, lost 3)
    assert focus_part.index("投诉") < focus_part.index("准时率") < focus_part.index("态度")
    assert "81.0%" in focus_part and "6.00" in focus_part and "24.00 / 30" in focus_part
    assert "员工签名" in card and "员工E1" in card


def test_no_focus_when_nothing_was_lost(appraisal) -> None:
    assert "改进重点" not in rs.scorecard(_context(appraisal), "E3")


def test_acknowledgement_in_english_names_the_scheme_window(appraisal, tiny) -> None:
    scheme = tiny.model_copy(update={"appeal_working_days": 3})
    ctx = _context(dataclasses.replace(appraisal, scheme=scheme), lang="en")
    page = acknowledgement(ctx, "E2").data
    assert "Appeals until 2026-10-10 inclusive (3 working days)" in page
    assert "default" not in page


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


@pytest.fixture(scope="module")
def sample_context(sample_dir: Path) -> ReportContext:
    return load_context(scheme="after_sales_team", data_dir=sample_dir, period=PERIOD)


def test_training_needs_names_the_kpi_the_department_lost_most_on(sample_context) -> None:
    ctx, totals = sample_context, {}
    for position in ctx.scheme.positions.values():
        people = ctx.scores.loc[ctx.scores["position"] == position.id]
        for kpi in position.kpis:
            missed = (kpi.weight - people[kpi.id]).clip(lower=0).sum()
            totals[kpi.name.get("zh")] = totals.get(kpi.name.get("zh"), 0) + missed
    top = max(totals, key=totals.__getitem__)
    page = training_needs(ctx).data
    assert "培训需求" in page and "各团队失分最多的指标" in page
    assert f"失分最多的指标:{top}(失分合计 {totals[top]:.2f}" in page
    first_row = re.search(r"<tbody><tr><td>([^<]+)</td>", page)
    assert first_row and first_row.group(1) == top
    for team in ctx.scores["team"].unique():
        assert f"<td>{team}</td>" in page


def test_sample_scorecard_shows_the_focus(sample_context) -> None:
    ctx = dataclasses.replace(sample_context, generated="2026-09-30T09:00:00")
    lost = points_lost(ctx.scores, scheme=ctx.scheme)
    worst = lost.groupby("employee_id")["lost"].sum().idxmax()
    card = rs.scorecard(ctx, worst, for_employee=True) + acknowledgement(ctx, worst).data
    assert "改进重点" in card and "员工确认" in card and "2026-10-13" in card


@pytest.mark.notebook
def test_employee_scorecard_notebook_ends_with_the_acknowledgement(sample_dir: Path) -> None:
    from kpi_toolkit.reports.export import execute_notebook, shared_kernel

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "employee_scorecard.ipynb"
    with shared_kernel() as kernel:
        nb = execute_notebook(
            notebook, {"data_dir": str(sample_dir), "employee_id": "E005"}, kernel=kernel
        )
    html = [o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", [])]
    text = "".join(html)
    assert "改进重点" in text and "员工确认" in text and "申诉期限" in text
    assert text.index("改进重点") < text.index("员工确认")
