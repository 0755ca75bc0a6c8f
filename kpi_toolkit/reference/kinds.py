"""The YAML kinds a user writes, each with its model and where its built-in files live.

Only names here (the models are imported where a schema is built), so that ``kpi schema``
and the command line's parser stay light.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["KINDS", "SCHEMA_DIR", "YamlKind", "shipped_schema"]

SCHEMA_DIR = Path(__file__).parent / "schema"  # the generated schemas, shipped in the wheel


@dataclass(frozen=True)
class YamlKind:
    """One kind of YAML file: its name on the command line, its title, its model
    (``module:Class``) and the folder of its built-in files (``params/…``)."""

    name: str
    title: str
    model: str
    folder: str
    summary: str

    def model_class(self) -> type[BaseModel]:
        """The pydantic model that reads this kind (imported on first use)."""
        module, _, name = self.model.partition(":")
        model: type[BaseModel] = getattr(importlib.import_module(module), name)
        return model


KINDS: dict[str, YamlKind] = {
    kind.name: kind
    for kind in (
        YamlKind(
            "scheme",
            "Appraisal scheme (考核方案)",
            "kpi_toolkit.engine.scheme:Scheme",
            "params/schemes",
            "positions, categories, KPIs with weights, targets and scoring rules, grades",
        ),
        YamlKind(
            "source",
            "Source mapping (数据源映射)",
            "kpi_toolkit.records.sources:SourceSpec",
            "params/sources",
            "how to read one raw export into a canonical table",
        ),
        YamlKind(
            "metrics",
            "Metric set (指标计算)",
            "kpi_toolkit.records.metric_sets:MetricSet",
            "params/metrics",
            "each metric as an SQL aggregate per employee and period",
        ),
        YamlKind(
            "bundle",
            "Bundle (数据源组合)",
            "kpi_toolkit.records.bundle:Bundle",
            "params/bundles",
            "the source mappings and data files of one department, with their metric set",
        ),
        YamlKind(
            "calendar",
            "Working-day calendar (工作日历)",
            "kpi_toolkit.records.calendar:CalendarSpec",
            "params/calendar",
            "working days and hours: statutory holidays, 调休, company days",
        ),
        YamlKind(
            "scenario",
            "Weight scenario (权重情景)",
            "kpi_toolkit.engine.scheme:Scheme",
            "params/scenarios",
            "a complete scheme with other weights, saved by the explorer",
        ),
    )
}


def shipped_schema(kind: str) -> str:
    """The JSON Schema of ``kind`` as generated and shipped (what ``kpi schema`` prints).

    Examples
    --------
    >>> import json
    >>> json.loads(shipped_schema("calendar"))["title"]
    'Working-day calendar (工作日历)'
    """
    return (SCHEMA_DIR / f"{KINDS[kind].name}.json").read_text(encoding="utf-8")
