"""The bonus pool (seed section 3) and its allocation by appraisal total or grade.

绩效奖金基数 (base per head) = (installs × unit price + repairs × unit price) ÷ number of
staff appraised. ``base`` pays each person base × total / 100; ``proportional`` shares the
whole pool in proportion to the totals, in cents that add up exactly to the pool; ``grade``
pays base × the ``bonus_factor`` of the person's grade (:func:`allocate_by_grade`). The
seed's bonus also includes overtime and installation commission (加班费, 装锁提成): they are
added per person from a table (:func:`add_extras`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, raise_if
from ..periods import ALLOWED as PERIODS_ALLOWED
from .grading import shown_total
from .inputs import ROW
from .numbers import AMOUNT, COUNT, MAX_EXACT_CENTS, TOTAL, as_numbers, number_problems, outside
from .scheme import Grade, Scheme

__all__ = [
    "BonusPool",
    "add_extras",
    "allocate_bonus",
    "allocate_by_grade",
    "bonus_pool",
    "bonus_settings",
    "check_scores",
]

Allocation = Literal["base", "proportional"]


@dataclass(frozen=True)
class BonusPool:
    """The pool in cents, the headcount it is shared by, and the base per head in yuan."""

    pool_cents: int
    headcount: int

    @property
    def pool(self) -> float:
        return self.pool_cents / 100

    @property
    def base_per_head(self) -> float:
        return self.pool / self.headcount if self.headcount else 0.0


def bonus_pool(
    *, installs: float, install_price: float, repairs: float, repair_price: float, headcount: int
) -> BonusPool:
    """The pool from installs and repairs.

    Refused, every one at once: a count that is not a whole number ≥ 0, a price that is not
    a finite amount ≥ 0, a pool past what whole cents hold exactly
    (:data:`~kpi_toolkit.engine.numbers.MAX_EXACT_CENTS`), nobody to share it.
    """
    problems = number_problems({"installs": installs, "repairs": repairs}, domain=COUNT)
    problems += number_problems(
        {"install_price": install_price, "repair_price": repair_price}, domain=AMOUNT
    )
    if not problems:
        with np.errstate(over="ignore", invalid="ignore"):
            cents = (float(installs) * install_price + float(repairs) * repair_price) * 100
        if not cents <= MAX_EXACT_CENTS:
            problems.append(
                Problem(
                    where="installs × install_price + repairs × repair_price",
                    message="the pool is too large to pay to the cent",
                    value=f"{installs:g} × {install_price:g} + {repairs:g} × {repair_price:g}",
                    allowed=f"a pool up to {MAX_EXACT_CENTS / 100:.0f} yuan",
                )
            )
    if headcount <= 0:
        problems.append(nobody_to_pay())
    if problems:
        raise DataError(problems)
    return BonusPool(pool_cents=round(cents), headcount=headcount)


def nobody_to_pay() -> Problem:
    """The problem of a pool with nobody appraised to share it."""
    return Problem(
        where="scores",
        message="nobody appraised: no one to share the pool",
        value=0,
        allowed="at least one employee",
    )


def allocate_bonus(
    scores: pd.DataFrame, *, pool: BonusPool, allocation: Allocation = "base"
) -> pd.DataFrame:
    """Each appraised person's bonus in yuan (column ``bonus``), by ``allocation``.

    Computed in whole cents from the totals as shown (2 decimals, see
    :func:`~kpi_toolkit.engine.grading.shown_total`), in integers, so it is exact:
    ``base`` rounds half a cent up, ``proportional`` adds up to the pool to the cent.
    """
    hundredths = _hundredths(scores).astype(object)  # Python ints: exact at any pool size
    if allocation == "base":
        scale = pool.headcount * 10_000  # base × total / 100 = pool × hundredths / scale
        cents = (2 * pool.pool_cents * hundredths + scale) // (2 * scale)
    else:
        cents = _largest_remainder(hundredths, pool.pool_cents)
    return scores.assign(bonus=cents.astype(float) / 100)


def _hundredths(scores: pd.DataFrame) -> np.ndarray:
    """The shown totals in hundredths, as integers; blank or negative totals are refused."""
    shown = shown_total(scores["total"].to_numpy(dtype=float))
    bad = ~(shown >= 0)
    if bad.any():
        raise DataError(
            [
                Problem(
                    where=f"employee {emp}, column total",
                    message="no usable total",
                    value=None if np.isnan(total) else float(total),
                    allowed="a number ≥ 0",
                )
                for emp, total in zip(scores["employee_id"][bad], shown[bad], strict=True)
            ]
        )
    return np.rint(shown * 100).astype(np.int64)


def _largest_remainder(hundredths: np.ndarray, pool_cents: int) -> np.ndarray:
    whole = int(hundredths.sum())
    if whole <= 0:
        raise DataError(
            Problem(
                where="scores.total",
                message="every total is 0: nothing to share in proportion",
                allowed="the base allocation",
            )
        )
    share = pool_cents * hundredths
    cents, remainder = share // whole, share % whole
    left = pool_cents - int(cents.sum())
    # the largest remainders get a cent each; ties go to the higher total, then the file order
    order = np.lexsort((np.arange(len(hundredths)), -hundredths, -remainder))
    cents[order[:left]] += 1
    return cents


# --- the scores a bonus is paid on --------------------------------------------------------


def _where(scores: pd.DataFrame, index: object, column: str) -> str:
    """``row N (employee E), column C``: the row as numbered in the file where known."""
    row = str(scores.at[index, ROW]) if ROW in scores else None
    emp = str(scores.at[index, "employee_id"])
    return f"row {row} (employee {emp}), column {column}" if row is not None else f"employee {emp}"


def check_scores(scores: pd.DataFrame, *, period: str | None = None) -> pd.DataFrame:
    """Refuse a scores table no bonus can be paid on; return it with numeric totals.

    One period (or year) only — ``period`` chooses one from a file of several —, each
    person once, every total a number from 0 to 100 (not blank, text, NaN or infinite).
    Every problem is reported at once, each naming the row(s).
    """
    file = scores.attrs.get("file")
    frame, problems = _of_period(scores, period, file)
    totals = as_numbers(frame["total"])
    problems += [
        Problem(
            where=_where(frame, i, "total"),
            message="not a total from 0 to 100",
            value=frame.at[i, "total"],
            allowed=TOTAL.text,
            file=file,
        )
        for i in frame.index[outside(totals, TOTAL)]
    ]
    problems += _twice(frame, file)
    if problems:
        raise DataError(problems, title=f"{file or 'scores'}: {len(problems)} problem(s)")
    return frame.assign(total=totals)


def _twice(frame: pd.DataFrame, file: str | None) -> list[Problem]:
    """A person on more than one row: one problem per person naming every row."""
    ids = frame["employee_id"].astype(str).str.strip()
    twice = frame.loc[ids.duplicated(keep=False)]
    if twice.empty:
        return []
    rows = twice[ROW].astype(str) if ROW in twice else pd.Series(twice.index.astype(str))
    return [
        Problem(
            where=f"rows {', '.join(group)}, column employee_id",
            message="the same person appears twice: a bonus is paid once a period",
            value=emp,
            allowed="one row per person",
            file=file,
        )
        for emp, group in rows.groupby(ids.loc[twice.index].to_numpy(), sort=False)
    ]


def _of_period(
    frame: pd.DataFrame, period: str | None, file: str | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows of one period (or year): ``period`` where given; refused where the file
    holds several and none is chosen."""
    column = next((c for c in ("period", "year") if c in frame), None)
    if column is None:
        if period is None:
            return frame, []
        where = "--period"
        return frame, [
            Problem(
                where,
                "the scores file has no period or year column",
                period,
                "a scores file written by kpi score or kpi annual",
                file,
            )
        ]
    periods = frame[column].astype(str).str.strip().str.upper()
    found = list(dict.fromkeys(periods))
    if period is not None:
        chosen = frame.loc[periods == str(period).strip().upper()]
        if chosen.empty:
            problem = Problem(
                "--period",
                f"no row of this {column} in the scores",
                period,
                ", ".join(found) or "none",
                file,
            )
            return chosen, [problem]
        return chosen, []
    if len(found) <= 1:
        return frame, []
    problem = Problem(
        where=f"column {column}",
        message=f"{len(found)} periods in one scores file: one bonus, one period",
        value=", ".join(found),
        allowed=f"one {column} in every row, or --period to choose one ({PERIODS_ALLOWED})",
        file=file,
    )
    return frame, [problem]


