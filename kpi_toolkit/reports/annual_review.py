"""The sections of the annual review: quarters, year result, year grade, bonus."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from IPython.display import HTML

from .. import __version__
from ..engine.annual import AnnualResult
from ..engine.bonus import Allocation, allocate_bonus, bonus_pool
from ..engine.scheme import Scheme
from ..labels import Lang, label
from ..pipeline import appraise_year, resolve_inputs
from . import sections as rs

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
    line = f"{rs._e(review.scheme.name.get(lang))} · {rs._e(label('year', lang))} {review.year}"
    return HTML(
        f'<header class="kpi-title"><h1>{rs._e(label("report.annual_title", lang))}'
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
    table = scores[columns].copy()
    table.columns = [label(c, lang) if c not in periods else c for c in columns]
    return rs._section(label("report.year_result", lang), rs._table(table))


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
    table = paid[["employee_id", "name", "total", "grade", "bonus"]].copy()
    table.columns = [label(c, lang) for c in table.columns]
    facts = (
        f"<p>{pool.pool:.2f} · {pool.headcount} · {pool.base_per_head:.2f} "
        f"({rs._e(allocation)})</p>"
    )
    return rs._section(label("report.bonus", lang), facts + rs._table(table))


def footer(review: Review) -> HTML:
    files = "".join(
        f"<li>{rs._e(r)}: <code>{rs._e(p)}</code> sha256 <code>{d}</code></li>"
        for r, (p, d) in review.inputs.items()
    )
    return HTML(
        f'<footer class="kpi-footer"><p>kpi-toolkit {__version__}</p><ul>{files}</ul></footer>'
    )
