"""The ``kpi`` command starts without the heavy libraries: ``kpi --help``, ``kpi --version``
and ``kpi validate`` (a good scheme and a bad one) import none of pandas, numpy, DuckDB,
nbconvert, matplotlib, openpyxl or PySpark; ``import kpi_toolkit`` neither, while its names
stay importable from where they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kpi_toolkit

ROOT = Path(kpi_toolkit.__file__).resolve().parents[1]
SCHEMES = ROOT / "params" / "schemes"
HEAVY = ("pandas", "numpy", "duckdb", "nbconvert", "matplotlib", "openpyxl", "pyspark")
# Runs the kpi command as `python -m kpi_toolkit` does, then prints its exit code and the
# top-level packages it imported, as JSON on the last line of stderr.
RUN_KPI = """
import json, runpy, sys
sys.argv = ["kpi", *sys.argv[1:]]
try:
    runpy.run_module("kpi_toolkit", run_name="__main__", alter_sys=True)
    code = 0
except SystemExit as stop:
    code = stop.code
top = sorted({name.partition(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "modules": top}), file=sys.stderr)
"""


def kpi(*args: str) -> tuple[int, str, str, set[str]]:
    """Run ``kpi ARGS`` in a new interpreter: exit code, stdout, stderr (without the last
    line) and the top-level modules imported."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN_KPI, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    *err, last = done.stderr.rstrip("\n").split("\n")
    report = json.loads(last)
    return report["code"], done.stdout, "\n".join(err), set(report["modules"])


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in HEAVY if m in modules)


def test_help_imports_no_heavy_library() -> None:
    code, out, _, modules = kpi("--help")
    assert code == 0
    assert "validate" in out and "report" in out
    assert heavy(modules) == []
    assert "pydantic" not in modules and "yaml" not in modules  # no scheme is read


def test_version_imports_no_heavy_library() -> None:
    code, out, _, modules = kpi("--version")
    assert (code, out.strip()) == (0, f"kpi-toolkit {kpi_toolkit.__version__}")
    assert heavy(modules) == []


@pytest.mark.parametrize("scheme", ["after_sales_team", "department_head"])
def test_validate_imports_no_heavy_library(scheme: str) -> None:
    path = SCHEMES / f"{scheme}.yaml"
    code, out, _, modules = kpi("validate", str(path))
    assert code == 0
    assert out.startswith(f"{path}: valid — scheme {scheme},")
    assert heavy(modules) == []


def test_validate_a_bad_scheme_imports_no_heavy_library(tmp_path: Path) -> None:
    text = (SCHEMES / "after_sales_team.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("weight: ", "wieght: ", 1), encoding="utf-8")
    code, _, err, modules = kpi("validate", str(bad))
    assert code == 2
    assert "did you mean 'weight'?" in err and "Traceback" not in err
    assert heavy(modules) == []


def test_import_kpi_toolkit_is_light_and_its_names_resolve() -> None:
    script = (
        "import sys, kpi_toolkit, kpi_toolkit.engine, kpi_toolkit.cli\n"
        "light = not any(m in sys.modules for m in ('pandas', 'numpy'))\n"
        "from kpi_toolkit import score, appraise, InputError\n"
        "from kpi_toolkit.engine import annual, team_ranking\n"
        "import kpi_toolkit.engine.annual as annual_module\n"
        "print(light, callable(score), callable(appraise), issubclass(InputError, Exception),\n"
        "      callable(annual), annual is annual_module, 'pandas' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # the engine's function annual stays the function once its module is imported
    assert done.stdout.split() == ["True", "True", "True", "True", "True", "True", "True"]
