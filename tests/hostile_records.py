"""Hostile inputs: the keys of raw-export mappings and metric sets added for time zones,
filters after the collapse, extra columns, breakdowns and paths (area "records", ids
``rec-…``).

Each case writes a variant of the sample ticket mapping (``params/sources/sample_tickets.yaml``)
into its folder and runs ``kpi metrics`` on the sample's tickets.
"""

from __future__ import annotations

from collections.abc import Callable

from hostile import Case, Place

TICKETS = "{sample}/records/tickets.csv"
SET = "name: m\nextra_columns: {tickets: [stage]}\nmetrics:\n  n: {kind: count, by: type}\n"


def _mapping(
    old: str, new: str, *, metrics: str | None = None, folder: str = ""
) -> Callable[[Place], None]:
    """Setup: the sample ticket mapping with ``old`` replaced by ``new`` as
    ``{w}/{folder}m.yaml``; ``metrics`` as ``metrics.yaml`` beside it, named relatively."""

    def setup(place: Place) -> None:
        text = (place.params / "sources" / "sample_tickets.yaml").read_text(encoding="utf-8")
        text = text.replace("file: ../../sample/records/tickets.csv\n", "")
        assert old in text, old
        text = text.replace(old, new)
        if metrics is not None:
            place.write(f"{folder}metrics.yaml", metrics)
            text = text.replace("metrics: after_sales_team", "metrics: metrics.yaml")
        place.write(f"{folder}m.yaml", text)

    return setup


def _run(source: str = "{w}/m.yaml", *options: str) -> list[str]:
    return ["metrics", "--source", source, "--data", TICKETS, "--period-grain", "month",
            "--out", "{w}/actuals.csv", *options]  # fmt: skip


def _refused(id: str, setup: Callable[[Place], None], *needles: str) -> Case:
    return Case(id=id, argv=_run(), setup=setup, code=2, needles=list(needles),
                absent=["{w}/actuals.csv"])  # fmt: skip


FIELDS = "fields:\n"
EXTRA = "extra_columns: {stage: text}"
FILTER = "  - {where: \"employee_id = 'SYS001'\", reason: system_account}\n"

CASES = [
    # a mapped field that is no canonical column was dropped without a word (exit 0)
    _refused(
        "rec-undeclared-field",
        _mapping(FIELDS, FIELDS + "  region: 所属组\n"),
        "fields.region",
        "not a canonical column",
        "ticket_id, employee_id",
        "extra_columns",
    ),
    _refused(
        "rec-extra-column-canonical-name",
        _mapping(EXTRA, "extra_columns: {stage: text, team: text}"),
        "extra_columns.team",
        "already a column",
    ),
    _refused(
        "rec-extra-column-bad-name",
        _mapping(EXTRA, "extra_columns: {stage: text, 'Stage; DROP': text}"),
        "not a column name",
    ),
    _refused(
        "rec-extra-column-bad-type",
        _mapping(EXTRA, "extra_columns: {stage: json}"),
        "extra_columns.stage",
        "timestamp",
    ),
    _refused(
        "rec-by-unknown-column",
        _mapping(
            "metrics: after_sales_team",
            "metrics: after_sales_team",
            metrics=SET.replace("by: type", "by: region"),
        ),
        "metrics.n.by",
        "column not found",
        "region",
    ),
    _refused(
        "rec-by-extra-column-not-listed",
        _mapping(
            "metrics: after_sales_team",
            "metrics: after_sales_team",
            metrics=SET.replace("by: type", "by: stage").replace("[stage]", "[]"),
        ),
        "metrics.n.by",
        "stage",
    ),
    # a relative metric set was looked for in the current folder, and not named as such
    _refused(
        "rec-metrics-file-missing",
        _mapping("metrics: after_sales_team", "metrics: nothere.yaml"),
        "metrics",
        "nothere.yaml",
        "looked for",
    ),
    # read from the mapping's folder, not the current one (failed before: not found)
    Case(
        id="rec-metrics-relative-to-the-mapping",
        argv=_run("{w}/sub/m.yaml"),
        setup=_mapping(
            "metrics: after_sales_team", "metrics: after_sales_team", metrics=SET, folder="sub/"
        ),
        code=0,
        exists=["{w}/actuals.csv"],
    ),
    _refused(
        "rec-events-filter-reads-an-event-field",
        _mapping(
            "filters:\n" + FILTER,
            "events:\n  key: ticket_id\n  aggregates:\n    employee_id: max(employee_id)\n"
            "    created_at: min(created_at)\n  filters:\n"
            "    - {where: \"status = '已解决'\", reason: not_resolved}\n",
        ),
        "events.filters[0].where",
        "status",
    ),
    _refused(
        "rec-filter-reason-unknown",
        _mapping(FILTER, "  - {where: \"employee_id = 'SYS001'\", reason: robot}\n"),
        "reason",
        "not_resolved",
    ),
    _refused(
        "rec-offsets-unknown",
        _mapping("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\noffsets: sometimes"),
        "offsets",
        "keep",
    ),
    _refused(
        "rec-period-timezone-unknown",
        _mapping("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\nperiod_timezone: Mars/Base"),
        "period_timezone",
        "unknown time zone",
    ),
]