# --- allocation by grade ------------------------------------------------------------------


def grade_of(scores: pd.DataFrame, *, scheme: Scheme) -> list[Grade | None]:
    """Each row's grade of ``scheme``: by ``grade_id`` where given, else by the grade's
    name (Chinese or English) or id in ``grade``; ``None`` where none matches."""
    by_text: dict[str, Grade] = {}
    for g in scheme.grades:
        by_text |= {g.id: g, g.name.zh: g, **({g.name.en: g} if g.name.en else {})}
    ids = scores["grade_id"] if "grade_id" in scores else pd.Series("", index=scores.index)
    texts = scores["grade"] if "grade" in scores else pd.Series("", index=scores.index)
    return [
        by_text.get(str(i).strip()) or by_text.get(str(t).strip())
        for i, t in zip(ids.fillna(""), texts.fillna(""), strict=True)
    ]


def grade_factors(scores: pd.DataFrame, *, scheme: Scheme) -> np.ndarray:
    """Each person's ``bonus_factor``; refuses an unknown grade and a grade without one."""
    grades = grade_of(scores, scheme=scheme)
    file = scores.attrs.get("file")
    problems = [
        Problem(
            where=_where(scores, i, "grade"),
            message=f"not a grade of scheme {scheme.id}",
            value=scores.at[i, "grade"] if "grade" in scores else None,
            allowed=", ".join(g.name.zh for g in scheme.grade_order()),
            file=file,
        )
        for i, g in zip(scores.index, grades, strict=True)
        if g is None
    ]
    unpaid = dict.fromkeys(g for g in grades if g is not None and g.bonus_factor is None)
    problems += [
        Problem(
            where=f"scheme {scheme.id}, grades.{g.id}",
            message=f"grade {g.name.zh} has no bonus_factor: --allocation grade cannot pay it",
            value=g.name.zh,
            allowed="a bonus_factor (e.g. 1.2) for every grade, or --allocation base",
            file=scheme.path,
        )
        for g in unpaid
    ]
    if problems:
        raise DataError(problems)
    return np.array([g.bonus_factor for g in grades if g is not None], dtype=float)


