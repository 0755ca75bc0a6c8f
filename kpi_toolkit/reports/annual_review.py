"""The sections of the annual review: quarters, year result, year grade, bonus, approval.

``kpi report --annual 2025`` runs ``notebooks/annual_review.ipynb``, which shows these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import pandas as pd
from IPython.display import HTML

from .. import __version__
from ..engine.annual import AnnualResult
from ..engine.bonus import (
    BonusPool,
    allocate_bonus,
    allocate_by_grade,
    bonus_pool,
    bonus_settings,
)
from ..engine.scheme import Scheme
from ..labels import Lang, label, position_names
from ..pipeline import appraise_year, resolve_inputs
from . import sections as rs
from .html import escape, section, table
from .sections import input_list

if TYPE_CHECKING:
    from .context import ReportContext

__all__ = [
    "Review",
    "approval",
    "bonus",
    "bonus_figures",
    "footer",
    "load_review",
    "title",
    "year_results",
]


@dataclass(frozen=True)
class Review:
    """A year's results and where they came from."""

    scheme: Scheme
    year: int
    result: AnnualResult
    lang: Lang
    inputs: dict[str, tuple[str, str]] = field(default_factory=dict)


def load_review(
    *,
    scheme: str | Path | Scheme,
    data_dir: str | Path,
    year: int,
    lang: Lang = "zh",
    sources: str | Path | None = None,
    records_dir: str | Path | None = None,
) -> Review:
    """Score every period of ``year`` and average each person's results."""
    inputs = resolve_inputs(scheme, data_dir=data_dir, sources=sources, records_dir=records_dir)
    result = appraise_year(inputs, year=year, lang=lang)
    return Review(
        scheme=inputs.scheme,
        year=int(year),
        result=result,
        lang=lang,
        inputs=inputs.provenance(),
    )


def title(review: Review) -> HTML:
    lang = review.lang
    line = f"{escape(review.scheme.name.get(lang))} · {escape(label('year', lang))} {review.year}"
    return HTML(
        f'<header class="kpi-title"><h1>{escape(label("report.annual_title", lang))}'
        f"</h1><p>{line}</p></header>"
    )


def year_results(review: Review) -> HTML:
    """Each person's period totals, the year result, its grade and rank."""
    lang, scores = review.lang, review.result.scores
    periods = [c for c in scores.columns if str(c).startswith(str(review.year))]
    columns = [
        "employee_id",
        "name",
        "position",
        "team",
        *periods,
        "total",
        "quarters",
        "grade",
        "rank",
    ]
    shown = scores[columns].copy()
    shown["position"] = position_names(shown["position"], scheme=review.scheme, lang=lang)
    shown.columns = [label(c, lang) if c not in periods else c for c in columns]
    return HTML(section(label("report.year_result", lang), table(shown)))


BonusAllocation = Literal["base", "proportional", "grade"]


def bonus(
    review: Review,
    *,
    installs: float,
    install_price: float | None = None,
    repairs: float,
    repair_price: float | None = None,
    allocation: BonusAllocation | None = None,
) -> HTML:
    """The bonus pool shared by year result, its figures labelled (left out when no
    installs or repairs are given).

    A unit price or the allocation not given is the scheme's ``bonus:`` setting (as for
    ``kpi bonus --scheme``); ``grade`` pays base per head × the grade's ``bonus_factor``.

    Raises
    ------
    InputError
        A unit price given nowhere, or a count or price that is not a number ≥ 0.
    """
    lang, scores = review.lang, review.result.scores
    if not installs and not repairs:
        return HTML("")
    prices, rule = bonus_settings(review.scheme, install_price, repair_price, allocation)
    pool = bonus_pool(
        installs=installs,
        install_price=prices[0],
        repairs=repairs,
        repair_price=prices[1],
        headcount=len(scores),
    )
    if rule == "grade":
        paid = allocate_by_grade(scores, pool=pool, scheme=review.scheme)
    else:
        paid = allocate_bonus(scores, pool=pool, allocation=rule)
    shown = paid[["employee_id", "name", "total", "grade", "bonus"]].copy()
    shown.columns = [label(c, lang) for c in shown.columns]
    counts = (installs, prices[0], repairs, prices[1])
    figures = table(bonus_figures(pool, counts, rule=rule, lang=lang), css="kpi-table kpi-facts")
    return HTML(section(label("report.bonus", lang), figures + table(shown)))


def bonus_figures(
    pool: BonusPool,
    counts: tuple[float, float, float, float],
    *,
    rule: BonusAllocation,
    lang: Lang,
) -> pd.DataFrame:
    """The pool's figures, each labelled, amounts with thousands separators.

    Examples
    --------
    >>> from kpi_toolkit.engine.bonus import BonusPool
    >>> figures = bonus_figures(BonusPool(12_400_000, 58), (400, 250, 240, 100), rule="base",
    ...                         lang="zh")
    >>> figures.to_dict("list")["数值"][:3]
    ['124,000.00 元', '58', '2,137.93 元']
    """
    installs, install_price, repairs, repair_price = counts
    formula = label(
        "report.bonus.formula",
        lang,
        installs=f"{installs:,g}",
        install_price=f"{install_price:,.2f}",
        repairs=f"{repairs:,g}",
        repair_price=f"{repair_price:,.2f}",
    )
    yuan = label("report.bonus.yuan", lang)
    rows = [
        ("report.bonus.pool", f"{pool.pool:,.2f} {yuan}"),
        ("report.bonus.headcount", f"{pool.headcount:,}"),
        ("report.bonus.per_head", f"{pool.base_per_head:,.2f} {yuan}"),
        ("report.bonus.rule", label(f"report.bonus.{rule}", lang)),
        ("report.bonus.how", formula),
    ]
    keys = (label("report.bonus.figure", lang), label("report.bonus.value", lang))
    return pd.DataFrame([(label(k, lang), v) for k, v in rows], columns=list(keys))


def approval(review: Review, **signers: str) -> HTML:
    """The approval block (编制人员 / 审核人员 / 批准人员 with dates), as on every report
    (:func:`kpi_toolkit.reports.sections.approval`, which reads the language only)."""
    return rs.approval(cast("ReportContext", review), **signers)


def footer(review: Review) -> HTML:
    """Provenance: toolkit version and each input's path and SHA-256."""
    files = input_list(review.inputs, lang=review.lang)
    return HTML(f'<footer class="kpi-footer"><p>kpi-toolkit {__version__}</p>{files}</footer>')
