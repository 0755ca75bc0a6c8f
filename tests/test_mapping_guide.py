"""docs/mapping.md run as written, and the same answer on every machine: the guide's files
under three TZ settings give byte-identical actuals; each new key on small files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.errors import InputError
from kpi_toolkit.records.metrics import compute_from_files
from kpi_toolkit.records.sources import SourceSpec, load_source

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "mapping.md"
COMMAND = ["metrics", "--source", "incidents.yaml", "--period-grain", "month"]


def _blocks(marker: str) -> dict[str, str]:
    text = GUIDE.read_text(encoding="utf-8")
    found = re.findall(rf"<!-- {marker}: (\S+) -->\n```\w*\n(.*?)```", text, flags=re.S)
    return dict(found)


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    for name, text in _blocks("file").items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_guide_runs_as_written(guide: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(guide)
    assert main([*COMMAND, "--out", "actuals.csv"]) == 0
    written = (guide / "actuals.csv").read_text(encoding="utf-8-sig")
    assert written == _blocks("expected")["actuals.csv"]


def test_the_same_files_give_the_same_bytes_in_every_time_zone(guide: Path) -> None:
    outputs = {}
    for zone in ("UTC", "America/Los_Angeles", "Asia/Shanghai"):
        out = guide / f"{zone.replace('/', '_')}.csv"
        env = os.environ | {"TZ": zone, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "kpi_toolkit", *COMMAND, "--out", str(out)]
        subprocess.run(command, cwd=guide, env=env, check=True, capture_output=True)
        outputs[zone] = out.read_bytes()
    assert len(set(outputs.values())) == 1
    assert b"anna,2026-03," in outputs["UTC"]


def _source(guide: Path, **changes: object) -> SourceSpec:
    return load_source(guide / "incidents.yaml").model_copy(update=changes)


def _periods(guide: Path, **changes: object) -> list[tuple[str, str]]:
    actuals = compute_from_files(_source(guide, **changes), grain="month").actuals
    return list(actuals[["employee_id", "period"]].itertuples(index=False, name=None))


def test_periods_are_cut_in_the_calendars_zone_by_default(guide: Path) -> None:
    # 23:30 on 31 March in Brussels is 05:30 on 1 April in Shanghai (cn_office)
    assert ("anna", "2026-03") in _periods(guide)
    assert ("anna", "2026-03") not in _periods(guide, period_timezone=None)


def test_offsets_kept_read_the_time_as_written(guide: Path) -> None:
    events = (guide / "events.csv").read_text(encoding="utf-8")
    # 23:30+02:00 and 22:30+01:00 are one instant; kept as written they are an hour apart
    (guide / "events.csv").write_text(
        events.replace("2026-04-30T23:10:00+02:00", "2026-04-30T23:10:00-05:00"),
        encoding="utf-8",
    )
    assert ("bob", "2026-05") in _periods(guide)  # 23:10-05:00 is 06:10 on 1 May in Brussels
    assert ("bob", "2026-05") not in _periods(guide, offsets="keep")


def test_ledger_counts_the_events_of_excluded_tickets(guide: Path) -> None:
    ledger = compute_from_files(_source(guide), grain="month").ledger
    assert dict(ledger.counts) == {"used": 7, "system_account": 2, "not_resolved": 1}
    excluded = ledger.excluded.set_index("incident")["reason"]
    assert excluded.to_dict() == {"INC2": "system_account", "INC3": "not_resolved"}
    assert ledger.balanced


def test_a_column_neither_canonical_nor_declared_is_refused(guide: Path) -> None:
    text = (guide / "incidents.yaml").read_text(encoding="utf-8")
    (guide / "incidents.yaml").write_text(
        text.replace("extra_columns: {resolved_by: text, support_line: text}", ""),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        load_source(guide / "incidents.yaml")
    problems = {p.where.split(" ")[0]: p for p in error.value.problems}
    assert "events.aggregates.resolved_by" in problems
    assert "ticket_id, employee_id" in str(problems["events.aggregates.resolved_by"].allowed)


def test_a_missing_metric_set_names_the_key_and_the_place(guide: Path) -> None:
    (guide / "incidents_metrics.yaml").unlink()
    with pytest.raises(InputError) as error:
        compute_from_files(guide / "incidents.yaml", grain="month")
    problem = error.value.problems[0]
    assert problem.where.startswith("metrics") and problem.value == "incidents_metrics.yaml"
    assert str(guide / "incidents_metrics.yaml") in problem.message


def test_metric_set_paths_are_read_from_the_yamls_folder(
    guide: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    actuals = compute_from_files(guide / "incidents.yaml", grain="month").actuals
    assert "tickets[L2]" in actuals


def test_metrics_option_overrides_the_mappings_set(
    guide: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (guide / "other.yaml").write_text(
        "name: other\nmetrics:\n  resolved:\n    kind: count\n"
        "    filter: resolved_at IS NOT NULL\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(guide)
    assert main([*COMMAND, "--metrics", "other.yaml", "--out", "o.csv"]) == 0
    assert pd.read_csv(guide / "o.csv").columns.tolist() == ["employee_id", "period", "resolved"]


def test_full_precision_by_default_and_decimals_on_request(
    guide: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = (guide / "events.csv").read_text(encoding="utf-8")
    (guide / "events.csv").write_text(
        events.replace("2026-04-14T15:00:00+02:00", "2026-04-14T15:00:07+02:00"), "utf-8"
    )
    monkeypatch.chdir(guide)
    main([*COMMAND, "--out", "full.csv"])
    main([*COMMAND, "--out", "two.csv", "--decimals", "2"])
    key = ("anna", "2026-04")
    full = pd.read_csv(guide / "full.csv").set_index(["employee_id", "period"])["median_hours"]
    assert full[key] == 6 + 7 / 3600 != round(full[key], 4)
    two = pd.read_csv(guide / "two.csv").set_index(["employee_id", "period"])["median_hours"]
    assert two[key] == 6.0
