"""The one table of user-facing labels: Chinese by default, English available."""

from __future__ import annotations

from typing import Literal

__all__ = ["LABELS", "Lang", "label"]

Lang = Literal["zh", "en"]

LABELS: dict[str, dict[str, str]] = {
    # columns and headings
    "employee_id": {"zh": "工号", "en": "Employee ID"},
    "name": {"zh": "姓名", "en": "Name"},
    "position": {"zh": "岗位", "en": "Position"},
    "team": {"zh": "团队", "en": "Team"},
    "period": {"zh": "考核周期", "en": "Period"},
    "year": {"zh": "年度", "en": "Year"},
    "total": {"zh": "总分", "en": "Total"},
    "grade": {"zh": "等级", "en": "Grade"},
    "rank": {"zh": "岗位排名", "en": "Rank in position"},
    "department_rank": {"zh": "部门排名", "en": "Rank in department"},
    "quarters": {"zh": "季度数", "en": "Quarters"},
    "periods": {"zh": "考核次数", "en": "Periods"},
    "headcount": {"zh": "人数", "en": "Headcount"},
    "mean_total": {"zh": "平均分", "en": "Mean total"},
    "bonus": {"zh": "绩效奖金(元)", "en": "Bonus (yuan)"},
    "flags": {"zh": "备注", "en": "Notes"},
    "reason": {"zh": "原因", "en": "Reason"},
    "team_rank": {"zh": "排名", "en": "Rank"},
    "team_ranking": {"zh": "团队排名(组织考核)", "en": "Team ranking (organisational appraisal)"},
    "not_appraised": {"zh": "未参加考核", "en": "Not appraised"},
    "points": {"zh": "得分", "en": "Points"},
    "weight": {"zh": "权重", "en": "Weight"},
    "target": {"zh": "目标值", "en": "Target"},
    "actual": {"zh": "实际值", "en": "Actual"},
    # who is appraised
    "excluded.probation": {"zh": "试用期人员不参加考核", "en": "on probation: not appraised"},
    "excluded.position": {
        "zh": "岗位 {position} 不在本考核方案中",
        "en": "position {position} is not in this scheme",
    },
    "excluded.grain": {
        "zh": "{position} 按{grain}考核,不在本期({period})",
        "en": "{position} is appraised per {grain}, not in this period ({period})",
    },
    "excluded.no_actuals": {
        "zh": "本期无任何指标数据",
        "en": "no actuals for this period",
    },
    "excluded.not_employed": {
        "zh": "{period} 期间不在职",
        "en": "not employed during {period}",
    },
    "excluded.status": {
        "zh": "状态 {status} 不参加考核",
        "en": "status {status}: not appraised",
    },
    "flag.joined": {"zh": "期内入职({date})", "en": "joined in the period ({date})"},
    "flag.left": {"zh": "期内离职({date})", "en": "left in the period ({date})"},
    "flag.respread": {
        "zh": "{kpi} 缺数据,权重已按比例分摊到其他指标",
        "en": "{kpi} missing: its weight was re-spread over the other KPIs",
    },
    "flag.zero": {"zh": "{kpi} 缺数据,按 0 分计", "en": "{kpi} missing: scored 0"},
    "flag.rater_group_missing": {
        "zh": "{kpi} 缺少评价组 {group},其权重已分摊到其他评价组",
        "en": "{kpi}: rater group {group} missing, its weight re-spread over the others",
    },
    "flag.rater_group_too_few": {
        "zh": "{kpi} 评价组 {group} 仅 {count} 人(至少 {minimum} 人),未计入",
        "en": "{kpi}: rater group {group} has {count} raters (at least {minimum}), not counted",
    },
    "flag.self_ignored": {
        "zh": "{kpi} 的自评未计入(方案无自评组)",
        "en": "{kpi}: self-rating not counted (the scheme has no self group)",
    },
    # grain names
    "grain.month": {"zh": "月度", "en": "month"},
    "grain.quarter": {"zh": "季度", "en": "quarter"},
    "grain.year": {"zh": "年度", "en": "year"},
    # rule descriptions
    "rule.bands.higher": {
        "zh": "分段计分(越高越好):{bands}",
        "en": "banded, higher is better: {bands}",
    },
    "rule.bands.lower": {
        "zh": "分段计分(越低越好):{bands}",
        "en": "banded, lower is better: {bands}",
    },
    "rule.deduct_per_unit": {
        "zh": "满分 {full},超过 {allowance} 次后每次扣 {per_unit} 分",
        "en": "full {full}; −{per_unit} per occurrence beyond {allowance}",
    },
    "rule.deduct_per_point": {
        "zh": "目标 {target},每降低 1 个百分点扣 {per_point} 分",
        "en": "target {target}; −{per_point} per percentage point short",
    },
    "rule.threshold.min": {
        "zh": "≥ {limit} 得 {weight} 分,否则 {otherwise} 分",
        "en": "≥ {limit}: {weight}; otherwise {otherwise}",
    },
    "rule.threshold.max": {
        "zh": "≤ {limit} 得 {weight} 分,否则 {otherwise} 分",
        "en": "≤ {limit}: {weight}; otherwise {otherwise}",
    },
    "rule.scale": {
        "zh": "评分等级:{labels}(满分 {weight})",
        "en": "rating: {labels} (of {weight})",
    },
    "rule.linear.higher": {
        "zh": "实际 ÷ 目标 × {weight},封顶 {cap}",
        "en": "actual ÷ target × {weight}, capped at {cap}",
    },
    "rule.linear.lower": {
        "zh": "目标 ÷ 实际 × {weight},封顶 {cap}",
        "en": "target ÷ actual × {weight}, capped at {cap}",
    },
    "rule.manual": {"zh": "上级评分(0–{out_of})", "en": "superior's score (0–{out_of})"},
}


def label(key: str, lang: Lang = "zh", **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Examples
    --------
    >>> label("total")
    '总分'
    >>> label("flag.zero", "en", kpi="complaints")
    'complaints missing: scored 0'
    """
    try:
        text = LABELS[key][lang]
    except KeyError as error:
        raise KeyError(
            f"no label {key!r} in {lang!r}; add it to kpi_toolkit.labels.LABELS"
        ) from error
    return text.format(**values) if values else text
