"""The sample department's raw exports: shapes, planted bad rows, actuals and scores."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.records.bundle import BundleResult, actuals_from_bundle
from kpi_toolkit.records.ledger import Ledger
from kpi_toolkit.records.metrics import compute_from_files
from kpi_toolkit.sample.department import SampleDepartment, make_sample
from kpi_toolkit.sample.records import latent_ability, write_records

MAPPINGS = {  # source mapping → (export, how to read it independently)
    "sample_tickets": ("tickets", {"encoding": "gbk"}),
    "sample_survey_quality": ("surveys", {"encoding": "utf-8-sig"}),
    "sample_survey_communication": ("surveys", {"encoding": "utf-8-sig"}),
    "sample_complaints": ("complaints", {"encoding": "utf-8-sig"}),
    "sample_exams": ("exams", {"encoding": "utf-8"}),
    "sample_reports": ("reports", {"sheet_name": "报告提交记录"}),
    "sample_knowledge_sharing": ("knowledge_sharing", {"sheet_name": "知识分享"}),
}
DAY_FIRST = "%d/%m/%Y %H:%M"


@pytest.fixture(scope="module")
def sample() -> SampleDepartment:
    return make_sample()


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory, sample: SampleDepartment) -> dict[str, Path]:
    return write_records(tmp_path_factory.mktemp("records"), roster=sample.roster)


@pytest.fixture(scope="module")
def bundled(records: dict[str, Path], sample: SampleDepartment) -> BundleResult:
    return actuals_from_bundle(
        "sample_department",
        grain="quarter",
        roster=sample.roster,
        data_dir=records["tickets"].parent,
    )


@pytest.fixture(scope="module")
def tickets(records: dict[str, Path]) -> pd.DataFrame:
    return pd.read_csv(records["tickets"], encoding="gbk", dtype=str, keep_default_na=False)


def _read(path: Path, how: dict[str, str]) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, **how)
    return pd.read_csv(path, dtype=str, keep_default_na=False, **how)


def _ledger(mapping: str, records: dict[str, Path], bundled: BundleResult, roster) -> Ledger:
    if mapping in bundled.ledgers:
        return bundled.ledgers[mapping]
    data = records[MAPPINGS[mapping][0]]
    return compute_from_files(mapping, data, grain="quarter", roster=roster).ledger


def test_exports_have_the_shapes_of_real_ones(records: dict[str, Path]) -> None:
    raw = records["tickets"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gbk").splitlines()[0].split(",")
    assert header[:3] == ["工单号", "处理人工号", "处理人"] and "满意度" in header
    tickets = pd.read_csv(records["tickets"], encoding="gbk", dtype=str, nrows=200)
    assert tickets["创建时间"].str.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d").all()
    assert set(tickets["工单类型"]) <= {"电话咨询", "故障排查", "维修", "安装"}
    assert openpyxl.load_workbook(records["reports"], read_only=True).sheetnames == ["报告提交记录"]
    assert records["surveys"].read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM


@pytest.mark.parametrize("mapping", list(MAPPINGS))
def test_ledger_balances_and_planted_rows_get_their_reason(
    mapping: str,
    records: dict[str, Path],
    bundled: BundleResult,
    sample: SampleDepartment,
    tickets: pd.DataFrame,
) -> None:
    export, how = MAPPINGS[mapping]
    rows_in = len(tickets if export == "tickets" else _read(records[export], how))
    planted = pd.read_csv(records["planted"]).query("export == @export")
    ledger = _ledger(mapping, records, bundled, sample.roster)
    assert ledger.balanced and ledger.rows_in == rows_in
    assert ledger.rows_used == rows_in - len(planted)
    found = set(zip(ledger.excluded["row"], ledger.excluded["reason"], strict=True))
    assert found == set(zip(planted["row"], planted["reason"], strict=True))
    assert len(planted) >= 4


def test_every_appraised_person_is_scored_with_a_spread_of_grades(
    bundled: BundleResult, sample: SampleDepartment
) -> None:
    roster = sample.roster
    team = builtin_scheme("after_sales_team")
    appraisal = score(
        bundled.actuals,
        scheme=team,
        roster=roster,
        ratings=ratings_for(sample.ratings, scheme=team),
        period="2026-Q3",
    )
    left = pd.to_datetime(roster["left"].replace("", None))
    expected = roster.loc[
        roster["position"].isin(["supervisor", "specialist"])
        & roster["status"].eq("regular")
        & (pd.to_datetime(roster["joined"]) <= "2026-09-30")
        & ~(left < "2026-07-01"),
        "employee_id",
    ]
    scores = appraisal.scores.set_index("employee_id")
    assert set(scores.index) == set(expected) and len(expected) == 56
    assert scores["total"].between(0, 100).all()
    assert {"优秀", "良好", "合格", "不合格"} <= set(scores["grade"])
    ability = latent_ability(roster).reindex(scores.index)
    assert scores["total"].rank().corr(ability.rank()) > 0.6


@pytest.mark.parametrize("person", ["E010", "E008"])
def test_one_person_against_plain_pandas(
    person: str, tickets: pd.DataFrame, bundled: BundleResult
) -> None:
    raw = tickets
    created = pd.to_datetime(raw["创建时间"], format=DAY_FIRST, errors="coerce")
    resolved = pd.to_datetime(raw["解决时间"], format=DAY_FIRST, errors="coerce")
    kept = created.notna() & ~raw["工单号"].duplicated() & ~(resolved < created)
    mine = kept & raw["处理人工号"].eq(person) & created.between("2026-07-01", "2026-09-30 23:59")
    solved = mine & resolved.notna()
    rated = mine & raw["满意度"].ne("-")
    row = bundled.actuals.set_index(["employee_id", "period"]).loc[(person, "2026-Q3")]
    assert row["workload"] == (solved & raw["是否无效"].eq("否")).sum() > 100
    assert row["resolution_rate"] == pytest.approx(solved.sum() / mine.sum())
    hours = (resolved - created)[solved].dt.total_seconds() / 3600
    assert row["handling_time"] == pytest.approx(hours.median())
    assert row["csat"] == pytest.approx((raw.loc[rated, "满意度"].astype(int) >= 4).mean())


def test_the_same_seed_gives_the_same_files(tmp_path: Path, sample: SampleDepartment) -> None:
    few = sample.roster.iloc[3:6]
    first = write_records(tmp_path / "a", roster=few, seed=7)
    again = write_records(tmp_path / "b", roster=few, seed=7)
    other = write_records(tmp_path / "c", roster=few, seed=8)
    for name in ("tickets", "surveys", "exams", "planted"):
        assert first[name].read_bytes() == again[name].read_bytes()
    assert first["tickets"].read_bytes() != other["tickets"].read_bytes()
