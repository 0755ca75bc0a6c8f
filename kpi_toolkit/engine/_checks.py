"""Checks on a scheme that types alone cannot express.

The checks read the raw YAML data (so they run even where another part of the file fails
to parse) and return :class:`Problem` objects with key paths such as
``positions.manager.kpis[2].rule.bands``; :func:`kpi_toolkit.loader.validate` adds the file
and line of each and raises them with the model's own problems.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

from ..errors import Problem
from ..loader import did_you_mean, key_path
from .rules import RULES, BandsRule

__all__ = ["check_scheme", "substitute_parameters"]

TOLERANCE = 1e-6
DOMAINS = {"ratio": (0.0, 1.0), "count": (0.0, math.inf), "duration": (0.0, math.inf)}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _numbered(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[Any, float]] | None:
    """The pairs with each value as a float, or None when a value is not a number."""
    numbered = [(key, _number(value)) for key, value in pairs]
    if any(number is None for _, number in numbered):
        return None
    return [(key, number) for key, number in numbered if number is not None]


def _fmt(value: float) -> str:
    return f"{value:g}"


# --- parameters -----------------------------------------------------------------------


def substitute_parameters(raw: Any) -> tuple[Any, list[Problem]]:
    """Replace every ``{param: name}`` by the parameter's value (NaN while it is blank)."""
    if not isinstance(raw, dict):
        return raw, []
    declared = raw.get("parameters") or {}
    declared = declared if isinstance(declared, dict) else {}
    problems: list[Problem] = []

    def value_of(name: str, path: tuple) -> Any:
        if name not in declared:
            problems.append(
                Problem(
                    where=key_path(path),
                    message=f"unknown parameter {name!r}{did_you_mean(name, declared)}",
                    value=name,
                    allowed=", ".join(declared) or "declare it under 'parameters'",
                )
            )
            return math.nan
        entry = declared[name]
        value = entry.get("value") if isinstance(entry, dict) else entry
        return math.nan if value is None else value

    def walk(node: Any, path: tuple) -> Any:
        if isinstance(node, dict):
            if set(node) == {"param"}:
                return value_of(str(node["param"]), path)
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        return node

    body = {k: (v if k == "parameters" else walk(v, (k,))) for k, v in raw.items()}
    return body, problems


# --- semantic checks -------------------------------------------------------------------


def check_scheme(raw: Any) -> list[Problem]:
    """Every problem types cannot catch: sums, bands, grades, rater weights, references."""
    if not isinstance(raw, dict):
        return [Problem(where="(top level)", message="a scheme must be a mapping", value=raw)]
    problems = _check_grades(raw.get("grades"))
    positions = raw.get("positions")
    if isinstance(positions, dict):
        for position_id, position in positions.items():
            if isinstance(position, dict):
                problems += _check_position(position, ("positions", position_id))
    problems += _check_forced(raw)
    return problems


def _check_position(position: dict, path: tuple) -> list[Problem]:
    categories = position.get("categories")
    categories = categories if isinstance(categories, dict) else {}
    kpis = position.get("kpis")
    kpis = kpis if isinstance(kpis, list) else []
    problems = _check_category_total(categories, path)
    problems += _check_kpi_references(kpis, categories, path)
    problems += _check_category_weights(kpis, categories, path)
    for i, kpi in enumerate(kpis):
        if isinstance(kpi, dict):
            problems += _check_rule(kpi, (*path, "kpis", i))
    problems += _check_raters(position.get("raters"), (*path, "raters"))
    return problems


def _check_category_total(categories: dict, path: tuple) -> list[Problem]:
    entries = [(cid, c.get("points")) for cid, c in categories.items() if isinstance(c, dict)]
    points = _numbered(entries)
    if not points:
        return []
    total = sum(p for _, p in points)
    if abs(total - 100) <= TOLERANCE:
        return []
    parts = " + ".join(f"{cid} {_fmt(p)}" for cid, p in points)
    gap = "short by" if total < 100 else "over by"
    return [
        Problem(
            where=key_path((*path, "categories")),
            message=f"category points add up to {_fmt(total)} ({parts}), not 100: "
            f"{gap} {_fmt(abs(total - 100))}",
            value=total,
            allowed="category points that add up to 100",
        )
    ]


