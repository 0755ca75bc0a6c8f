"""What a report is made from: the period's appraisal, the previous period's, provenance.

The inputs are resolved and appraised by :mod:`kpi_toolkit.pipeline`, as for every other
surface. Every file's SHA-256 is kept so that a report can say exactly what it was
computed from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

import pandas as pd

from .. import __version__
from ..engine.scheme import Scheme
from ..engine.scoring import Appraisal
from ..errors import InputError, Problem
from ..labels import Lang
from ..periods import Period, parse_period
from ..pipeline import Inputs, appraise, resolve_inputs
from .trends import compared

__all__ = ["Later", "ReportContext", "load_context"]

T = TypeVar("T")


class Later(Generic[T]):
    """A value worked out when it is first read (and kept), for a :class:`ReportContext`
    field: ``previous=Later(lambda: ...)``.

    ``kpi report`` loads a context only to plan its jobs; the notebook loads its own. The
    previous period's appraisal is scored only where a section reads it.
    """

    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work


class _Deferred(Generic[T]):
    """A frozen dataclass field given a value or a :class:`Later` (called on first read).

    No default: reading it from the class raises, so the field stays required.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}_value"

    @overload
    def __get__(self, ctx: None, owner: Any = None) -> _Deferred[T]: ...
    @overload
    def __get__(self, ctx: object, owner: Any = None) -> T: ...
    def __get__(self, ctx: object | None, owner: Any = None) -> T | _Deferred[T]:
        if ctx is None:
            raise AttributeError(self.slot)  # no class-level default
        value = ctx.__dict__[self.slot]
        if isinstance(value, Later):
            value = value.work()
            ctx.__dict__[self.slot] = value
        return cast(T, value)

    def __set__(self, ctx: object, value: T | Later[T]) -> None:
        ctx.__dict__[self.slot] = value


@dataclass(frozen=True, kw_only=True)
class ReportContext:
    """Everything a report shows, computed once.

    Attributes
    ----------
    appraisal
        The period's appraisal of the whole department.
    previous
        The previous period's (or the compared period's) appraisal where its actuals exist
        and score, else ``None``; given as a :class:`Later` by :func:`load_context`.
    team
        The team the report is limited to, or ``None`` for the department.
    inputs
        Each input's role (``scheme``, ``roster``, ``actuals``, ``ratings``) → (path, SHA-256).
    parameters
        The report's parameters, as given.
    roster
        The roster the appraisal read (for the names of raters outside the appraisal, such
        as a sales director), or ``None``.
    corrections, uncorrected
        With corrections (appeals): the checked corrections table and the period's
        appraisal as it was before them (``reports/corrections.py`` shows what each changed).
    """

    appraisal: Appraisal
    previous: _Deferred[Appraisal | None] = _Deferred()
    team: str | None
    lang: Lang
    inputs: dict[str, tuple[str, str]]
    parameters: dict[str, object] = field(default_factory=dict)
    ledger: pd.DataFrame | None = None
    generated: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))
    version: str = __version__
    roster: pd.DataFrame | None = None
    corrections: pd.DataFrame | None = None
    uncorrected: Appraisal | None = None
    source: Inputs | None = field(default=None, repr=False, compare=False)  # for trends

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

    @property
    def rater_values(self) -> pd.DataFrame | None:
        """The period's ratings one per rater, of the people in the report."""
        return self._of_team(self.appraisal.rater_values)

    @property
    def completeness(self) -> pd.DataFrame | None:
        """Every assigned rating with ``rated``, of the people in the report (``None``
        where the roster has no reporting lines)."""
        return self._of_team(self.appraisal.completeness)

    def names(self) -> dict[str, str]:
        """Employee id → name: the roster's, else of the people appraised and rating."""
        if self.roster is not None:
            return dict(zip(self.roster["employee_id"], self.roster["name"], strict=True))
        scores, done = self.appraisal.scores, self.appraisal.completeness
        found = dict(zip(scores["employee_id"], scores["name"], strict=True))
        if done is not None:
            found = {**dict(zip(done["rater_id"], done["rater_name"], strict=True)), **found}
        return found

    def _of_team(self, frame: pd.DataFrame | None) -> pd.DataFrame | None:
        """The rows of ``frame`` whose ``employee_id`` is in the report's team."""
        if frame is None or self.team is None:
            return frame
        people = self.roster if self.roster is not None else self.appraisal.scores
        members = people.loc[people["team"] == self.team, "employee_id"]
        return frame.loc[frame["employee_id"].isin(members)]


def load_context(
    *,
    scheme: str | Path | Scheme,
    data_dir: str | Path | None = None,
    period: str | Period,
    team: str | None = None,
    lang: Lang = "zh",
    parameters: dict[str, object] | None = None,
    sources: str | Path | None = None,
    records_dir: str | Path | None = None,
    inputs: Inputs | None = None,
    corrections: str | Path | None = None,
    plans: str | Path | None = None,
    compare: str | Period | None = None,
) -> ReportContext:
    """The period's appraisal (and the previous period's, where its actuals exist).

    ``compare``: the earlier period the report compares with instead of the previous one
    (:func:`kpi_toolkit.reports.trends.compared`).

    The inputs are resolved by :func:`kpi_toolkit.pipeline.resolve_inputs` (or given as
    ``inputs``): with ``sources`` (a bundle of raw-export mappings) the actuals are computed
    from the raw exports in ``records_dir`` and the report carries their ledger; otherwise
    they are read from the data directory. ``plans`` names a plans file (default: the
    data directory's ``plans.csv`` where there is one).
    """
    when = parse_period(period) if isinstance(period, str) else period
    if inputs is None:
        inputs = resolve_inputs(
            scheme,
            data_dir=data_dir,
            sources=sources,
            records_dir=records_dir,
            grains=(when.grain,),
            corrections=corrections,
            plans=plans,
        )
    appraisal = appraise(inputs, period=when, lang=lang)
    uncorrected = _uncorrected(inputs, when, lang)
    _check_team(appraisal, team)
    return ReportContext(
        appraisal=appraisal,
        previous=_previous(inputs, when, lang=lang, compare=compare),
        team=team,
        lang=lang,
        inputs=inputs.provenance(),
        parameters=dict(parameters or {}),
        ledger=inputs.ledger(lang=lang),
        roster=inputs.roster,
        corrections=inputs.corrections,
        uncorrected=uncorrected,
        source=inputs,
    )


def _previous(
    inputs: Inputs, period: Period, *, lang: Lang, compare: str | Period | None
) -> Appraisal | Later[Appraisal | None] | None:
    """The appraisal compared with: a period named by ``compare`` now (so that a bad one
    is reported before anything runs), the previous period's when first read."""
    if compare is not None:
        return compared(inputs, period, lang=lang, compare=compare)
    return Later(lambda: compared(inputs, period, lang=lang))


def _uncorrected(inputs: Inputs, period: Period, lang: Lang) -> Appraisal | None:
    if inputs.corrections is None:
        return None
    try:
        return appraise(inputs, period=period, lang=lang, corrected=False)
    except InputError:
        return None  # only the corrected inputs score (a blank filled): no "before" shown


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
