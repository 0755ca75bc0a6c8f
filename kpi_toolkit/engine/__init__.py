"""The appraisal engine: schemes, rules, inputs, scoring, grading, the year result and the bonus.

Owns the scheme model and its checks, the registry of scoring rule kinds, the checks of
actuals, roster and ratings, who is appraised, the 360 by rater group, the one
grade-and-rank, the year result, the bonus allocation and the work-objective plans. Pure
functions from DataFrame to DataFrame; no disk access but reading scheme files (through
:mod:`kpi_toolkit.loader`).

May import: the top-level shared modules (``errors``, ``labels``, ``periods``, ``loader``,
``files``). Never ``records``, ``reports``, ``explorer`` or ``sample``. The names below are
imported on first use, so loading a scheme needs neither pandas nor numpy.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .annual import AnnualResult, annual
    from .bonus import BonusPool, allocate_bonus, bonus_pool
    from .grading import (
        apply_distribution,
        check_distribution,
        grade_and_rank,
        grade_ids,
        grade_names,
        rank,
        shown_total,
        team_ranking,
    )
    from .inputs import check_actuals, check_ratings, check_roster, read_table
    from .plans import check_plans, in_force, plan_log
    from .rules import RULES, Rule, register
    from .scheme import Kpi, Position, Scheme, builtin_scheme, load_scheme, scheme_from_dict
    from .scoring import Appraisal, score

_EXPORTS = {
    "AnnualResult": ".annual",
    "annual": ".annual",
    "BonusPool": ".bonus",
    "allocate_bonus": ".bonus",
    "bonus_pool": ".bonus",
    "apply_distribution": ".grading",
    "check_distribution": ".grading",
    "grade_and_rank": ".grading",
    "grade_ids": ".grading",
    "grade_names": ".grading",
    "rank": ".grading",
    "shown_total": ".grading",
    "team_ranking": ".grading",
    "check_actuals": ".inputs",
    "check_ratings": ".inputs",
    "check_roster": ".inputs",
    "read_table": ".inputs",
    "check_plans": ".plans",
    "in_force": ".plans",
    "plan_log": ".plans",
    "RULES": ".rules",
    "Rule": ".rules",
    "register": ".rules",
    "Kpi": ".scheme",
    "Position": ".scheme",
    "Scheme": ".scheme",
    "builtin_scheme": ".scheme",
    "load_scheme": ".scheme",
    "scheme_from_dict": ".scheme",
    "Appraisal": ".scoring",
    "score": ".scoring",
}
__all__ = [
    "RULES",
    "AnnualResult",
    "Appraisal",
    "BonusPool",
    "Kpi",
    "Position",
    "Rule",
    "Scheme",
    "allocate_bonus",
    "annual",
    "apply_distribution",
    "bonus_pool",
    "builtin_scheme",
    "check_actuals",
    "check_distribution",
    "check_plans",
    "check_ratings",
    "check_roster",
    "grade_and_rank",
    "grade_ids",
    "grade_names",
    "in_force",
    "load_scheme",
    "plan_log",
    "rank",
    "read_table",
    "register",
    "scheme_from_dict",
    "score",
    "shown_total",
    "team_ranking",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
