"""The Spark engine: one session per process, a connection that runs the metric layer's SQL.

:class:`SparkConnection` answers the few calls :mod:`~kpi_toolkit.records.ledger` and
:mod:`~kpi_toolkit.records.metrics` make of a DuckDB connection (``execute`` with
``fetchall``/``fetchone``/``df``, ``register``), rendering each statement with
:func:`~kpi_toolkit.records.spark_sql.to_spark`. Spark sees only the temporary views it
registers: the raw export (read by the toolkit's own reader, or Parquet / a table read by
Spark), the roster, the working-day calendar (a broadcast table) and the views the ledger
builds. Results come back through Arrow (``toArrow``), not ``toPandas``.

Local mode (``local[2]``) unless a Connect address (``SPARK_REMOTE``) or a master URL is
given; the session's zone is UTC (every conversion names its zone, as on DuckDB); Spark's
own logging stays out of the console (log level ERROR, the JVM's output discarded, no UI).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from ..errors import InputError, Problem
from .engines import LOCAL_MASTER, Engine
from .ledger import CANONICAL_VIEW
from .sources import ROW_COLUMN
from .spark_sql import to_spark
from .sql_guard import EngineError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkConnection", "open_spark", "spark_session"]

_SQL_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.ansi.enabled": "true",
}
_LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.bindAddress": "127.0.0.1",
}
_DESCRIBE = re.compile(r"^SELECT column_name(, column_type)? FROM \(DESCRIBE (\w+)\)$")
_MACRO = re.compile(r"^CREATE OR REPLACE TEMP MACRO (\w+)\(a, b\) AS \(b - a\) / ([0-9.]+)$")
_COUNT = re.compile(r"^SELECT count\(\*\) FROM (\w+)$")
_CREATE = re.compile(r"^CREATE OR REPLACE TEMP (TABLE|VIEW) (\w+) AS (.*)$", re.S)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The process's stdout and stderr discarded (the JVM started now inherits them)."""
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "wb") as null:
        try:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@functools.cache
def spark_session(remote: str | None = None, master: str | None = None) -> SparkSession:
    """The process's Spark session (started once per address)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*pandas.*", category=FutureWarning)
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("kpi-toolkit")
        if remote:
            builder = builder.remote(remote)
        else:
            builder = builder.master(master or LOCAL_MASTER)
            for key, value in (_LOCAL_CONF | _SQL_CONF).items():
                builder = builder.config(key, value)
        try:
            with _quiet():
                session = builder.getOrCreate()
        except Exception as error:
            where = "--spark-remote" if remote else "--spark-master"
            raise InputError(
                Problem(
                    where,
                    f"Spark did not start: {_message(error)}",
                    remote or master or LOCAL_MASTER,
                    "a reachable Spark Connect address (sc://host:15002) or master URL, "
                    "and a Java runtime (17 or later) for local mode",
                )
            ) from None
    if not remote:
        session.sparkContext.setLogLevel("ERROR")
    # PySpark logs each SQL error it raises; the error itself reaches the user, named
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    return session


def _file_rows(numbered: DataFrame) -> dict[str, int]:
    """Each file's rows (one job: the files and their counts)."""
    return {str(file): int(rows) for file, rows in numbered.groupBy("_kpi_file").count().collect()}


