"""Scoring rule kinds: each scores a whole column of actuals at once.

Every kind is one frozen model registered in :data:`RULES` under its ``kind`` name; adding
a kind is one class and one ``@register`` line. A rule maps actual values to points for a
KPI of a given weight; the caller clips the points to ``[0, weight]`` (or above, where the
KPI allows bonus points).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, TypeAlias, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..labels import Lang, label

if TYPE_CHECKING:  # numpy is imported where rules score, not to load a scheme
    import numpy as np

__all__ = [
    "RULES",
    "Band",
    "BandsRule",
    "DeductPerPointRule",
    "DeductPerUnitRule",
    "LinearRule",
    "ManualRule",
    "Rule",
    "ScaleRule",
    "ThresholdRule",
    "register",
]

Better = Literal["higher", "lower"]
# A target per actual (a personal target from a work-objective plan) or one for all.
Target: TypeAlias = "float | np.ndarray | None"
RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Add a rule kind to :data:`RULES` under the literal value of its ``kind`` field."""
    (kind,) = get_args(cls.model_fields["kind"].annotation)
    RULES[kind] = cls
    return cls


def _not_infinite(value: float) -> float:
    if math.isinf(value):
        raise ValueError("an infinite number is not allowed here: give a finite number")
    return value


# A number of a rule: finite (``1e400`` reads as infinity and is refused, naming the key);
# NaN stands for a parameter still blank, refused before scoring (``Scheme.unfilled``).
Number = Annotated[float, Field(allow_inf_nan=True), AfterValidator(_not_infinite)]
# An edge of a range or band: may be infinite (``to: .inf``, a band open at the top).
Edge = Annotated[float, Field(allow_inf_nan=True)]


class Rule(BaseModel):
    """Base of every rule kind: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    needs_target: ClassVar[bool] = False

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        """Points for each actual in ``values`` (NaN stays NaN), before clipping.

        ``target`` is one number for everybody or an array aligned with ``values`` (each
        person's target, where a work-objective plan sets one)."""
        raise NotImplementedError

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        """The rule in words, for scorecards."""
        raise NotImplementedError

    def value_labels(self) -> dict[str, float]:
        """Ordinal labels this rule accepts as actuals (only rating scales have any)."""
        return {}

    def target_of(self, kpi_target: float | None) -> float | None:
        """The target this rule scores against, given the KPI's; ``None`` for a rule whose
        definition reads no target (bands with fixed edges, a rating scale, ...): a
        personal target (a work-objective plan) can replace only a target that is read."""
        return kpi_target if self.needs_target else None

    def retargeted(self) -> Rule:
        """The same rule scoring against the target passed to :meth:`points` (a personal
        target replaces a target the rule itself fixes)."""
        return self

    def reads_target(self) -> bool:
        """Whether a target (the KPI's, or a person's where a plan sets one) moves the points:
        not where the rule's own edges or limits decide them (a plan form marks it 不适用)."""
        return self.target_of(0.0) is not None

    def scaled(self, factor: float, *, weight: float) -> Rule:
        """The same rule for a weight ``factor`` times ``weight``: every actual earns the same
        share of the weight (points × factor). Rules whose points follow the weight already
        return themselves."""
        return self


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:g}"


