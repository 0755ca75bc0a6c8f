"""Benchmark: the seed's ticket metrics per agent and quarter, kpi_toolkit vs hand-written SQL.

Generates N tickets (default 10 million, 2,000 agents, the year 2026) as Parquet under
``.cache/bench/`` (kept between runs), then runs each side in its own child process and prints
its time and peak memory (the child's ``ru_maxrss``), and as the LAST line the time ratio.

    .venv/bin/python benchmarks/bench_metrics.py            # 10,000,000 rows
    .venv/bin/python benchmarks/bench_metrics.py --rows 200000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench"
AGENTS = 2_000
SOURCE_YAML = """
name: bench_tickets
table: tickets
format: parquet
unique_ids: {unique}
metrics: seed
calendar: cn_office
fields: {ticket_id: ticket_id, employee_id: employee_id, type: type, created_at: created_at,
         first_response_at: first_response_at, resolved_at: resolved_at, invalid: invalid,
         reopened: reopened, csat: csat, complaint: complaint, sla_met: sla_met,
         repair_passed: repair_passed}
"""
GENERATE = """
COPY (
  SELECT 'T' || lpad(i::VARCHAR, 9, '0') AS ticket_id,
         'E' || lpad((hash(i) % {agents})::VARCHAR, 4, '0') AS employee_id,
         (['电话咨询', '故障排查', '维修', '安装'])[1 + (i % 4)] AS type,
         created_at,
         created_at + to_minutes(CAST(hash(i + 1) % 3000 AS BIGINT)) AS first_response_at,
         CASE WHEN hash(i + 2) % 10 < 9
              THEN created_at + to_minutes(CAST(hash(i + 3) % 10000 AS BIGINT)) END AS resolved_at,
         hash(i + 4) % 100 = 0 AS invalid,
         hash(i + 5) % 50 = 0 AS reopened,
         CASE WHEN hash(i + 6) % 3 > 0 THEN CAST(1 + hash(i + 7) % 5 AS DOUBLE) END AS csat,
         hash(i + 8) % 40 = 0 AS complaint,
         hash(i + 9) % 10 < 8 AS sla_met,
         CASE WHEN i % 4 = 2 THEN hash(i + 10) % 20 > 0 END AS repair_passed
  FROM (SELECT i, TIMESTAMP '2026-01-01' + to_seconds(CAST(hash(i) % 30800000 AS BIGINT))
               AS created_at FROM range({rows}) r(i))
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""


def generate(rows: int, *, check_ids: bool = False) -> Path:
    """Write (once) the Parquet file of ``rows`` tickets and the source mapping for it."""
    import duckdb

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"tickets_{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        duckdb.execute(GENERATE.format(agents=AGENTS, rows=rows, path=partial))
        partial.rename(path)
        print(f"generated {rows:,} tickets in {time.perf_counter() - started:.1f} s: {path}")
    unique = "false" if check_ids else "true"  # the ids are unique by construction
    (CACHE / "bench_source.yaml").write_text(SOURCE_YAML.replace("{unique}", unique), "utf-8")
    return path


def run_toolkit(path: Path) -> None:
    from kpi_toolkit.records.metrics import compute_from_files

    result = compute_from_files(CACHE / "bench_source.yaml", path, grain="quarter")
    result.actuals.to_parquet(CACHE / "out_toolkit.parquet")
    print(f"ledger: {dict(result.ledger.counts)}", file=sys.stderr)


def hand_written_sql(path: Path, slot_minutes: int) -> str:
    slot_us = slot_minutes * 60_000_000
    clock = "k{n}.cumulative + k{n}.working * ((epoch_us({c}) % {s}) / 60000000.0)"
    created = clock.format(n=1, c="created_at", s=slot_us)
    answered = clock.format(n=2, c="first_response_at", s=slot_us)
    return f"""
    SELECT employee_id, year(created_at) AS year, quarter(created_at) AS quarter,
      count(*) FILTER (WHERE ({answered}) - ({created}) > 480) AS response_speed,
      avg(coalesce(invalid, false)::INT) AS invalid_service_ratio,
      avg(coalesce(complaint, false)::INT) AS complaint_rate,
      avg((resolved_at IS NOT NULL)::INT) AS resolution_rate,
      median(date_diff('second', created_at, first_response_at) / 60.0) AS first_response_minutes,
      median((({answered}) - ({created})) / 60.0) AS first_response_working_hours,
      median(date_diff('second', created_at, resolved_at) / 3600.0) AS handling_hours,
      quantile_cont(date_diff('second', created_at, resolved_at) / 3600.0, 0.9) AS handling_p90,
      avg((csat >= 4)::INT) AS csat, avg(csat) AS csat_mean,
      count(resolved_at) AS workload,
      count(resolved_at) FILTER (WHERE type = '电话咨询') AS workload_phone,
      count(resolved_at) FILTER (WHERE type = '故障排查') AS workload_troubleshooting,
      count(resolved_at) FILTER (WHERE type = '维修') AS workload_repair,
      count(resolved_at) FILTER (WHERE type = '安装') AS workload_install,
      avg(coalesce(reopened, false)::INT) AS reopen_rate,
      avg(sla_met::INT) AS sla_met_rate,
      avg((resolved_at IS NOT NULL)::INT) FILTER (WHERE type = '维修') AS repair_completion,
      avg(repair_passed::INT) FILTER (WHERE type = '维修' AND resolved_at IS NOT NULL)
        AS repair_pass_rate
    FROM read_parquet('{path}') t
    LEFT JOIN workcal k1 ON k1.slot = epoch_us(t.created_at) // {slot_us}
    LEFT JOIN workcal k2 ON k2.slot = epoch_us(t.first_response_at) // {slot_us}
    GROUP BY ALL ORDER BY ALL
    """


def run_sql(path: Path) -> None:
    from datetime import date

    import duckdb

    from kpi_toolkit.records.calendar import covered_years, load_calendar, slot_table

    calendar = load_calendar("cn_office")
    first, last = covered_years()
    table = slot_table(date(first, 1, 1), date(last, 12, 31), calendar=calendar)
    con = duckdb.connect()
    con.register("workcal", table.frame())
    con.execute(hand_written_sql(path, table.slot_minutes)).df().to_parquet(
        CACHE / "out_sql.parquet"
    )


def child(side: str, path: Path) -> None:
    """Run one side and print its seconds, CPU seconds (every thread's) and peak RSS as JSON
    (the last line)."""
    import kpi_toolkit.records.metrics  # noqa: F401 - imports are not part of the measured time

    started, cpu = time.perf_counter(), time.process_time()
    {"toolkit": run_toolkit, "sql": run_sql}[side](path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))


