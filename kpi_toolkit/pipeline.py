"""One appraisal per period: a period's inputs resolved once, appraised once.

Every surface — ``kpi score``, ``kpi annual``, ``kpi report`` and its notebooks, the
scorecards, the Excel workbook, ``kpi explore`` and the what-if panel — gets its inputs from
:func:`resolve_inputs` and its result from :func:`appraise` (or :func:`appraise_year`), so a
person has the same total, grade and rank in every view of the same period.

The inputs are a scheme (a YAML file or a built-in name, with parameters filled), a roster,
the actuals (a table, or computed from raw exports through a bundle of source mappings) and,
for schemes with KPIs scored by people (``source: ratings``), the ratings. A *data
directory* holds ``roster.csv``, ``actuals_<scheme id>.csv`` (or ``actuals.csv``),
``ratings.csv`` and, optionally, ``plans.csv`` (the work-objective plans; CSV or XLSX); files
named one by one take precedence over the directory's;
the *records directory* holds the raw exports a bundle reads. One ratings table serves every
scheme of the department: each scheme reads its own rows
(:func:`~kpi_toolkit.engine.raters.ratings_for`).

May import: the top-level shared modules, ``engine``; ``records`` only when a bundle is given
(DuckDB is loaded then and not before).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .engine.annual import AnnualResult, annual, parse_year
from .engine.inputs import check_roster, read_table
from .engine.raters import ratings_for
from .engine.roster import require_appraised
from .engine.scheme import Scheme, load_scheme
from .engine.scoring import Appraisal, score
from .errors import InputError, Problem
from .files import sha256
from .labels import Lang
from .periods import Grain, Period, parse_period

if TYPE_CHECKING:
    from .records.bundle import BundleResult

__all__ = [
    "Inputs",
    "appraise",
    "appraise_year",
    "find_inputs",
    "grains_of",
    "rates_by_360",
    "resolve_inputs",
]

EXTENSIONS = (".csv", ".xlsx")
ROLES = ("roster", "actuals", "ratings", "plans")


@dataclass(frozen=True)
class Inputs:
    """A period's inputs, read and checked once.

    Attributes
    ----------
    scheme
        The scheme, with its parameters filled.
    roster, actuals, ratings
        The tables (``ratings`` is ``None`` where the scheme rates nothing by 360).
    plans
        The work-objective plans (per-person targets and weights), or ``None``.
    files
        Each input's role (``roster``, ``actuals``, ``ratings``, ``plans``,
        ``records:<source>``) → the file it was read from.
    bundle
        Where the actuals were computed from raw exports: the bundle's result, with its
        ledger (every raw row used or excluded with a reason).
    corrections, uncorrected
        With ``corrections``: the checked corrections table (applied to ``actuals``) and
        the actuals as they were before (:mod:`kpi_toolkit.engine.corrections`).
    """

    scheme: Scheme
    roster: pd.DataFrame
    actuals: pd.DataFrame
    ratings: pd.DataFrame | None = None
    files: Mapping[str, Path] = field(default_factory=dict)
    bundle: BundleResult | None = None
    corrections: pd.DataFrame | None = None
    uncorrected: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None

    def provenance(self) -> dict[str, tuple[str, str]]:
        """Role → (path, SHA-256) of the scheme file and of every input file."""
        found = {role: (str(path), sha256(path)) for role, path in self.files.items()}
        if self.scheme.path:
            return {"scheme": (self.scheme.path, sha256(self.scheme.path)), **found}
        return found

    def ledger(self, *, lang: Lang = "zh") -> pd.DataFrame | None:
        """The raw exports' ledger (rows per source and reason), or ``None``."""
        return None if self.bundle is None else self.bundle.ledger(lang=lang)

    def periods(self) -> set[str]:
        """The periods the actuals hold, in canonical text (``2026-Q3``)."""
        return set(self.actuals["period"].astype(str).str.strip().str.upper())


def rates_by_360(scheme: Scheme) -> bool:
    """Whether any KPI of the scheme comes from the 360 ratings table."""
    return any(k.source == "ratings" for p in scheme.positions.values() for k in p.kpis)


def _find(directory: Path, stems: tuple[str, ...]) -> Path | None:
    for stem in stems:
        for extension in EXTENSIONS:
            candidate = directory / f"{stem}{extension}"
            if candidate.is_file():
                return candidate
    return None


