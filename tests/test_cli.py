"""The kpi command line end to end on the sample department, and its bad-input messages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.sample.department import write_sample

ROOT = Path(__file__).resolve().parents[1]
SCHEMES = ROOT / "params" / "schemes"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def score_args(sample: Path, actuals: Path | None = None, period: str = "2026-Q3") -> list:
    return [
        "score",
        "--scheme",
        SCHEMES / "after_sales_team.yaml",
        "--actuals",
        actuals or sample / "actuals_after_sales_team.csv",
        "--roster",
        sample / "roster.csv",
        "--ratings",
        sample / "ratings.csv",
        "--period",
        period,
    ]


def test_score_writes_the_contract_columns(sample: Path, tmp_path: Path, capsys):
    out = tmp_path / "scores.csv"
    code, stdout, stderr = run(capsys, *score_args(sample), "--out", out)
    assert code == 0, stderr
    scores = pd.read_csv(out, encoding="utf-8-sig")
    assert list(scores.columns[:5]) == ["employee_id", "name", "position", "team", "period"]
    for column in (
        "csat",
        "teamwork",
        "performance",
        "ability",
        "attitude",
        "total",
        "grade",
        "rank",
    ):
        assert column in scores.columns
    assert set(scores["period"]) == {"2026-Q3"}
    assert scores["total"].between(0, 100).all()
    subtotal = scores[["performance", "ability", "attitude"]].sum(axis=1)
    assert (subtotal - scores["total"]).abs().max() <= 0.005 + 1e-9  # total as shown
    roster = pd.read_csv(sample / "roster.csv", encoding="utf-8-sig")
    probation = set(roster.loc[roster["status"] == "probation", "employee_id"])
    assert probation and not probation & set(scores["employee_id"])
    assert "试用期人员不参加考核" in stderr
    assert str(out.resolve()) in stdout
    best = scores.loc[scores.groupby("position")["total"].idxmax()]
    assert (best["rank"] == 1).all()


def test_score_reads_xlsx_like_csv(sample: Path, tmp_path: Path, capsys):
    csv_out, xlsx_out = tmp_path / "a.csv", tmp_path / "b.csv"
    run(capsys, *score_args(sample), "--out", csv_out)
    args = score_args(sample, actuals=sample / "actuals_after_sales_team.xlsx")
    args[args.index("--roster") + 1] = sample / "roster.xlsx"
    code, _, stderr = run(capsys, *args, "--out", xlsx_out)
    assert code == 0, stderr
    pd.testing.assert_frame_equal(pd.read_csv(csv_out), pd.read_csv(xlsx_out))


def test_score_writes_xlsx_with_text_never_a_formula(sample: Path, tmp_path: Path, capsys):
    """--out x.xlsx: the same table as the CSV; a name like a formula stays text."""
    roster = pd.read_csv(sample / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[roster["position"] == "specialist", "name"] = '=HYPERLINK("http://x","y")'
    roster.to_csv(tmp_path / "roster.csv", index=False)
    args = score_args(sample)
    args[args.index("--roster") + 1] = tmp_path / "roster.csv"
    run(capsys, *args, "--out", tmp_path / "a.csv")
    code, _, stderr = run(capsys, *args, "--out", tmp_path / "a.xlsx")
    assert code == 0, stderr
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    names = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert names and all(v.startswith("'=") for v in names)
    shown = pd.read_excel(tmp_path / "a.xlsx")
    expected = pd.read_csv(tmp_path / "a.csv")
    assert list(shown.columns) == list(expected.columns)
    assert (shown["total"].round(4) == expected["total"]).all()


def test_annual_means_the_quarters(sample: Path, tmp_path: Path, capsys):
    out = tmp_path / "annual.csv"
    args = [
        "annual",
        "--scheme",
        "after_sales_team",
        "--actuals",
        sample / "actuals_after_sales_team.csv",
        "--roster",
        sample / "roster.csv",
        "--ratings",
        sample / "ratings.csv",
        "--year",
        "2025",
        "--out",
        out,
    ]
    code, _, stderr = run(capsys, *args)
    assert code == 0, stderr
    year = pd.read_csv(out, encoding="utf-8-sig")
    for column in (
        "employee_id",
        "name",
        "position",
        "team",
        "year",
        "total",
        "quarters",
        "grade",
        "rank",
    ):
        assert column in year.columns
    quarters = [c for c in year.columns if c.startswith("2025-Q")]
    staff = year.loc[year["position"] != "manager"]
    expected = staff[quarters].mean(axis=1)
    assert (staff["total"] - expected).abs().max() <= 0.005 + 1e-9  # total as shown
    assert (staff["quarters"] == staff[quarters].notna().sum(axis=1)).all()
    assert (year.loc[year["position"] == "manager", "quarters"] == 0).all()  # yearly position


def test_bonus_proportional_adds_up_to_the_pool(sample: Path, tmp_path: Path, capsys):
    scores, out = tmp_path / "scores.csv", tmp_path / "bonus.csv"
    run(capsys, *score_args(sample), "--out", scores)
    code, _, stderr = run(
        capsys,
        "bonus",
        "--scores",
        scores,
        "--installs",
        1234,
        "--install-price",
        35.5,
        "--repairs",
        321,
        "--repair-price",
        18.8,
        "--allocation",
        "proportional",
        "--out",
        out,
    )
    assert code == 0, stderr
    bonus = pd.read_csv(out, encoding="utf-8-sig")
    pool_cents = round((1234 * 35.5 + 321 * 18.8) * 100)
    assert round(bonus["bonus"].sum() * 100) == pool_cents
    assert f"{pool_cents / 100:.2f}" in stderr
    assert f"{pool_cents / 100 / len(bonus):.2f}" in stderr  # base per head


def test_bonus_base_mode(sample: Path, tmp_path: Path, capsys):
    scores, out = tmp_path / "scores.csv", tmp_path / "bonus.csv"
    run(capsys, *score_args(sample), "--out", scores)
    code, _, _ = run(
        capsys,
        "bonus",
        "--scores",
        scores,
        "--installs",
        100,
        "--install-price",
        30,
        "--repairs",
        50,
        "--repair-price",
        20,
        "--out",
        out,
    )
    assert code == 0
    bonus = pd.read_csv(out, encoding="utf-8-sig")
    base = (100 * 30 + 50 * 20) / len(bonus)
    assert (bonus["bonus"] - (base * bonus["total"] / 100).round(2)).abs().max() <= 0.011


def test_validate_builtin_schemes(capsys):
    for path in sorted(SCHEMES.glob("*.yaml")):
        code, out, err = run(capsys, "validate", path)
        assert code == 0, err
        assert "valid" in out
    code, out, _ = run(capsys, "validate", SCHEMES / "department_head.yaml")
    assert "complaint_rate_max" in out  # parameters still to fill


def _bad_actuals(sample: Path, tmp_path: Path, change) -> Path:
    frame = pd.read_csv(
        sample / "actuals_after_sales_team.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    frame = change(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


def _first_row(frame: pd.DataFrame, period: str = "2026-Q3") -> int:
    return int(frame.index[frame["period"] == period][0])


def _set(column: str, value: str):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_first_row(frame), column] = value
        return frame

    return change


BAD_INPUTS = {
    "ratio 1.7": (_set("csat", "1.7"), ["column csat", "1.7", "a fraction from 0 to 1"]),
    "count -2": (_set("workload", "-2"), ["column workload", "-2", "a whole number ≥ 0"]),
    "text in a number column": (_set("first_response", "fast"), ["not a number", "'fast'"]),
    "employee not in roster": (
        _set("employee_id", "E999"),
        ["employee not in the roster", "E999", "listed in the roster"],
    ),
    "period 2026-Q5": (_set("period", "2026-Q5"), ["not a period", "2026-Q5", "2026-Q1"]),
    "duplicate row": (
        lambda f: pd.concat([f, f.iloc[[_first_row(f)]]], ignore_index=True),
        ["more than one row for 2026-Q3", "one row per employee and period"],
    ),
    "unknown KPI column": (
        lambda f: f.rename(columns={"csat": "cstat"}),
        ["column cstat", "did you mean 'csat'"],
    ),
    "missing KPI column": (
        lambda f: f.drop(columns=["handling_time"]),
        ["column handling_time", "KPI column missing"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_exits_2_with_a_clear_message(case: str, sample: Path, tmp_path: Path, capsys):
    change, expected = BAD_INPUTS[case]
    path = _bad_actuals(sample, tmp_path, change)
    code, _, stderr = run(capsys, *score_args(sample, actuals=path))
    assert code == 2
    assert "Traceback" not in stderr
    for text in expected:
        assert text in stderr, (text, stderr)
    if "column" in expected[0] and case not in ("unknown KPI column", "missing KPI column"):
        assert "row " in stderr and "bad.csv" in stderr


# --- the seed's relationships: one ratings file for every built-in scheme -----------------

HEAD_PARAMETERS = [
    "--set=complaint_rate_max=0.02",
    "--set=complaint_handling_days_max=5",
    "--set=compensation_max=2",
    "--set=budget_deviation_max=0.05",
    "--set=cost_income_target=0.15",
]
# scheme: (period, options, {employee: {column: expected}}) — the sample's figures, the
# same as when the superior's items were columns of the actuals.
SAMPLE_SCORES = {
    "after_sales_team": ("2026-Q3", [], {"E054": {"total": 99.62, "grade": "优秀", "rank": 1}}),
    "manager_post": (
        "2026-Q3",
        [],
        {
            "E003": {"total": 97.35, "grade": "优秀", "rank": 1, "internal_cooperation": 8},
            "E002": {"total": 82.11, "grade": "良好", "rank": 2, "adhoc_tasks": 2 / 3},
        },
    ),
    # E002 counted 1 mistake of his own, the superior 2: only the superior's counts (60 − 6)
    "monthly_repair": (
        "2026-01",
        [],
        {"E002": {"total": 92.73, "work_mistakes": 54}, "E003": {"total": 98.93, "rank": 1}},
    ),
    "department_head": (
        "2025",
        HEAD_PARAMETERS,
        {"E001": {"total": 87.9, "grade": "良好", "rules_regulations": 13, "daily_affairs": 9}},
    ),
}


@pytest.mark.parametrize("name", list(SAMPLE_SCORES))
def test_every_builtin_scheme_scores_the_sample_folder_and_its_one_ratings_file(
    name: str, sample: Path, tmp_path: Path, capsys
):
    period, options, expected = SAMPLE_SCORES[name]
    out = tmp_path / "scores.csv"
    args = ["score", "--scheme", name, "--data-dir", sample, "--period", period, *options]
    code, _, stderr = run(capsys, *args, "--out", out)
    assert code == 0, stderr
    scores = pd.read_csv(out, encoding="utf-8-sig").set_index("employee_id")
    for employee, columns in expected.items():
        for column, value in columns.items():
            shown = scores.loc[employee, column]  # points written to 4 decimals
            assert shown == pytest.approx(value, abs=1e-4), (employee, column)


def _ratings_with(sample: Path, tmp_path: Path, change) -> tuple[Path, pd.DataFrame]:
    frame = pd.read_csv(
        sample / "ratings.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    frame = change(frame)
    path = tmp_path / "ratings.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path, frame


def test_a_manager_claimed_as_a_supervisors_subordinate_is_refused(
    sample: Path, tmp_path: Path, capsys
):
    def claim(frame: pd.DataFrame) -> pd.DataFrame:
        mine = (frame["employee_id"] == "E004") & (frame["rater_id"] == "E002")
        frame.loc[mine & (frame["period"] == "2026-Q3"), "rater_group"] = "subordinates"
        return frame

    path, frame = _ratings_with(sample, tmp_path, claim)
    claimed = frame["rater_group"].eq("subordinates") & frame["rater_id"].eq("E002")
    row = int(frame.index[claimed][0]) + 2  # the header is row 1
    args = score_args(sample)
    args[args.index("--ratings") + 1] = path
    code, _, stderr = run(capsys, *args)
    assert code == 2 and "Traceback" not in stderr
    line = next(x for x in stderr.splitlines() if f"row {row} " in x)
    assert str(path) in line
    assert "ratee E004" in line and "rater E002" in line and "KPI teamwork" in line
    assert "claimed as subordinates (直接下级)" in line
    assert "the roster makes E002 the ratee's superior (直接上级)" in line


def test_a_misspelt_kpi_in_the_shared_ratings_file_is_refused_with_its_row(
    sample: Path, tmp_path: Path, capsys
):
    def misspell(frame: pd.DataFrame) -> pd.DataFrame:
        last = frame.loc[frame["kpi_id"] == "teamwork"].iloc[[-1]].assign(kpi_id="teamwrok")
        return pd.concat([frame, last], ignore_index=True)

    path, frame = _ratings_with(sample, tmp_path, misspell)
    code, _, stderr = run(
        capsys, "score", "--scheme", "after_sales_team", "--data-dir", sample,
        "--ratings", path, "--period", "2025",
    )  # fmt: skip
    assert code == 2
    assert f"row {len(frame) + 1} " in stderr and "'teamwrok'" in stderr


def test_missing_file_and_bad_period_argument(sample: Path, capsys):
    args = score_args(sample)
    args[args.index("--actuals") + 1] = "nowhere.csv"
    code, _, stderr = run(capsys, *args)
    assert code == 2 and "nowhere.csv" in stderr and "file not found" in stderr
    code, _, stderr = run(capsys, *score_args(sample, period="2026-13"))
    assert code == 2 and "2026-13" in stderr


def test_blank_parameters_refused_then_filled(sample: Path, capsys):
    base = [
        "score",
        "--scheme",
        "department_head",
        "--actuals",
        sample / "actuals_department_head.csv",
        "--roster",
        sample / "roster.csv",
        "--ratings",
        sample / "ratings.csv",
        "--period",
        "2025",
    ]
    code, _, stderr = run(capsys, *base)
    assert code == 2 and "parameters.complaint_rate_max" in stderr
    filled = [
        f"--set={n}={v}"
        for n, v in [
            ("complaint_rate_max", 0.02),
            ("complaint_handling_days_max", 3),
            ("compensation_max", 5),
            ("budget_deviation_max", 0.05),
            ("cost_income_target", 0.15),
        ]
    ]
    code, out, stderr = run(capsys, *base, *filled)
    assert code == 0, stderr
    assert "E001" in out


def test_console_script_has_no_traceback(sample: Path, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\npositions: [\n", encoding="utf-8")
    kpi = Path(sys.executable).with_name("kpi")
    done = subprocess.run(
        [str(kpi), "validate", str(bad)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "YAML syntax error" in done.stderr and "line" in done.stderr
    assert "Traceback" not in done.stderr


def test_explore_refuses_bad_input_before_serving(sample: Path, tmp_path: Path, capsys):
    code, _, stderr = run(
        capsys, "explore", "--scheme", "nope.yaml", "--data-dir", sample, "--period", "2026-Q3"
    )
    assert code == 2 and "nope.yaml" in stderr and "no such scheme file" in stderr
    code, _, stderr = run(
        capsys,
        "explore",
        "--scheme",
        "after_sales_team",
        "--data-dir",
        tmp_path / "missing",
        "--period",
        "2026-Q3",
    )
    assert code == 2 and "no such data directory" in stderr
    code, _, stderr = run(
        capsys,
        "explore",
        "--scheme",
        "after_sales_team",
        "--data-dir",
        sample,
        "--period",
        "2026-Q9",
    )
    assert code == 2 and "2026-Q9" in stderr


def test_score_from_raw_exports(tmp_path: Path, capsys):
    write_sample(tmp_path, records=True)
    out = tmp_path / "scores.csv"
    code, _, stderr = run(
        capsys,
        "score",
        "--scheme",
        "after_sales_team",
        "--sources",
        "sample_department",
        "--data-dir",
        tmp_path / "records",
        "--roster",
        tmp_path / "roster.csv",
        "--ratings",
        tmp_path / "ratings.csv",
        "--period",
        "2026-Q3",
        "--out",
        out,
    )
    assert code == 0, stderr
    scores = pd.read_csv(out, encoding="utf-8-sig")
    assert len(scores) == 56 and scores["total"].between(0, 100).all()
    assert "tickets.csv" in stderr and "编号重复" in stderr  # the ledger is shown, in words


def test_metrics_prints_its_ledger_in_words(tmp_path: Path, capsys):
    """Each reason by its words and each source by its table and file, not by their ids."""
    write_sample(tmp_path, records=True)
    tickets = tmp_path / "records" / "tickets.csv"
    args = ("metrics", "--source", "sample_tickets", "--data", str(tickets))
    code, _, stderr = run(
        capsys, *args, "--period-grain", "quarter", "--out", str(tmp_path / "a.csv")
    )
    assert code == 0
    assert "工单" in stderr and "tickets.csv" in stderr and "已使用" in stderr
    assert "员工不在花名册中" not in stderr  # no roster given: nobody is unknown
    for code_word in ("used", "sample_tickets", "system_account", "tickets"):
        assert re.search(rf"(?<![\w.]){code_word}(?![\w.])", stderr) is None, code_word
