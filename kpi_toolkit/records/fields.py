"""Field values: the SQL that reads one mapped field of a raw export into its type.

A field's text is trimmed, its null markers read as missing, its values mapped (是/否 → true/false),
then parsed as its type (numbers, timestamps by the mapping's strptime formats, in the mapping's
time zone and converted to the calendar's). Each field gives its value's SQL and the SQL of a
flag, true where a value is present but not understood (the ledger's ``bad_value`` and
``unparseable_timestamp``). :mod:`kpi_toolkit.records.staging` assembles them.
"""

from __future__ import annotations

from .sources import ROW_COLUMN, SourceSpec
from .sql_guard import check_expression, quote_identifier, quote_literal
from .tables import DUCKDB_TYPES, field_type

__all__ = ["checked_sql", "field_types", "parsed_fields", "period_time"]


def field_types(spec: SourceSpec) -> dict[str, str]:
    extra = spec.extra_columns if not spec.events else {}
    return {
        name: f.type or field_type(spec.table, name) or extra.get(name) or "text"
        for name, f in spec.fields.items()
    }


def parsed_fields(
    spec: SourceSpec, raw_types: dict[str, str], zone: str | None
) -> dict[str, tuple[str, str]]:
    """Each field's value SQL and its "present but not understood" flag SQL."""
    types = field_types(spec)
    return {name: _parse_sql(spec, name, types[name], raw_types, zone) for name in spec.fields}


def checked_sql(text: str, columns: set[str], where: str, spec: SourceSpec) -> str:
    return check_expression(text, columns=columns, where=where, file=spec.path).text


def _parse_sql(
    spec: SourceSpec, name: str, kind: str, raw_types: dict[str, str], zone: str | None
) -> tuple[str, str]:
    """SQL for a field's value and for its "present but not understood" flag."""
    f = spec.fields[name]
    if f.column is not None:
        origin, origin_type = quote_identifier(f.column), raw_types.get(f.column, "VARCHAR")
    else:
        headers = set(raw_types) - {ROW_COLUMN}
        text = checked_sql(str(f.expr), headers, f"fields.{name}.expr", spec)
        origin, origin_type = f"CAST(({text}) AS VARCHAR)", "VARCHAR"
    if origin_type == DUCKDB_TYPES[kind] != "VARCHAR":  # typed already (Parquet): as it is
        return _in_zone(origin, kind, spec.timezone, zone), "false"
    if kind == "timestamp" and origin_type == "TIMESTAMP WITH TIME ZONE":  # an instant
        local = f"timezone({quote_literal(spec.timezone)}, {origin})"
        return _in_zone(local, kind, spec.timezone, zone), "false"
    if origin_type != "VARCHAR":
        value = f"TRY_CAST({origin} AS {DUCKDB_TYPES[kind]})"
        return _in_zone(
            value, kind, spec.timezone, zone
        ), f"({origin} IS NOT NULL AND {value} IS NULL)"
    markers = ", ".join(quote_literal(m) for m in dict.fromkeys((*spec.null_markers, "")))
    cleaned = f"(CASE WHEN trim({origin}) IN ({markers}) THEN NULL ELSE trim({origin}) END)"
    mapped = _mapped(cleaned, f.values, kind, spec)
    formats = f.formats or spec.timestamp_formats
    value = (
        _timestamp_sql(mapped, formats, spec)
        if kind == "timestamp"
        else _PARSERS[kind](mapped, formats)
    )
    # text read as it is cannot fail to parse: no flag
    flag = "false" if value == cleaned else f"({cleaned} IS NOT NULL AND {value} IS NULL)"
    return _in_zone(value, kind, spec.timezone, zone), flag


def _mapped(cleaned: str, values: dict[str, object] | None, kind: str, spec: SourceSpec) -> str:
    if kind == "boolean":
        table = {str(k).lower(): bool(v) for k, v in (values or spec.booleans).items()}
        whens = " ".join(
            f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in table.items()
        )
        return f"(CASE lower({cleaned}) {whens} END)"
    if not values:
        return cleaned
    whens = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in values.items())
    return f"(CASE {cleaned} {whens} ELSE {cleaned} END)"


def _strptime(text: str, formats: tuple[str, ...]) -> str:
    return f"try_strptime({text}, [{', '.join(quote_literal(f) for f in formats)}])"


def _timestamp_sql(text: str, formats: tuple[str, ...], spec: SourceSpec) -> str:
    """A timestamp in the mapping's ``timezone``, whatever the machine's.

    Formats without an offset read the time as written (in ``timezone``). A format with
    ``%z`` reads an instant, converted to ``timezone`` (``offsets: convert``), or the offset
    is dropped and the time kept as written (``offsets: keep``). Each kind is parsed apart:
    DuckDB reads a list that mixes them as instants, and a text without an offset as a time
    in the connection's zone.
    """
    naive = tuple(f for f in formats if not _with_offset(f))
    offset = tuple(f for f in formats if _with_offset(f))
    parts = [f"CAST({_strptime(text, naive)} AS TIMESTAMP)"] if naive else []
    if offset and spec.offsets == "keep":
        bare = tuple(f.replace("%z", "").strip() for f in offset)
        stripped = f"trim(regexp_replace({text}, {quote_literal(_OFFSET_TEXT)}, ''))"
        parts.append(f"CAST({_strptime(stripped, bare)} AS TIMESTAMP)")
    elif offset:
        parts.append(f"timezone({quote_literal(spec.timezone)}, {_strptime(text, offset)})")
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


_OFFSET_TEXT = r"\s*[+-]\d{2}:?\d{2}$"  # an offset at the end of a timestamp's text


def _with_offset(time_format: str) -> bool:
    return "%z" in time_format.replace("%%", "")


def period_time(column: str, *, zone: str | None, period_zone: str | None) -> str:
    """SQL for a timestamp column (local time in ``zone``) as local time in ``period_zone``,
    the zone periods are cut in (the column itself when there is none or it is the same)."""
    if not zone or not period_zone or zone == period_zone:
        return column
    return f"timezone({quote_literal(period_zone)}, timezone({quote_literal(zone)}, {column}))"


_PARSERS = {
    "text": lambda text, formats: text,
    "boolean": lambda text, formats: text,
    "integer": lambda text, formats: f"TRY_CAST(TRY_CAST({text} AS DOUBLE) AS BIGINT)",
    "double": lambda text, formats: f"TRY_CAST({text} AS DOUBLE)",
    "timestamp": lambda text, formats: f"CAST({_strptime(text, formats)} AS TIMESTAMP)",
    "date": lambda text, formats: f"CAST({_strptime(text, formats)} AS DATE)",
}


def _in_zone(value: str, kind: str, source_zone: str, target_zone: str | None) -> str:
    if kind != "timestamp" or not target_zone or target_zone == source_zone:
        return value
    return (
        f"timezone({quote_literal(target_zone)}, timezone({quote_literal(source_zone)}, {value}))"
    )