def find_inputs(
    data_dir: str | Path, *, scheme: Scheme, need_actuals: bool = True
) -> dict[str, Path]:
    """The roster, actuals and (where the scheme needs them) ratings files of a data directory,
    and its plans file where there is one.

    Raises
    ------
    InputError
        The directory does not exist, or a file it needs is not in it (every one at once).
    """
    directory = Path(data_dir)
    if not directory.is_dir():
        raise InputError(
            Problem(
                where=str(directory),
                message="no such data directory",
                allowed="a folder holding roster.csv, actuals_<scheme>.csv, ratings.csv",
            )
        )
    wanted = {
        "roster": ("roster",),
        "actuals": (f"actuals_{scheme.id}", "actuals"),
        "ratings": ("ratings",),
        "plans": ("plans",),
    }
    found = {role: _find(directory, stems) for role, stems in wanted.items()}
    needed = {
        "roster": True,
        "actuals": need_actuals,
        "ratings": rates_by_360(scheme),
        "plans": False,
    }
    missing = [role for role, path in found.items() if path is None and needed[role]]
    if missing:
        raise InputError(
            [
                Problem(
                    where=str(directory),
                    message=f"no {role} file",
                    allowed=" or ".join(f"{s}.csv/.xlsx" for s in wanted[role]),
                )
                for role in missing
            ]
        )
    return {role: path for role, path in found.items() if path is not None}


def resolve_inputs(
    scheme: str | Path | Scheme,
    *,
    data_dir: str | Path | None = None,
    roster: str | Path | None = None,
    actuals: str | Path | None = None,
    ratings: str | Path | None = None,
    sources: str | Path | None = None,
    records_dir: str | Path | None = None,
    parameters: Mapping[str, float] | None = None,
    grains: Collection[Grain] | None = None,
    corrections: str | Path | None = None,
    plans: str | Path | None = None,
    engine: str | None = None,
) -> Inputs:
    """Read a period's inputs once: the scheme, the roster, the actuals and the ratings.

    Parameters
    ----------
    scheme
        A scheme YAML file, a built-in scheme name, or a :class:`Scheme`.
    data_dir
        A data directory (``roster``, ``actuals_<scheme id>`` or ``actuals``, ``ratings``;
        CSV or XLSX). Optional where every file is named.
    roster, actuals, ratings, plans
        Files named one by one; each takes precedence over the data directory's (a
        directory's ``plans`` file is read where there is one: the plans are optional).
    sources
        A bundle of source mappings (a YAML file or a built-in name, ``params/bundles``):
        the actuals are computed from the raw exports in ``records_dir`` (default: the
        bundle's own ``data_dir``) instead of read from a table.
    parameters
        Values for the scheme's named parameters (``--set NAME=VALUE``).
    grains
        With ``sources``: the period grains to compute the actuals at (``("quarter",)`` for
        a quarter's appraisal); default: every grain of the scheme's positions, as a year's
        review needs.
    corrections
        A corrections table (appeals, ``--corrections``): applied on top of the actuals
        (:func:`~kpi_toolkit.engine.corrections.apply_corrections`).
    engine
        With ``sources``: ``duckdb`` or ``spark`` (:mod:`kpi_toolkit.records.engines`);
        default: the environment's ``KPI_ENGINE`` (``kpi --engine`` sets it), else DuckDB.

    Raises
    ------
    InputError
        Every problem with the inputs at once (files missing or unreadable, …).
    """
    chosen = _scheme(scheme, parameters)
    files = _input_files(
        chosen,
        data_dir=data_dir,
        named=(roster, actuals, ratings, plans),
        from_records=bool(sources),
    )
    tables = _read(files)
    bundle = None
    if sources is not None:
        grains = grains or grains_of(chosen)
        bundle = _from_records(
            sources, records_dir, roster=tables["roster"], grains=grains, engine=engine
        )
        tables["actuals"] = bundle.actuals
        files |= {f"records:{name}": Path(path) for name, path in bundle.files.items()}
    fixed = _corrected(tables["actuals"], corrections, scheme=chosen)
    if corrections is not None:
        files["corrections"] = Path(corrections)
    return Inputs(
        scheme=chosen,
        roster=tables["roster"],
        actuals=tables["actuals"] if fixed is None else fixed[1],
        ratings=None if "ratings" not in tables else ratings_for(tables["ratings"], scheme=chosen),
        files=files,
        bundle=bundle,
        corrections=None if fixed is None else fixed[0],
        uncorrected=None if fixed is None else tables["actuals"],
        plans=tables.get("plans"),
    )


