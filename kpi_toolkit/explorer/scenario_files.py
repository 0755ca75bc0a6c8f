"""Weight scenario files: save, list and load re-weighted schemes.

Scenarios are saved as complete scheme files (the baseline YAML with the new weights), which
:func:`~kpi_toolkit.engine.scheme.load_scheme` and ``kpi validate`` accept; a saved scenario's
weights are read back, checked, for :func:`~kpi_toolkit.explorer.scenarios.rescore`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..engine.scheme import Position, Scheme, load_scheme, scheme_from_dict
from ..errors import Problem, SchemeError
from ..files import inside, make_folder, safe_name, write_atomic
from ..loader import read_yaml
from .scenarios import Weights, baseline_weights

__all__ = [
    "SCENARIO_DIR",
    "list_scenarios",
    "load_scenario",
    "save_scenario",
    "scenario_scheme",
    "scenario_weights",
]

# The user's folder, relative to the current folder where it is used: scenarios are the
# user's files, never written into the installed package.
SCENARIO_DIR = Path("params") / "scenarios"


def scenario_scheme(baseline: Scheme, weights: Weights) -> Scheme:
    """The baseline with other weights (rules scaled, category points following)."""
    scheme = baseline
    for pid, changed in weights.items():
        scheme = scheme.with_weights(pid, dict(changed))
    return scheme


def save_scenario(
    baseline: Scheme,
    weights: Weights,
    *,
    name: str,
    directory: str | Path = SCENARIO_DIR,
    overwrite: bool = False,
) -> Path:
    """Write ``<directory>/<name>.yaml``: the baseline's YAML with the new weights.

    ``directory`` defaults to ``params/scenarios`` under the current folder; ``name`` must
    be a safe file name as it is (:func:`kpi_toolkit.files.safe_name`).

    Changed KPIs get their weight and their scaled rule; categories their new points. The
    scheme id stays the baseline's, so the scenario scores the same data files. The file is
    checked as :func:`~kpi_toolkit.engine.scheme.load_scheme` would before it is written.

    Raises
    ------
    SchemeError
        A bad name, an existing file (without ``overwrite``), or weights that do not make a
        valid scheme (a zero weight, a total other than 100), each problem named.
    """
    path = Path(directory) / f"{name}.yaml"
    _check_name(name, path, overwrite=overwrite)
    path = inside(directory, name, extension=".yaml")  # a planted link is refused
    scenario = scenario_scheme(baseline, weights)
    raw = _baseline_raw(baseline)
    for pid in weights:
        raw["positions"][pid] = _position_raw(raw["positions"][pid], scenario.positions[pid])
    head = {key: raw.pop(key) for key in ("id", "name") if key in raw}
    raw = {**head, "description": _describe(baseline, scenario, name), **raw}
    scheme_from_dict(raw, file=str(path))  # refuses what load_scheme would refuse
    make_folder(path.parent)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=100)
    return write_atomic(
        path, f"# Weight scenario {name!r} of {baseline.path or baseline.id}\n{text}"
    )


def load_scenario(name: str | Path, *, directory: str | Path = SCENARIO_DIR) -> Scheme:
    """A saved scenario by name (``<directory>/<name>.yaml``) or path, checked."""
    candidate = Path(directory) / f"{name}.yaml"
    return load_scheme(candidate if candidate.is_file() else name)


def scenario_weights(baseline: Scheme, scenario: Scheme) -> dict[str, dict[str, float]]:
    """The weights of a saved scenario, checked to be the baseline re-weighted and no more.

    Raises
    ------
    SchemeError
        The scenario changes more than weights (a rule, a grade band, a KPI): it cannot be
        explored from the baseline's attainment shares; score it with ``score()`` instead.
    """
    weights = baseline_weights(scenario)
    same = scenario_scheme(baseline, weights)
    fields = ("positions", "grades", "forced_distribution", "missing")
    differ = [f for f in fields if getattr(same, f) != getattr(scenario, f)]
    if set(weights) != set(baseline.positions) or differ:
        raise SchemeError(
            Problem(
                where=scenario.path or scenario.id,
                message="changes more than the weights of the baseline "
                f"{baseline.path or baseline.id}: {', '.join(differ) or 'positions'}",
                allowed="a scenario saved from this baseline (or compare with score())",
            )
        )
    return weights


def list_scenarios(directory: str | Path = SCENARIO_DIR) -> list[str]:
    """Names of the scenarios saved in ``directory``, sorted."""
    return sorted(p.stem for p in Path(directory).glob("*.yaml"))


def _check_name(name: str, path: Path, *, overwrite: bool) -> None:
    if safe_name(name) != name:  # a name that would change on disk is refused, not changed
        raise SchemeError(
            Problem(
                where="scenario name",
                message="not a usable file name",
                value=name,
                allowed="letters, digits, 汉字, _ - . (no spaces or slashes, no . _ - at "
                f"either end), e.g. 响应速度25 or {safe_name(name)}",
            )
        )
    if path.exists() and not overwrite:
        raise SchemeError(
            Problem(
                where=str(path),
                message="a scenario of this name exists",
                value=name,
                allowed="another name, or overwrite=True",
            )
        )


def _plain(node: Any) -> Any:
    """A copy with no shared sub-objects (YAML anchors are shared; scenarios edit one)."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _baseline_raw(baseline: Scheme) -> dict:
    if baseline.path:
        raw = _plain(read_yaml(baseline.path).data)
    else:
        raw = baseline.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"path"})
    for pname, parameter in baseline.parameters.items():  # values given at load time
        entry = raw.get("parameters", {}).get(pname)
        raw["parameters"][pname] = (
            {**entry, "value": parameter.value} if isinstance(entry, dict) else parameter.value
        )
    return raw


def _position_raw(raw: dict, position: Position) -> dict:
    kpis = {k.id: k for k in position.kpis}
    for entry in raw["kpis"]:
        kpi = kpis[entry["id"]]
        if float(entry["weight"]) != kpi.weight:
            entry["weight"] = _number(kpi.weight)
            entry["rule"] = kpi.rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    for cid, category in position.categories.items():
        raw["categories"][cid]["points"] = _number(category.points)
    return raw


def _number(value: float) -> float | int:
    """A weight or points as written: to a millionth (no ``5.000000000000001``)."""
    rounded = round(float(value), 6)
    return int(rounded) if rounded.is_integer() else rounded


def _describe(baseline: Scheme, scenario: Scheme, name: str) -> str:
    changes = [
        f"{pid}.{k.id} {_number(old.kpi(k.id).weight)} → {_number(k.weight)}"
        for pid, old in baseline.positions.items()
        for k in scenario.positions[pid].kpis
        if k.weight != old.kpi(k.id).weight
    ]
    return f"情景 {name}: {'; '.join(changes) or '权重未变'}"
