"""Bundles: the raw exports of one appraisal read together into one table of actuals.

A bundle YAML (``params/bundles/*.yaml``) lists the sources, each a source mapping and its data
file, with the metric set and the working-day calendar to compute them with::

    name: sample_department
    metrics: after_sales_team          # params/metrics name, or a path relative to the bundle
    calendar: cn_office                # optional: overrides the calendar of every mapping
    data_dir: ../../sample/records     # optional: where the data files are, relative to the bundle
    sources:
      - {mapping: sample_tickets, data: tickets.csv}
      - {mapping: my_surveys.yaml, data: 2026/surveys.csv}

:func:`actuals_from_bundle` computes every source with :func:`kpi_toolkit.records.metrics.
compute_from_files` and joins the results into the wide actuals ``employee_id, period,
<metric>...`` that :func:`kpi_toolkit.score` takes, with the ledger of every source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import Field

from ..breakdown import split_breakdown
from ..errors import InputError, Problem
from ..files import Kind
from ..loader import load_spec, with_lines
from ..periods import Grain, Period, parse_period
from .engines import Engine
from .ledger import Lang, Ledger
from .metric_sets import KINDS, MetricSet, load_metrics
from .metrics import MetricsResult, compute_from_files
from .sources import Frozen, SourceSpec, load_source, param_path, resolve_param

__all__ = ["Bundle", "BundleResult", "BundleSource", "actuals_from_bundle", "load_bundle"]

KEYS = ["employee_id", "period"]


class BundleSource(Frozen):
    """One export: its ``mapping`` (a built-in name or a YAML path relative to the bundle)
    and its ``data`` file (relative to the data directory)."""

    mapping: str
    data: str


class Bundle(Frozen):
    """A bundle file: the sources of one appraisal, their metric set and calendar."""

    name: str
    description: str = ""
    metrics: str
    calendar: str | None = None
    data_dir: str = "."
    sources: tuple[BundleSource, ...] = Field(min_length=1)
    path: str | None = None  # where the YAML was read from (set by load_bundle)

    @property
    def folder(self) -> Path:
        return Path(self.path).parent if self.path else Path.cwd()

    def data_folder(self, data_dir: str | Path | None = None) -> Path:
        """``data_dir`` when given (the CLI's ``--data-dir``), else the bundle's own."""
        return Path(data_dir) if data_dir is not None else self.folder / self.data_dir

    def param(self, value: str, kind: Kind) -> Path:
        """A built-in name (``params/KIND/NAME.yaml``) or a path relative to the bundle."""
        return param_path(value, kind, folder=self.folder)


def load_bundle(path: str | Path) -> Bundle:
    """Read a bundle by path or built-in name (``params/bundles/NAME.yaml``).

    Examples
    --------
    >>> bundle = load_bundle("sample_department")
    >>> bundle.metrics, [source.mapping for source in bundle.sources][:2]
    ('after_sales_team', ['sample_tickets', 'sample_survey_quality'])
    """
    resolved = resolve_param(path, "bundles")
    bundle = load_spec(resolved, model=Bundle)
    return bundle.model_copy(update={"path": str(resolved.resolve())})


@dataclass(frozen=True)
class BundleResult:
    """Actuals joined over a bundle's sources, and where every input row went.

    Attributes
    ----------
    actuals
        ``employee_id, period`` and one column per metric computed, in the metric set's order;
        a count is 0 where a person has actuals from other sources but no rows in its own.
    ledgers
        Source mapping name → its :class:`~kpi_toolkit.records.ledger.Ledger`.
    files
        Source mapping name → the data file read.
    computed
        Source mapping name → the metrics it gave.
    skipped
        Metric of the set that no source gave → why.
    """

    actuals: pd.DataFrame
    ledgers: Mapping[str, Ledger]
    files: Mapping[str, Path]
    computed: Mapping[str, tuple[str, ...]]
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Every source's rows in = rows used + rows excluded."""
        return all(ledger.balanced for ledger in self.ledgers.values())

    def ledger(self, *, lang: Lang = "zh") -> pd.DataFrame:
        """Rows per source and reason: ``source, table, title, file, reason, label, rows``
        (used first; ``table`` is the canonical table the source fills, ``title`` the
        mapping's own name for the source in ``lang``, blank where it gives none)."""
        frames = [
            ledger.summary(lang=lang).assign(
                source=name,
                table=ledger.table,
                title=ledger.label.get(lang, ""),
                file=str(self.files[name]),
            )
            for name, ledger in self.ledgers.items()
        ]
        columns = ["source", "table", "title", "file", "reason", "label", "rows"]
        return pd.concat(frames, ignore_index=True)[columns]

    def excluded(self) -> pd.DataFrame:
        """Every excluded row: ``source, row, reason, record`` (the row as ``header=value``)."""
        frames = [_excluded(name, ledger) for name, ledger in self.ledgers.items()]
        return pd.concat(frames, ignore_index=True)


def _excluded(name: str, ledger: Ledger) -> pd.DataFrame:
    raw = ledger.excluded.drop(columns=["row", "reason"]).astype("string").fillna("")
    record = pd.Series("", index=raw.index, dtype="string")
    for column in raw.columns:
        record = record + ("; " if column != raw.columns[0] else "") + f"{column}=" + raw[column]
    frame = ledger.excluded[["row", "reason"]].assign(record=record)
    return frame.assign(source=name)[["source", "row", "reason", "record"]]


def actuals_from_bundle(
    bundle: str | Path,
    *,
    grain: Grain,
    roster: pd.DataFrame | None = None,
    data_dir: str | Path | None = None,
    period: str | Period | None = None,
    engine: Engine | str | None = None,
) -> BundleResult:
    """Compute the actuals of every source of a bundle and join them into one wide table.

    Parameters
    ----------
    bundle
        Bundle YAML (path, or built-in name as in ``params/bundles/NAME.yaml``).
    grain
        ``month``, ``quarter`` or ``year``: how the periods are written.
    roster
        DataFrame with ``employee_id``: rows of other employees are excluded as
        ``unknown_employee``.
    data_dir
        Directory of the data files (the CLI's ``--data-dir``); default: the bundle's
        ``data_dir`` relative to the bundle file (itself ``.``). A data path that is absolute
        is used as is.
    period
        Keep only rows in this period (others are excluded as ``outside_period``).
    engine
        ``duckdb``, ``spark`` or an :class:`~kpi_toolkit.records.engines.Engine`; ``None``:
        the environment's (``KPI_ENGINE``, default DuckDB).

    Raises
    ------
    InputError
        Every problem at once: a bad bundle key (with its key path), a mapping, metric set
        or calendar that cannot be read, a data file not found, a metric given by two sources.

    Examples
    --------
    >>> result = actuals_from_bundle("sample_department", grain="quarter",
    ...                              data_dir="sample/records")  # doctest: +SKIP
    >>> result.actuals.columns[:3].tolist()  # doctest: +SKIP
    ['employee_id', 'period', 'csat']
    """
    with with_lines():  # a problem found while computing names its key path and line
        spec = load_bundle(bundle)
        metrics = load_metrics(spec.param(spec.metrics, "metrics"))
        sources = _sources(spec, data_dir)
        chosen = parse_period(period) if isinstance(period, str) else period
        results = _computed(
            sources, grain=grain, period=chosen, roster=roster, metrics=metrics, engine=engine
        )
        computed = {name: tuple(r.actuals.columns.drop(KEYS)) for name, r in results.items()}
        _refuse_twice(computed, spec)
    files = {source.name: path for source, path in sources}
    ledgers = {name: r.ledger for name, r in results.items()}
    actuals = _joined(results, metrics)
    return BundleResult(actuals, ledgers, files, computed, _skipped(results, metrics, computed))


def _sources(spec: Bundle, data_dir: str | Path | None) -> list[tuple[SourceSpec, Path]]:
    """Each source's mapping (with the bundle's calendar) and data file; problems at once."""
    problems: list[Problem] = []
    folder = spec.data_folder(data_dir)
    found: list[tuple[SourceSpec, Path]] = []
    names: dict[str, int] = {}
    calendar = None if spec.calendar is None else str(spec.param(spec.calendar, "calendar"))
    for i, entry in enumerate(spec.sources):
        try:
            source = load_source(spec.param(entry.mapping, "sources"))
        except InputError as error:
            problems += error.problems
            continue
        if source.name in names:
            problems.append(
                Problem(
                    f"sources[{i}].mapping",
                    f"the same mapping twice (also sources[{names[source.name]}])",
                    entry.mapping,
                    "each mapping once",
                    spec.path,
                )
            )
        names[source.name] = i
        path = folder / entry.data
        if not path.is_file():
            problems.append(
                Problem(
                    f"sources[{i}].data",
                    "data file not found",
                    str(path),
                    f"a file in the data directory {folder} (--data-dir, else "
                    "data_dir of the bundle)",
                    spec.path,
                )
            )
        found.append((source.model_copy(update={"calendar": calendar or source.calendar}), path))
    if problems:
        raise InputError(problems, title=f"{spec.path}: the bundle cannot be read")
    return found


def _computed(
    sources: list[tuple[SourceSpec, Path]],
    *,
    grain: Grain,
    period: Period | None,
    roster: pd.DataFrame | None,
    metrics: MetricSet,
    engine: Engine | str | None = None,
) -> dict[str, MetricsResult]:
    """Every source computed; the problems of all of them raised at once."""
    results: dict[str, MetricsResult] = {}
    problems: list[Problem] = []
    for source, path in sources:
        try:
            results[source.name] = compute_from_files(
                source,
                path,
                grain=grain,
                period=period,
                roster=roster,
                metrics=metrics,
                engine=engine,
            )
        except InputError as error:
            problems += error.problems
    unique = list({str(problem): problem for problem in problems}.values())
    if unique:
        raise InputError(unique, title=f"{len(unique)} problem(s) in the bundle's sources")
    return results


def _refuse_twice(computed: Mapping[str, tuple[str, ...]], spec: Bundle) -> None:
    seen: dict[str, str] = {}
    problems = []
    for name, metrics in computed.items():
        for metric in metrics:
            if metric in seen:
                problems.append(
                    Problem(
                        "sources",
                        f"metric {metric!r} is given by two sources ({seen[metric]} and {name})",
                        metric,
                        "each metric from one source: leave its columns unmapped in the other",
                        spec.path,
                    )
                )
            seen.setdefault(metric, name)
    if problems:
        raise InputError(problems, title=f"{spec.path}: sources overlap")


def _joined(results: Mapping[str, MetricsResult], metrics: MetricSet) -> pd.DataFrame:
    frames = [r.actuals for r in results.values() if len(r.actuals.columns) > len(KEYS)]
    wide = frames[0] if frames else pd.DataFrame(columns=KEYS)
    for frame in frames[1:]:
        wide = wide.merge(frame, on=KEYS, how="outer")
    parts = {c: split_breakdown(str(c)) for c in wide.columns}
    order = [
        c
        for m in metrics.metrics
        if m in wide.columns
        for c in [m, *(c for c, p in parts.items() if p and p[0] == m)]
    ]
    fills = {c: KINDS[metrics.metrics[(parts[c] or (c,))[0]].kind].empty for c in order}
    wide = wide[KEYS + order].fillna({m: v for m, v in fills.items() if v is not None})
    return wide.sort_values(KEYS, ignore_index=True)


def _skipped(
    results: Mapping[str, MetricsResult],
    metrics: MetricSet,
    computed: Mapping[str, tuple[str, ...]],
) -> dict[str, str]:
    given = {m for names in computed.values() for m in names}
    reasons = {m: f"{name}: {why}" for name, r in results.items() for m, why in r.skipped.items()}
    return {
        m: reasons.get(m, f"no source maps table {metrics.table_of(spec)!r}")
        for m, spec in metrics.metrics.items()
        if m not in given
    }
