"""Appraisal schemes: YAML parsed once into frozen, validated models.

A scheme names its positions; each position has categories with points (工作业绩 70 /
工作能力 15 / 工作态度 15), KPIs with weights, targets and scoring rules, and rater-group
weights for 360 ratings. :func:`load_scheme` reports every problem of a file at once, each
with the file, the key path, the bad value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import Problem, SchemeError
from ..files import builtin_names, builtin_path
from ..labels import Lang
from ..loader import Document, read_yaml, validate
from ..periods import Grain
from ._checks import check_scheme, substitute_parameters
from .rules import RULES, Edge, Number, Rule

__all__ = [
    "RATER_GROUPS",
    "Bonus",
    "Category",
    "ForcedDistribution",
    "Grade",
    "Kpi",
    "Names",
    "Parameter",
    "Position",
    "Scheme",
    "builtin_scheme",
    "load_scheme",
    "scheme_from_dict",
]

ValueKind = Literal["ratio", "count", "duration", "rating", "amount"]
RaterGroup = Literal["superior", "peers", "subordinates", "self"]
RATER_GROUPS: tuple[RaterGroup, ...] = ("superior", "subordinates", "peers", "self")
MissingPolicy = Literal["error", "zero", "exclude"]
if TYPE_CHECKING:
    # Every registered kind is a Rule: that is all a caller may rely on.
    RuleSpec: TypeAlias = Rule
else:
    # The union of the registered kinds, told apart by their `kind` field.
    RuleSpec = Annotated[reduce(lambda a, b: a | b, RULES.values()), Field(discriminator="kind")]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )


class Names(_Frozen):
    """A name in Chinese and (optionally) English; a plain string is the Chinese name."""

    zh: str
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        return {"zh": data} if isinstance(data, str) else data

    def get(self, lang: Lang = "zh") -> str:
        return self.en if lang == "en" and self.en else self.zh


class Category(_Frozen):
    """A category of KPIs and the points it carries (e.g. 工作业绩 70)."""

    name: Names
    points: float = Field(gt=0)


class Kpi(_Frozen):
    """One indicator: where it counts, how much, and how its actual becomes points."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Names
    category: str
    weight: float = Field(gt=0)
    kind: ValueKind
    target: Number | None = None
    target_text: str | None = None
    unit: str | None = None
    range: tuple[Edge, Edge] | None = None
    rule: RuleSpec
    measure: str | None = None
    # the actuals column read when it is not the id: a breakdown figure, ``workload[维修]``
    actual: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\[[^\[\]]+\]$")
    source: Literal["actuals", "ratings"] = "actuals"
    bonus_points: float = Field(default=0, ge=0)
    missing: MissingPolicy | None = None

    @property
    def ceiling(self) -> float:
        """The most points this KPI can give."""
        return self.weight + self.bonus_points


class Position(_Frozen):
    """A position (岗位) appraised under the scheme, with its period and indicators."""

    id: str
    name: Names
    period: Grain
    categories: dict[str, Category]
    kpis: tuple[Kpi, ...] = Field(min_length=1)
    raters: dict[RaterGroup, float] = Field(default_factory=dict)
    min_raters: dict[RaterGroup, int] = Field(default_factory=dict)
    peers: Literal["same_position", "same_superior"] = "same_position"

    @model_validator(mode="before")
    @classmethod
    def _self_shown(cls, data: Any) -> Any:
        """``self: shown`` is a self-appraisal shown beside the others and not counted."""
        raters = data.get("raters") if isinstance(data, dict) else None
        if isinstance(raters, dict) and raters.get("self") == "shown":
            data = {**data, "raters": {**raters, "self": 0.0}}
        return data

    @property
    def rated_kpis(self) -> tuple[Kpi, ...]:
        """The KPIs scored by people (``source: ratings``): the ones forms go out for."""
        return tuple(k for k in self.kpis if k.source == "ratings")

    def counted_groups(self) -> tuple[str, ...]:
        """Rater groups whose ratings count (weight above 0); ``self: shown`` does not."""
        return tuple(g for g, w in self.raters.items() if w > 0)

    def kpi(self, kpi_id: str) -> Kpi:
        return next(k for k in self.kpis if k.id == kpi_id)


