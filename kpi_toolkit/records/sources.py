"""Source mappings: how to read one export (``params/sources/*.yaml``) into a canonical table.

A mapping names the file and its format (CSV in UTF-8, UTF-8 with BOM, GBK or GB18030; an
XLSX sheet; Parquet), maps source headers to fields, declares null markers, timestamp formats
(day-first too), the time zone and value mappings (是/否, Y/N → booleans), row filters (drop a
system account) and, for event logs, the collapse to one row per ticket by per-ticket
aggregate expressions. Another export with other names needs only another YAML file.

The YAML is parsed once into frozen pydantic models; every problem is reported at once with
file, key path, bad value and what is allowed.
"""

from __future__ import annotations

import csv
import functools
import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from ..errors import InputError, Problem, did_you_mean
from ..files import Kind, builtin_names, builtin_path
from ..loader import load_spec
from .tables import FIELD_TYPES as _TYPE_OF
from .tables import KEYS, REQUIRED, TABLES, TableName

__all__ = [
    "EventSpec",
    "FieldSpec",
    "FilterSpec",
    "SourceSpec",
    "TimeZone",
    "check_source",
    "load_source",
    "param_path",
    "read_raw",
    "resolve_param",
    "unmapped_required",
]

FieldType = Literal["text", "integer", "double", "boolean", "timestamp", "date"]
Reason = Literal["filtered", "system_account", "not_resolved"]
# a column a metric set may read: canonical columns and declared extra columns
COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
Encoding = Literal["utf-8", "utf-8-sig", "gbk", "gb18030", "gb2312", "latin-1"]
# where a row is in its file, as an editor shows it: a CSV's line (header = line 1, so the
# first data row is line 2), an XLSX sheet's row number, a Parquet file's row (from 1)
ROW_COLUMN = "_row"
DEFAULT_BOOLEANS = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "t": True,
    "f": False,
}


@functools.cache
def _zones() -> frozenset[str]:
    """IANA zone names both Python and DuckDB know (``localtime`` is the machine's, not one)."""
    return frozenset(zoneinfo.available_timezones()) - {"localtime"}


def _known_zone(name: str) -> str:
    if name not in _zones():
        close = did_you_mean(name, _zones())
        raise ValueError(
            f"unknown time zone {name!r}: an IANA zone name, e.g. Asia/Shanghai{close}"
        )
    return name


TimeZone = Annotated[str, AfterValidator(_known_zone)]


