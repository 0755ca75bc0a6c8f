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

from pathlib import Path
from typing import Any, Literal, TypeVar

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..errors import InputError, Problem
from ..files import Kind, builtin_path
from .tables import TableName

__all__ = [
    "EventSpec",
    "FieldSpec",
    "FilterSpec",
    "SourceSpec",
    "load_model",
    "load_source",
    "read_raw",
    "resolve_param",
]

M = TypeVar("M", bound=BaseModel)
FieldType = Literal["text", "integer", "double", "boolean", "timestamp", "date"]
Encoding = Literal["utf-8", "utf-8-sig", "gbk", "gb18030", "gb2312", "latin-1"]
ROW_COLUMN = "_row"  # 1-based data row number in the source file (events: file order)
DEFAULT_BOOLEANS = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
    "true": True, "false": False, "1": True, "0": False, "t": True, "f": False,
}  # fmt: skip


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
    reason: Literal["filtered", "system_account"] = "filtered"


class EventSpec(Frozen):
    """Collapse an event log to one row per ``key`` with per-key aggregate expressions."""

    key: str
    aggregates: dict[str, str]


class SourceSpec(Frozen):
    """A whole source mapping."""

    name: str
    table: TableName
    file: str | None = None
    format: Literal["csv", "xlsx", "parquet"] | None = None
    encoding: Encoding = "utf-8"
    delimiter: str = ","
    sheet: str | int = 0
    null_markers: tuple[str, ...] = ("",)
    timestamp_formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
    timezone: str = "Asia/Shanghai"
    booleans: dict[str, bool] = DEFAULT_BOOLEANS
    fields: dict[str, FieldSpec]
    filters: tuple[FilterSpec, ...] = ()
    events: EventSpec | None = None
    unique_ids: bool = False  # declared: the export's row ids are unique (no duplicate check)
    metrics: str = "seed"
    calendar: str = "cn_office"
    path: str | None = None  # where the YAML was read from (set by load_source)

    def data_path(self, data: str | Path | None = None) -> Path:
        """The data file: ``data`` when given, else ``file`` relative to the YAML."""
        if data is not None:
            return Path(data)
        if self.file is None:
            raise InputError(Problem("file", "no data file given", None, "--data FILE", self.path))
        base = Path(self.path).parent if self.path else Path.cwd()
        return (base / self.file).resolve()


def resolve_param(name: str | Path, kind: Kind) -> Path:
    """A path as given, or a built-in name ``params/KIND/NAME.yaml``."""
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} or path.parent != Path("."):
        return path
    return builtin_path(kind, str(name))


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning a missing file or bad syntax into :class:`InputError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(Problem("file", f"cannot read ({error.__class__.__name__})", str(path),
                                 "an existing UTF-8 YAML file", str(path))) from None  # fmt: skip
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        message = f"not valid YAML: {getattr(error, 'problem', None) or error}"
        raise InputError(Problem(where, message, None, "YAML syntax", str(path))) from None


def load_model(model: type[M], path: Path) -> M:
    """Parse ``path`` into ``model``, raising one :class:`InputError` listing every problem."""
    data = read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError(
            [_problem(e, model, str(path)) for e in error.errors()], title=f"{path}: invalid"
        ) from None


def _problem(error: Any, model: type[BaseModel], file: str) -> Problem:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    allowed = error.get("ctx", {}).get("expected")
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(_keys_at(model, loc[:-1]))
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
    return Problem(where or "(top level)", message, error.get("input"), allowed, file)


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at ``loc`` (walking nested models through their annotations)."""
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", {})
        if part in fields:
            current = _inner_model(fields[part].annotation)
    return sorted(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    args = [a for a in getattr(annotation, "__args__", ()) if isinstance(a, type)]
    models = [a for a in args if issubclass(a, BaseModel)]
    return models[0] if models else annotation


def load_source(path: str | Path) -> SourceSpec:
    """Read a source mapping by path or built-in name (``params/sources/NAME.yaml``)."""
    resolved = resolve_param(path, "sources")
    spec = load_model(SourceSpec, resolved)
    return spec.model_copy(update={"path": str(resolved.resolve())})


def source_format(spec: SourceSpec, path: Path) -> str:
    """The file format: as declared, else from the extension."""
    found = spec.format or {
        ".csv": "csv",
        ".txt": "csv",
        ".xlsx": "xlsx",
        ".parquet": "parquet",
    }.get(path.suffix.lower())
    if found is None:
        raise InputError(Problem("format", "unknown file type", path.suffix, "csv, xlsx, parquet",
                                 spec.path))  # fmt: skip
    return found


def read_raw(spec: SourceSpec, path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX export as text columns plus :data:`ROW_COLUMN` (not Parquet)."""
    if not path.is_file():
        raise InputError(
            Problem("data", "file not found", str(path), "an existing file", spec.path)
        )
    reader = {"csv": _read_csv, "xlsx": _read_xlsx}[source_format(spec, path)]
    frame = reader(spec, path)
    frame.insert(0, ROW_COLUMN, pd.RangeIndex(1, len(frame) + 1, dtype="int64"))
    return frame


def _read_csv(spec: SourceSpec, path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=spec.encoding,
                           sep=spec.delimiter)  # fmt: skip
    except UnicodeDecodeError as error:
        where = f"byte {error.start}"
        raise InputError(Problem(where, f"not readable as {spec.encoding}", error.object[
            error.start:error.start + 4], "utf-8, utf-8-sig, gbk, gb18030 (set 'encoding')",
            str(path))) from None  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise InputError(Problem("CSV", f"cannot parse: {error}", None, "a CSV file with a "
                                 "header row", str(path))) from None  # fmt: skip


def _read_xlsx(spec: SourceSpec, path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=spec.sheet, dtype=object, engine="openpyxl")
    except ValueError as error:
        raise InputError(Problem("sheet", str(error), spec.sheet, "a sheet name or index in the "
                                 "workbook", str(path))) from None  # fmt: skip
    except Exception as error:
        raise InputError(Problem("XLSX", f"cannot read ({error.__class__.__name__}: {error})",
                                 None, "an .xlsx workbook", str(path))) from None  # fmt: skip
    return frame.apply(_cells_as_text)


def _cells_as_text(column: pd.Series) -> pd.Series:
    """Excel cells as text: times ``HH:MM:SS``, whole numbers without ``.0``, blanks empty."""
    text = column.map(_cell_text, na_action="ignore")
    return text.fillna("").astype(str)


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, pd.Timestamp):
        return cell.isoformat(sep=" ")
    return str(cell)