def _check_kpi_references(kpis: list, categories: dict, path: tuple) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, kpi in enumerate(kpis):
        if not isinstance(kpi, dict):
            continue
        kpi_id, category = kpi.get("id"), kpi.get("category")
        if kpi_id in seen:
            problems.append(
                Problem(
                    where=key_path((*path, "kpis", i, "id")),
                    message="KPI id used twice in this position",
                    value=kpi_id,
                    allowed="a unique id per position",
                )
            )
        seen.add(str(kpi_id))
        if categories and category is not None and category not in categories:
            problems.append(
                Problem(
                    where=key_path((*path, "kpis", i, "category")),
                    message=f"unknown category{did_you_mean(category, categories)}",
                    value=category,
                    allowed=", ".join(categories),
                )
            )
    return problems


def _check_category_weights(kpis: list, categories: dict, path: tuple) -> list[Problem]:
    problems: list[Problem] = []
    for category_id, category in categories.items():
        points = _number(category.get("points")) if isinstance(category, dict) else None
        members = [k for k in kpis if isinstance(k, dict) and k.get("category") == category_id]
        weights = _numbered((k.get("id"), k.get("weight")) for k in members)
        if points is None or weights is None:
            continue
        total = sum(w for _, w in weights)
        if abs(total - points) <= TOLERANCE:
            continue
        parts = " + ".join(f"{kid} {_fmt(w)}" for kid, w in weights) or "no KPIs"
        gap = "short by" if total < points else "over by"
        problems.append(
            Problem(
                where=key_path((*path, "categories", category_id)),
                message=f"KPI weights in category {category_id} add up to {_fmt(total)} ({parts}), "
                f"but the category has {_fmt(points)} points: {gap} {_fmt(abs(total - points))}",
                value=total,
                allowed=f"weights adding up to {_fmt(points)}",
            )
        )
    return problems


def _check_rule(kpi: dict, path: tuple) -> list[Problem]:
    rule = kpi.get("rule")
    if not isinstance(rule, dict):
        return []
    problems: list[Problem] = []
    kind = rule.get("kind")
    # An unhashable kind (a YAML list or mapping) is the model's problem to report.
    cls = RULES.get(kind) if isinstance(kind, str) else None
    has_target = _number(kpi.get("target")) is not None or _number(rule.get("target")) is not None
    limitless = (
        cls is RULES.get("threshold") and rule.get("min") is None and (rule.get("max") is None)
    )
    if cls is not None and (cls.needs_target or limitless) and not has_target:
        problems.append(
            Problem(
                where=key_path((*path, "target")),
                message=f"rule kind {rule.get('kind')!r} needs a numeric target"
                + (" (or the rule's min or max)" if limitless else ""),
                allowed="a number (a ratio as a fraction, e.g. 0.95)",
            )
        )
    if cls is BandsRule:
        problems += _check_bands(rule.get("bands"), kpi.get("kind"), (*path, "rule", "bands"))
    return problems


def _band_edges(bands: Any) -> list[tuple[int, float, float, Any]] | None:
    if not isinstance(bands, list):
        return None
    edges = []
    for i, band in enumerate(bands):
        if not isinstance(band, dict):
            return None
        low, high = _number(band.get("from")), _number(band.get("to"))
        if low is None or high is None:
            return None
        edges.append((i, low, high, band.get("points")))
    return sorted(edges, key=lambda e: (e[1], e[2]))


