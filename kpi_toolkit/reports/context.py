"""What a report is made from: the scheme, the period's data files, their appraisal.

A data directory holds ``roster.csv`` (or ``.xlsx``), ``actuals_<scheme id>.csv`` (or
``actuals.csv``) and, for schemes with 360 KPIs, ``ratings.csv``. Every file's SHA-256 is
kept so that a report can say exactly what it was computed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from .. import __version__
from ..engine.inputs import read_table
from ..engine.scheme import Scheme, load_scheme
from ..engine.scoring import Appraisal, score
from ..errors import InputError, Problem
from ..files import sha256
from ..labels import Lang
from ..periods import Period, parse_period

__all__ = ["ReportContext", "find_inputs", "load_context"]

EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class ReportContext:
    """Everything a report shows, computed once.

    Attributes
    ----------
    appraisal
        The period's appraisal of the whole department.
    previous
        The previous period's appraisal where its actuals exist, else ``None``.
    team
        The team the report is limited to, or ``None`` for the department.
    inputs
        Each input's role (``scheme``, ``roster``, ``actuals``, ``ratings``) → (path, SHA-256).
    parameters
        The report's parameters, as given.
    """

    appraisal: Appraisal
    previous: Appraisal | None
    team: str | None
    lang: Lang
    inputs: dict[str, tuple[str, str]]
    parameters: dict[str, object] = field(default_factory=dict)
    ledger: pd.DataFrame | None = None
    generated: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))
    version: str = __version__

    @property
    def scheme(self) -> Scheme:
        return self.appraisal.scheme

    @property
    def scores(self) -> pd.DataFrame:
        """The scores shown: the team's where the report is limited to one."""
        scores = self.appraisal.scores
        return scores if self.team is None else scores.loc[scores["team"] == self.team]

    @property
    def excluded(self) -> pd.DataFrame:
        excluded = self.appraisal.excluded
        return excluded if self.team is None else excluded.loc[excluded["team"] == self.team]


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
    """The roster, actuals and (where needed) ratings files of a data directory."""
    directory = Path(data_dir)
    if not directory.is_dir():
        raise InputError(Problem(where=str(directory), message="no such data directory"))
    wanted = {
        "roster": ("roster",),
        "actuals": (f"actuals_{scheme.id}", "actuals"),
        "ratings": ("ratings",),
    }
    found = {role: _find(directory, stems) for role, stems in wanted.items()}
    needs_ratings = any(k.source == "ratings" for p in scheme.positions.values() for k in p.kpis)
    needed = {"roster": True, "actuals": need_actuals, "ratings": needs_ratings}
    missing = [r for r, p in found.items() if p is None and needed[r]]
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


def read_inputs(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """Each input file read as a table, by role."""
    return {role: read_table(path) for role, path in paths.items()}


def provenance(paths: dict[str, Path], *, scheme: Scheme) -> dict[str, tuple[str, str]]:
    """Role → (path, SHA-256) for the scheme file and every input, for a report's footer."""
    inputs = {role: (str(path), sha256(path)) for role, path in paths.items()}
    return {"scheme": (scheme.path, sha256(scheme.path)), **inputs} if scheme.path else inputs


def load_context(
    *,
    scheme: str | Path | Scheme,
    data_dir: str | Path,
    period: str | Period,
    team: str | None = None,
    lang: Lang = "zh",
    parameters: dict[str, object] | None = None,
    sources: str | Path | None = None,
    records_dir: str | Path | None = None,
) -> ReportContext:
    """Load a data directory and appraise its period (and the previous one, where possible).

    With ``sources`` (a bundle of raw-export mappings, :mod:`kpi_toolkit.records.bundle`) the
    actuals are computed from the raw exports in ``records_dir`` and the report carries
    their ledger; otherwise they are read from the data directory.
    """
    chosen = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    period = parse_period(period) if isinstance(period, str) else period
    paths = find_inputs(data_dir, scheme=chosen, need_actuals=sources is None)
    if sources is not None:
        paths.pop("actuals", None)
    tables = read_inputs(paths)
    ledger = None
    if sources is not None:
        from ..engine.inputs import check_roster
        from ..records.bundle import actuals_from_bundle

        bundle = actuals_from_bundle(
            sources, grain=period.grain, data_dir=records_dir, roster=check_roster(tables["roster"])
        )
        tables["actuals"], ledger = bundle.actuals, bundle.ledger(lang=lang)
        paths |= {f"records:{name}": Path(path) for name, path in bundle.files.items()}

    def appraise(when: Period) -> Appraisal:
        return score(
            tables["actuals"],
            scheme=chosen,
            roster=tables["roster"],
            period=when,
            ratings=tables.get("ratings"),
            lang=lang,
        )

    appraisal = appraise(period)
    _check_team(appraisal, team)
    inputs = provenance(paths, scheme=chosen)
    return ReportContext(
        appraisal=appraisal,
        previous=_previous(appraise, tables, period),
        team=team,
        lang=lang,
        inputs=inputs,
        parameters=dict(parameters or {}),
        ledger=ledger,
    )


def _previous(appraise, tables: dict[str, pd.DataFrame], period: Period) -> Appraisal | None:
    before = str(period.previous())
    if before not in set(tables["actuals"]["period"].astype(str).str.strip().str.upper()):
        return None
    try:
        return appraise(period.previous())
    except InputError:
        return None  # the previous period's data does not score: the change is not shown


def _check_team(appraisal: Appraisal, team: str | None) -> None:
    if team is None:
        return
    teams = sorted(set(appraisal.scores["team"]))
    if team not in teams:
        raise InputError(
            Problem(
                where="team",
                value=team,
                message=f"nobody of this team is appraised in {appraisal.period}",
                allowed=", ".join(teams) or "none",
            )
        )