def _corrected(
    actuals: pd.DataFrame, corrections: str | Path | None, *, scheme: Scheme
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The checked corrections and the actuals with them applied (``None`` without)."""
    if corrections is None:
        return None
    from .engine.corrections import apply_corrections, check_corrections

    checked = check_corrections(read_table(corrections), scheme=scheme)
    fixed = apply_corrections(actuals, checked, scheme=scheme)
    fixed.attrs = dict(actuals.attrs)
    return checked, fixed


def _scheme(scheme: str | Path | Scheme, parameters: Mapping[str, float] | None) -> Scheme:
    if not isinstance(scheme, Scheme):
        return load_scheme(scheme, parameters=dict(parameters or {}))
    if parameters and scheme.path:
        return load_scheme(scheme.path, parameters=dict(parameters))
    return scheme


def _input_files(
    scheme: Scheme,
    *,
    data_dir: str | Path | None,
    named: tuple[str | Path | None, ...],
    from_records: bool,
) -> dict[str, Path]:
    given = {role: Path(path) for role, path in zip(ROLES, named, strict=True) if path}
    if data_dir is None:
        missing = [r for r in ("roster", "actuals") if r not in given]
        if from_records:
            missing = [r for r in missing if r != "actuals"]
        if missing:
            raise InputError(
                [
                    Problem(
                        where=f"--{role}",
                        message=f"no {role} given",
                        allowed=f"--{role} FILE, or --data-dir holding the {role} file",
                    )
                    for role in missing
                ]
            )
        return given
    need_actuals = "actuals" not in given and not from_records
    found = find_inputs(data_dir, scheme=scheme, need_actuals=need_actuals)
    if from_records:
        found.pop("actuals", None)
    if not rates_by_360(scheme):  # a folder's ratings.csv serves its other schemes
        found.pop("ratings", None)
    return found | given


def _read(files: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Each file read as a table; every unreadable file reported at once."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for role, path in files.items():
        try:
            tables[role] = read_table(path)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    return tables


def _from_records(
    sources: str | Path,
    records_dir: str | Path | None,
    *,
    roster: pd.DataFrame,
    grains: Collection[Grain],
    engine: str | None = None,
) -> BundleResult:
    from .records.bundle import actuals_from_bundle

    checked = check_roster(roster)
    results = [
        actuals_from_bundle(
            sources, grain=grain, roster=checked, data_dir=records_dir, engine=engine
        )
        for grain in dict.fromkeys(grains)
    ]
    if len(results) == 1:
        return results[0]
    actuals = pd.concat([r.actuals for r in results], ignore_index=True)
    return replace(results[0], actuals=actuals)


def grains_of(scheme: Scheme, *, period: str | Period | None = None) -> tuple[Grain, ...]:
    """The grains to compute actuals at: the period's, or every grain the scheme uses."""
    if period is not None:
        chosen = parse_period(period) if isinstance(period, str) else period
        return (chosen.grain,)
    return tuple(dict.fromkeys(p.period for p in scheme.positions.values()))


def appraise(
    inputs: Inputs, *, period: str | Period, lang: Lang = "zh", corrected: bool = True
) -> Appraisal:
    """The appraisal of one period from its inputs (:func:`kpi_toolkit.engine.score`).

    ``corrected=False``: the appraisal as it was before the corrections (to show what
    each changed).
    """
    actuals = inputs.actuals if corrected or inputs.uncorrected is None else inputs.uncorrected
    result = score(
        actuals,
        scheme=inputs.scheme,
        roster=inputs.roster,
        period=period,
        ratings=inputs.ratings,
        plans=inputs.plans,
        lang=lang,
    )
    rows = _rows_in(actuals, [result.period])
    require_appraised(result.scores, result.excluded, period=result.period, rows=rows)
    return result


def appraise_year(inputs: Inputs, *, year: int | str, lang: Lang = "zh") -> AnnualResult:
    """The year results from its inputs (:func:`kpi_toolkit.engine.annual`)."""
    result = annual(
        inputs.actuals,
        scheme=inputs.scheme,
        roster=inputs.roster,
        year=year,
        ratings=inputs.ratings,
        plans=inputs.plans,
        lang=lang,
    )
    target = parse_year(year)
    rows = _rows_in(inputs.actuals, [target, *target.quarters(), *_months(target)])
    require_appraised(result.scores, result.excluded, period=target, rows=rows)
    return result


def _months(year: Period) -> list[Period]:
    return [Period(year.year, "month", m) for m in range(1, 13)]


def _rows_in(actuals: pd.DataFrame, periods: Collection[Period]) -> int:
    """How many rows of the actuals are for one of ``periods`` (as written in any case)."""
    if "period" not in actuals:
        return 0
    wanted = {str(p).upper() for p in periods}
    return int(actuals["period"].astype(str).str.strip().str.upper().isin(wanted).sum())
