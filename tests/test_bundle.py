"""Bundles: several raw exports read together into one actuals table and one ledger."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import key_of

from kpi_toolkit.errors import InputError
from kpi_toolkit.files import builtin_path
from kpi_toolkit.records.bundle import BundleResult, actuals_from_bundle, load_bundle
from kpi_toolkit.records.metrics import compute_from_files
from kpi_toolkit.sample.department import make_sample

KEYS = ["employee_id", "period"]
COUNTS = ["workload", "knowledge_sharing", "training"]
HEADER = (
    "工单号,处理人工号,所属组,工单类型,服务阶段,受理渠道,状态,"
    "创建时间,首次响应时间,解决时间,是否无效,满意度,投诉"
)
TICKETS = f"""{HEADER}
GD1,E001,维修组,维修,售后维修,电话,已解决,07/03/2026 10:00,07/03/2026 10:30,07/03/2026 12:00,否,5,否
GD2,E001,维修组,维修,售后维修,电话,已解决,09/03/2026 10:00,09/03/2026 10:20,09/03/2026 11:00,否,4,否
GD3,E001,维修组,维修,售后维修,电话,处理中,07/03/2026 11:00,07/03/2026 11:40,,否,-,是
"""  # 7 March 2026 is a Saturday: off in cn_office, a working day in cn_technicians


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    roster = make_sample().roster
    return roster.loc[roster["team"] == "维修组"].reset_index(drop=True)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, roster: pd.DataFrame) -> Path:
    from kpi_toolkit.sample.records import write_records

    folder = tmp_path_factory.mktemp("records")
    write_records(folder, roster=roster)
    return folder


@pytest.fixture(scope="module")
def result(data: Path, roster: pd.DataFrame) -> BundleResult:
    return actuals_from_bundle("sample_department", grain="quarter", roster=roster, data_dir=data)


def _bundle(folder: Path, text: str) -> Path:
    path = folder / "bundle.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str]]:
    return [(key_of(p), p.message) for p in error.value.problems]


def test_actuals_equal_those_computed_source_by_source(
    result: BundleResult, data: Path, roster: pd.DataFrame
) -> None:
    listed = yaml.safe_load(builtin_path("bundles", "sample_department").read_text())
    wide = None
    for entry in listed["sources"]:
        one = compute_from_files(
            entry["mapping"],
            data / entry["data"],
            grain="quarter",
            roster=roster,
            metrics="after_sales_team",
        ).actuals
        wide = one if wide is None else wide.merge(one, on=KEYS, how="outer")
    assert wide is not None
    expected = wide.fillna({c: 0.0 for c in COUNTS}).sort_values(KEYS, ignore_index=True)
    got = result.actuals
    metrics = yaml.safe_load(builtin_path("metrics", "after_sales_team").read_text())["metrics"]
    plain = [c for c in got.columns if "[" not in c]  # breakdowns follow their metric
    assert plain == [*KEYS, *metrics]
    breakdowns = [c for c in got.columns if c.startswith("workload[")]
    expected = expected.fillna({c: 0 for c in breakdowns})
    pd.testing.assert_frame_equal(got, expected[got.columns], check_dtype=False)
    assert len(got) == 10 * 7  # ten people × seven quarters
    assert result.skipped == {}


def test_ledger_is_combined_over_the_sources(result: BundleResult, data: Path) -> None:
    ledger = result.ledger(lang="en")
    assert list(ledger["source"].unique()) == list(result.ledgers)
    assert len(result.ledgers) == 5 and result.balanced
    surveys = len(pd.read_csv(data / "surveys.csv", dtype=str))
    rows = ledger.groupby("source", sort=False)["rows"].sum()
    assert rows["sample_survey_quality"] == rows["sample_survey_communication"] == surveys
    assert (ledger.groupby("source", sort=False)["reason"].first() == "used").all()
    excluded = result.excluded()
    assert len(excluded) == ledger.loc[ledger["reason"] != "used", "rows"].sum()
    planted = pd.read_csv(data / "planted.csv").query("export == 'tickets'")
    mine = excluded.query("source == 'sample_tickets'")
    assert sorted(mine["row"]) == sorted(planted["row"])
    assert mine["record"].str.contains("处理人工号=").all()
    assert result.files["sample_exams"] == data / "exams.csv"


def test_data_files_relative_to_the_bundle_or_the_data_dir(tmp_path: Path, data: Path) -> None:
    (tmp_path / "exports").mkdir()
    shutil.copy(data / "exams.csv", tmp_path / "exports" / "exams.csv")
    path = _bundle(
        tmp_path,
        "name: b\nmetrics: after_sales_team\ndata_dir: exports\n"
        "sources: [{mapping: sample_exams, data: exams.csv}]\n",
    )
    own = actuals_from_bundle(path, grain="year")
    assert own.files["sample_exams"] == tmp_path / "exports" / "exams.csv"
    given = actuals_from_bundle(path, grain="year", data_dir=data)
    assert given.files["sample_exams"] == data / "exams.csv"
    pd.testing.assert_frame_equal(own.actuals, given.actuals)
    assert list(own.actuals.columns) == [*KEYS, "training"]
    assert own.skipped["csat"] == "no source maps table 'tickets'"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("name: b\nmetrics: m\nsource: []\n", "source", "unknown key"),
        ("name: b\nmetrics: m\nsource: []\n", "sources", "required key is missing"),
        ("name: b\nsources: [{mapping: x, data: y}]\n", "metrics", "required key is missing"),
        ("name: b\nmetrics: m\nsources: []\n", "sources", "at least 1 item"),
        (
            "name: b\nmetrics: m\nsources: [{mapping: x}]\n",
            "sources[0].data",
            "required key is missing",
        ),
        (
            "name: b\nmetrics: m\nsources: [{mapping: x, data: y, sheet: 2}]\n",
            "sources[0].sheet",
            "unknown key",
        ),
        ("name: b\nmetrics: [m\n", "line 3, column 1", "YAML syntax error"),
    ],
)
def test_bad_bundle_yaml_names_the_key(tmp_path: Path, text: str, where: str, message: str) -> None:
    path = _bundle(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_bundle(path)
    assert any(w == where and message in m for w, m in _problems(error)), _problems(error)
    assert str(path) in str(error.value)


def test_unknown_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        load_bundle(_bundle(tmp_path, "name: b\nmetrics: m\nsources: []\ncalender: x\n"))
    problem = next(p for p in error.value.problems if p.where == "calender (line 4)")
    assert "calendar" in (problem.allowed or "") and problem.value == "calender"
    assert "did you mean 'calendar'?" in problem.message


def test_every_missing_file_is_reported_at_once(tmp_path: Path) -> None:
    path = _bundle(
        tmp_path,
        "name: b\nmetrics: after_sales_team\nsources:\n"
        "  - {mapping: sample_tickets, data: nowhere.csv}\n"
        "  - {mapping: no_such_mapping, data: x.csv}\n"
        "  - {mapping: sample_exams, data: gone/exams.csv}\n",
    )
    with pytest.raises(InputError) as error:
        actuals_from_bundle(path, grain="quarter")
    found = _problems(error)
    assert ("sources[0].data", "data file not found") in found
    assert any(p.where == "sources[2].data (line 6)" for p in error.value.problems)
    assert ("sources[2].data", "data file not found") in found
    assert any("no_such_mapping.yaml" in (p.file or "") for p in error.value.problems)
    assert str(tmp_path / "gone" / "exams.csv") in str(error.value)


def test_a_metric_from_two_sources_is_refused(tmp_path: Path, data: Path) -> None:
    copy = yaml.safe_load(builtin_path("sources", "sample_survey_quality").read_text())
    (tmp_path / "copy.yaml").write_text(yaml.safe_dump(copy | {"name": "copy"}), encoding="utf-8")
    path = _bundle(
        tmp_path,
        f"name: b\nmetrics: after_sales_team\ndata_dir: {data}\nsources:\n"
        "  - {mapping: sample_survey_quality, data: surveys.csv}\n"
        "  - {mapping: copy.yaml, data: surveys.csv}\n",
    )
    with pytest.raises(InputError, match="'quality_score' is given by two sources"):
        actuals_from_bundle(path, grain="quarter")


def test_the_same_mapping_twice_is_refused(tmp_path: Path, data: Path) -> None:
    path = _bundle(
        tmp_path,
        f"name: b\nmetrics: after_sales_team\ndata_dir: {data}\nsources:\n"
        "  - {mapping: sample_exams, data: exams.csv}\n"
        "  - {mapping: sample_exams, data: exams.csv}\n",
    )
    with pytest.raises(InputError) as error:
        actuals_from_bundle(path, grain="quarter")
    problem = error.value.problems[0]
    assert problem.where == "sources[1].mapping (line 6)"
    assert problem.message == "the same mapping twice (also sources[0])"


@pytest.mark.parametrize(("calendar", "minutes"), [("cn_office", 0.0), ("cn_technicians", 30.0)])
def test_the_calendar_of_the_bundle_applies(tmp_path: Path, calendar: str, minutes: float) -> None:
    (tmp_path / "tickets.csv").write_bytes(TICKETS.encode("gbk"))
    text = f"name: b\nmetrics: after_sales_team\ncalendar: {calendar}\nsources:\n"
    path = _bundle(tmp_path, text + "  - {mapping: sample_tickets, data: tickets.csv}\n")
    row = actuals_from_bundle(path, grain="month").actuals.iloc[0]
    # Saturday 10:00 → 10:30 and 11:00 → 11:40; Monday 10:00 → 10:20 (20 minutes either way)
    expected = {"cn_office": 0.0, "cn_technicians": 30.0}[calendar]
    assert row["first_response"] == minutes == expected
    assert row["complaint_rate"] == pytest.approx(1 / 3) and row["workload"] == 2


def test_the_sample_tickets_break_workload_down_by_type(result: BundleResult) -> None:
    actuals = result.actuals
    types = [c for c in actuals.columns if c.startswith("workload[")]
    assert {"workload[维修]", "workload[故障排查]", "workload[电话咨询]"} <= set(types)
    assert (actuals[types].sum(axis=1) == actuals["workload"]).all()
    assert any(c.startswith("csat[") for c in actuals.columns)  # by service stage
