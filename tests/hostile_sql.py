"""Hostile inputs: SQL in every expression and name a source mapping, a metric set and a bundle
hold, and the ledger's duplicate rule (area "SQL and YAML", ids ``sql-…``).

Each case writes a variant of the sample ticket mapping (``params/sources/sample_tickets.yaml``)
or of a small UTF-8 mapping into its folder and runs ``kpi metrics`` on the sample's tickets:
what reaches SQL is refused by the guard (exit 2, naming the key) or stays a name or a literal
(exit 0); nothing is written outside the case's folder.
"""

from __future__ import annotations

import csv
from collections.abc import Callable

from hostile import Case, Place, rows_csv

TICKETS = "{sample}/records/tickets.csv"
FILTER = "{where: \"employee_id = 'SYS001'\", reason: system_account}"


def _mapping(old: str, new: str, *, metrics: str | None = None) -> Callable[[Place], None]:
    """Setup: the sample ticket mapping with ``old`` replaced by ``new`` as ``m.yaml``
    (``{w}`` in ``new`` is the case's folder), and ``metrics`` as ``metrics.yaml``."""

    def setup(place: Place) -> None:
        text = (place.params / "sources" / "sample_tickets.yaml").read_text(encoding="utf-8")
        text = text.replace("file: ../../sample/records/tickets.csv\n", "")
        assert old in text, old
        text = text.replace(old, new.replace("{w}", str(place.w)))
        if metrics is not None:
            place.write("metrics.yaml", metrics.replace("{w}", str(place.w)))
            text = text.replace("metrics: after_sales_team", f"metrics: {place.w}/metrics.yaml")
        place.write("m.yaml", text)

    return setup


def _filter(where: str) -> Callable[[Place], None]:
    return _mapping(FILTER, "{where: " + _quoted(where) + "}")


def _field_expr(expr: str) -> Callable[[Place], None]:
    return _mapping("  csat: 满意度\n", f"  csat: {{expr: {_quoted(expr)}}}\n")


def _metric(part: str) -> Callable[[Place], None]:
    """A metric set of one count metric with ``part`` (e.g. ``filter: ...``) added."""
    key, _, text = part.partition(": ")
    numerator = "" if key == "numerator" else "numerator: 'true', "
    metric = f"{{kind: ratio, {numerator}{key}: {_quoted(text)}}}"
    return _mapping(
        "metrics: after_sales_team",
        "metrics: after_sales_team",
        metrics=f"name: m\nmetrics:\n  n: {metric}\n",
    )


