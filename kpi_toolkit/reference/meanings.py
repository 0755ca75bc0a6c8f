"""What every key of every YAML kind means: the one table the reference is written from.

Keys are grouped by the model that reads them (its class name, as the JSON Schema's
``$defs`` name it) and spelled as in the YAML (``from``, not ``lower``). Types, defaults and
whether a key is required come from the models themselves; this table adds only what a model
cannot say: the meaning and an example. ``tests/test_reference.py`` fails when a model has a
key the table leaves out, or the table names a key no model has.

A key marked ``internal`` is set by the loader, never written in a file: it is left out of
the schemas and the pages.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["MEANINGS", "Meaning"]


class Meaning(NamedTuple):
    """A key's meaning (English), an example value and whether the loader sets it."""

    text: str
    example: Any = None
    internal: bool = False


_LOADER = Meaning("where the file was read from: set by the loader, not written", internal=True)

MEANINGS: dict[str, dict[str, Meaning]] = {
    # --- scheme (and scenario) --------------------------------------------------------------
    "Scheme": {
        "id": Meaning(
            "the scheme's id: names the actuals file `actuals_<id>.csv` of a data folder",
            "after_sales_team",
        ),
        "name": Meaning("the scheme's name, Chinese (and English)", {"zh": "售后团队绩效考核"}),
        "source": Meaning("where the scheme comes from (a document, a section)", "seed §1"),
        "description": Meaning("a note for readers of the file", "售后团队季度考核"),
        "missing": Meaning(
            "what a missing actual does: `error` refuses, `zero` scores 0, `exclude` drops "
            "the KPI and re-spreads its weight (flagged); a KPI's own `missing` overrides it",
            "exclude",
        ),
        "appeal_working_days": Meaning(
            "working days after the report date an employee may appeal (员工确认); "
            "blank: the report's default of 5",
            5,
        ),
        "grades": Meaning(
            "the grade bands, each earned by a total at or above its `min`",
            [{"id": "excellent", "name": {"zh": "优秀"}, "min": 90}],
        ),
        "parameters": Meaning(
            "named values the organisation fills in (the seed's blank targets); any number "
            "of the scheme may be written `{param: NAME}`; scoring refuses while one is blank",
            {"complaint_max": {"value": 3, "note": "每季度投诉上限"}},
        ),
        "positions": Meaning(
            "the positions (岗位) appraised, by id: each with its period, categories and KPIs",
            {
                "manager": {
                    "name": "经理",
                    "period": "quarter",
                    "categories": {"performance": {"name": "工作业绩", "points": 100}},
                    "kpis": [
                        {
                            "id": "complaints",
                            "name": "客户服务投诉",
                            "category": "performance",
                            "weight": 100,
                            "kind": "count",
                            "rule": {"kind": "deduct_per_unit", "per_unit": 10},
                        }
                    ],
                }
            },
        ),
        "forced_distribution": Meaning(
            "the shares of each grade a population may or must have",
            {"scope": "department", "shares": {"excellent": {"max": 0.2}}},
        ),
        "bonus": Meaning(
            "the bonus pool's prices and allocation (defaults of `kpi bonus --scheme`)",
            {"allocation": "base"},
        ),
        "path": _LOADER,
    },
    "Names": {
        "zh": Meaning("the Chinese name (a plain string is this)", "工作业绩"),
        "en": Meaning("the English name (shown with `--lang en`)", "Work performance"),
    },
    "Parameter": {
        "value": Meaning("the value; blank (null) until the organisation fills it", 0.95),
        "note": Meaning("what the value is, for the person filling it", "年度预算达成率目标"),
    },
    "Position": {
        "id": Meaning("the position's id: its key under `positions`", internal=True),
        "name": Meaning("the position's name", {"zh": "经理", "en": "Manager"}),
        "period": Meaning("how often the position is appraised", "quarter"),
        "categories": Meaning(
            "the categories by id, each with its points (the points add up to 100)",
            {"performance": {"name": "工作业绩", "points": 70}},
        ),
        "kpis": Meaning(
            "the indicators; each weight counts towards its category's points",
            [
                {
                    "id": "complaints",
                    "name": "客户服务投诉",
                    "category": "performance",
                    "weight": 30,
                    "kind": "count",
                    "rule": {"kind": "deduct_per_unit", "per_unit": 1},
                }
            ],
        ),
        "raters": Meaning(
            "rater-group weights for KPIs scored by people (add up to 1); `self: shown` shows "
            "the self-appraisal beside the others without counting it",
            {"superior": 0.6, "subordinates": 0.4},
        ),
        "min_raters": Meaning(
            "the fewest raters a group needs for its ratings to count", {"subordinates": 2}
        ),
        "peers": Meaning(
            "who counts as a peer (同级): the same position, or also the same superior",
            "same_superior",
        ),
    },
    "Category": {
        "name": Meaning("the category's name", {"zh": "工作业绩", "en": "Work performance"}),
        "points": Meaning("the points the category carries (its KPIs' weights add up to it)", 70),
    },
    "Kpi": {
        "id": Meaning(
            "the KPI's id (lower case, digits, `_`): the column of the actuals table",
            "report_on_time_rate",
        ),
        "name": Meaning("the KPI's name", {"zh": "售后服务报告准时率"}),
        "category": Meaning("the id of the position's category it counts in", "performance"),
        "weight": Meaning("the points the KPI gives at most (before `bonus_points`)", 40),
        "kind": Meaning(
            "what the actual is: a ratio (a fraction, 0.93), a count, a duration, a rating "
            "(a label or a number), an amount",
            "ratio",
        ),
        "target": Meaning("the target the rule scores against (a ratio as a fraction)", 0.95),
        "target_text": Meaning("the target in words, where no number says it", "按计划完成"),
        "unit": Meaning("the actual's unit, shown beside it", "小时"),
        "range": Meaning("the lowest and highest value an actual may have", [1, 5]),
        "rule": Meaning(
            "how the actual becomes points: one of the rule kinds, chosen by its `kind`",
            {"kind": "linear", "better": "higher"},
        ),
        "measure": Meaning("how the actual is measured, in words", "按时提交报告数 / 报告总数"),
        "actual": Meaning(
            "the actuals column the KPI reads when it is not its id: one figure of a metric's "
            "breakdown (`by:`), `<metric>[<value>]`",
            "resolution_rate[维修]",
        ),
        "source": Meaning(
            "where the actual comes from: the actuals table, or the 360 ratings (weighted by "
            "rater group)",
            "ratings",
        ),
        "bonus_points": Meaning("points the KPI may give above its weight", 5),
        "missing": Meaning("this KPI's own rule for a missing actual (else the scheme's)", "zero"),
    },
    "Grade": {
        "id": Meaning("the grade's id", "excellent"),
        "name": Meaning("the grade's name", {"zh": "优秀", "en": "Excellent"}),
        "min": Meaning("the lowest total (0–100) that earns the grade", 90),
        "bonus_factor": Meaning(
            "multiplies the base per head under `kpi bonus --allocation grade`", 1.2
        ),
        "consequence": Meaning("the grade's reward or penalty in words (奖励/处罚)", "通报表扬"),
    },
    "ForcedDistribution": {
        "scope": Meaning("the population the shares apply to", "position"),
        "apply": Meaning("move people by rank to meet the shares (else only check them)", True),
        "shares": Meaning(
            "each grade's share, by grade id: `max` at most, `min` at least",
            {"excellent": {"max": 0.2}, "fail": {"min": 0.05}},
        ),
    },
    "Share": {
        "max": Meaning("the largest share of the population the grade may have", 0.2),
        "min": Meaning("the smallest share of the population the grade must have", 0.05),
    },
    "Bonus": {
        "install_price": Meaning("yuan per installation (the pool's first part)", 50),
        "repair_price": Meaning("yuan per repair (the pool's second part)", 30),
        "allocation": Meaning(
            "how the pool is shared: base × total/100, in proportion to totals, or by the "
            "grades' `bonus_factor`",
            "proportional",
        ),
    },
    # --- rule kinds (engine/rules.py: RULES) ------------------------------------------------
    "BandsRule": {
        "kind": Meaning("piecewise-linear bands", "bands"),
        "better": Meaning("whether a higher or a lower actual is better", "higher"),
        "closed": Meaning(
            "which edge of each band belongs to it (default: `lower` when higher is better, "
            "`upper` when lower is better)",
            "upper",
        ),
        "bands": Meaning(
            "the bands; actuals beyond the outermost take its end points",
            [
                {"from": 0.95, "to": 1.0, "points": 40},
                {"from": 0.9, "to": 0.95, "points": [32, 40]},
            ],
        ),
    },
    "Band": {
        "from": Meaning("the band's lower edge", 0.9),
        "to": Meaning("the band's upper edge", 0.95),
        "points": Meaning(
            "the points across the band: one number, or [at `from`, at `to`] (linear between)",
            [32, 40],
        ),
    },
    "DeductPerUnitRule": {
        "kind": Meaning(
            "full marks minus a deduction per unit beyond an allowance", "deduct_per_unit"
        ),
        "per_unit": Meaning("points deducted per unit beyond the allowance", 1),
        "allowance": Meaning("units that cost nothing", 2),
        "full": Meaning("the points before deductions (default: the weight)", 10),
    },
    "DeductPerPointRule": {
        "kind": Meaning(
            "full marks minus a deduction per percentage point short of the target",
            "deduct_per_point",
        ),
        "per_point": Meaning("points deducted per percentage point (0.01) short", 2),
        "target": Meaning("the target (default: the KPI's, or a person's plan)", 0.95),
        "better": Meaning("whether a higher or a lower actual is better", "lower"),
        "whole_points": Meaning("count whole points short only (93.5 % against 95 % is 1)", True),
    },
    "ThresholdRule": {
        "kind": Meaning("all or nothing at a limit", "threshold"),
        "min": Meaning("full marks at or above this (default: the KPI's target)", 0.9),
        "max": Meaning("full marks at or below this", 3),
        "otherwise": Meaning("the points when the limit is not met", 0),
    },
    "ScaleRule": {
        "kind": Meaning("an ordinal rating: each label worth a number", "scale"),
        "labels": Meaning(
            "each label and its value; points = weight × value ÷ top",
            {"很满意": 4, "较满意": 3, "不满意": 2, "很不满意": 1},
        ),
        "top": Meaning("the value of full marks (default: the largest label value)", 5),
    },
    "LinearRule": {
        "kind": Meaning("points in proportion to attainment of the target", "linear"),
        "better": Meaning(
            "higher: weight × actual ÷ target; lower: weight × target ÷ actual", "higher"
        ),
        "cap": Meaning("the most attainment counted, as a multiple of the weight", 1.2),
    },
    "ManualRule": {
        "kind": Meaning("points given by a person (a superior's judgement)", "manual"),
        "out_of": Meaning("the scale the points are given on (default: the weight)", 100),
    },
    # --- source mapping -----------------------------------------------------------------------
    "SourceSpec": {
        "name": Meaning("the mapping's name", "servicenow_incident_log"),
        "table": Meaning(
            "the canonical table the export fills (docs/canonical_tables.md)", "tickets"
        ),
        "label": Meaning(
            "what a reader calls the source, where the table's name is not enough",
            {"zh": "回访调查(沟通评价)", "en": "survey (communication)"},
        ),
        "file": Meaning(
            "the data file, relative to this YAML's folder (`--data` overrides it)",
            "../../sample/records/tickets.csv",
        ),
        # the Spark engine (issue 13): a catalog table instead of a file
        "spark_table": Meaning(
            "a table of the Spark catalog read instead of `file` (`--engine spark` only); "
            "Parquet files and partitioned folders are read through `file` or `--data`",
            "warehouse.work_orders",
        ),
        "format": Meaning("the file format (default: from the file's extension)", "xlsx"),
        "encoding": Meaning("a CSV file's text encoding", "gbk"),
        "delimiter": Meaning("a CSV file's column separator", ";"),
        "sheet": Meaning("an XLSX file's sheet: its name or index (0 is the first)", "工单"),
        "null_markers": Meaning("cell texts that mean no value", ["", "?", "NULL"]),
        "timestamp_formats": Meaning(
            "strptime formats tried in order for timestamps without a field's own `formats`",
            ["%d/%m/%Y %H:%M"],
        ),
        "timezone": Meaning(
            "the IANA time zone of the export's times: a time without an offset is read in it, "
            "a time with one (`%z`, +01:00) is converted to it (see `offsets`); never the "
            "machine's zone",
            "Europe/Brussels",
        ),
        "offsets": Meaning(
            "a time that carries an offset: `convert` it to `timezone`, or `keep` the time as "
            "written (the offset dropped)",
            "keep",
        ),
        "period_timezone": Meaning(
            "the IANA zone months and quarters are cut in (default: the calendar's zone)",
            "UTC",
        ),
        "extra_columns": Meaning(
            "columns beyond the canonical ones, with their type: kept in the table, read by "
            "metric sets (which list them in their `extra_columns`) and breakdowns (`by:`)",
            {"support_line": "text", "stage": "text"},
        ),
        "booleans": Meaning(
            "cell texts (lower case) read as true or false", {"是": True, "否": False}
        ),
        "fields": Meaning(
            "canonical column (or, with `events`, event field) ← a source header (a plain "
            "string), or a field spec",
            {"ticket_id": "工单号", "created_at": {"column": "创建时间", "type": "timestamp"}},
        ),
        "filters": Meaning(
            "rows excluded before anything else (with `events`: event rows, before the "
            "collapse), each with the reason the ledger shows: filtered, system_account, "
            "not_resolved",
            [{"where": "employee_id = 'system'", "reason": "system_account"}],
        ),
        "events": Meaning(
            "for an event log: the collapse to one row per key",
            {"key": "ticket_id", "aggregates": {"created_at": "min(opened_at)"}},
        ),
        "unique_ids": Meaning(
            "declare the export's ids unique (the duplicate check is skipped)", True
        ),
        "metrics": Meaning(
            "the metric set computed from this source: a built-in name or a YAML path",
            "servicenow",
        ),
        "calendar": Meaning(
            "the working-day calendar: a built-in name or a YAML path", "cn_office"
        ),
        "path": _LOADER,
    },
    "FieldSpec": {
        "column": Meaning("the source header the field is read from", "创建时间"),
        "expr": Meaning(
            "an SQL expression over source headers, instead of `column`",
            'coalesce("解决时间", "关闭时间")',
        ),
        "type": Meaning("the field's type (default: the canonical column's)", "timestamp"),
        "formats": Meaning(
            "strptime formats for this timestamp field (default: `timestamp_formats`)",
            ["%Y/%m/%d %H:%M"],
        ),
        "values": Meaning("source value → value read (a code list)", {"已解决": "resolved"}),
    },
    "FilterSpec": {
        "where": Meaning(
            "an SQL condition over the mapped fields and `_row`", "assigned_to = 'system'"
        ),
        "reason": Meaning("the ledger's reason for the rows excluded", "system_account"),
    },
    "EventSpec": {
        "key": Meaning("the field that identifies a ticket across its events", "ticket_id"),
        "aggregates": Meaning(
            "canonical column ← an aggregate over the ticket's events",
            {
                "created_at": "min(opened_at)",
                "employee_id": "last(assigned_to ORDER BY updated_at)",
            },
        ),
        "filters": Meaning(
            "tickets excluded after the collapse, by conditions over the collapsed columns "
            "(the resolver included); every event row of such a ticket is counted under the "
            "reason and used for nothing else",
            [
                {"where": "resolved_by = 'system'", "reason": "system_account"},
                {"where": "resolved_at IS NULL", "reason": "not_resolved"},
            ],
        ),
    },
    # --- metric set ---------------------------------------------------------------------------
    "MetricSet": {
        "name": Meaning("the metric set's name", "after_sales_team"),
        "description": Meaning("a note for readers of the file", "售后团队 actuals"),
        "table": Meaning("the canonical table metrics read unless they name another", "tickets"),
        "periods": Meaning(
            "the timestamp that places a table's rows in a period, per table",
            {"tickets": "created_at", "surveys": "answered_at"},
        ),
        "extra_columns": Meaning(
            "columns beyond the canonical ones the metrics read, per table (a source mapping "
            "declares them in its `extra_columns`)",
            {"tickets": ["support_line"]},
        ),
        "metrics": Meaning(
            "the metrics by id (a KPI id of the scheme), each one SQL aggregate per employee "
            "and period",
            {"csat": {"kind": "ratio", "numerator": "csat >= 4"}},
        ),
        "file": _LOADER,
    },
    "MetricSpec": {
        "kind": Meaning(
            "the aggregate: count, ratio (rows where `numerator` ÷ rows where `denominator`), "
            "sum, mean, median, percentile (of `value` at `q`), sum_ratio",
            "ratio",
        ),
        "table": Meaning("the canonical table read (default: the set's `table`)", "surveys"),
        "period_from": Meaning(
            "the timestamp that places a row in a period (default: the set's `periods`)",
            "resolved_at",
        ),
        "filter": Meaning("an SQL condition: the rows counted", "channel = 'phone'"),
        "numerator": Meaning("ratio: an SQL condition; sum_ratio: an SQL value", "csat >= 4"),
        "denominator": Meaning(
            "ratio: an SQL condition; sum_ratio: an SQL value", "csat IS NOT NULL"
        ),
        "value": Meaning(
            "sum, mean, median, percentile: the SQL value aggregated",
            "working_minutes(created_at, first_response_at)",
        ),
        "q": Meaning("percentile: the fraction (0.9 is the 90th percentile)", 0.9),
        "by": Meaning(
            "a column to break the metric down by: one more figure per value, in columns "
            "`<metric>[<value>]` (rows without a value count in the total only)",
            "type",
        ),
        "label": Meaning("the metric's name for readers", {"zh": "客户满意度", "en": "CSAT"}),
    },
    # --- bundle -------------------------------------------------------------------------------
    "Bundle": {
        "name": Meaning("the bundle's name", "sample_department"),
        "description": Meaning("a note for readers of the file", "示例售后服务部"),
        "metrics": Meaning(
            "the metric set: a built-in name or a path relative to the bundle", "after_sales_team"
        ),
        "calendar": Meaning(
            "the working-day calendar for every source (default: each mapping's own)",
            "cn_office",
        ),
        "data_dir": Meaning(
            "the folder of the data files, relative to the bundle (`--records-dir` overrides it)",
            "../../sample/records",
        ),
        "sources": Meaning(
            "the exports: each a source mapping and its data file",
            [{"mapping": "sample_tickets", "data": "tickets.csv"}],
        ),
        "path": _LOADER,
    },
    "BundleSource": {
        "mapping": Meaning(
            "the source mapping: a built-in name or a path relative to the bundle",
            "sample_tickets",
        ),
        "data": Meaning("the data file, relative to the data folder", "tickets.csv"),
    },
    # --- calendar -----------------------------------------------------------------------------
    "CalendarSpec": {
        "name": Meaning("the calendar's name", "cn_technicians"),
        "base": Meaning(
            "the days off to start from: Chinese statutory holidays with 调休 make-up days, "
            "or plain weekdays",
            "chinese_statutory",
        ),
        "fallback": Meaning(
            "for years the holiday package does not cover: fail, or use plain `workweek`",
            "weekdays",
        ),
        "workweek": Meaning("ISO weekdays worked, 1 (Mon) … 7 (Sun)", [1, 2, 3, 4, 5, 6]),
        "hours": Meaning(
            "the working intervals of a day, in order", [{"start": "08:30", "end": "12:00"}]
        ),
        "extra_workdays": Meaning("company working days on top of the base", ["2026-10-10"]),
        "holidays": Meaning("company days off on top of the base", ["2026-12-31"]),
        "timezone": Meaning("the IANA time zone of the working hours", "Asia/Shanghai"),
        "file": _LOADER,
    },
    "WorkingHours": {
        "start": Meaning("when the interval starts (HH:MM)", "09:00"),
        "end": Meaning("when it ends (HH:MM, after `start`)", "12:00"),
    },
}