class Frozen(BaseModel):
    """Base of every spec: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldSpec(Frozen):
    """One field: a source ``column`` (header) or an ``expr`` over source headers."""

    column: str | None = None
    expr: str | None = None
    type: FieldType | None = None
    formats: tuple[str, ...] | None = None
    values: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"column": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSpec:
        if (self.column is None) == (self.expr is None):
            raise ValueError("give exactly one of 'column' (a source header) or 'expr'")
        return self


class FilterSpec(Frozen):
    """Rows for which ``where`` is true are excluded with ``reason``."""

    where: str
    reason: Reason = "filtered"


class EventSpec(Frozen):
    """Collapse an event log to one row per ``key`` with per-key aggregate expressions;
    ``filters`` then exclude whole tickets, reading the collapsed columns."""

    key: str
    aggregates: dict[str, str]
    filters: tuple[FilterSpec, ...] = ()


class SourceSpec(Frozen):
    """A whole source mapping."""

    name: str
    table: TableName
    # What a reader calls the source (``{zh: …, en: …}``), where its table's name is not
    # enough: two mappings that read one file for two questions.
    label: dict[Literal["zh", "en"], str] = {}
    file: str | None = None
    # a table of the Spark catalog instead of a file (``db.work_orders``; --engine spark)
    spark_table: str | None = None
    format: Literal["csv", "xlsx", "parquet"] | None = None
    encoding: Encoding = "utf-8"
    delimiter: str = ","
    sheet: str | int = 0
    null_markers: tuple[str, ...] = ("",)
    timestamp_formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
    timezone: TimeZone = "Asia/Shanghai"
    # a timestamp that carries its offset (+01:00): converted to `timezone`, or its
    # wall-clock time kept as written
    offsets: Literal["convert", "keep"] = "convert"
    # the zone periods (months, quarters) are cut in; default: the calendar's
    period_timezone: TimeZone | None = None
    booleans: dict[str, bool] = DEFAULT_BOOLEANS
    fields: dict[str, FieldSpec]
    extra_columns: dict[str, FieldType] = {}
    filters: tuple[FilterSpec, ...] = ()
    events: EventSpec | None = None
    unique_ids: bool = False  # declared: the export's row ids are unique (no duplicate check)
    metrics: str = "seed"
    calendar: str = "cn_office"
    path: str | None = None  # where the YAML was read from (set by load_source)

    @property
    def produced(self) -> frozenset[str]:
        """The canonical columns the mapping gives (an event log: its aggregates and key)."""
        if self.events:
            return frozenset(self.events.aggregates) | {KEYS[self.table]}
        return frozenset(self.fields)

    def data_path(self, data: str | Path | None = None) -> Path:
        """The data file: ``data`` when given, else ``file`` relative to the YAML."""
        if data is not None:
            return Path(data)
        if self.file is None:
            raise InputError(Problem("file", "no data file given", None, "--data FILE", self.path))
        return (self.folder / self.file).resolve()

    @property
    def folder(self) -> Path:
        """The folder of the YAML: relative paths in it are read from here."""
        return Path(self.path).parent if self.path else Path.cwd()

    def param(self, key: Literal["metrics", "calendar"], kind: Kind) -> Path:
        """The file ``key`` names: a built-in name (``params/KIND/NAME.yaml``) or a path
        relative to the YAML; a missing file is bad input naming the key and the place."""
        value = getattr(self, key)
        path = param_path(value, kind, folder=self.folder)
        if not path.is_file():
            names = ", ".join(builtin_names(kind))
            allowed = f"a built-in name ({names}) or a YAML file relative to {self.folder}"
            raise InputError(
                Problem(key, f"file not found: looked for {path}", value, allowed, self.path)
            )
        return path

    @property
    def columns(self) -> dict[str, str]:
        """Every column the canonical table of this source may hold: name → field type."""
        return {name: _TYPE_OF[t] for name, t in TABLES[self.table].items()} | dict(
            self.extra_columns
        )


def resolve_param(name: str | Path, kind: Kind) -> Path:
    """A path as given, or a built-in name ``params/KIND/NAME.yaml``."""
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} or path.parent != Path("."):
        return path
    return builtin_path(kind, str(name))


def param_path(value: str | Path, kind: Kind, *, folder: Path) -> Path:
    """A built-in name (``params/KIND/NAME.yaml``) or a path relative to ``folder`` (the
    folder of the YAML that names it)."""
    path = resolve_param(value, kind)
    return path if path.is_absolute() else folder / path


def load_source(path: str | Path) -> SourceSpec:
    """Read a source mapping by path or built-in name (``params/sources/NAME.yaml``)."""
    resolved = resolve_param(path, "sources")
    spec = load_spec(resolved, model=SourceSpec, checks=check_source)
    return spec.model_copy(update={"path": str(resolved.resolve())})


def check_source(spec: SourceSpec) -> list[Problem]:
    """What a mapping must hold whatever the data: the required columns, and expressions
    over its own fields (filters, an event log's key and aggregates).

    (Headers and a field's ``expr`` over them are checked when the data is read.)
    """
    problems = unmapped_required(spec, allowed="map it from a header of the export")
    problems += _undeclared(spec) + _extra_problems(spec)
    columns = set(spec.fields) | {ROW_COLUMN}
    texts = {f"filters[{i}].where": f.where for i, f in enumerate(spec.filters)}
    if spec.events:
        texts |= {f"events.aggregates.{k}": v for k, v in spec.events.aggregates.items()}
    problems += [p for where, text in texts.items() for p in _refused(text, columns, where)]
    if spec.events:
        collapsed = set(spec.produced)
        rules = {f"events.filters[{i}].where": f.where for i, f in enumerate(spec.events.filters)}
        problems += [p for where, text in rules.items() for p in _refused(text, collapsed, where)]
    problems += _format_problems(spec)
    if spec.events and spec.events.key not in spec.fields:
        allowed = ", ".join(spec.fields)
        problems.append(
            Problem("events.key", "not a field of the mapping", spec.events.key, allowed)
        )
    return problems


def _undeclared(spec: SourceSpec) -> list[Problem]:
    """A column the canonical table would not hold: neither canonical nor declared extra
    (an event log's fields are its events' own: its aggregates are the columns)."""
    produced = spec.events.aggregates if spec.events else spec.fields
    place = "events.aggregates" if spec.events else "fields"
    canonical = ", ".join(TABLES[spec.table])
    allowed = f"a column of table {spec.table!r} ({canonical}) or one declared in extra_columns"
    return [
        Problem(f"{place}.{name}", "not a canonical column", name, allowed, spec.path)
        for name in produced
        if name not in spec.columns
    ]


def _extra_problems(spec: SourceSpec) -> list[Problem]:
    """Extra columns: new names (a canonical one keeps its type), plain lower-case names."""
    problems = []
    for name in spec.extra_columns:
        where = f"extra_columns.{name}"
        if name in TABLES[spec.table]:
            message = f"already a column of table {spec.table!r}: map it under fields"
            problems.append(Problem(where, message, name, "a name of your own", spec.path))
        elif not COLUMN_NAME.match(name):
            allowed = "lower-case letters, digits and _, starting with a letter"
            problems.append(Problem(where, "not a column name", name, allowed, spec.path))
    return problems


def unmapped_required(spec: SourceSpec, *, allowed: str) -> list[Problem]:
    """A problem for each column the canonical table requires that the mapping leaves out."""
    message = f"required column of table {spec.table!r} is not mapped"
    return [
        Problem("fields", message, name, allowed, spec.path)
        for name in REQUIRED[spec.table]
        if name not in spec.produced
    ]


def _refused(text: str, columns: set[str], where: str) -> list[Problem]:
    from .sql_guard import check_expression  # DuckDB's parser: not needed to read a calendar

    try:
        check_expression(text, columns=columns, where=where)
    except InputError as error:
        return list(error.problems)
    return []


def _format_problems(spec: SourceSpec) -> list[Problem]:
    from .sql_guard import check_time_format

    formats = {f"timestamp_formats[{i}]": f for i, f in enumerate(spec.timestamp_formats)}
    for name, field in spec.fields.items():
        formats |= {f"fields.{name}.formats[{i}]": f for i, f in enumerate(field.formats or ())}
    return [p for where, text in formats.items() for p in check_time_format(text, where=where)]


def source_format(spec: SourceSpec, path: Path) -> str:
    """The file format: as declared, else from the extension."""
    found = spec.format or {
        ".csv": "csv",
        ".txt": "csv",
        ".xlsx": "xlsx",
        ".parquet": "parquet",
    }.get(path.suffix.lower())
    if found is None:
        raise InputError(
            Problem("format", "unknown file type", path.suffix, "csv, xlsx, parquet", spec.path)
        )
    return found


def read_raw(spec: SourceSpec, path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX export as text columns plus :data:`ROW_COLUMN` (not Parquet).

    Read by :mod:`kpi_toolkit.input_files` (the one reader of tables: sizes, encodings,
    duplicate headers, workbooks), with the mapping's encoding, delimiter and sheet.
    :data:`ROW_COLUMN` is the line each row starts on (header = line 1), or the sheet's row.
    """
    from ..input_files import input_file

    input_file(path)  # a folder, a pipe, a device, a file too big: bad input naming it
    kind = source_format(spec, path)
    frame = {"csv": _read_csv, "xlsx": _read_xlsx}[kind](spec, path)
    lines = _csv_lines(spec, path, len(frame)) if kind == "csv" else None
    rows = frame.index.to_numpy(dtype="int64") if lines is None else lines
    frame = frame.reset_index(drop=True)
    frame.insert(0, ROW_COLUMN, rows)
    return frame


def _csv_lines(spec: SourceSpec, path: Path, rows: int) -> np.ndarray | None:
    """The line each data row of a CSV file starts on (header = line 1; blank lines and
    line breaks inside quoted cells counted), or ``None`` when they cannot be told apart
    from the rows pandas read (then rows are numbered as if no line were blank)."""
    if len(spec.delimiter) != 1:
        return None
    starts: list[int] = []
    with path.open(encoding=spec.encoding, errors="replace", newline="") as handle:
        reader, line = csv.reader(handle, delimiter=spec.delimiter), 1
        for record in reader:
            if record and not (len(record) == 1 and not record[0].strip()):
                starts.append(line)
            line = reader.line_num + 1
    return np.array(starts[1:], dtype="int64") if len(starts) == rows + 1 else None


def _read_csv(spec: SourceSpec, path: Path) -> pd.DataFrame:
    from ..input_files import read_csv_text

    return read_csv_text(path, encoding=spec.encoding, delimiter=spec.delimiter)


def _read_xlsx(spec: SourceSpec, path: Path) -> pd.DataFrame:
    from ..input_files import read_xlsx_text

    return read_xlsx_text(path, sheet=spec.sheet)
