"""Benchmark: the ``kpi`` command's start against ``python -c pass``.

Runs, each as a new process and as a user runs it (the ``kpi`` script beside this Python,
else ``python -m kpi_toolkit``), ``kpi --help``, ``kpi validate`` of a built-in scheme and
``kpi score`` on the sample department (written by ``kpi sample`` into a temporary folder),
and in the same run ``python -c pass``: the median of several runs of each. The last line is
the ratio of ``kpi --help`` to ``python -c pass``. ``--repeat N`` sets the runs of the short
commands (``kpi score`` runs a third as often, at least 3 times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2026-Q3"


def kpi_command() -> list[str]:
    """The ``kpi`` console script of this environment, else ``python -m kpi_toolkit``."""
    script = Path(sys.executable).with_name("kpi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kpi_toolkit"]


def environment() -> dict[str, str]:
    """This checkout's package first (a second working tree measures its own code)."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def median_ms(argv: Sequence[str], *, repeat: int, env: dict[str, str]) -> float:
    """The median wall time of ``argv`` over ``repeat`` runs, in milliseconds; a failed run
    stops the benchmark with its output."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    return statistics.median(times)


def run(repeat: int) -> None:
    env = environment()
    kpi = kpi_command()
    with tempfile.TemporaryDirectory() as temp:
        sample = Path(temp) / "sample"
        subprocess.run(
            [*kpi, "sample", "--out", str(sample)],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
        score = [
            *kpi,
            "score",
            "--scheme",
            "after_sales_team",
            "--data-dir",
            str(sample),
            "--period",
            PERIOD,
            "--out",
            str(Path(temp) / "scores.csv"),
        ]
        baseline = median_ms([sys.executable, "-c", "pass"], repeat=repeat, env=env)
        helped = median_ms([*kpi, "--help"], repeat=repeat, env=env)
        validated = median_ms([*kpi, "validate", "after_sales_team"], repeat=repeat, env=env)
        scored = median_ms(score, repeat=max(3, repeat // 3), env=env)
    print(f"command: {' '.join(kpi)} (median of {repeat} runs; kpi score {max(3, repeat // 3)})")
    print(f"python -c pass: {baseline:.0f} ms")
    print(f"kpi validate after_sales_team: {validated:.0f} ms ({validated / baseline:.2f}x)")
    print(f"kpi score, the sample in {PERIOD}: {scored:.0f} ms ({scored / baseline:.2f}x)")
    print(
        f"kpi --help {helped:.0f} ms, python -c pass {baseline:.0f} ms, "
        f"ratio {helped / baseline:.2f}x (aim <= 4x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9, help="runs of each short command")
    run(parser.parse_args().repeat)
