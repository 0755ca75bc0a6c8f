"""Hostile inputs of the Spark engine (area "Spark", ids ``spark-…``): refused before any
Spark session starts, so these run fast and without Java."""

from __future__ import annotations

from hostile import Case, Place

TICKETS = "{sample}/records/tickets.csv"


def _spark_table(place: Place) -> None:
    place.write(
        "m.yaml",
        "name: orders\ntable: tickets\nspark_table: warehouse.work_orders\n"
        "fields: {ticket_id: id, employee_id: agent, created_at: opened}\n",
    )


def _statement(place: Place) -> None:
    place.write(
        "m.yaml",
        "name: log\ntable: tickets\nfields: {ticket_id: 工单号, employee_id: 处理人工号}\n"
        "events:\n  key: ticket_id\n  aggregates:\n"
        "    employee_id: first(employee_id ORDER BY employee_id; DROP TABLE x)\n",
    )


CASES = [
    Case(
        id="spark-table-on-duckdb",
        argv=["metrics", "--source", "{w}/m.yaml", "--period-grain", "month"],
        setup=_spark_table,
        needles=["spark_table", "--engine spark", "warehouse.work_orders"],
    ),
    Case(
        id="spark-remote-and-master-both",
        argv=[
            "metrics",
            "--source",
            "sample_tickets",
            "--data",
            TICKETS,
            "--period-grain",
            "month",
            "--engine",
            "spark",
            "--spark-remote",
            "sc://127.0.0.1:1",
            "--spark-master",
            "local[1]",
        ],
        needles=["--spark-master", "one of them"],
    ),
    Case(
        id="spark-statement-in-an-aggregate-refused-before-spark",
        argv=[
            "metrics",
            "--source",
            "{w}/m.yaml",
            "--data",
            TICKETS,
            "--period-grain",
            "month",
            "--engine",
            "spark",
        ],
        setup=_statement,
        needles=["events.aggregates.employee_id", "expression refused"],
    ),
]
