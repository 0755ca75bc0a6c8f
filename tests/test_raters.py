"""360 ratings by rater group (seed section 4), alone and through score()."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from helpers import PERIOD, TINY_SCHEME, make_roster, messages, ratings_table, scheme

from kpi_toolkit import score
from kpi_toolkit.engine.inputs import check_ratings, check_roster
from kpi_toolkit.engine.raters import Rated, assign_raters, rate_360, ratings_for
from kpi_toolkit.engine.scheme import Scheme, scheme_from_dict
from kpi_toolkit.errors import DataError
from kpi_toolkit.periods import parse_period
from kpi_toolkit.sample import make_sample

ROSTER = make_roster(
    ("S1", "supervisor"), ("S2", "supervisor"), ("P1", "specialist"), ("M1", "manager")
)
# after_sales_team: supervisor superior 0.5 / peers 0.25 / subordinates 0.25, at least 2
# peers and 2 subordinates; specialist superior 0.6 / peers 0.4, at least 2 peers.
FULL_S1 = [
    ("M1", "superior", 5),
    ("S2", "peers", 4),
    ("S3", "peers", 3),
    ("P1", "subordinates", 4),
    ("P2", "subordinates", 5),
]


def ratings(rows: list[tuple[str, str, str, float]], *, period: str = PERIOD) -> pd.DataFrame:
    """``(employee, rater, group, value)`` rows of teamwork ratings."""
    return ratings_table(*[(e, "teamwork", r, g, v) for e, r, g, v in rows], period=period)


def of(employee: str, rows: list[tuple[str, str, float]]) -> list[tuple[str, str, str, float]]:
    return [(employee, *row) for row in rows]


def rate(
    rows: list[tuple[str, str, str, float]], *, team: Scheme | None = None, lang: str = "zh"
) -> Rated:
    team = team or scheme("after_sales_team")
    roster = check_roster(ROSTER)
    checked = check_ratings(ratings(rows), scheme=team, roster=roster)
    return rate_360(checked, scheme=team, roster=roster, period=parse_period(PERIOD), lang=lang)  # type: ignore[arg-type]


def value_of(rated: Rated, employee: str) -> float:
    values = rated.values.set_index("employee_id")["value"]
    return float(values[employee])


def flags_of(rated: Rated, employee: str) -> list[str]:
    return rated.flags.loc[rated.flags["employee_id"] == employee, "flag"].tolist()


def test_mean_per_group_weighted_by_the_position() -> None:
    rated = rate(of("S1", FULL_S1))
    # superior 5 × 0.5 + peers (4 + 3) / 2 × 0.25 + subordinates (4 + 5) / 2 × 0.25
    assert value_of(rated, "S1") == pytest.approx(2.5 + 0.875 + 1.125)
    assert flags_of(rated, "S1") == []
    groups = rated.breakdown.set_index("rater_group")
    assert groups.loc["peers", ["raters", "mean", "weight", "used_weight"]].tolist() == [
        2,
        3.5,
        0.25,
        0.25,
    ]


def test_specialist_uses_its_own_group_weights() -> None:
    rated = rate(of("P1", [("S1", "superior", 4), ("P2", "peers", 5), ("P3", "peers", 3.5)]))
    assert value_of(rated, "P1") == pytest.approx(4 * 0.6 + 4.25 * 0.4)


def test_missing_group_respreads_its_weight_and_is_flagged() -> None:
    rated = rate(of("S2", [("M1", "superior", 4), ("S1", "peers", 4), ("S3", "peers", 5)]))
    # subordinates missing: superior 0.5 and peers 0.25 become 2/3 and 1/3 (never a 0)
    assert value_of(rated, "S2") == pytest.approx((4 * 0.5 + 4.5 * 0.25) / 0.75)
    assert flags_of(rated, "S2") == ["团队协作评分 缺少评价组 直接下级,其权重已分摊到其他评价组"]
    used = rated.breakdown.set_index("rater_group")["used_weight"]
    assert used.to_dict() == pytest.approx({"peers": 1 / 3, "superior": 2 / 3})


def test_missing_group_flag_in_english() -> None:
    rated = rate(
        of("S2", [("M1", "superior", 4), ("S1", "peers", 4), ("S3", "peers", 5)]), lang="en"
    )
    assert flags_of(rated, "S2") == [
        "Teamwork rating: rater group direct reports missing, its weight re-spread over the others"
    ]


def test_group_below_its_minimum_not_counted_and_flagged() -> None:
    rated = rate(of("P1", [("S1", "superior", 4), ("P2", "peers", 1)]))
    assert value_of(rated, "P1") == pytest.approx(4)
    assert flags_of(rated, "P1") == ["团队协作评分 评价组 同级 仅 1 人(至少 2 人),未计入"]
    peers = rated.breakdown.set_index("rater_group").loc["peers"]
    assert (bool(peers["counted"]), peers["used_weight"]) == (False, 0.0)


def test_self_rating_ignored_where_the_position_has_no_self_group() -> None:
    rows = of("S1", [*FULL_S1, ("S1", "self", 1)])
    rated = rate(rows)
    assert value_of(rated, "S1") == pytest.approx(4.5)
    assert flags_of(rated, "S1") == ["团队协作评分 的自评未计入(方案无自评组)"]


def test_self_rating_counted_where_the_position_has_a_self_group() -> None:
    team = scheme("after_sales_team")
    supervisor = team.positions["supervisor"].model_copy(
        update={"raters": {"superior": 0.5, "self": 0.5}, "min_raters": {}}
    )
    team = team.model_copy(update={"positions": {**team.positions, "supervisor": supervisor}})
    rated = rate(of("S1", [("M1", "superior", 5), ("S1", "self", 3)]), team=team)
    assert value_of(rated, "S1") == pytest.approx(4)
    assert flags_of(rated, "S1") == []


def test_unknown_rater_group_refused() -> None:
    with pytest.raises(DataError) as caught:
        rate(of("S1", [*FULL_S1, ("C1", "customers", 3)]))
    (problem,) = messages(caught.value)
    assert "(employee S1): rater group 'customers' is not a group of position supervisor" in (
        problem
    )
    assert problem.endswith("(found 'customers'); allowed: superior, peers, subordinates")


def test_unknown_rater_group_names_the_row_as_inputs_do() -> None:
    with pytest.raises(DataError) as caught:
        rate(of("S1", [*FULL_S1, ("C1", "customers", 3)]))
    assert messages(caught.value)[0].startswith("row 7 (employee S1)")


def test_ratings_of_other_periods_ignored() -> None:
    team = scheme("after_sales_team")
    roster = check_roster(ROSTER)
    rows = pd.concat(
        [ratings(of("S1", FULL_S1)), ratings(of("S1", [("M1", "superior", 1)]), period="2026-Q2")]
    )
    checked = check_ratings(rows, scheme=team, roster=roster)
    rated = rate_360(checked, scheme=team, roster=roster, period=parse_period(PERIOD))
    assert value_of(rated, "S1") == pytest.approx(4.5)


# --- through score() ---------------------------------------------------------------------

ACTUALS = {
    "csat": 0.9,
    "complaint_rate": 0.05,
    "resolution_rate": 0.95,
    "first_response": 30,
    "handling_time": 24,
    "quality_score": 0.9,
    "workload": 360,
    "knowledge_sharing": 3,
    "training": 2,
    "communication": 0.8,
}


def team_actuals(*ids: str) -> pd.DataFrame:
    return pd.DataFrame([{"employee_id": e, "period": PERIOD, **ACTUALS} for e in ids])


def test_teamwork_scored_from_360_through_score() -> None:
    rows = [
        *of("S1", FULL_S1),
        *of("S2", [("M1", "superior", 4), ("S1", "peers", 4), ("S3", "peers", 5)]),
        *of("P1", [("S1", "superior", 4), ("P2", "peers", 5), ("P1", "self", 5)]),
    ]
    result = score(
        team_actuals("S1", "S2", "P1"),
        scheme=scheme("after_sales_team"),
        roster=ROSTER,
        period=PERIOD,
        ratings=ratings(rows),
    )
    scores = result.scores.set_index("employee_id")
    # every other KPI at its target: full marks; teamwork = value / 4.5 × 10
    assert scores.loc["S1", "teamwork"] == pytest.approx(10)
    assert scores.loc["S2", "teamwork"] == pytest.approx(3.125 / 0.75 / 4.5 * 10)
    assert scores.loc["P1", "teamwork"] == pytest.approx(4 / 4.5 * 10)
    assert scores.loc["S2", "total"] == pytest.approx(round(90 + 3.125 / 0.75 / 4.5 * 10, 2))
    assert "缺少评价组 直接下级" in scores.loc["S2", "flags"]
    assert "自评未计入" in scores.loc["P1", "flags"]
    assert "评价组 同级 仅 1 人" in scores.loc["P1", "flags"]
    assert scores.loc["S1", "flags"] == ""
    assert result.ratings is not None
    assert set(result.ratings["employee_id"]) == {"S1", "S2", "P1"}
    assert result.excluded["employee_id"].tolist() == ["M1"]  # yearly, not in a quarter


def test_score_asks_for_ratings_when_the_scheme_needs_them() -> None:
    with pytest.raises(DataError) as caught:
        score(team_actuals("S1"), scheme=scheme("after_sales_team"), roster=ROSTER, period=PERIOD)
    (problem,) = messages(caught.value)
    assert "KPIs teamwork are scored by people (source: ratings): give the ratings table" in problem


def test_score_refuses_ratings_for_a_scheme_without_360() -> None:
    tiny = scheme_from_dict(yaml.safe_load(TINY_SCHEME))  # every KPI measured, none rated
    actuals = pd.DataFrame(
        {"employee_id": ["E1"], "period": [PERIOD], "on_time": [1], "complaints": [0]}
    ).assign(attitude_score=[20])
    with pytest.raises(DataError) as caught:
        score(
            actuals,
            scheme=tiny,
            roster=make_roster(("E1", "clerk")),
            period=PERIOD,
            ratings=ratings(of("E1", [("M1", "superior", 3)])),
        )
    assert "has no KPI scored by people" in messages(caught.value)[0]


def test_the_same_rater_twice_is_refused() -> None:
    with pytest.raises(DataError, match="M1"):
        rate(of("S1", [*FULL_S1, ("M1", "superior", 1)]))


# --- who rates whom in the built-in schemes (seed §2–§5, issue 9 point 8) ---------------

SAMPLE_ROSTER = check_roster(make_sample().roster)


def assigned(name: str, period: str, roster: pd.DataFrame = SAMPLE_ROSTER) -> pd.DataFrame:
    table = assign_raters(roster, scheme=scheme(name), period=parse_period(period))
    return table[["employee_id", "kpi_id", "rater_id", "rater_group"]]


def raters_of(table: pd.DataFrame, employee: str) -> dict[str, list[str]]:
    """``{rater_group: [rater ids]}`` for one ratee (one rated KPI)."""
    mine = table.loc[table["employee_id"] == employee]
    return {g: list(ids) for g, ids in mine.groupby("rater_group", sort=True)["rater_id"]}


# The KPIs scored by a person (source: ratings) in each built-in scheme, and a period of
# the sample in which forms go out for them.
SCORED_BY_PEOPLE = {
    "after_sales_team": ("2026-Q3", {"teamwork"}),
    "manager_post": ("2026-Q3", {"skill_development", "internal_cooperation", "adhoc_tasks"}),
    "monthly_repair": ("2026-07", {"work_mistakes", "repair_quality"}),
    "department_head": ("2025", {"rules_regulations", "daily_affairs"}),
}


@pytest.mark.parametrize("name", list(SCORED_BY_PEOPLE))
def test_forms_go_out_for_exactly_the_kpis_scored_by_people(name: str) -> None:
    period, kpis = SCORED_BY_PEOPLE[name]
    assert {k.id for p in scheme(name).positions.values() for k in p.rated_kpis} == kpis
    # the sample's monthly_repair staff are its managers: nobody's repair quality to rate
    assert set(assigned(name, period)["kpi_id"]) == kpis - {"repair_quality"}


def test_manager_post_items_6_10_11_by_the_direct_superior_only() -> None:
    table = assigned("manager_post", "2026-Q3")
    assert table.values.tolist() == [
        [manager, kpi, "S001", "superior"]
        for manager in ("E002", "E003")
        for kpi in ("skill_development", "internal_cooperation", "adhoc_tasks")
    ]


def test_monthly_repair_manager_by_the_superior_and_himself_first() -> None:
    table = assigned("monthly_repair", "2026-07")
    assert table.values.tolist() == [
        [manager, "work_mistakes", rater, group]
        for manager in ("E002", "E003")
        for rater, group in (("S001", "superior"), (manager, "self"))
    ]
    assert scheme("monthly_repair").positions["manager"].counted_groups() == ("superior",)


def test_monthly_repair_staff_by_their_superior_only() -> None:
    roster = check_roster(
        make_roster(
            ("G1", "general_manager"),
            ("M1", "manager"),
            ("Q1", "service_specialist"),
            ("Q2", "service_specialist"),
            ("O1", "other_staff"),
            manager_id=["", "G1", "M1", "M1", "M1"],
        )
    )
    assert assigned("monthly_repair", "2026-07", roster).values.tolist() == [
        ["M1", "work_mistakes", "G1", "superior"],
        ["M1", "work_mistakes", "M1", "self"],
        ["Q1", "repair_quality", "M1", "superior"],
        ["Q2", "repair_quality", "M1", "superior"],
        ["O1", "work_mistakes", "M1", "superior"],
    ]


def test_department_head_judgements_by_the_superior() -> None:
    assert assigned("department_head", "2025").values.tolist() == [
        ["E001", "rules_regulations", "S001", "superior"],
        ["E001", "daily_affairs", "S001", "superior"],
    ]


def test_after_sales_team_groups_follow_the_reporting_lines() -> None:
    quarter = assigned("after_sales_team", "2026-Q3")
    # 第5条: a supervisor by the superior, the peers and the subordinates at once
    assert raters_of(quarter, "E004") == {
        "peers": ["E014", "E024", "E034", "E044", "E054"],
        "subordinates": [f"E{i:03d}" for i in range(5, 13)],  # E013 is on probation
        "superior": ["E002"],
    }
    # a specialist by the superior and the team (peers: same superior)
    assert raters_of(quarter, "E005") == {
        "peers": [f"E{i:03d}" for i in range(6, 13)],
        "superior": ["E004"],
    }
    # the manager (yearly) jointly by the sales director and the supervisors
    year = assigned("after_sales_team", "2025")
    assert raters_of(year, "E002") == {
        "subordinates": ["E004", "E014", "E024"],
        "superior": ["S001"],
    }


def test_a_ratings_table_serves_every_scheme_each_reading_its_own_rows() -> None:
    table = ratings_table(
        ("E004", "teamwork", "E002", "superior", 4.5),
        ("E002", "internal_cooperation", "S001", "superior", "很满意"),
        ("E001", "daily_affairs", "S001", "superior", 9),
        ("E004", "teamwrok", "E002", "superior", 4),  # a misspelling stays, to be refused
    )
    team = ratings_for(table, scheme=scheme("after_sales_team"))
    assert team[["kpi_id", "_row"]].values.tolist() == [["teamwork", 2], ["teamwrok", 5]]
    post = ratings_for(table, scheme=scheme("manager_post"))
    assert post[["kpi_id", "_row"]].values.tolist() == [["internal_cooperation", 3]]
    with pytest.raises(DataError) as caught:
        check_ratings(team, scheme=scheme("after_sales_team"), roster=SAMPLE_ROSTER)
    (problem,) = messages(caught.value)
    assert problem.startswith("row 5 (employee E004), column kpi_id: not a KPI scored by people")
