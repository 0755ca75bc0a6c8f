"""The project's own files agree (ranges, pins, entry points, README commands), and the
package installs: a wheel built from the checkout runs the CLI from a new venv outside the
repository, and an editable install reads the checkout's own params/ and notebooks/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# The first setuptools on PyPI that accepts a PEP 639 licence expression (`license = "MIT"`).
LICENSE_EXPRESSION_SETUPTOOLS = Version("77.0.1")


def _requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    return [
        Requirement(d)
        for d in project["dependencies"]
        + project["optional-dependencies"]["dev"]
        + project["optional-dependencies"]["spark"]
    ]


def _pins(lines: list[str]) -> dict[str, str]:
    """``name==version`` lines (comments and other lines left out) by canonical name."""
    pins = [line.split("#")[0].strip() for line in lines]
    return {canonicalize_name(n): v for n, _, v in (p.partition("==") for p in pins if "==" in p)}


def _constraints() -> dict[str, str]:
    return _pins((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines())


# --- the project's files agree -------------------------------------------------------------


def test_every_dependency_is_a_range_from_a_lower_bound() -> None:
    for requirement in _requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert ">=" in operators and not operators & {"==", "===", "~="}, requirement


def test_the_constraints_pin_every_dependency_and_nothing_else() -> None:
    lines = [
        line.split("#")[0].strip()
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    ]
    assert all("==" in line for line in lines if line), "every constraint is an exact pin"
    assert sorted(_constraints()) == sorted(canonicalize_name(r.name) for r in _requirements())


def test_every_pin_is_within_its_range() -> None:
    pins = _constraints()
    for requirement in _requirements():
        pin = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(pin, prereleases=True), (requirement, pin)


def test_environment_yml_mirrors_the_constraints() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip) == _constraints()


def test_make_installs_with_the_constraints() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "CONSTRAINTS := constraints.txt" in makefile
    assert "pip install --quiet -c $(CONSTRAINTS) -e '.[dev,spark]'" in makefile


def test_the_build_backend_reads_the_licence_expression() -> None:
    assert isinstance(PYPROJECT["project"]["license"], str)  # PEP 639: an SPDX expression
    (setuptools,) = [
        Requirement(r)
        for r in PYPROJECT["build-system"]["requires"]
        if Requirement(r).name == "setuptools"
    ]
    floors = [Version(s.version) for s in setuptools.specifier if s.operator == ">="]
    assert floors and max(floors) >= LICENSE_EXPRESSION_SETUPTOOLS


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```")[1]
    assert block.strip().splitlines()[0].startswith("make demo")
    assert block.strip().splitlines()[1].startswith("make test")


def test_python_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "kpi-toolkit" in done.stdout


# --- the package installs -------------------------------------------------------------------


def _run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(map(str, command)), capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout as git sees it (tracked and new files, none ignored): builds
    leave build/ and *.egg-info behind, and only what a clone holds may go into the wheel."""
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).stdout
    copy = tmp_path_factory.mktemp("checkout")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


@pytest.fixture(scope="module")
def wheel(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # pip builds it as users do, in an isolated environment with the build-system's
    # setuptools (from PyPI or pip's cache, as `make install` gets it).
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, checkout])
    (built,) = dist.glob("kpi_toolkit-*.whl")
    return built


def _venv(folder: Path, *install: str | Path) -> tuple[Path, dict[str, str]]:
    """A new venv in ``folder`` with ``install`` installed (no dependencies): its ``bin``
    folder, and the environment to run it in."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", *install])
    _share_packages(python)
    return folder / "bin", _environment(folder)


def _share_packages(python: Path) -> None:
    """Let ``python`` see this environment's packages through a plain-path .pth line:
    nothing is downloaded, and the editable install's import hooks do not run there."""
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.stdout.strip(), "zz_shared_environment.pth").write_text("\n".join(shared) + "\n")


def _environment(folder: Path) -> dict[str, str]:
    """This process's environment for the venv in ``folder``, without the checkout on
    PYTHONPATH. Jupyter's data files (nbconvert's base templates, the kernel spec) come from
    this environment, as pip would have put them into the venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PATH"] = f"{folder / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(folder)
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


# Where kpi_toolkit, a built-in scheme and the notebooks are found.
WHERE = (
    "import kpi_toolkit, kpi_toolkit.files as f\n"
    "print(kpi_toolkit.__file__, f.builtin_path('schemes', 'manager_post'), f.notebooks_dir(),"
    " sep='\\n')"
)
SCORE = [
    *("score", "--scheme", "after_sales_team", "--actuals", "S/actuals_after_sales_team.csv"),
    *("--roster", "S/roster.csv", "--ratings", "S/ratings.csv", "--period", "2026-Q3"),
    *("--out", "x.csv"),
]
REPORT = [
    *("report", "--scheme", "after_sales_team", "--data-dir", "S", "--period", "2026-Q3"),
    *("--out-dir", "R", "--quiet"),
]


@pytest.mark.wheel
def test_the_wheel_carries_builtins_notebooks_templates_and_scripts(
    wheel: Path, checkout: Path
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    files = [p.relative_to(checkout).as_posix() for p in checkout.rglob("*") if p.is_file()]
    expected = {
        *(f"kpi_toolkit/{f}" for f in files if f.startswith(("params/", "notebooks/"))),
        *(f for f in files if f.startswith("kpi_toolkit/")),
    } - {f"kpi_toolkit/{f}" for f in files if f.startswith("params/scenarios/")}
    assert expected - names == set()
    assert not [n for n in names if n.startswith(("kpi_toolkit/params/scenarios", "tests/"))]
    assert "kpi_toolkit/reports/templates/kpi_offline/static/embed.js" in names


@pytest.mark.wheel
def test_the_wheel_runs_the_cli_from_a_new_venv_outside_the_repository(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("wheel-venv")
    bin_dir, env = _venv(folder / "venv", wheel)
    work = folder / "work"
    work.mkdir()
    where = _run([bin_dir / "python", "-c", WHERE], cwd=work, env=env).stdout.split()
    assert all(Path(p).is_relative_to(folder / "venv") for p in where), where
    for command in (["validate", "manager_post"], ["sample", "--out", "S"], SCORE, REPORT):
        _run([bin_dir / "kpi", *command], cwd=work, env=env)
    assert (work / "x.csv").read_text(encoding="utf-8-sig").startswith("employee_id,")
    for written in ("appraisal_report_2026-Q3.html", "scores_2026-Q3.xlsx"):
        assert (work / "R" / written).stat().st_size > 0, written
    assert not (work / "params").exists()  # nothing of the package's is written here


@pytest.mark.wheel
def test_an_editable_install_reads_the_checkouts_own_folders(
    checkout: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("editable-venv")
    bin_dir, env = _venv(folder / "venv", "-e", checkout)  # as `make install` does
    where = _run([bin_dir / "python", "-c", WHERE], cwd=folder, env=env).stdout.split()
    assert where == [
        str(checkout / "kpi_toolkit" / "__init__.py"),
        str(checkout / "params" / "schemes" / "manager_post.yaml"),
        str(checkout / "notebooks"),
    ]
    _run([bin_dir / "kpi", "validate", "manager_post"], cwd=folder, env=env)