def measure(side: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", side, "--path", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_same(rows: int) -> str:
    import pandas as pd

    mine = pd.read_parquet(CACHE / "out_toolkit.parquet")
    hand = pd.read_parquet(CACHE / "out_sql.parquet")
    same = len(mine) == len(hand) and all(
        (mine[c].to_numpy() - hand[c].to_numpy()).__abs__().max() < 1e-9
        for c in ("response_speed", "resolution_rate", "handling_hours", "sla_met_rate")
    )
    return f"results agree on {len(mine):,} employee-quarters: {same}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--child", choices=["toolkit", "sql"])
    parser.add_argument("--path", type=Path)
    parser.add_argument(
        "--check-ids",
        action="store_true",
        help="do not declare the ids unique: the toolkit checks for duplicates",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.path)
        return
    path = generate(args.rows, check_ids=args.check_ids)
    toolkit = measure("toolkit", path)
    sql = measure("sql", path)
    ids = "checked for duplicates" if args.check_ids else "declared unique (unique_ids: true)"
    print(f"rows: {args.rows:,}  agents: {AGENTS:,}  grain: quarter  ids: {ids}")
    # CPU seconds too: on a shared machine they move less than the wall-clock ones
    for name, m in (("kpi_toolkit", toolkit), ("hand-written SQL", sql)):
        cpu = f"CPU {m['cpu']:.2f} s"
        print(f"{name:>17}: {m['seconds']:.2f} s ({cpu}), peak {m['peak_mb']:.0f} MB")
    print(check_same(args.rows))
    print(f"CPU ratio kpi_toolkit / hand-written SQL: {toolkit['cpu'] / sql['cpu']:.2f}")
    print(f"ratio kpi_toolkit / hand-written SQL: {toolkit['seconds'] / sql['seconds']:.2f}")


if __name__ == "__main__":
    main()