class Grade(_Frozen):
    """A grade band: a total at or above ``min`` (and below the next band) earns it.

    ``bonus_factor`` multiplies the base per head under ``kpi bonus --allocation grade``;
    ``consequence`` is the grade's reward or penalty in words (奖励/处罚: 通报表扬, 限期改进).
    """

    id: str
    name: Names
    min: float = Field(ge=0, le=100)
    bonus_factor: float | None = Field(default=None, ge=0)
    consequence: Names | None = None


class Share(_Frozen):
    max: float | None = Field(default=None, ge=0, le=1)
    min: float | None = Field(default=None, ge=0, le=1)


class ForcedDistribution(_Frozen):
    """Shares of each grade a population may (max) or must (min) have."""

    scope: Literal["position", "department"] = "department"
    apply: bool = False
    shares: dict[str, Share]


class Bonus(_Frozen):
    """Bonus pool settings (section 3): unit prices and the allocation mode.

    ``kpi bonus --scheme S`` takes its ``--install-price``, ``--repair-price`` and
    ``--allocation`` from here where they are not given on the command line.
    """

    install_price: float | None = Field(default=None, ge=0)
    repair_price: float | None = Field(default=None, ge=0)
    allocation: Literal["base", "proportional", "grade"] = "base"


class Parameter(_Frozen):
    """A named value the organisation fills in (the seed's blank ``[ ]`` targets)."""

    value: float | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_value(cls, data: Any) -> Any:
        return data if isinstance(data, dict) else {"value": data}


DEFAULT_GRADES = (
    Grade(id="excellent", name=Names(zh="优秀", en="Excellent"), min=90),
    Grade(id="good", name=Names(zh="良好", en="Good"), min=80),
    Grade(id="pass", name=Names(zh="合格", en="Pass"), min=60),
    Grade(id="fail", name=Names(zh="不合格", en="Fail"), min=0),
)


class Scheme(_Frozen):
    """An appraisal scheme (考核方案). Build with :func:`load_scheme`; change by copy."""

    id: str
    name: Names
    source: str | None = None
    description: str | None = None
    missing: MissingPolicy = "error"
    # 员工确认: working days after the report date to appeal (None: the report's default, 5)
    appeal_working_days: int | None = Field(default=None, ge=1, le=60)
    grades: tuple[Grade, ...] = DEFAULT_GRADES
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    positions: dict[str, Position]
    forced_distribution: ForcedDistribution | None = None
    bonus: Bonus | None = None
    path: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _position_ids(cls, data: Any) -> Any:
        positions = data.get("positions") if isinstance(data, dict) else None
        if isinstance(positions, dict):
            fixed = {k: {"id": k, **v} if isinstance(v, dict) else v for k, v in positions.items()}
            data = {**data, "positions": fixed}
        return data

    @property
    def unfilled(self) -> tuple[str, ...]:
        """Parameters still blank: the scheme cannot score until they are filled."""
        return tuple(name for name, p in self.parameters.items() if p.value is None)

    def grade_order(self) -> tuple[Grade, ...]:
        """Grades from the best to the worst."""
        return tuple(sorted(self.grades, key=lambda g: g.min, reverse=True))

    def kpi_ids(self) -> tuple[str, ...]:
        """Every KPI id of every position, in order of first appearance."""
        return tuple(dict.fromkeys(k.id for p in self.positions.values() for k in p.kpis))

    def digest(self) -> str:
        """A stable SHA-256 of what the scheme says, not of where it was read from.

        The same scheme gives the same digest from any file or folder (``path`` is left
        out); any change to a position, KPI, weight, rule or grade changes it. Rating forms
        carry it, so that a form filled under another version of the scheme is refused.

        Examples
        --------
        >>> scheme = builtin_scheme("after_sales_team")
        >>> scheme.digest() == scheme.model_copy(update={"path": "elsewhere.yaml"}).digest()
        True
        >>> len(scheme.digest())
        64
        """
        data = self.model_dump(mode="json", exclude={"path"})
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def with_weights(self, position: str, weights: dict[str, float]) -> Scheme:
        """A copy of the scheme with some KPI weights of one position changed.

        Each changed KPI keeps its scoring: an actual earns the same share of the new
        weight as of the old (its rule is scaled), and each category's points become the
        sum of its KPIs' weights. The copy is not re-checked: weights need not add up to 100
        (a "free" scenario); :func:`scheme_from_dict` on its ``model_dump`` would say so.
        """
        old = self.positions[position]
        unknown = sorted(set(weights) - {k.id for k in old.kpis})
        if unknown:
            raise SchemeError(
                Problem(
                    where=f"positions.{position}.kpis",
                    message=f"no such KPI: {', '.join(unknown)}",
                    value=unknown[0],
                    allowed=", ".join(k.id for k in old.kpis),
                )
            )
        kpis = tuple(_reweighted(k, weights.get(k.id, k.weight)) for k in old.kpis)
        categories = {
            cid: c.model_copy(update={"points": sum(k.weight for k in kpis if k.category == cid)})
            for cid, c in old.categories.items()
        }
        new = old.model_copy(update={"kpis": kpis, "categories": categories})
        return self.model_copy(update={"positions": {**self.positions, position: new}})


