"""The layout keeps its promises: subsystems import only what they may, no module imports
another's private name, and heavy dependencies load only where they are needed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kpi_toolkit"
SUBSYSTEMS = ("engine", "records", "reports", "explorer", "sample")
# What each subsystem may import of the others (the top-level shared modules: always).
MAY_IMPORT = {
    "engine": set(),
    "records": set(),
    "reports": {"engine", "records", "explorer"},
    "explorer": {"engine", "reports"},  # reports.html: the one table renderer
    "sample": {"engine", "records", "reports"},  # reports.excel: the one Excel writer
}
HEAVY = ("duckdb", "nbconvert", "nbformat", "nbclient", "papermill", "ipywidgets", "voila")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """``(line, absolute module, names)`` of every ``from … import …`` in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names]
    return found


def _subsystem(module: str) -> str | None:
    parts = module.split(".")
    return (
        parts[1]
        if len(parts) > 1 and parts[0] == "kpi_toolkit" and parts[1] in SUBSYSTEMS
        else None
    )


@pytest.mark.parametrize("name", SUBSYSTEMS)
def test_each_subsystem_says_what_it_owns_and_may_import(name: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text("utf-8")))
    assert doc and "May import" in doc


def test_subsystems_import_only_what_they_may() -> None:
    wrong = []
    for path in _modules():
        own = _subsystem(".".join(("kpi_toolkit", *path.relative_to(PACKAGE).parts)))
        if own is None:
            continue
        for line, module, _ in _imports(path):
            other = _subsystem(module)
            if other and other != own and other not in MAY_IMPORT[own]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert wrong == []


def test_no_module_imports_another_modules_private_name() -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} {name} from {module}"
        for path in _modules()
        for line, module, names in _imports(path)
        if module.startswith("kpi_toolkit")
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "module",
    [
        "kpi_toolkit",
        "kpi_toolkit.cli",
        "kpi_toolkit.pipeline",
        "kpi_toolkit.engine",
        "kpi_toolkit.records",
        "kpi_toolkit.reports",
        "kpi_toolkit.reports.excel",
        "kpi_toolkit.explorer",
        "kpi_toolkit.explorer.scenarios",
        "kpi_toolkit.sample",
    ],
)
def test_importing_loads_no_heavy_dependency(module: str) -> None:
    code = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
