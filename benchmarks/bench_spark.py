"""Benchmark: the seed's ticket metrics per agent and quarter, DuckDB vs Spark local mode.

The 10-million-ticket set of ``bench_metrics.py`` (its generator, its mapping), written once
more as a Parquet folder partitioned by month under ``.cache/bench/``; both engines read the
folder with the same source mapping, each in its own child process (Spark's start-up
counted: what a user waits for; its driver given 4 GiB, the whole of local mode). Then Spark
on 1/4, 1/2 and all of the months, to show how its time grows with the data. The LAST line
is the time ratio Spark / DuckDB. Not run by ``make test`` (``make bench`` runs it); needs
the spark extra and Java.

    .venv/bin/python benchmarks/bench_spark.py              # 10,000,000 rows
    .venv/bin/python benchmarks/bench_spark.py --rows 200000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import CACHE, generate  # the same data and mapping

DRIVER_MEMORY = "4g"


def partitioned(path: Path, rows: int) -> Path:
    """The Parquet file as a folder partitioned by month (written once)."""
    import duckdb

    folder = CACHE / f"tickets_{rows}_by_month"
    if not folder.exists():
        partial = folder.with_suffix(".partial")
        duckdb.execute(
            f"COPY (SELECT *, month(created_at) AS month FROM read_parquet('{path}')) "
            f"TO '{partial}' (FORMAT parquet, PARTITION_BY (month))"
        )
        partial.rename(folder)
    return folder


def child(engine: str, path: Path, months: int) -> None:
    """One run; prints its seconds and the employee-quarters as JSON (the last line)."""
    import kpi_toolkit.records.metrics as metrics

    started = time.perf_counter()
    data = path
    if months < 12:  # the first `months` partitions: a part of the data, the same layout
        data = CACHE / f"{path.name}_first_{months}"
        data.mkdir(exist_ok=True)
        for month in range(1, months + 1):
            link = data / f"month={month}"
            if not link.exists():
                link.symlink_to(path / f"month={month}")
    result = metrics.compute_from_files(
        CACHE / "bench_source.yaml", data, grain="quarter", engine=engine
    )
    seconds = time.perf_counter() - started
    result.actuals.to_parquet(CACHE / f"out_{engine}.parquet")
    print(json.dumps({"seconds": seconds, "rows": int(result.ledger.rows_in)}))


def measure(engine: str, path: Path, months: int = 12) -> dict[str, float]:
    # the driver is the whole of local mode: room for the rows it keeps (not the 1 GiB default)
    submit = f"--driver-memory {DRIVER_MEMORY} pyspark-shell"
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--path", str(path), "--months", str(months)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"PYSPARK_SUBMIT_ARGS": submit},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_same() -> str:
    import numpy as np
    import pandas as pd

    keys = ["employee_id", "period"]
    duck = pd.read_parquet(CACHE / "out_duckdb.parquet").sort_values(keys, ignore_index=True)
    spark = pd.read_parquet(CACHE / "out_spark.parquet").sort_values(keys, ignore_index=True)
    same = list(duck.columns) == list(spark.columns) and len(duck) == len(spark)
    for column in duck.columns.drop(keys) if same else []:
        a, b = duck[column].astype(float), spark[column].astype(float)
        same = same and bool(np.allclose(a, b, rtol=0, atol=1e-9, equal_nan=True))
    return f"results agree on {len(duck):,} employee-quarters: {same}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--child", choices=["duckdb", "spark"])
    parser.add_argument("--path", type=Path)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.path, args.months)
        return
    path = generate(args.rows)
    folder = partitioned(path, args.rows)
    duck = measure("duckdb", folder)
    parts = {months: measure("spark", folder, months) for months in (3, 6)}
    spark = measure("spark", folder)  # last: its actuals are the ones compared
    print(f"rows: {args.rows:,}  grain: quarter  Spark: local[2] (start-up included)")
    print(f"{'DuckDB':>28}: {duck['seconds']:.2f} s ({duck['rows']:,} rows)")
    for months, m in (*parts.items(), (12, spark)):
        share = {3: "1/4", 6: "1/2", 12: "all"}[months]
        label = f"Spark, {share} of the data"
        print(f"{label:>28}: {m['seconds']:.2f} s ({m['rows']:,} rows)")
    print(check_same())
    print(f"ratio Spark / DuckDB: {spark['seconds'] / duck['seconds']:.2f}")


if __name__ == "__main__":
    main()
