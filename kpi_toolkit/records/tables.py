"""Canonical tables: the columns every source is mapped onto (see docs/canonical_tables.md).

:data:`TABLES` maps table → column → DuckDB type; :data:`KEYS` names each table's row id and
:data:`REQUIRED` the columns a mapping must provide. :func:`canonical_frame` checks and casts a
DataFrame that is already canonical (tests, notebooks) with every problem reported at once.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from ..errors import DataError, Problem

__all__ = ["KEYS", "REQUIRED", "TABLES", "TableName", "canonical_frame", "field_type"]

TableName = Literal[
    "tickets", "reports", "complaints", "surveys", "training", "events", "finance", "roster"
]
V, T, B, D, I = "VARCHAR", "TIMESTAMP", "BOOLEAN", "DOUBLE", "BIGINT"  # noqa: E741

TABLES: MappingProxyType[str, dict[str, str]] = MappingProxyType(
    {
        "tickets": {
            "ticket_id": V, "employee_id": V, "team": V, "type": V, "channel": V,
            "priority": V, "category": V, "status": V, "created_at": T,
            "first_response_at": T, "resolved_at": T, "closed_at": T, "invalid": B,
            "reopened": B, "reopen_count": I, "csat": D, "complaint": B, "sla_met": B,
            "answered": B, "answer_seconds": D, "talk_seconds": D, "repair_passed": B,
        },
        "reports": {
            "report_id": V, "employee_id": V, "kind": V, "due_at": T, "submitted_at": T,
        },
        "complaints": {
            "complaint_id": V, "employee_id": V, "ticket_id": V, "received_at": T,
            "closed_at": T, "compensation": D, "valid": B,
        },
        "surveys": {
            "survey_id": V, "employee_id": V, "ticket_id": V, "answered_at": T,
            "score": D, "scale_max": D, "satisfied": B,
        },
        "training": {
            "record_id": V, "employee_id": V, "exam_at": T, "score": D, "pass_mark": D,
            "new_staff": B,
        },
        "events": {
            "event_id": V, "employee_id": V, "occurred_at": T, "kind": V, "completed": B,
        },
        "finance": {
            "record_id": V, "employee_id": V, "booked_at": T, "budget": D,
            "actual_cost": D, "income": D, "compensation": D,
        },
        "roster": {
            "employee_id": V, "name": V, "position": V, "team": V, "status": V,
            "hired_at": T, "confirmed_at": T,
        },
    }
)  # fmt: skip # columns packed as a schema is read; one per line would run to 70 lines
KEYS: MappingProxyType[str, str] = MappingProxyType(
    {
        "tickets": "ticket_id", "reports": "report_id", "complaints": "complaint_id",
        "surveys": "survey_id", "training": "record_id", "events": "event_id",
        "finance": "record_id", "roster": "employee_id",
    }
)  # fmt: skip # eight short pairs, read as one table
REQUIRED: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {table: (KEYS[table], "employee_id") for table in TABLES}
)
# checked time order inside a row: (earlier, later, reason code when later < earlier)
TIME_ORDER: MappingProxyType[str, tuple[tuple[str, str, str], ...]] = MappingProxyType(
    {"tickets": (("created_at", "resolved_at", "resolved_before_created"),)}
)
FIELD_TYPES = {V: "text", T: "timestamp", B: "boolean", D: "double", I: "integer", "DATE": "date"}
DUCKDB_TYPES = {"text": V, "timestamp": T, "boolean": B, "double": D, "integer": I, "date": "DATE"}
_PANDAS: dict[str, ExtensionDtype | np.dtype] = {
    V: pd.StringDtype(),
    T: np.dtype("datetime64[us]"),
    B: pd.BooleanDtype(),
    D: pd.Float64Dtype(),
    I: pd.Int64Dtype(),
}


def field_type(table: str, column: str) -> str | None:
    """The field type (``text``, ``timestamp`` ...) of a canonical column, if it is one."""
    dtype = TABLES[table].get(column)
    return FIELD_TYPES[dtype] if dtype else None


def canonical_frame(frame: pd.DataFrame, *, table: str, where: str = "") -> pd.DataFrame:
    """Check and cast a canonical DataFrame; raise :class:`DataError` with every problem.

    Unknown columns are refused, required ones must be there, values must cast to the type.

    Examples
    --------
    >>> df = pd.DataFrame({"report_id": ["r1"], "employee_id": ["e1"], "due_at": ["2026-07-01"]})
    >>> canonical_frame(df, table="reports")["due_at"].dtype
    dtype('<M8[us]')
    """
    columns = TABLES[table]
    place = where or table
    problems = [
        Problem(f"{place}.{name}", "unknown column", name, ", ".join(columns))
        for name in frame.columns
        if name not in columns
    ]
    problems += [
        Problem(place, "required column missing", name, ", ".join(frame.columns))
        for name in REQUIRED[table]
        if name not in frame.columns
    ]
    cast = {
        name: _cast(frame[name], columns[name], f"{place}.{name}", problems)
        for name in frame.columns
        if name in columns
    }
    if problems:
        raise DataError(problems, title=f"table {table!r} is not canonical")
    return pd.DataFrame(cast, index=frame.index)


def _cast(values: pd.Series, dtype: str, where: str, problems: list[Problem]) -> pd.Series:
    try:
        if dtype == T:
            return pd.to_datetime(values).astype(_PANDAS[T])
        return values.astype(_PANDAS[dtype])
    except (ValueError, TypeError) as error:
        allowed = {T: "timestamps", B: "true/false", D: "numbers", I: "whole numbers"}
        problems.append(
            Problem(where, f"cannot cast to {dtype}: {error}", None, allowed.get(dtype, "text"))
        )
        return values
