"""Which engine aggregates raw records into actuals: DuckDB (default) or Spark.

The SQL of :mod:`~kpi_toolkit.records.ledger` and :mod:`~kpi_toolkit.records.metrics` is
written once; DuckDB runs it as written, Spark as :mod:`~kpi_toolkit.records.spark_sql`
renders it (:mod:`~kpi_toolkit.records.spark` holds the session and the connection).

An :class:`Engine` is chosen by the caller (``engine=`` of
:func:`~kpi_toolkit.records.metrics.compute_from_files` and of the bundle and pipeline
functions, ``--engine`` on the command line), else from the environment: ``KPI_ENGINE``
(``duckdb`` or ``spark``), ``SPARK_REMOTE`` (Spark Connect, ``sc://host:15002``) and
``KPI_SPARK_MASTER`` (a classic master URL; default ``local[2]``). The command line sets
these, so the notebooks a report runs use the same engine.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError, Problem

__all__ = ["ENGINES", "SPARK_EXTRA", "Engine", "engine_of", "use_engine"]

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")
SPARK_EXTRA = "pip install 'kpi-toolkit[spark]'"
LOCAL_MASTER = "local[2]"


@dataclass(frozen=True)
class Engine:
    """An engine: ``duckdb``, or ``spark`` in local mode, on a master or through Connect."""

    name: EngineName = "duckdb"
    remote: str | None = None  # Spark Connect: sc://host:15002
    master: str | None = None  # a classic master URL: local[4], spark://host:7077, yarn

    @property
    def spark(self) -> bool:
        return self.name == "spark"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Engine:
        """The engine the environment names (``KPI_ENGINE``, ``SPARK_REMOTE``,
        ``KPI_SPARK_MASTER``); DuckDB when it names none."""
        env = os.environ if environ is None else environ
        name = env.get("KPI_ENGINE", "duckdb") or "duckdb"
        return engine_of(
            name, remote=env.get("SPARK_REMOTE") or None, master=env.get("KPI_SPARK_MASTER")
        )


def engine_of(
    engine: Engine | str | None = None, *, remote: str | None = None, master: str | None = None
) -> Engine:
    """An :class:`Engine` from a name (or the environment's when ``None``).

    Raises
    ------
    InputError
        An unknown name; ``spark`` without PySpark installed (naming the extra to install);
        both a Connect address and a master URL.

    Examples
    --------
    >>> engine_of("duckdb")
    Engine(name='duckdb', remote=None, master=None)
    """
    if isinstance(engine, Engine):
        return engine
    if engine is None:
        return Engine.from_environment()
    if engine not in ENGINES:
        raise InputError(Problem("--engine", "unknown engine", engine, ", ".join(ENGINES)))
    if engine == "duckdb":
        return Engine()
    if importlib.util.find_spec("pyspark") is None:
        raise InputError(
            Problem(
                "--engine",
                "the Spark engine needs PySpark, which is not installed",
                engine,
                f"{SPARK_EXTRA} (and a Java runtime), or --engine duckdb",
            )
        )
    if remote and master:
        raise InputError(
            Problem(
                "--spark-master",
                "a master URL and a Spark Connect address (--spark-remote, SPARK_REMOTE) both",
                master,
                "one of them",
            )
        )
    return Engine("spark", remote=remote or None, master=None if remote else master)


@contextlib.contextmanager
def use_engine(engine: Engine) -> Iterator[None]:
    """Make ``engine`` the environment's for the block (the notebooks a report runs inherit
    it); the environment as it was afterwards."""
    keys = ("KPI_ENGINE", "SPARK_REMOTE", "KPI_SPARK_MASTER")
    saved = {key: os.environ.get(key) for key in keys}
    values: dict[str, str | None] = {"KPI_ENGINE": engine.name}
    if engine.spark:
        values |= {"SPARK_REMOTE": engine.remote, "KPI_SPARK_MASTER": engine.master}
    try:
        for key, value in values.items():
            if value:
                os.environ[key] = value
            else:
                os.environ.pop(key, None)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