def _quoted(text: str) -> str:
    """``text`` as a single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


def _run(*options: str) -> list[str]:
    return ["metrics", "--source", "{w}/m.yaml", "--data", TICKETS, "--period-grain", "month",
            "--out", "{w}/actuals.csv", *options]  # fmt: skip


def _refused(id: str, setup: Callable[[Place], None], *needles: str, **more: object) -> Case:
    more.setdefault("absent", ["{w}/actuals.csv"])
    return Case(id=id, argv=_run(), setup=setup, needles=needles, **more)  # type: ignore[arg-type]


def _header(place: Place) -> list[str]:
    with (place.w / "actuals.csv").open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


CRAFTED_ID = 'x", (SELECT count(*) FROM duckdb_settings()) AS "y'


def _crafted_id_is_a_name(place: Place, output: str) -> None:
    header = _header(place)
    assert CRAFTED_ID in header and "y" not in header, header


LEDGER_MAPPING = """name: flat
table: tickets
metrics: seed
timestamp_formats: ["%Y-%m-%d %H:%M"]
fields: {ticket_id: id, employee_id: who, created_at: created, resolved_at: resolved}
"""


def _truncated_duplicate_first(place: Place) -> None:
    place.write("m.yaml", LEDGER_MAPPING)
    rows = [
        ["t1", "", "2026-07-01 10:00", ""],
        ["t1", "e1", "2026-07-01 10:00", "2026-07-01 12:00"],
    ]
    place.write("t.csv", rows_csv(["id", "who", "created", "resolved"], rows))


def _ticket_used(place: Place, output: str) -> None:
    with (place.w / "actuals.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["employee_id"], r["workload"]) for r in rows] == [("e1", "1")], rows


def _bundle_two_bad_sources(place: Place) -> None:
    for name, expr in (("a", "csat > 'high'"), ("b", "created_at > 5")):
        text = (place.params / "sources" / "sample_tickets.yaml").read_text(encoding="utf-8")
        text = text.replace(FILTER, "{where: " + _quoted(expr) + "}").replace(
            "name: sample_tickets", f"name: tickets_{name}"
        )
        place.write(f"{name}.yaml", text)
    place.write(
        "bundle.yaml",
        "name: b\nmetrics: after_sales_team\nsources:\n"
        "  - {mapping: a.yaml, data: tickets.csv}\n  - {mapping: b.yaml, data: tickets.csv}\n",
    )


CASES = [
    # --- a row filter: one expression over the mapped fields, nothing else -------------------
    _refused("sql-filter-read-text-passwd", _filter("read_text('/etc/passwd') <> ''"), "read_text"),
    _refused(
        "sql-filter-read-csv-passwd",
        _filter("employee_id IN (SELECT * FROM read_csv('/etc/passwd'))"),
        "SELECT",
    ),
    _refused("sql-filter-getenv", _filter("getenv('HOME') IS NOT NULL"), "getenv"),
    _refused(
        "sql-filter-semicolon-copy",
        _filter("true; COPY (SELECT 1) TO '{w}/pwn.csv'"),
        "';'",
        "filters[0].where",
    ),
    _refused("sql-filter-comment", _filter("true -- and the rest"), "comments"),
    _refused("sql-filter-block-comment", _filter("true /* hidden */"), "comments"),
    _refused("sql-filter-attach", _filter("ATTACH '{w}/x.db'"), "ATTACH"),
    _refused("sql-filter-pragma", _filter("PRAGMA enable_external_access=true"), "PRAGMA"),
    _refused("sql-filter-install-httpfs", _filter("INSTALL httpfs"), "INSTALL"),
    _refused("sql-filter-load-extension", _filter("LOAD httpfs"), "LOAD"),
    _refused("sql-filter-set-setting", _filter("SET enable_external_access = true"), "SET"),
    _refused(
        "sql-filter-current-setting",
        _filter("current_setting('home_directory') <> ''"),
        "current_setting",
    ),
    _refused(
        "sql-filter-homoglyph-quotes",
        _filter("employee_id = ‘SYS001’"),
        "unknown column",
        "filters[0].where",
    ),
    _refused("sql-filter-union", _filter("true UNION SELECT 1"), "UNION"),
    _refused("sql-filter-qualified-column", _filter("main.t.employee_id = 'x'"), "qualified"),
    _refused("sql-filter-star", _filter("COLUMNS(*) IS NOT NULL"), "'*'"),
    _refused(
        "sql-filter-two-type-errors-both-named",
        _mapping(FILTER, "{where: \"csat > 'high'\"}\n  - {where: 'created_at > 5'}"),
        "filters[0].where",
        "filters[1].where",
        "Could not convert string",
    ),
    # --- a field computed by an expression over the export's headers -------------------------
    _refused("sql-field-expr-subquery", _field_expr("(SELECT 1)"), "SELECT", "fields.csat.expr"),
    _refused("sql-field-expr-duckdb-settings", _field_expr("duckdb_settings()"), "duckdb_settings"),
    _refused(
        "sql-field-expr-read-parquet", _field_expr("read_parquet('/etc/passwd')"), "read_parquet"
    ),
    _refused(
        "sql-field-expr-schema-function", _field_expr("main.lower(满意度)"), "schema-qualified"
    ),
    # --- an event log's key and aggregates ----------------------------------------------------
    _refused(
        "sql-events-aggregate-copy",
        _mapping(
            FILTER,
            FILTER + "\nevents:\n  key: ticket_id\n  aggregates:\n"
            "    ticket_id: any_value(ticket_id); COPY (SELECT 1) TO '{w}/pwn.csv'\n"
            "    employee_id: any_value(employee_id)\n",
        ),
        "events.aggregates.ticket_id",
        absent=["{w}/pwn.csv", "{w}/actuals.csv"],
    ),
    _refused(
        "sql-events-key-crafted",
        _mapping(
            FILTER,
            FILTER + "\nevents:\n  key: 'ticket_id\"; --'\n  aggregates:\n"
            "    ticket_id: any_value(ticket_id)\n    employee_id: any_value(employee_id)\n",
        ),
        "events.key",
        "not a field of the mapping",
    ),
    # --- a metric set's expressions, names and period timestamps ------------------------------
    _refused(
        "sql-metric-filter-read-blob",
        _metric("filter: read_blob('/etc/shadow') IS NULL"),
        "read_blob",
        "metrics.n.filter",
    ),
    _refused(
        "sql-metric-numerator-subquery",
        _metric("numerator: (SELECT max(csat) FROM canonical) > 1"),
        "SELECT",
    ),
    _refused(
        "sql-metric-denominator-getenv", _metric("denominator: getenv('PATH') <> ''"), "getenv"
    ),
    _refused(
        "sql-metric-filter-json-execute",
        _metric("filter: json_execute_serialized_sql('x') IS NULL"),
        "json_execute_serialized_sql",
    ),
    _refused(
        "sql-metric-two-type-errors-both-named",
        _mapping(
            "metrics: after_sales_team",
            "metrics: after_sales_team",
            metrics="name: m\nmetrics:\n  a: {kind: count, filter: \"csat > 'high'\"}\n"
            "  b: {kind: sum, value: \"created_at + 'x'\"}\n",
        ),
        "metrics.a.filter",
        "metrics.b.value",
    ),
    _refused(
        "sql-period-column-copy",
        _mapping(
            "metrics: after_sales_team",
            "metrics: after_sales_team",
            metrics="name: m\nperiods: {tickets: 'created_at\"); COPY (SELECT 1) TO "
            "''{w}/pwn.csv''; --'}\nmetrics: {n: {kind: count}}\n",
        ),
        "periods.tickets",
        "column not found",
        absent=["{w}/pwn.csv", "{w}/actuals.csv"],
    ),
    _refused(
        "sql-period-from-settings",
        _mapping(
            "metrics: after_sales_team",
            "metrics: after_sales_team",
            metrics="name: m\nmetrics: {n: {kind: count, period_from: "
            "'created_at\") FROM duckdb_settings() --'}}\n",
        ),
        "metrics.n.period_from",
        "column not found",
    ),
    Case(
        id="sql-metric-id-subquery-stays-a-name",
        argv=_run(),
        setup=_mapping(
            "metrics: after_sales_team",
            "metrics: after_sales_team",
            metrics=f"name: m\nmetrics:\n  {_quoted(CRAFTED_ID)}: {{kind: count}}\n",
        ),
        code=0,
        exists=["{w}/actuals.csv"],
        check=_crafted_id_is_a_name,
    ),
    # --- literals: null markers, value mappings, booleans stay text ---------------------------
    Case(
        id="sql-null-marker-quote-stays-literal",
        argv=_run(),
        setup=_mapping(
            'null_markers: ["", "-"]', 'null_markers: ["", "-", "\'); DROP TABLE _raw; --"]'
        ),
        code=0,
        exists=["{w}/actuals.csv"],
    ),
    Case(
        id="sql-boolean-values-quote-stays-literal",
        argv=_run(),
        setup=_mapping(
            "  invalid: 是否无效\n",
            "  invalid: {column: 是否无效, values: "
            "{\"是' OR '1'='1\": true, 是: true, 否: false}}\n",
        ),
        code=0,
        exists=["{w}/actuals.csv"],
    ),
    # a field that is no canonical column is refused at the mapping (issue 12): the name
    # never reaches SQL (extra columns are plain lower-case names)
    Case(
        id="sql-field-name-with-quotes-is-a-name",
        argv=_run(),
        setup=_mapping(
            "  ticket_id: 工单号\n", "  ticket_id: 工单号\n  'x\"; DROP TABLE t; --': 工单号\n"
        ),
        code=2,
        needles=["not a canonical column"],
        absent=["{w}/actuals.csv"],
    ),
    # --- what the database cannot use is named as the mapping's key, with what is allowed -----
    _refused(
        "sql-timestamp-format-unknown-code",
        _mapping('["%d/%m/%Y %H:%M"]', '["%Q/%d/%Y"]'),
        "timestamp_formats[0]",
        "not a timestamp format",
        "strptime codes",
    ),
    _refused(
        "sql-timestamp-format-trailing-percent",
        _mapping('["%d/%m/%Y %H:%M"]', '["%d/%m/%Y %"]'),
        "timestamp_formats[0]",
        "not a timestamp format",
    ),
    _refused(
        "sql-field-formats-bad",
        _mapping(
            "  created_at: 创建时间\n",
            "  created_at: {column: 创建时间, formats: ['%d/%m/%Y', '%E']}\n",
        ),
        "fields.created_at.formats[1]",
        "not a timestamp format",
    ),
    _refused(
        "sql-timezone-posix-name",
        _mapping("timezone: Asia/Shanghai", "timezone: posix/Asia/Shanghai"),
        "timezone",
        "unknown time zone",
        "IANA",
    ),
    _refused(
        "sql-timezone-localtime",
        _mapping("timezone: Asia/Shanghai", "timezone: localtime"),
        "timezone",
        "unknown time zone",
    ),
    # --- the ledger: a truncated copy of a ticket first does not hide the complete one --------
    Case(
        id="sql-ledger-truncated-duplicate-first",
        argv=[
            "metrics",
            "--source",
            "{w}/m.yaml",
            "--data",
            "{w}/t.csv",
            "--period-grain",
            "month",
            "--out",
            "{w}/actuals.csv",
        ],
        setup=_truncated_duplicate_first,
        code=0,
        check=_ticket_used,
    ),
    # --- a bundle: every refused expression of every source at once ---------------------------
    Case(
        id="sql-bundle-every-bad-expression-named",
        argv=[
            "score",
            "--scheme",
            "after_sales_team",
            "--sources",
            "{w}/bundle.yaml",
            "--records-dir",
            "{sample}/records",
            "--roster",
            "{sample}/roster.csv",
            "--period",
            "2026-Q1",
        ],
        setup=_bundle_two_bad_sources,
        needles=["a.yaml", "b.yaml", "filters[0].where"],
    ),
]