FACTOR_SCALE = 10_000  # bonus factors are read to 4 decimals (1.2 → 12 000 / 10 000)


def allocate_by_grade(scores: pd.DataFrame, *, pool: BonusPool, scheme: Scheme) -> pd.DataFrame:
    """Each person's bonus: base per head × the ``bonus_factor`` of the person's grade.

    Rounding: each person's exact amount is pool × factor ÷ headcount (in fractions of a
    cent); their sum, rounded to the cent (half up), is what is paid in all. Each person
    gets the exact amount rounded down to the cent, and the cents still to pay go one each
    to the largest remainders (ties: the higher factor, then the file order). So every
    amount is within a cent of the exact one and they add up to the rounded sum. The result
    has ``bonus_factor`` and ``bonus`` (yuan).

    Examples
    --------
    >>> scheme = Scheme.model_validate(
    ...     {"id": "s", "name": "s", "positions": {}, "grades": [
    ...         {"id": "a", "name": "优秀", "min": 90, "bonus_factor": 1.2},
    ...         {"id": "b", "name": "合格", "min": 0, "bonus_factor": 0.8}]})
    >>> scores = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "total": [95, 70, 70],
    ...                        "grade": ["优秀", "合格", "合格"]})
    >>> pool = BonusPool(pool_cents=100, headcount=3)  # 1 yuan, base 0.333… each
    >>> allocate_by_grade(scores, pool=pool, scheme=scheme)["bonus"].tolist()
    [0.4, 0.27, 0.26]
    """
    factors = grade_factors(scores, scheme=scheme)
    scaled = np.rint(factors * FACTOR_SCALE).astype(np.int64).astype(object)  # exact ints
    exact = pool.pool_cents * scaled  # cents × headcount × FACTOR_SCALE
    denominator = pool.headcount * FACTOR_SCALE
    paid = (2 * int(exact.sum()) + denominator) // (2 * denominator)
    cents, remainder = exact // denominator, exact % denominator
    if paid > MAX_EXACT_CENTS:
        raise DataError(
            Problem(
                where="bonus pool × bonus_factor",
                message="the bonus to pay is too large to pay to the cent",
                value=f"{pool.pool:.2f} yuan × factors up to {max(factors, default=0):g}",
                allowed=f"a sum up to {MAX_EXACT_CENTS / 100:.0f} yuan",
                file=scheme.path,
            )
        )
    left = paid - int(cents.sum())
    order = np.lexsort((np.arange(len(scaled)), -scaled, -remainder))
    cents[order[:left]] += 1
    return scores.assign(bonus_factor=factors, bonus=cents.astype(float) / 100)


# --- per-person amounts (加班费, 装锁提成) ------------------------------------------------

EXTRA_META = ("employee_id", "name", "period", "note", ROW)


