"""Lazy exports for packages whose modules pull in heavy dependencies.

A package's ``__init__`` names its public objects and the module each lives in; the
module is imported the first time the name is used, so ``import kpi_toolkit`` does not
import pandas, ``import kpi_toolkit.reports`` does not import nbconvert and
``import kpi_toolkit.records`` does not import DuckDB.

A name spelled like the module it lives in (``engine.annual``, the function of
``engine/annual.py``) stays the function once the module is imported, as an eager
``from .annual import annual`` left it.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` that import ``exports[name]`` on first use.

    ``exports`` maps each public name to its module, relative to ``package``
    (``{"score": ".scoring"}``). A name once imported is kept in the package's namespace.
    """
    module = sys.modules[package]
    shadowed = frozenset(name for name, where in exports.items() if where == f".{name}")
    if shadowed:
        module.__class__ = _ExportsOverSubmodules
        module.__dict__["_shadowed_exports"] = shadowed

    def getattr_(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], package), name)
        module.__dict__[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(exports)

    return getattr_, dir_


class _ExportsOverSubmodules(types.ModuleType):
    """A package where importing ``pkg.name`` leaves ``pkg.name`` the exported object of
    that module, not the module (the import system sets the attribute to the module)."""

    def __setattr__(self, name: str, value: Any) -> None:
        shadowed = self.__dict__.get("_shadowed_exports", frozenset())
        if name in shadowed and isinstance(value, types.ModuleType):
            value = getattr(value, name, value)
        super().__setattr__(name, value)
