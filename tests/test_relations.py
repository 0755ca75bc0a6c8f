"""Reporting lines (seed section 4, 第5条): manager_id checked, relationships, who rates whom,
ratings checked against the organisation, completeness, ``self: shown``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import PERIOD, make_roster, messages, scheme
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit import score
from kpi_toolkit.cli import main
from kpi_toolkit.engine.inputs import check_ratings, check_roster
from kpi_toolkit.engine.raters import assign_raters, check_assigned, rate_360
from kpi_toolkit.engine.relations import in_cycle, relationships
from kpi_toolkit.engine.scheme import scheme_from_dict
from kpi_toolkit.errors import DataError, SchemeError
from kpi_toolkit.periods import parse_period

Q3 = parse_period(PERIOD)

# A director over a manager over two supervisors, each over two specialists; one more
# specialist on probation, one who left before the quarter.
ORG = make_roster(
    ("D1", "sales_director"),
    ("M1", "manager"),
    ("S1", "supervisor"),
    ("S2", "supervisor"),
    ("P1", "specialist"),
    ("P2", "specialist"),
    ("P3", "specialist"),
    ("P4", "specialist"),
    ("P5", "specialist"),
    ("P6", "specialist"),
    manager_id=["", "D1", "M1", "M1", "S1", "S1", "S2", "S2", "S1", "S2"],
    status=["regular"] * 8 + ["probation", "regular"],
    left=[""] * 9 + ["2026-05-31"],
)


def related(roster: pd.DataFrame, ratee: str, *, team: str = "after_sales_team") -> dict:
    rows = relationships(check_roster(roster), scheme=scheme(team), ratees=pd.Series([ratee]))
    return rows.groupby("rater_group")["rater_id"].agg(sorted).to_dict()


def teamwork(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(e, PERIOD, "teamwork", r, g, v) for e, r, g, v in rows],
        columns=["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"],
    )


# --- manager_id is checked --------------------------------------------------------------


@pytest.mark.parametrize(
    ("managers", "row", "message"),
    [
        (["", "D1", "M1", "Z9"], "row 5 (employee S2)", "not in the roster"),
        (["", "D1", "S1", "M1"], "row 4 (employee S1)", "their own direct superior"),
        (["S2", "D1", "M1", "D1"], "row 2 (employee D1)", "loop"),
    ],
)
def test_bad_reporting_lines_name_the_row(managers: list[str], row: str, message: str) -> None:
    roster = make_roster(
        ("D1", "sales_director"),
        ("M1", "manager"),
        ("S1", "supervisor"),
        ("S2", "supervisor"),
        manager_id=managers,
    )
    with pytest.raises(DataError) as error:
        check_roster(roster)
    assert any(row in m and message in m for m in messages(error.value)), messages(error.value)


def test_a_loop_names_everyone_on_it_and_nobody_off_it() -> None:
    ids = pd.Series(["A", "B", "C", "D", "E"])
    assert in_cycle(ids, pd.Series(["B", "C", "A", "A", ""])).tolist() == [
        True,
        True,
        True,
        False,
        False,
    ]


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Reporting lines without loops: each person's superior comes before them."""
    n = draw(st.integers(1, 30))
    ids = [f"E{i:02d}" for i in range(n)]
    managers = [""] + [
        draw(st.sampled_from(["", *ids[:i]])) for i in range(1, n)
    ]  # superior listed earlier
    order = draw(st.permutations(range(n)))
    return [ids[i] for i in order], [managers[i] for i in order]


@given(forests(), st.data())
@settings(max_examples=60, deadline=None)
def test_loops_are_found_exactly(forest: tuple[list[str], list[str]], data: st.DataObject) -> None:
    ids, managers = forest
    assert not in_cycle(pd.Series(ids), pd.Series(managers)).any()
    # point one person's superior at someone below them (or themselves): a loop appears
    below = {i: [] for i in ids}
    for person, manager in zip(ids, managers, strict=True):
        node = manager
        while node:
            below[node].append(person)
            node = managers[ids.index(node)]
    top = data.draw(st.sampled_from(ids))
    target = data.draw(st.sampled_from([top, *below[top]]))
    broken = [target if p == top else m for p, m in zip(ids, managers, strict=True)]
    looped = set(pd.Series(ids)[in_cycle(pd.Series(ids), pd.Series(broken))])
    chain, node = {top}, target
    while node != top:
        chain.add(node)
        node = broken[ids.index(node)]
    assert looped == chain


