"""Benchmark: ``kpi report`` against the floor of papermill + HTML export.

1. ``kpi report`` (in-process) for a quarter of ~500 appraised people, and in the same run
   the floor: papermill executing a one-cell notebook plus exporting it to HTML, in-process.
2. 20 team reports in one ``kpi report`` command against 20 runs of the ``papermill`` CLI
   one after another (each a new interpreter and kernel).

Prints both times and their ratio; the last line is the first ratio. ``--quick`` runs a
smaller version (100 people, 4 teams).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
from _department import PERIOD, department, kpi_report

from kpi_toolkit.files import notebooks_dir
from kpi_toolkit.reports.export import export_html


def floor(directory: Path) -> float:
    """papermill on a one-cell notebook plus the HTML export, in this process."""
    import papermill

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = directory / "one_cell.ipynb"
    nbformat.write(nb, path)
    start = time.perf_counter()
    executed = papermill.execute_notebook(str(path), None, progress_bar=False, log_output=False)
    export_html(executed, title="floor")
    return time.perf_counter() - start


def papermill_cli(directory: Path, out: Path, teams: list[str]) -> float:
    command = Path(sys.executable).with_name("papermill")
    start = time.perf_counter()
    for team in teams:
        subprocess.run(
            [
                str(command),
                str(notebooks_dir() / "appraisal_report.ipynb"),
                str(out / f"{team}.ipynb"),
                "-p",
                "data_dir",
                str(directory),
                "-p",
                "period",
                PERIOD,
                "-p",
                "team",
                team,
                "--no-progress-bar",
                "--cwd",
                str(notebooks_dir()),
            ],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def run(copies: int, team_count: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        teams = department(root, copies)
        people = len(pd.read_csv(root / "actuals_after_sales_team.csv").query("period == @PERIOD"))
        (root / "out").mkdir()
        base = floor(root)
        whole = kpi_report(root, root / "out")
        chosen = teams[:team_count]
        batch = kpi_report(root, root / "out", option="--team", values=chosen)
        cli = papermill_cli(root, root / "out", chosen)
    print(
        f"{len(chosen)} team reports: kpi report {batch:.1f} s, {len(chosen)} papermill CLI "
        f"runs {cli:.1f} s, ratio {batch / cli:.2f}x (aim < 0.6x)"
    )
    print(f"floor (papermill one cell + HTML export, in-process): {base:.2f} s")
    print(f"kpi report, {people} people in {PERIOD}: {whole:.2f} s")
    print(f"report {whole:.2f} s vs floor {base:.2f} s: ratio {whole / base:.2f}x (aim < 2.5x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 people, 4 teams")
    options = parser.parse_args()
    run(*((2, 4) if options.quick else (8, 20)))
