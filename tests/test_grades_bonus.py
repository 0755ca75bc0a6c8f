"""Consequences by grade, the bonus by grade, per-person amounts, 转正日期 (issue 10: 5, 7, 9).

Every expected cent is computed by hand in the test's comment.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_toolkit.cli import main
from kpi_toolkit.engine.bonus import BonusPool, allocate_by_grade, check_scores
from kpi_toolkit.engine.inputs import check_roster
from kpi_toolkit.engine.roster import appraisees
from kpi_toolkit.engine.scheme import Scheme, builtin_scheme, load_scheme
from kpi_toolkit.errors import DataError
from kpi_toolkit.files import builtin_names, builtin_path
from kpi_toolkit.periods import parse_period

BUILTIN = builtin_scheme("monthly_repair")


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def scores_file(folder: Path, rows: list[tuple], name: str = "scores.csv") -> Path:
    path = folder / name
    frame = pd.DataFrame(rows, columns=["employee_id", "name", "period", "total", "grade"])
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def paid(path: Path) -> dict[str, int]:
    out = pd.read_csv(path, encoding="utf-8-sig")
    return {e: round(b * 100) for e, b in zip(out["employee_id"], out["bonus"], strict=True)}


FOUR = [
    ("E1", "甲", "2026-06", 95.0, "优秀"),
    ("E2", "乙", "2026-06", 85.0, "良好"),
    ("E3", "丙", "2026-06", 70.0, "合格"),
    ("E4", "丁", "2026-06", 40.0, "不合格"),
]


# --- the scheme's grades ---------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_names("schemes"))
def test_every_builtin_grade_has_a_factor_and_a_consequence(name: str) -> None:
    scheme = builtin_scheme(name)
    grades = {g.name.zh: (g.min, g.bonus_factor) for g in scheme.grades}
    assert grades == {"优秀": (90, 1.2), "良好": (80, 1.0), "合格": (60, 0.8), "不合格": (0, 0)}
    assert all(g.consequence is not None for g in scheme.grades)
    assert next(g for g in scheme.grades if g.id == "excellent").consequence.zh.startswith(
        "通报表扬"
    )
    assert next(g for g in scheme.grades if g.id == "fail").consequence.zh.startswith("限期改进")
    text = builtin_path("schemes", name).read_text(encoding="utf-8")
    assert "the seed names the grades, not their edges" in text  # 90/80/60 is our reading


def test_the_department_head_scheme_says_how_the_also_named_indicators_are_covered() -> None:
    text = builtin_path("schemes", "department_head").read_text(encoding="utf-8")
    for name in ("任务完成优良率", "不合格率", "客户满意度"):
        assert name in text
    assert "Reading: they are covered" in text


def test_monthly_repair_bonus_setting_is_read() -> None:
    assert BUILTIN.bonus is not None
    assert BUILTIN.bonus.allocation == "base"
    assert (BUILTIN.bonus.install_price, BUILTIN.bonus.repair_price) == (None, None)


# --- allocation by grade: hand-computed cents ------------------------------------------


def test_base_times_factor_in_whole_yuan(tmp_path: Path, capsys) -> None:
    # pool = 100 × 8 + 50 × 4 = 1000 yuan, 4 appraised → base 250;
    # 优秀 250 × 1.2 = 300, 良好 250, 合格 250 × 0.8 = 200, 不合格 0
    out = tmp_path / "bonus.csv"
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        scores_file(tmp_path, FOUR),
        "--installs",
        100,
        "--install-price",
        8,
        "--repairs",
        50,
        "--repair-price",
        4,
        "--scheme",
        "monthly_repair",
        "--allocation",
        "grade",
        "--out",
        out,
    )
    assert code == 0, err
    assert paid(out) == {"E1": 30_000, "E2": 25_000, "E3": 20_000, "E4": 0}
    assert pd.read_csv(out, encoding="utf-8-sig")["bonus_factor"].tolist() == [1.2, 1.0, 0.8, 0]
    assert "base per head 250.00" in err and "allocation grade" in err


def grade_scores(grades: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": [f"E{i}" for i in range(1, len(grades) + 1)],
            "total": 80.0,
            "grade": grades,
        }
    )


def cents(frame: pd.DataFrame) -> list[int]:
    return [round(b * 100) for b in frame["bonus"]]


def test_cents_left_go_to_the_largest_remainders() -> None:
    # 1.00 yuan, 3 people: base 33⅓ cents. 优秀 1.2 → 40, 合格 0.8 → 26⅔, 良好 1.0 → 33⅓;
    # sum 100 → 100 cents paid; floors 40 + 26 + 33 = 99; the 1 left goes to ⅔ (E2)
    pool = BonusPool(pool_cents=100, headcount=3)
    got = allocate_by_grade(grade_scores(["优秀", "合格", "良好"]), pool=pool, scheme=BUILTIN)
    assert cents(got) == [40, 27, 33]


def test_the_sum_paid_is_the_exact_sum_rounded_to_the_cent() -> None:
    # 1.00 yuan, 3 people: 1.2, 0.8, 0.8 → 40 + 26⅔ + 26⅔ = 93⅓ → 93 cents paid;
    # floors 40 + 26 + 26 = 92, one cent left: equal remainders and factors → file order (E2)
    pool = BonusPool(pool_cents=100, headcount=3)
    got = allocate_by_grade(grade_scores(["优秀", "合格", "合格"]), pool=pool, scheme=BUILTIN)
    assert cents(got) == [40, 27, 26]


def test_equal_remainders_go_to_the_higher_factor_then_the_file_order() -> None:
    # 0.07 yuan, 3 people: base 2⅓ cents; 良好 1.0 → 2⅓, 良好 → 2⅓, 不合格 0 → 0; sum 4⅔
    # → 5 paid; floors 2 + 2 + 0 = 4; one cent, equal remainders and factors → E1
    pool = BonusPool(pool_cents=7, headcount=3)
    got = allocate_by_grade(grade_scores(["良好", "良好", "不合格"]), pool=pool, scheme=BUILTIN)
    assert cents(got) == [3, 2, 0]
    # 0.02 yuan, 2 people: base 1 cent; factors 0.5 → ½, 1.5 → 1½; sum 2 paid; floors
    # 0 + 1; the cent left: equal remainders ½, the higher factor first → E2
    halves = Scheme.model_validate(
        {
            "id": "halves",
            "name": "半",
            "positions": {},
            "grades": [
                {"id": "a", "name": "甲", "min": 50, "bonus_factor": 1.5},
                {"id": "b", "name": "乙", "min": 0, "bonus_factor": 0.5},
            ],
        }
    )
    got = allocate_by_grade(
        grade_scores(["乙", "甲"]), pool=BonusPool(pool_cents=2, headcount=2), scheme=halves
    )
    assert cents(got) == [0, 2]
    # 0.10 yuan: 合格 0.8 → 2⅔, 优秀 1.2 → 4, 良好 1.0 → 3⅓: sum 10; floors 2 + 4 + 3 = 9;
    # the cent goes to the largest remainder ⅔ (E1)
    pool = BonusPool(pool_cents=10, headcount=3)
    got = allocate_by_grade(grade_scores(["合格", "优秀", "良好"]), pool=pool, scheme=BUILTIN)
    assert cents(got) == [3, 4, 3]


GRADES = st.lists(st.sampled_from(["优秀", "良好", "合格", "不合格"]), min_size=1, max_size=30)


@given(grades=GRADES, pool_cents=st.integers(0, 10_000_000))
def test_every_amount_is_within_a_cent_and_the_sum_is_exact(
    grades: list[str], pool_cents: int
) -> None:
    factor = {"优秀": Fraction(6, 5), "良好": Fraction(1), "合格": Fraction(4, 5), "不合格": 0}
    pool = BonusPool(pool_cents=pool_cents, headcount=len(grades))
    got = cents(allocate_by_grade(grade_scores(grades), pool=pool, scheme=BUILTIN))
    exact = [Fraction(pool_cents) * factor[g] / len(grades) for g in grades]
    total = sum(exact, Fraction(0))
    assert sum(got) == int(total + Fraction(1, 2))  # half a cent up
    assert all(abs(g - e) < 1 for g, e in zip(got, exact, strict=True))


def test_a_grade_without_a_factor_is_refused_naming_it(tmp_path: Path, capsys) -> None:
    scheme = tmp_path / "plain.yaml"
    text = builtin_path("schemes", "monthly_repair").read_text(encoding="utf-8")
    scheme.write_text(text.replace("    bonus_factor: 0.8\n", ""), encoding="utf-8")
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        scores_file(tmp_path, FOUR),
        "--installs",
        1,
        "--install-price",
        1,
        "--repairs",
        0,
        "--repair-price",
        0,
        "--scheme",
        scheme,
        "--allocation",
        "grade",
    )
    assert code == 2
    assert "grades.pass" in err and "grade 合格 has no bonus_factor" in err


def test_an_unknown_grade_is_refused_with_its_row(tmp_path: Path, capsys) -> None:
    rows = [*FOUR[:3], ("E4", "丁", "2026-06", 40.0, "差")]
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        scores_file(tmp_path, rows),
        "--installs",
        1,
        "--install-price",
        1,
        "--repairs",
        0,
        "--repair-price",
        0,
        "--scheme",
        "monthly_repair",
        "--allocation",
        "grade",
    )
    assert code == 2
    assert "row 5 (employee E4), column grade" in err and "差" in err


# --- the scores file a bonus is paid on ------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "where", "message"),
    [
        (
            ("E4", "丁", "2026-05", 40.0, "不合格"),
            "column period: 2 periods in one scores file",
            "'2026-06, 2026-05'",
        ),
        (("E1", "甲", "2026-06", 95.0, "优秀"), "rows 2, 5, column employee_id", "twice"),
        (("E4", "丁", "2026-06", 100.5, "优秀"), "row 5 (employee E4), column total", "0 to 100"),
        (("E4", "丁", "2026-06", -1, "不合格"), "row 5 (employee E4), column total", "0 to 100"),
        (("E4", "丁", "2026-06", "n/a", "不合格"), "row 5 (employee E4), column total", "0 to 100"),
    ],
)
@pytest.mark.parametrize("allocation", ["base", "proportional", "grade"])
def test_scores_no_bonus_can_be_paid_on_are_refused(
    tmp_path: Path, capsys, bad_row: tuple, where: str, message: str, allocation: str
) -> None:
    path = scores_file(tmp_path, [*FOUR[:3], bad_row])
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        path,
        "--installs",
        10,
        "--install-price",
        10,
        "--repairs",
        0,
        "--repair-price",
        0,
        "--scheme",
        "monthly_repair",
        "--allocation",
        allocation,
    )
    assert code == 2
    assert where in err and message in err
    assert "Traceback" not in err


def test_check_scores_reports_every_problem_at_once() -> None:
    frame = pd.DataFrame(
        {
            "employee_id": ["E1", "E1", "E2"],
            "period": ["2026-06", "2026-06", "2026-07"],
            "total": ["90", "101", "80"],
        }
    )
    with pytest.raises(DataError) as caught:
        check_scores(frame)
    assert len(caught.value.problems) == 3


# --- the scheme's bonus setting --------------------------------------------------------


def priced_scheme(folder: Path, *, allocation: str) -> Path:
    text = builtin_path("schemes", "monthly_repair").read_text(encoding="utf-8")
    text = text.replace(
        "  install_price: null\n  repair_price: null\n  allocation: base\n",
        (f"  install_price: 12.5\n  repair_price: 30\n  allocation: {allocation}\n"),
    )
    path = folder / "priced.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_prices_and_allocation_come_from_the_scheme(tmp_path: Path, capsys) -> None:
    # pool = 40 × 12.50 + 10 × 30 = 800 yuan, 4 appraised → base 200;
    # by grade: 240, 200, 160, 0
    out = tmp_path / "bonus.csv"
    args = ["bonus", "--scores", scores_file(tmp_path, FOUR), "--installs", 40, "--repairs", 10]
    scheme = priced_scheme(tmp_path, allocation="grade")
    code, _, err = run(capsys, *args, "--scheme", scheme, "--out", out)
    assert code == 0, err
    assert paid(out) == {"E1": 24_000, "E2": 20_000, "E3": 16_000, "E4": 0}
    # the command line overrides the scheme: base × total / 100 at a repair price of 0
    # pool = 500, base 125: 125 × 0.95 = 118.75, × 0.85 = 106.25, × 0.70 = 87.50, × 0.40 = 50
    code, _, err = run(
        capsys, *args, "--scheme", scheme, "--repair-price", 0, "--allocation", "base", "--out", out
    )
    assert code == 0, err
    assert paid(out) == {"E1": 11_875, "E2": 10_625, "E3": 8_750, "E4": 5_000}


def test_a_price_given_nowhere_is_refused(tmp_path: Path, capsys) -> None:
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        scores_file(tmp_path, FOUR),
        "--installs",
        1,
        "--repairs",
        1,
        "--scheme",
        "monthly_repair",
    )
    assert code == 2
    assert "--install-price" in err and "--repair-price" in err and "no unit price" in err


def test_grade_allocation_needs_a_scheme(tmp_path: Path, capsys) -> None:
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        scores_file(tmp_path, FOUR),
        "--installs",
        1,
        "--install-price",
        1,
        "--repairs",
        0,
        "--repair-price",
        0,
        "--allocation",
        "grade",
    )
    assert code == 2 and "--scheme" in err


# --- per-person amounts (加班费, 装锁提成) ----------------------------------------------


def extras_file(folder: Path, text: str) -> Path:
    path = folder / "extras.csv"
    path.write_text(text, encoding="utf-8")
    return path


def bonus_with_extras(tmp_path: Path, capsys, extras: Path) -> tuple[int, pd.DataFrame, str]:
    out = tmp_path / "bonus.csv"
    code, _, err = run(
        capsys,
        "bonus",
        "--scores",
        scores_file(tmp_path, FOUR),
        "--installs",
        100,
        "--install-price",
        8,
        "--repairs",
        50,
        "--repair-price",
        4,
        "--scheme",
        "monthly_repair",
        "--allocation",
        "grade",
        "--extras",
        extras,
        "--out",
        out,
    )
    frame = pd.read_csv(out, encoding="utf-8-sig") if code == 0 else pd.DataFrame()
    return code, frame, err


def test_extras_are_added_as_columns_and_to_the_payout(tmp_path: Path, capsys) -> None:
    # bonus 300, 250, 200, 0 (above); E1 加班费 120.50 + 装锁提成 80 → 500.50;
    # E3 装锁提成 35.25 → 235.25; E2 no row → 250; E4 加班费 60 → 60
    extras = extras_file(
        tmp_path, "employee_id,加班费,装锁提成\nE1,120.50,80\nE3,,35.25\nE4,60,0\n"
    )
    code, frame, err = bonus_with_extras(tmp_path, capsys, extras)
    assert code == 0, err
    rows = frame.set_index("employee_id")
    assert rows["加班费"].to_dict() == {"E1": 120.5, "E2": 0.0, "E3": 0.0, "E4": 60.0}
    assert rows["装锁提成"].to_dict() == {"E1": 80.0, "E2": 0.0, "E3": 35.25, "E4": 0.0}
    assert rows["payout"].to_dict() == {"E1": 500.5, "E2": 250.0, "E3": 235.25, "E4": 60.0}
    assert list(frame.columns[-4:]) == ["bonus", "加班费", "装锁提成", "payout"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "employee_id,加班费\nE9,10\n",
            "row 2 (employee E9), column employee_id",
            "not in the scores",
        ),
        ("employee_id,加班费\nE1,10\nE1,5\n", "row 3 (employee E1), column employee_id", "twice"),
        ("employee_id,加班费\nE1,十元\n", "row 2 (employee E1), column 加班费", "not an amount"),
        (
            "employee_id,period,加班费\nE1,2026-05,10\n",
            "row 2 (employee E1), column period",
            "period",
        ),
    ],
)
def test_bad_extras_are_refused_naming_the_row(
    tmp_path: Path, capsys, text: str, where: str, message: str
) -> None:
    code, _, err = bonus_with_extras(tmp_path, capsys, extras_file(tmp_path, text))
    assert code == 2
    assert where in err and message in err


# --- 转正日期: probation until the confirmed date ----------------------------------------


def roster(**columns: list) -> pd.DataFrame:
    base = {
        "employee_id": ["E1", "E2", "E3", "E4"],
        "name": ["甲", "乙", "丙", "丁"],
        "position": ["other_staff"] * 4,
        "team": ["维修组"] * 4,
        "status": ["probation", "regular", "probation", "regular"],
        "joined": ["2026-03-01", "2026-03-01", "2026-03-01", "2025-01-01"],
        "confirmed": ["2026-07-01", "2026-07-02", "", ""],
    }
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(
    ("period", "appraised"),
    [
        # month: appraised from the first month that starts on or after the confirmed date
        ("2026-06", ["E4"]),
        ("2026-07", ["E1", "E4"]),  # E1 confirmed 07-01: July starts that day
        ("2026-08", ["E1", "E2", "E4"]),  # E2 confirmed 07-02: from August
    ],
)
def test_confirmed_date_by_month(period: str, appraised: list[str]) -> None:
    people, excluded = appraisees(
        check_roster(roster()), scheme=BUILTIN, period=parse_period(period)
    )
    assert people["employee_id"].tolist() == appraised
    # E3: probation and no date: never appraised; the reason names the date where known
    reasons = dict(zip(excluded["employee_id"], excluded["reason"], strict=True))
    assert reasons["E3"] == "试用期人员不参加考核"
    if "E2" in reasons:
        assert "2026-07-02" in reasons["E2"]


@pytest.mark.parametrize(
    ("period", "appraised"),
    [
        ("2026-Q2", ["E4"]),
        ("2026-Q3", ["E1", "E4"]),  # E1 confirmed 07-01, the day Q3 starts
        ("2026-Q4", ["E1", "E2", "E4"]),  # E2 confirmed 07-02: Q3 started on probation
    ],
)
def test_confirmed_date_by_quarter(tmp_path: Path, period: str, appraised: list[str]) -> None:
    text = builtin_path("schemes", "monthly_repair").read_text(encoding="utf-8")
    path = tmp_path / "quarterly.yaml"
    path.write_text(text.replace("period: month", "period: quarter"), encoding="utf-8")
    quarterly = load_scheme(path)
    people, _ = appraisees(check_roster(roster()), scheme=quarterly, period=parse_period(period))
    assert people["employee_id"].tolist() == appraised


def test_confirmed_dates_that_contradict_the_roster_are_refused() -> None:
    bad = roster(
        confirmed=["2026-02-01", "not yet", "", "2026-05-01"],
        left=["", "", "", "2026-04-30"],
    )
    with pytest.raises(DataError) as caught:
        check_roster(bad)
    text = caught.value.render()
    assert "row 2 (employee E1), column confirmed" in text and "before the person joined" in text
    assert "row 3 (employee E2), column confirmed" in text and "not a date" in text
    assert "row 5 (employee E4), column confirmed" in text and "after the person left" in text
    assert len(caught.value.problems) == 3


def test_kpi_score_leaves_out_who_is_not_yet_confirmed(tmp_path: Path, capsys) -> None:
    frame = roster()
    frame.to_csv(tmp_path / "roster.csv", index=False)
    actuals = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3", "E4"],
            "period": "2026-07",
            "repair_quantity_rate": [0.96, 0.96, 0.96, 0.93],
        }
    )
    actuals.to_csv(tmp_path / "actuals.csv", index=False)
    ratings = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3", "E4"],
            "period": "2026-07",
            "kpi_id": "work_mistakes",
            "rater_id": "M1",
            "rater_group": "superior",
            "value": [0, 0, 0, 1],
        }
    )
    ratings.to_csv(tmp_path / "ratings.csv", index=False)
    code, out, err = run(
        capsys,
        "score",
        "--scheme",
        "monthly_repair",
        "--data-dir",
        tmp_path,
        "--period",
        "2026-07",
    )
    assert code == 0, err
    scores = pd.read_csv(io.StringIO(out))
    # E4: 93 % → 50 − 2 = 48; one mistake → 50 − 3 = 47; total 95. E1: 50 + 50 = 100
    assert dict(zip(scores["employee_id"], scores["total"], strict=True)) == {
        "E1": 100.0,
        "E4": 95.0,
    }
    assert "转正日期 2026-07-02" in err
    assert np.isin(["E2", "E3"], scores["employee_id"]).sum() == 0


def test_a_scorecard_names_the_consequence_of_the_grade(tmp_path: Path) -> None:
    from kpi_toolkit.reports import sections
    from kpi_toolkit.reports.context import load_context
    from kpi_toolkit.sample.department import write_sample

    write_sample(tmp_path)
    ctx = load_context(scheme="after_sales_team", data_dir=str(tmp_path), period="2026-Q3")
    grades = {g.id: g for g in ctx.scheme.grades}
    shown = 0
    for grade_id, people in ctx.scores.groupby("grade_id"):
        card = sections.scorecard(ctx, people["employee_id"].iloc[0])
        text = grades[str(grade_id)].consequence
        if text is None:
            assert "奖惩" not in card
        else:
            assert f"奖惩 <b>{text.get('zh')}</b>" in card
            shown += 1
    assert shown >= 2  # 优秀 通报表扬 and 不合格 限期改进 at least