def add_extras(paid: pd.DataFrame, extras: pd.DataFrame) -> pd.DataFrame:
    """The bonus with each per-person amount as its own column, and ``payout`` their sum.

    ``extras`` holds ``employee_id`` and any amount columns (加班费, 装锁提成, …), in yuan;
    a person without a row gets 0. Refused, every row at once: a person not in the scores,
    a person twice, an amount that is not a number, a period other than the scores'.
    """
    columns = [c for c in extras.columns if c not in EXTRA_META]
    frame = extras.assign(employee_id=extras["employee_id"].astype(str).str.strip())
    amounts = {c: pd.to_numeric(frame[c].replace("", "0"), errors="coerce") for c in columns}
    problems = _extras_problems(paid, frame, amounts)
    if problems:
        raise DataError(problems)
    cents = {c: np.rint(amounts[c].to_numpy(dtype=float) * 100) for c in columns}
    by_person = pd.DataFrame(cents, index=frame["employee_id"])
    added = by_person.reindex(paid["employee_id"].astype(str)).fillna(0)
    total_cents = np.rint(paid["bonus"].to_numpy(dtype=float) * 100) + added.sum(axis=1).to_numpy()
    out = paid.copy()
    for column in columns:
        out[column] = added[column].to_numpy() / 100
    return out.assign(payout=total_cents / 100)


def _extras_problems(
    paid: pd.DataFrame, frame: pd.DataFrame, amounts: dict[str, pd.Series]
) -> list[Problem]:
    file = frame.attrs.get("file")
    known = set(paid["employee_id"].astype(str))
    problems = [
        Problem(
            where=_where(frame, i, "employee_id"),
            message="not in the scores: no bonus to add this amount to",
            value=frame.at[i, "employee_id"],
            allowed="an employee_id of the scores file",
            file=file,
        )
        for i in frame.index[~frame["employee_id"].isin(known)]
    ]
    problems += [
        Problem(
            where=_where(frame, i, "employee_id"),
            message="the same person twice: one row per person",
            value=frame.at[i, "employee_id"],
            allowed="one row per person (add the amounts up)",
            file=file,
        )
        for i in frame.index[frame["employee_id"].duplicated(keep="first")]
    ]
    problems += [
        Problem(
            where=_where(frame, i, column),
            message="not an amount",
            value=frame.at[i, column],
            allowed="an amount in yuan, e.g. 350 or 120.50 (blank is 0)",
            file=file,
        )
        for column, values in amounts.items()
        for i in frame.index[values.isna() | np.isinf(values)]
    ]
    if "period" in frame and "period" in paid and len(paid):
        want = str(paid["period"].iloc[0]).strip().upper()
        text = frame["period"].astype(str).str.strip().str.upper()
        problems += [
            Problem(
                where=_where(frame, i, "period"),
                message="another period than the scores'",
                value=frame.at[i, "period"],
                allowed=want,
                file=file,
            )
            for i in frame.index[(text != want) & (text != "")]
        ]
    return problems


def bonus_settings(
    scheme: Scheme | None,
    install_price: float | None,
    repair_price: float | None,
    allocation: Literal["base", "proportional", "grade"] | None,
) -> tuple[tuple[float, float], Literal["base", "proportional", "grade"]]:
    """The unit prices and the allocation: each as given, else the scheme's ``bonus:``
    setting; the allocation defaults to ``base``.

    The one reading of these options, for ``kpi bonus`` and the annual review.

    Raises
    ------
    InputError
        A price given nowhere; ``grade`` allocation without a scheme (its grades hold the
        bonus factors).
    """
    setting = scheme.bonus if scheme is not None else None
    given = {"install_price": install_price, "repair_price": repair_price}
    prices = {k: v if v is not None else getattr(setting, k, None) for k, v in given.items()}
    rule = allocation or (setting.allocation if setting is not None else "base")
    problems = [
        Problem(
            where=f"--{name.replace('_', '-')}",
            message="no unit price given",
            allowed="--" + name.replace("_", "-") + " PRICE, or a scheme whose bonus: sets it",
        )
        for name, price in prices.items()
        if price is None
    ]
    if rule == "grade" and scheme is None:
        problems.append(
            Problem(
                where="--allocation grade",
                message="the bonus factors are the scheme's grades': no --scheme given",
                allowed="--scheme S (a YAML file or a built-in scheme name)",
            )
        )
    raise_if(problems)
    return (float(prices["install_price"] or 0), float(prices["repair_price"] or 0)), rule