def _check_bands(bands: Any, kind: Any, path: tuple) -> list[Problem]:
    edges = _band_edges(bands)
    if not edges:
        return []
    problems: list[Problem] = []
    where = key_path(path)
    for i, low, high, points in edges:
        if high <= low:
            problems.append(
                Problem(
                    where=key_path((*path, i)),
                    message="band ends before it starts",
                    value=f"from {_fmt(low)} to {_fmt(high)}",
                    allowed="from < to",
                )
            )
        if math.isinf(high - low) and isinstance(points, list):
            problems.append(
                Problem(
                    where=key_path((*path, i, "points")),
                    message="an unbounded band cannot interpolate points",
                    value=points,
                    allowed="a single number of points",
                )
            )
    for (_, low_a, high_a, _), (_, low_b, high_b, _) in itertools.pairwise(edges):
        span_a, span_b = f"{_fmt(low_a)}–{_fmt(high_a)}", f"{_fmt(low_b)}–{_fmt(high_b)}"
        if low_b < high_a - TOLERANCE:
            problems.append(
                Problem(
                    where=where,
                    message=f"bands overlap: {span_a} and {span_b}",
                    value=f"{span_a}, {span_b}",
                    allowed="bands that meet edge to edge",
                )
            )
        elif low_b > high_a + TOLERANCE:
            problems.append(
                Problem(
                    where=where,
                    message=f"gap between bands {span_a} and {span_b}: "
                    f"{_fmt(high_a)}–{_fmt(low_b)} is not covered",
                    value=f"{span_a}, {span_b}",
                    allowed="bands that meet edge to edge",
                )
            )
    domain = DOMAINS.get(kind) if isinstance(kind, str) else None
    low, high = edges[0][1], max(e[2] for e in edges)
    if domain and (low > domain[0] + TOLERANCE or high < domain[1] - TOLERANCE):
        problems.append(
            Problem(
                where=where,
                message=f"bands cover {_fmt(low)}–{_fmt(high)}, but a {kind} can be "
                f"{_fmt(domain[0])}–{_fmt(domain[1])}",
                value=f"{_fmt(low)}–{_fmt(high)}",
                allowed=f"bands covering {_fmt(domain[0])}–{_fmt(domain[1])}",
            )
        )
    return problems


def _check_raters(raters: Any, path: tuple) -> list[Problem]:
    if not isinstance(raters, dict) or not raters:
        return []
    shown = {g: (0.0 if g == "self" and w == "shown" else w) for g, w in raters.items()}
    weights = _numbered(shown.items())
    if weights is None:
        return []
    total = sum(w for _, w in weights)
    if abs(total - 1) <= TOLERANCE and all(w > 0 or (g == "self" and w == 0) for g, w in weights):
        return []
    parts = " + ".join(f"{g} {_fmt(w)}" for g, w in weights)
    return [
        Problem(
            where=key_path(path),
            message=f"rater group weights add up to {_fmt(total)} ({parts}), not 1",
            value=total,
            allowed="positive weights adding up to 1 (e.g. superior 0.5, peers 0.25, ...); "
            "self may be 0 or `shown` (shown beside the others, not counted)",
        )
    ]


def _check_grades(grades: Any) -> list[Problem]:
    if not isinstance(grades, list):
        return []
    mins = _numbered((i, g.get("min")) for i, g in enumerate(grades) if isinstance(g, dict))
    if not mins:
        return []
    problems: list[Problem] = []
    values = sorted(m for _, m in mins)
    if values[0] != 0:
        problems.append(
            Problem(
                where="grades",
                message=f"the lowest grade starts at {_fmt(values[0])}: "
                f"totals 0–{_fmt(values[0])} would have no grade",
                value=values[0],
                allowed="a lowest grade with min 0",
            )
        )
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        problems.append(
            Problem(
                where="grades",
                message="two grades start at the same total (they overlap)",
                value=repeated,
                allowed="a different min for each grade",
            )
        )
    return problems


def _check_forced(raw: dict) -> list[Problem]:
    forced = raw.get("forced_distribution")
    shares = forced.get("shares") if isinstance(forced, dict) else None
    if not isinstance(shares, dict):
        return []
    grades = raw.get("grades")
    ids = [g.get("id") for g in grades if isinstance(g, dict)] if isinstance(grades, list) else None
    ids = ids or ["excellent", "good", "pass", "fail"]
    return [
        Problem(
            where=key_path(("forced_distribution", "shares", gid)),
            message=f"unknown grade{did_you_mean(gid, ids)}",
            value=gid,
            allowed=", ".join(str(i) for i in ids),
        )
        for gid in shares
        if gid not in ids
    ]