def _message(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextlib.contextmanager
def open_spark(engine: Engine, relations: Mapping[str, pd.DataFrame]) -> Iterator[SparkConnection]:
    """A connection on a session of its own (its own temporary views), ``relations``
    registered; the views dropped and their caches released at the end."""
    shared = spark_session(engine.remote, engine.master)
    try:
        session = shared.newSession()
    except Exception:  # Spark Connect: one session, views dropped at the end
        session = shared
    for key, value in _SQL_CONF.items():
        session.conf.set(key, value)
    con = SparkConnection(session)
    try:
        for name, frame in relations.items():
            con.register(name, frame)
        yield con
    finally:
        con.close()


class SparkResult:
    """A query's answer, as DuckDB's connection gives it (``fetchall``, ``fetchone``, ``df``);
    ``rows`` answered without a job (a table's columns)."""

    def __init__(self, frame: DataFrame | None, rows: list[tuple[Any, ...]] | None = None) -> None:
        self._frame = frame
        self._rows = rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._rows is not None or self._frame is None:
            return list(self._rows or [])
        with _errors():
            return [tuple(row) for row in self._frame.collect()]

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self) -> pd.DataFrame:
        """The rows through Arrow; timestamps as local (naive) times, as DuckDB gives them."""
        if self._frame is None:
            return pd.DataFrame(self.fetchall())
        with _errors():
            table = self._frame.toArrow()
        frame = table.to_pandas()
        for name in frame.columns:
            if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
                frame[name] = frame[name].dt.tz_localize(None)
        return frame


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Spark's and the renderer's errors as :class:`EngineError` (named at the expression)."""
    try:
        yield
    except EngineError:
        raise
    except Exception as error:
        if type(error).__module__.startswith(("pyspark", "py4j", "sqlglot")) or isinstance(
            error, ValueError
        ):
            raise EngineError(_message(error)) from None
        raise


class SparkConnection:
    """What the ledger and the metrics need of a connection, on a Spark session."""

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self.macros: dict[str, str] = {}
        self.instants: set[str] = set()
        self._views: list[str] = []
        self._cached: list[DataFrame] = []
        self._rows: dict[str, int] = {}  # rows of the relations handed over (known: no job)

    def execute(self, sql: str) -> SparkResult:
        """Run one statement of the metric layer (DuckDB's dialect), rendered for Spark."""
        sql = sql.strip()
        if described := _DESCRIBE.match(sql):
            return self._describe(described.group(2), types=bool(described.group(1)))
        if (counted := _COUNT.match(sql)) and counted.group(1) in self._rows:
            return SparkResult(None, [(self._rows[counted.group(1)],)])
        if macro := _MACRO.match(sql):
            self.macros[macro.group(1)] = macro.group(2)
            return SparkResult(None, [])
        if created := _CREATE.match(sql):
            from pyspark import StorageLevel

            kind, name, query = created.groups()
            frame = self._sql(query)
            if kind == "TABLE" or name == CANONICAL_VIEW:  # read by every metric: kept
                frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
                self._cached.append(frame)
            self._view(name, frame)
            if name == "_staged":  # raw columns are read there only: later names are local
                self.instants.clear()
            return SparkResult(None, [])
        return SparkResult(self._sql(sql))

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """A pandas DataFrame as a temporary view (through Arrow); the calendar broadcast."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        fields = [
            f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f
            for f in table.schema
        ]
        with _errors():
            data = self.session.createDataFrame(table.cast(pa.schema(fields)))
        if name == "_workcal":
            from pyspark.sql.functions import broadcast

            data = broadcast(data)
        self._view(name, data)
        self._rows[name] = len(frame)

    def register_parquet(self, name: str, path: Path, *, source: str | None = None) -> None:
        """A Parquet file or folder (partitioned folders too) with its rows numbered as a
        file's rows are (``_row``: from 1, file after file in path order)."""
        from pyspark.sql import functions as F

        if not path.exists():
            raise InputError(
                Problem("data", "file not found", str(path), "an existing file or folder", source)
            )
        try:
            data = self.session.read.parquet(str(path.resolve()))
            numbered = data.select(
                "*",
                F.col("_metadata.file_path").alias("_kpi_file"),
                F.col("_metadata.row_index").alias("_kpi_index"),
            )
            counts = _file_rows(numbered)
        except Exception as error:
            message = f"cannot read as Parquet: {_message(error)}"
            problem = Problem("(whole file)", message, None, "a Parquet file or folder", str(path))
            raise InputError(problem) from None
        self._numbered(name, numbered, counts)

    def register_table(self, name: str, table: str, *, source: str | None = None) -> None:
        """A table of the Spark catalog (``db.work_orders``), its rows numbered."""
        from pyspark.sql import functions as F

        try:
            data = self.session.table(table)
        except Exception as error:
            raise InputError(
                Problem("spark_table", f"not readable: {_message(error)}", table, None, source)
            ) from None
        try:
            numbered = data.select(
                "*",
                F.col("_metadata.file_path").alias("_kpi_file"),
                F.col("_metadata.row_index").alias("_kpi_index"),
            )
            counts = _file_rows(numbered)
        except Exception:  # not a file-backed table: Spark's row ids
            rows = data.withColumn(ROW_COLUMN, F.monotonically_increasing_id() + 1)
            self._typed(name, rows)
            return
        self._numbered(name, numbered, counts)

    def _numbered(self, name: str, numbered: DataFrame, counts: Mapping[str, int]) -> None:
        """Rows numbered file after file in path order (``counts``: each file's rows)."""
        from pyspark.sql import functions as F

        offsets, total = [], 0
        for file in sorted(counts):
            offsets.append((file, total))
            total += int(counts[file])
        table = self.session.createDataFrame(offsets, "_kpi_file string, _kpi_offset long")
        joined = numbered.join(F.broadcast(table), "_kpi_file")
        row = (F.col("_kpi_offset") + F.col("_kpi_index") + 1).alias(ROW_COLUMN)
        columns = [c for c in numbered.columns if not c.startswith("_kpi_")]
        self._typed(name, joined.select(row, *columns))
        self._rows[name] = total

    def _typed(self, name: str, data: DataFrame) -> None:
        """Naive timestamps (TIMESTAMP_NTZ) as Spark's TIMESTAMP in the UTC session (the
        same wall-clock time); instants remembered (DuckDB's TIMESTAMP WITH TIME ZONE)."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import TimestampNTZType, TimestampType

        columns = []
        for field in data.schema.fields:
            if isinstance(field.dataType, TimestampNTZType):
                columns.append(F.col(f"`{field.name}`").cast("timestamp").alias(field.name))
            else:
                if isinstance(field.dataType, TimestampType):
                    self.instants.add(field.name)
                columns.append(F.col(f"`{field.name}`"))
        self._view(name, data.select(*columns))

    def close(self) -> None:
        for name in self._views:
            with contextlib.suppress(Exception):
                self.session.catalog.dropTempView(name)
        for frame in self._cached:
            with contextlib.suppress(Exception):
                frame.unpersist()

    def _view(self, name: str, frame: DataFrame) -> None:
        self._rows.pop(name, None)  # a view replaced: its rows counted by Spark
        frame.createOrReplaceTempView(name)
        if name not in self._views:
            self._views.append(name)

    def _sql(self, sql: str) -> DataFrame:
        with _errors():
            return self.session.sql(to_spark(sql, macros=self.macros, instants=self.instants))

    def _describe(self, name: str, *, types: bool) -> SparkResult:
        with _errors():
            fields = self.session.table(name).schema.fields
        rows = [
            (field.name, self._duckdb_type(field.name, field.dataType.simpleString()))
            for field in fields
        ]
        return SparkResult(None, rows if types else [(name,) for name, _ in rows])

    def _duckdb_type(self, column: str, spark_type: str) -> str:
        """A Spark type by DuckDB's name for it (what the ledger compares field types to)."""
        if spark_type == "timestamp":
            return "TIMESTAMP WITH TIME ZONE" if column in self.instants else "TIMESTAMP"
        names = {
            "string": "VARCHAR",
            "bigint": "BIGINT",
            "int": "INTEGER",
            "smallint": "SMALLINT",
            "tinyint": "TINYINT",
            "double": "DOUBLE",
            "float": "FLOAT",
            "boolean": "BOOLEAN",
            "date": "DATE",
            "timestamp_ntz": "TIMESTAMP",
        }
        return names.get(spark_type, spark_type.upper())