# --- relationships --------------------------------------------------------------------


def test_a_supervisor_is_rated_by_superior_peers_and_subordinates() -> None:
    assert related(ORG, "S1") == {
        "superior": ["M1"],
        "subordinates": ["P1", "P2"],  # P5 is on probation: does not rate
        "peers": ["S2"],
        "self": ["S1"],
    }


def test_specialists_peers_are_their_team_when_the_position_says_same_superior() -> None:
    # after_sales_team: specialist peers: same_superior. P6 left before the quarter but
    # relationships without a period take everyone employed at any time.
    assert related(ORG, "P3")["peers"] == ["P4", "P6"]
    q3 = relationships(
        check_roster(ORG), scheme=scheme("after_sales_team"), ratees=pd.Series(["P3"]), period=Q3
    )
    assert sorted(q3.loc[q3["rater_group"] == "peers", "rater_id"]) == ["P4"]


def test_the_manager_is_rated_by_the_director_outside_the_department() -> None:
    rows = related(ORG, "M1")
    assert rows["superior"] == ["D1"]
    assert rows["subordinates"] == ["S1", "S2"]


def test_assignments_follow_the_position_rater_groups() -> None:
    assigned = assign_raters(check_roster(ORG), scheme=scheme("after_sales_team"), period=Q3)
    assert list(assigned.columns) == [
        "employee_id",
        "name",
        "kpi_id",
        "rater_id",
        "rater_name",
        "rater_group",
    ]
    s1 = assigned.loc[assigned["employee_id"] == "S1"]
    assert set(zip(s1["rater_id"], s1["rater_group"], strict=True)) == {
        ("M1", "superior"),
        ("S2", "peers"),
        ("P1", "subordinates"),
        ("P2", "subordinates"),
    }
    # the yearly manager is not appraised in a quarter; the probation specialist never
    assert not assigned["employee_id"].isin(["M1", "P5", "D1"]).any()
    assert set(assigned["kpi_id"]) == {"teamwork"}
    assert (assigned["rater_name"] == assigned["rater_id"].map(lambda i: f"员工{i}")).all()


# --- ratings against the organisation ----------------------------------------------------


def test_a_manager_claimed_as_a_supervisors_subordinate_is_refused() -> None:
    roster = check_roster(ORG)
    team = scheme("after_sales_team")
    rows = teamwork([("S1", "M1", "subordinates", 4.0), ("S1", "P1", "subordinates", 4.0)])
    checked = check_ratings(rows, scheme=team, roster=roster)
    with pytest.raises(DataError) as error:
        check_assigned(checked, scheme=team, roster=roster, period=Q3)
    [problem] = messages(error.value)
    assert "row 2" in problem and "ratee S1" in problem and "rater M1" in problem
    assert "claimed as subordinates (直接下级)" in problem
    assert "the ratee's superior (直接上级)" in problem


def test_a_stranger_and_a_wrong_kpi_group_are_refused_through_score() -> None:
    rows = teamwork(
        [
            ("S1", "M1", "superior", 4.0),
            ("S1", "P3", "peers", 4.0),  # P3 is a specialist, not S1's peer
        ]
    )
    actuals = pd.DataFrame({"employee_id": ["S1"], "period": [PERIOD]})
    with pytest.raises(DataError) as error:
        score(actuals, scheme=scheme("after_sales_team"), roster=ORG, period=PERIOD, ratings=rows)
    text = "\n".join(messages(error.value))
    assert "rater P3" in text and "no reporting relation" in text
    assert "row 2" not in text  # the superior's row is right


def test_without_manager_id_ratings_are_taken_as_given() -> None:
    roster = check_roster(ORG.drop(columns="manager_id"))
    team = scheme("after_sales_team")
    checked = check_ratings(
        teamwork([("S1", "M1", "subordinates", 4.0)]), scheme=team, roster=roster
    )
    check_assigned(checked, scheme=team, roster=roster, period=Q3)  # no error


