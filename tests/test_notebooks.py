"""Every notebook runs with example parameters; notebooks are committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi_toolkit.reports.export import execute_notebook, shared_kernel
from kpi_toolkit.sample.department import write_sample

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


@pytest.fixture(scope="module")
def kernel():
    with shared_kernel() as running:
        yield running


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/html", "") + data.get("text/plain", ""))
            parts.append(output.get("text", ""))
    return "".join(parts)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_without_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.notebook
def test_appraisal_report_notebook(sample: Path, kernel):
    nb = execute_notebook(
        NOTEBOOKS / "appraisal_report.ipynb",
        {"data_dir": str(sample), "period": "2026-Q2", "lang": "en"},
        kernel=kernel,
    )
    text = _text(nb)
    assert "After-sales department appraisal report" in text
    assert "2026-Q2" in text and "Scorecards" in text and "Approval" in text
    assert "考核概况" not in text  # English from the same table of labels


@pytest.mark.notebook
def test_employee_scorecard_notebook(sample: Path, kernel):
    nb = execute_notebook(
        NOTEBOOKS / "employee_scorecard.ipynb",
        {"data_dir": str(sample), "employee_id": "E005"},
        kernel=kernel,
    )
    text = _text(nb)
    assert "个人绩效考核结果" in text and "E005" in text and "同岗位统计(" in text


@pytest.mark.notebook
def test_annual_review_notebook(sample: Path, kernel):
    nb = execute_notebook(
        NOTEBOOKS / "annual_review.ipynb",
        {
            "data_dir": str(sample),
            "year": 2025,
            "installs": 1200,
            "install_price": 35.0,
            "repairs": 800,
            "repair_price": 20.0,
            "allocation": "proportional",
        },
        kernel=kernel,
    )
    text = _text(nb)
    assert "年度绩效考核结果" in text and "绩效奖金分配" in text
    assert "2025-Q4" in text


@pytest.mark.notebook
def test_appraisal_report_from_raw_exports(tmp_path: Path, kernel):
    write_sample(tmp_path, records=True)
    nb = execute_notebook(
        NOTEBOOKS / "appraisal_report.ipynb",
        {
            "data_dir": str(tmp_path),
            "sources": "sample_department",
            "records_dir": str(tmp_path / "records"),
        },
        kernel=kernel,
    )
    text = _text(nb)
    assert "原始记录使用情况" in text  # the ledger of the raw exports
    assert "tickets.csv" in text and "系统账号" in text
