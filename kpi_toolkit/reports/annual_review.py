"""The sections of the annual review: quarters, year result, year grade, bonus."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from IPython.display import HTML

from .. import __version__
from ..engine.annual import AnnualResult
from ..engine.bonus import Allocation, allocate_bonus, bonus_pool
from ..engine.scheme import Scheme
from ..labels import Lang, label, position_names
from ..pipeline import appraise_year, resolve_inputs
from .html import escape, number, section, table
from .sections import input_list

__all__ = ["Review", "bonus", "footer", "load_review", "title", "year_results"]


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


def bonus(
    review: Review,
    *,
    installs: float,
    install_price: float,
    repairs: float,
    repair_price: float,
    allocation: Allocation = "base",
) -> HTML:
    """The bonus pool shared by year result (left out when no installs or repairs given)."""
    lang, scores = review.lang, review.result.scores
    if installs == 0 and repairs == 0:
        return HTML("")
    pool = bonus_pool(
        installs=installs,
        install_price=install_price,
        repairs=repairs,
        repair_price=repair_price,
        headcount=len(scores),
    )
    paid = allocate_bonus(scores, pool=pool, allocation=allocation)
    shown = paid[["employee_id", "name", "total", "grade", "bonus"]].copy()
    shown.columns = [label(c, lang) for c in shown.columns]
    facts = label(
        "report.bonus.facts",
        lang,
        pool=number(pool.pool),
        headcount=pool.headcount,
        base=number(pool.base_per_head),
        allocation=label(f"report.bonus.{allocation}", lang),
    )
    return HTML(section(label("report.bonus", lang), f"<p>{escape(facts)}</p>" + table(shown)))


def footer(review: Review) -> HTML:
    """Provenance: toolkit version and each input's path and SHA-256."""
    files = input_list(review.inputs, lang=review.lang)
    return HTML(f'<footer class="kpi-footer"><p>kpi-toolkit {__version__}</p>{files}</footer>')