def test_missing_ratings_are_completeness_not_zero() -> None:
    roster = check_roster(ORG)
    team = scheme("after_sales_team")
    rows = teamwork([("S1", "M1", "superior", 5.0), ("S1", "P1", "subordinates", 3.0)])
    rated = rate_360(
        check_ratings(rows, scheme=team, roster=roster), scheme=team, roster=roster, period=Q3
    )
    assert rated.completeness is not None
    s1 = rated.completeness.loc[rated.completeness["employee_id"] == "S1"]
    missing = s1.loc[~s1["rated"], ["rater_id", "rater_group"]]
    assert set(map(tuple, missing.to_numpy())) == {("S2", "peers"), ("P2", "subordinates")}
    # one subordinate of the two required: the group is flagged, the superior carries it all
    assert rated.values.set_index("employee_id").loc["S1", "value"] == 5.0
    flags = " ".join(rated.flags.loc[rated.flags["employee_id"] == "S1", "flag"])
    assert "直接下级" in flags and "同级" in flags


# --- self: shown ----------------------------------------------------------------------

SELF_SCHEME = {
    "id": "self_first",
    "name": "自评在先",
    "positions": {
        "manager": {
            "name": "经理",
            "period": "month",
            "categories": {"cpi": {"name": "主观评价", "points": 100}},
            "raters": {"superior": 1.0, "self": "shown"},
            "kpis": [
                {
                    "id": "judgement",
                    "name": "上级评价",
                    "category": "cpi",
                    "weight": 100,
                    "kind": "rating",
                    "source": "ratings",
                    "rule": {"kind": "manual"},
                }
            ],
        }
    },
}


def test_self_shown_is_beside_the_superior_and_not_counted() -> None:
    team = scheme_from_dict(SELF_SCHEME)
    assert team.positions["manager"].raters == {"superior": 1.0, "self": 0.0}
    roster = make_roster(("G1", "general_manager"), ("M1", "manager"), manager_id=["", "G1"])
    rows = pd.DataFrame(
        [
            ("M1", "2026-07", "judgement", r, g, v)
            for r, g, v in [("M1", "self", 95), ("G1", "superior", 80)]
        ],
        columns=["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"],
    )
    actuals = pd.DataFrame({"employee_id": ["M1"], "period": ["2026-07"]})
    result = score(actuals, scheme=team, roster=roster, period="2026-07", ratings=rows)
    assert float(result.scores["total"].iloc[0]) == 80.0
    assert result.ratings is not None
    shown = result.ratings.set_index("rater_group")
    assert bool(shown.loc["self", "counted"]) is False and shown.loc["self", "mean"] == 95
    assert result.scores["flags"].iloc[0] == ""
    assert result.completeness is not None and result.completeness["rated"].all()


@pytest.mark.parametrize("weights", [{"superior": 1.0, "peers": 0}, {"superior": 0.5, "self": 0.4}])
def test_only_self_may_weigh_nothing(weights: dict) -> None:
    raw = {**SELF_SCHEME}
    raw["positions"] = {"manager": {**SELF_SCHEME["positions"]["manager"], "raters": weights}}
    with pytest.raises(SchemeError):
        scheme_from_dict(raw)


# --- kpi raters -------------------------------------------------------------------------


def test_kpi_raters_writes_who_rates_whom(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    ORG.to_csv(tmp_path / "roster.csv", index=False)
    out = tmp_path / "raters.csv"
    code = main(
        [
            "raters",
            "--scheme",
            "after_sales_team",
            "--roster",
            str(tmp_path / "roster.csv"),
            "--period",
            PERIOD,
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert {"employee_id", "name", "kpi_id", "rater_id", "rater_name", "rater_group"} <= set(
        table.columns
    )
    assert set(table["rater_group_name"]) == {"直接上级", "同级", "直接下级"}
    assert "直接上级" in printed


def test_kpi_raters_needs_reporting_lines(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    ORG.drop(columns="manager_id").to_csv(tmp_path / "roster.csv", index=False)
    code = main(
        [
            "raters",
            "--scheme",
            "after_sales_team",
            "--roster",
            str(tmp_path / "roster.csv"),
            "--period",
            PERIOD,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "manager_id" in err and "Traceback" not in err