def _reweighted(kpi: Kpi, weight: float) -> Kpi:
    if weight == kpi.weight:
        return kpi
    rule = kpi.rule.scaled(weight / kpi.weight, weight=kpi.weight)
    return kpi.model_copy(update={"weight": float(weight), "rule": rule})


def scheme_from_dict(
    raw: Any, *, file: str | None = None, lines: Mapping[tuple, int] | None = None
) -> Scheme:
    """Validate a scheme given as plain data; raise :class:`SchemeError` with every problem.

    ``file`` and ``lines`` (key path → line, as :func:`kpi_toolkit.loader.read_yaml` gives)
    locate each problem.
    """
    data, problems = substitute_parameters(raw)
    problems += check_scheme(data)
    document = Document(data, file, lines or {})
    scheme = validate(document, model=Scheme, problems=problems, error=SchemeError)
    return scheme.model_copy(update={"path": file})


def load_scheme(path: str | Path, *, parameters: dict[str, float] | None = None) -> Scheme:
    """Read and validate a scheme file.

    Parameters
    ----------
    path
        A YAML file, or the name of a built-in scheme (``manager_post``).
    parameters
        Values for the scheme's named parameters, overriding the file.

    Raises
    ------
    SchemeError
        Listing every problem: file, key path and line, bad value, what is allowed.
    """
    file = _resolve(path)
    document = read_yaml(file, error=SchemeError)
    raw = document.data
    if parameters:
        raw = _set_parameters(raw, parameters, file=str(file))
    return scheme_from_dict(raw, file=str(file), lines=document.lines)


def builtin_scheme(name: str) -> Scheme:
    """One of the schemes shipped in ``params/schemes`` (``manager_post``, ...)."""
    return load_scheme(builtin_path("schemes", name))


def _resolve(path: str | Path) -> Path:
    """A scheme file as given, else the built-in scheme of that name."""
    candidate = Path(path)
    if not candidate.exists() and str(path) in builtin_names("schemes"):
        return builtin_path("schemes", str(path))
    if not candidate.is_file():
        builtins = ", ".join(builtin_names("schemes"))
        raise SchemeError(
            Problem(
                where=str(path),
                message="no such scheme file",
                allowed=f"a YAML file, or a built-in scheme name: {builtins}",
            )
        )
    return candidate


def _set_parameters(raw: Any, values: dict[str, float], *, file: str) -> Any:
    declared = raw.get("parameters") if isinstance(raw, dict) else None
    declared = declared if isinstance(declared, dict) else {}
    unknown = [name for name in values if name not in declared]
    if unknown:
        raise SchemeError(
            [
                Problem(
                    where=f"parameter {name}",
                    message="the scheme has no such parameter",
                    value=name,
                    allowed=", ".join(declared) or "none (the scheme declares no parameters)",
                    file=file,
                )
                for name in unknown
            ]
        )
    merged = dict(declared)
    for name, value in values.items():
        old = declared[name]
        merged[name] = {**old, "value": value} if isinstance(old, dict) else value
    return {**raw, "parameters": merged}


Rule.model_rebuild()