class Band(BaseModel):
    """One band: actuals from ``from`` to ``to`` earn points from ``points[0]`` to ``points[1]``
    (linear in between); a single number means the same points across the band."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    lower: Edge = Field(alias="from")
    upper: Edge = Field(alias="to")
    points: Number | tuple[Number, Number]

    @property
    def at_lower(self) -> float:
        return self.points if isinstance(self.points, float | int) else self.points[0]

    @property
    def at_upper(self) -> float:
        return self.points if isinstance(self.points, float | int) else self.points[1]


@register
class BandsRule(Rule):
    """Piecewise-linear bands (seed items 2, 3, 5, 7).

    ``closed`` says which edge of each band belongs to it: ``lower`` (``≥ from``) by default
    when higher is better, ``upper`` (``≤ to``) when lower is better. Actuals beyond the
    outermost bands take the nearest band's end points.
    """

    kind: Literal["bands"]
    better: Better
    closed: Literal["lower", "upper"] | None = None
    bands: tuple[Band, ...] = Field(min_length=1)

    @property
    def edge(self) -> Literal["lower", "upper"]:
        return self.closed or ("lower" if self.better == "higher" else "upper")

    def ordered(self) -> tuple[Band, ...]:
        return tuple(sorted(self.bands, key=lambda band: (band.lower, band.upper)))

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        import numpy as np

        bands = self.ordered()
        lower = np.array([b.lower for b in bands])
        upper = np.array([b.upper for b in bands])
        if self.edge == "lower":
            index = np.searchsorted(lower, values, side="right") - 1
        else:
            index = np.searchsorted(upper, values, side="left")
        index = np.clip(index, 0, len(bands) - 1)
        start, stop = lower[index], upper[index]
        p_start = np.array([b.at_lower for b in bands])[index]
        p_stop = np.array([b.at_upper for b in bands])[index]
        width = stop - start
        finite = np.isfinite(width) & (width > 0)
        share = np.where(
            finite, (np.clip(values, start, stop) - start) / np.where(finite, width, 1), 0
        )
        return np.where(np.isnan(values), np.nan, p_start + share * (p_stop - p_start))

    def scaled(self, factor: float, *, weight: float) -> Rule:
        bands = tuple(
            band.model_copy(update={"points": (band.at_lower * factor, band.at_upper * factor)})
            for band in self.bands
        )
        return self.model_copy(update={"bands": bands})

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        parts = []
        for band in sorted(self.bands, key=lambda b: b.lower, reverse=self.better == "higher"):
            points = (
                _fmt(band.at_lower)
                if band.at_lower == band.at_upper
                else f"{_fmt(band.at_lower)}–{_fmt(band.at_upper)}"
            )
            parts.append(f"{_fmt(band.lower)}–{_fmt(band.upper)}: {points}")
        return label(f"rule.bands.{self.better}", lang, bands="; ".join(parts))


@register
class DeductPerUnitRule(Rule):
    """Full marks minus ``per_unit`` for each unit beyond ``allowance`` (items 1, 4, 9)."""

    kind: Literal["deduct_per_unit"]
    per_unit: Number = Field(gt=0)
    allowance: Number = Field(default=0, ge=0)
    full: Number | None = None

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        import numpy as np

        full = weight if self.full is None else self.full
        return full - self.per_unit * np.maximum(values - self.allowance, 0)

    def scaled(self, factor: float, *, weight: float) -> Rule:
        full = None if self.full is None else self.full * factor
        return self.model_copy(update={"per_unit": self.per_unit * factor, "full": full})

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        full = weight if self.full is None else self.full
        return label(
            "rule.deduct_per_unit",
            lang,
            full=_fmt(full),
            allowance=_fmt(self.allowance),
            per_unit=_fmt(self.per_unit),
        )


@register
class DeductPerPointRule(Rule):
    """Full marks minus ``per_point`` per percentage point short of the target (section 3).

    A percentage point of a fraction is 0.01. ``whole_points`` counts only whole points
    short (93.5 % against 95 % is one point, not 1.5).
    """

    kind: Literal["deduct_per_point"]
    per_point: Number = Field(gt=0)
    target: Number | None = None
    better: Better = "higher"
    whole_points: bool = False
    needs_target: ClassVar[bool] = True

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        import numpy as np

        goal = self.target if self.target is not None else target
        gap = (goal - values) if self.better == "higher" else (values - goal)
        short = np.round(np.maximum(gap, 0) * 100, 9)  # round away float noise before floor
        if self.whole_points:
            short = np.floor(short)
        return weight - self.per_point * short

    def scaled(self, factor: float, *, weight: float) -> Rule:
        return self.model_copy(update={"per_point": self.per_point * factor})

    def target_of(self, kpi_target: float | None) -> float | None:
        return self.target if self.target is not None else kpi_target

    def retargeted(self) -> Rule:
        return self if self.target is None else self.model_copy(update={"target": None})

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        goal = self.target if self.target is not None else target
        return label(
            "rule.deduct_per_point", lang, target=f"{goal:.0%}", per_point=_fmt(self.per_point)
        )


@register
class ThresholdRule(Rule):
    """All or nothing: full marks at or beyond the limit, else ``otherwise`` (item 8).

    Give ``min`` (at least) or ``max`` (at most); with neither, the KPI's target is the
    minimum.
    """

    kind: Literal["threshold"]
    min: Number | None = None
    max: Number | None = None
    otherwise: Number = 0

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        import numpy as np

        if self.max is not None:
            passed = values <= self.max
        else:
            passed = values >= (self.min if self.min is not None else target)
        return np.where(np.isnan(values), np.nan, np.where(passed, weight, self.otherwise))

    def scaled(self, factor: float, *, weight: float) -> Rule:
        return self.model_copy(update={"otherwise": self.otherwise * factor})

    def target_of(self, kpi_target: float | None) -> float | None:
        return kpi_target if self.min is None and self.max is None else None

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        which = "max" if self.max is not None else "min"
        limit = self.max if self.max is not None else (self.min if self.min is not None else target)
        return label(
            f"rule.threshold.{which}",
            lang,
            limit=_fmt(limit if limit is not None else float("nan")),
            weight=_fmt(weight),
            otherwise=_fmt(self.otherwise),
        )


@register
class ScaleRule(Rule):
    """An ordinal rating: each label is worth a number; points = weight × value / top
    (items 6, 10, 11). Actuals may be the labels or numbers (a mean of ratings)."""

    kind: Literal["scale"]
    labels: dict[str, Number] = Field(min_length=2)
    top: Number | None = None

    @property
    def maximum(self) -> float:
        return self.top if self.top is not None else max(self.labels.values())

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        return weight * values / self.maximum

    def value_labels(self) -> dict[str, float]:
        return dict(self.labels)

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        text = " / ".join(f"{name} {_fmt(value)}" for name, value in self.labels.items())
        return label("rule.scale", lang, labels=text, weight=_fmt(weight))


@register
class LinearRule(Rule):
    """Points in proportion to attainment: actual ÷ target (or target ÷ actual when lower is
    better), capped at ``cap`` times the weight."""

    kind: Literal["linear"]
    better: Better = "higher"
    cap: Number = Field(default=1.0, gt=0)
    needs_target: ClassVar[bool] = True

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        import numpy as np

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            share = values / target if self.better == "higher" else target / values
        share = np.where(np.isnan(values), np.nan, np.nan_to_num(share, posinf=self.cap))
        return weight * np.minimum(share, self.cap)

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        return label(f"rule.linear.{self.better}", lang, weight=_fmt(weight), cap=f"{self.cap:.0%}")


@register
class ManualRule(Rule):
    """Points given by a person (a superior's judgement), on a scale of ``out_of``
    (the weight by default), scaled to the weight and clipped."""

    kind: Literal["manual"]
    out_of: Number | None = Field(default=None, gt=0)

    def points(self, values: np.ndarray, *, weight: float, target: Target) -> np.ndarray:
        scale = weight if self.out_of is None else self.out_of
        return values * weight / scale

    def scaled(self, factor: float, *, weight: float) -> Rule:
        return self if self.out_of is not None else self.model_copy(update={"out_of": weight})

    def describe(self, *, weight: float, target: float | None, lang: Lang = "zh") -> str:
        return label("rule.manual", lang, out_of=_fmt(self.out_of or weight))
