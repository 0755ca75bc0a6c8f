"""Lazy exports for subpackages whose modules pull in heavy dependencies.

A subpackage's ``__init__`` names its public objects and the module each lives in; the
module is imported the first time the name is used, so ``import kpi_toolkit.reports`` does
not import nbconvert and ``import kpi_toolkit.records`` does not import DuckDB.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` that import ``exports[name]`` on first use.

    ``exports`` maps each public name to its module, relative to ``package``
    (``{"score": ".scoring"}``).
    """

    def getattr_(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(exports[name], package), name)

    def dir_() -> list[str]:
        return sorted(exports)

    return getattr_, dir_
