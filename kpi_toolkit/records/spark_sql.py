"""The metric layer's SQL, written once in DuckDB's dialect, rendered for Spark SQL.

:mod:`kpi_toolkit.records.ledger` and :mod:`kpi_toolkit.records.metrics` write their SQL
once, in DuckDB's dialect (the one the expression guard parses). :func:`to_spark` renders
such a statement for Spark with `sqlglot <https://sqlglot.com>`_, plus what sqlglot does not
translate with the same meaning:

- ``try_strptime(text, [formats])`` → ``coalesce(try_to_timestamp(text, pattern), ...)``,
  each strptime format turned into a Java pattern (``%z`` read as ``+01:00`` or ``+0100``);
- ``timezone(zone, t)`` → ``to_utc_timestamp`` of a local time, ``from_utc_timestamp`` of an
  instant (the session's zone is UTC, as DuckDB's connection is);
- ordered ``first(x ORDER BY k, ...)`` / ``last(...)`` → ``min_by`` / ``max_by`` of ``x`` over
  a struct of the ordering keys, each key preceded by its null flag (DuckDB sorts nulls last);
- ``quantile_cont(x, q)`` → ``percentile(x, q)`` (both interpolate linearly);
- ``epoch_us(t)`` → ``unix_micros(t)``; ``date_part('epoch', t)`` → seconds since 1970;
  ``TRY_CAST(x AS TIME)`` → a time of day on 1970-01-01 (Spark has no TIME type);
- a double cast to an integer rounds half to even (``bround``), as DuckDB does;
- ``working_minutes`` / ``working_hours`` / ``working_days`` → the arithmetic of their macros.

A construct that cannot be rendered with the same meaning is bad input at the expression.

Examples
--------
>>> to_spark("SELECT count(*) FILTER (WHERE \\"csat\\" >= 4) FROM canonical")
'SELECT COUNT(*) FILTER(WHERE `csat` >= 4) FROM canonical'
>>> to_spark("SELECT last(x ORDER BY t, _row) FROM e")
'SELECT MAX_BY(x, STRUCT(t IS NULL, t, _row IS NULL, _row)) FROM e'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import sqlglot
from sqlglot import exp

__all__ = ["java_patterns", "to_spark"]

# strptime code → Java DateTimeFormatter letters (numbers: one letter reads 1 or 2 digits,
# as DuckDB's strptime does)
_CODES = {
    "Y": "yyyy",
    "y": "yy",
    "m": "M",
    "d": "d",
    "H": "H",
    "I": "h",
    "M": "m",
    "S": "s",
    "f": "[SSSSSS][SSSSS][SSSS][SSS][SS][S]",
    "p": "a",
    "b": "MMM",
    "B": "MMMM",
    "a": "EEE",
    "A": "EEEE",
    "j": "D",
    "Z": "z",
}
_OFFSETS = ("XXX", "XX")  # +01:00, +0100 (and Z)


def java_patterns(strptime_format: str) -> tuple[str, ...]:
    """The Java patterns (Spark's ``to_timestamp``) reading what a strptime format reads.

    Examples
    --------
    >>> java_patterns("%d/%m/%Y %H:%M")
    ("d'/'M'/'yyyy' 'H':'m",)
    >>> java_patterns("%Y-%m-%dT%H:%M:%S%z")
    ("yyyy'-'M'-'d'T'H':'m':'sXXX", "yyyy'-'M'-'d'T'H':'m':'sXX")
    """
    parts: list[str] = []
    offset = False
    for literal, code in re.findall(r"([^%]*)(%.|$)", strptime_format):
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'")
        if code == "%%":
            parts.append("'%'")
        elif code == "%z":
            offset = True
            parts.append("\x00")
        elif code:
            parts.append(_CODES[code[1]])
    pattern = "".join(parts).replace("''", "")
    if not offset:
        return (pattern,)
    return tuple(pattern.replace("\x00", mark) for mark in _OFFSETS)


def _offset_formats(node: exp.Expression) -> bool:
    return isinstance(node, exp.Array) and any(
        "%z" in str(f.this).replace("%%", "") for f in node.expressions
    )


def _is_instant(node: exp.Expression, instants: Collection[str]) -> bool:
    """Whether ``node`` is an instant (DuckDB's TIMESTAMP WITH TIME ZONE)."""
    if isinstance(node, exp.Paren):
        return _is_instant(node.this, instants)
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        if name == "timezone":
            return not _is_instant(node.expressions[1], instants)
        if name in {"try_strptime", "strptime"}:
            return _offset_formats(node.expressions[1])
    return isinstance(node, exp.Column) and node.name in instants


def _strptime(text: exp.Expression, formats: exp.Expression) -> exp.Expression:
    listed = formats.expressions if isinstance(formats, exp.Array) else [formats]
    patterns = [p for f in listed for p in java_patterns(str(f.this))]
    calls = [
        exp.Anonymous(this="try_to_timestamp", expressions=[text.copy(), exp.Literal.string(p)])
        for p in patterns
    ]
    return calls[0] if len(calls) == 1 else exp.Coalesce(this=calls[0], expressions=calls[1:])


def _ordered_pick(node: exp.First | exp.Last) -> exp.Expression:
    """``first``/``last`` with ORDER BY → ``min_by``/``max_by`` over the ordering keys."""
    order = node.this
    if not isinstance(order, exp.Order):
        return node
    descending = {bool(o.args.get("desc")) for o in order.expressions}
    if len(descending) > 1:
        raise ValueError("first()/last() with both ASC and DESC keys has no Spark rendering")
    desc = descending.pop()
    keys: list[exp.Expression] = []
    for ordered in order.expressions:
        key = ordered.this
        nulls_first = bool(ordered.args.get("nulls_first"))
        # ascending order of the struct = the order asked for, nulls where DuckDB puts them
        flag: exp.Expression = exp.Is(this=key.copy(), expression=exp.Null())
        if nulls_first != desc:
            flag = exp.Not(this=flag)
        keys += [flag, key.copy()]
    last = isinstance(node, exp.Last) != desc
    name = "max_by" if last else "min_by"
    struct = exp.Anonymous(this="struct", expressions=keys)
    return exp.Anonymous(this=name, expressions=[order.this.copy(), struct])


def _macro(node: exp.Anonymous, scale: str) -> exp.Expression:
    start, end = node.expressions
    span = exp.Paren(this=exp.Sub(this=end, expression=start))
    divisor = exp.Cast(this=exp.Literal.number(scale), to=exp.DataType.build("DOUBLE"))
    return exp.Div(this=span, expression=divisor)


def _rewrite(
    node: exp.Expression, macros: Mapping[str, str], instants: Collection[str]
) -> exp.Expression:
    if isinstance(node, exp.First | exp.Last):
        return _ordered_pick(node)
    if isinstance(node, exp.Literal) and node.is_number and not node.is_int:
        # DuckDB reads 3600.0 as a decimal and divides in doubles; Spark would keep decimals
        return exp.Cast(this=node.copy(), to=exp.DataType.build("DOUBLE"))
    if isinstance(node, exp.PercentileCont):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.TryCast | exp.Cast):
        to = node.to.this
        if to == exp.DataType.Type.TIME:
            day = exp.Concat(expressions=[exp.Literal.string("1970-01-01 "), node.this])
            return exp.TryCast(this=day, to=exp.DataType.build("TIMESTAMP"), safe=True)
        inner = node.this
        integer = to in {exp.DataType.Type.BIGINT, exp.DataType.Type.INT}
        if integer and isinstance(inner, exp.Cast) and inner.to.this == exp.DataType.Type.DOUBLE:
            node.set("this", exp.Anonymous(this="bround", expressions=[inner]))
        return node
    if not isinstance(node, exp.Anonymous):
        return node
    name, args = str(node.this).lower(), node.expressions
    if name in macros:
        return _macro(node, macros[name])
    if name in {"try_strptime", "strptime"}:
        return _strptime(args[0], args[1])
    if name == "epoch_us":
        return exp.Anonymous(this="unix_micros", expressions=args)
    if name == "date_part" and str(args[0].this).lower() == "epoch":
        micros = exp.Anonymous(this="unix_micros", expressions=[args[1]])
        return exp.Div(
            this=exp.Cast(this=micros, to=exp.DataType.build("DOUBLE")),
            expression=exp.Literal.number(1_000_000),
        )
    return node


def to_spark(
    sql: str, *, macros: Mapping[str, str] | None = None, instants: Collection[str] = ()
) -> str:
    """A DuckDB statement (a query, or ``CREATE ... AS`` one) as Spark SQL.

    ``macros`` maps a function name to the divisor of its ``(b - a) / scale`` body (the
    working-time macros); ``instants`` names columns holding instants (tz-aware).
    """
    tree = sqlglot.parse_one(sql, read="duckdb")
    # a time-zone conversion reads its argument's kind before that argument is rewritten
    zones = [n for n in tree.find_all(exp.Anonymous) if str(n.this).lower() == "timezone"]
    for call in zones:
        zone, value = call.expressions
        name = "from_utc_timestamp" if _is_instant(value, instants) else "to_utc_timestamp"
        call.replace(exp.Anonymous(this=f"_kpi_{name}", expressions=[value, zone]))
    # children before their parents: what a rewrite builds holds rewritten arguments
    nodes = [n for n in tree.walk(bfs=False) if isinstance(n, exp.Expression)]
    for node in reversed(nodes):
        rewritten = _rewrite(node, macros or {}, instants)
        if rewritten is not node:
            node.replace(rewritten)
    text = tree.sql(dialect="spark")
    return re.sub(r"_KPI_(FROM|TO)_UTC_TIMESTAMP\(", r"\1_UTC_TIMESTAMP(", text, flags=re.I)
