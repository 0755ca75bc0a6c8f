"""360 in the report and the scorecard: completeness of the ratings and rater leniency in
the analyst's department report; the breakdown merged for the person on their scorecard;
self against superior in both.

The sample department (``make_sample()``, written to a folder) is appraised for 2026-Q3
under after_sales_team; its roster has manager_id, so who should rate whom is known. The
expected figures are counted here from the sample's own tables, not from the report.
"""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.engine.inputs import check_roster
from kpi_toolkit.engine.raters import assign_raters, ratings_for
from kpi_toolkit.engine.scheme import Scheme, builtin_scheme
from kpi_toolkit.periods import parse_period
from kpi_toolkit.pipeline import Inputs, resolve_inputs
from kpi_toolkit.reports import scorecard as cs
from kpi_toolkit.reports import sections as rs
from kpi_toolkit.reports.context import ReportContext, load_context
from kpi_toolkit.sample import make_sample, write_sample

SCHEME, PERIOD = "after_sales_team", "2026-Q3"
SUPERVISOR, SUPERIOR, LONE_PEER = "E004", "E002", "E034"  # E034 gives E004 3.9


class _Tables(HTMLParser):
    """The text of each cell of each ``<table>``, by the table's classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[set[str], list[list[str]]]] = []
        self._rows: list[list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = []
            self.tables.append((set((dict(attrs).get("class") or "").split()), self._rows))
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows:
            self._rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._rows and self._rows[-1]:
            self._rows[-1][-1] += data


def tables(page: str, css: str) -> list[list[list[str]]]:
    """Every table of ``page`` with class ``css``: its rows of cell texts, header first."""
    parser = _Tables()
    parser.feed(page)
    return [rows for classes, rows in parser.tables if css in classes]


def one_table(page: str, css: str) -> list[dict[str, str]]:
    (rows,) = tables(page, css)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder)
    return folder


@pytest.fixture(scope="module")
def inputs(data_dir: Path) -> Inputs:
    return resolve_inputs(SCHEME, data_dir=data_dir)


@pytest.fixture(scope="module")
def ctx(inputs: Inputs) -> ReportContext:
    return load_context(scheme=SCHEME, period=PERIOD, inputs=inputs)


@pytest.fixture(scope="module")
def expected() -> dict:
    """Assigned and returned ratings of the quarter, counted from the sample's tables."""
    sample = make_sample()
    roster = check_roster(sample.roster)
    assigned = assign_raters(roster, scheme=builtin_scheme(SCHEME), period=parse_period(PERIOD))
    ratings = ratings_for(sample.ratings, scheme=builtin_scheme(SCHEME))  # the file has all
    ratings = ratings.loc[ratings["period"] == PERIOD]
    keys = ["employee_id", "kpi_id", "rater_id", "rater_group"]
    given = set(map(tuple, ratings[keys].to_numpy()))
    returned = [tuple(k) in given for k in assigned[keys].to_numpy()]
    silent = sorted(set(assigned["rater_id"]) - set(ratings["rater_id"]))
    return {
        "assigned": assigned.assign(returned=returned),
        "ratings": ratings,
        "silent": silent,
        "names": dict(zip(roster["employee_id"], roster["name"], strict=True)),
    }


def by_hand_leniency(ratings: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """Rater → (people compared, mean given − mean of the others), in plain Python."""
    rated: dict[str, dict[str, float]] = {}
    for row in ratings.itertuples():
        if row.rater_group != "self":
            rated.setdefault(row.employee_id, {})[row.rater_id] = float(row.value)
    pairs: dict[str, list[tuple[float, float]]] = {}
    for by_rater in rated.values():
        for rater, value in by_rater.items():
            others = [v for r, v in by_rater.items() if r != rater]
            if others:
                pairs.setdefault(rater, []).append((value, sum(others) / len(others)))
    return {
        rater: (len(p), sum(v for v, _ in p) / len(p) - sum(o for _, o in p) / len(p))
        for rater, p in pairs.items()
    }


def test_completeness_in_the_data_quality_section(ctx: ReportContext, expected: dict):
    page = rs.data_quality(ctx).data
    assigned = expected["assigned"]
    returned = int(assigned["returned"].sum())
    assert "360 度评价完成情况" in page
    assert one_table(page, "kpi-completeness") == [
        {
            "应评份数": str(len(assigned)),
            "已评份数": str(returned),
            "未评份数": str(len(assigned) - returned),
            "完成率": f"{returned / len(assigned):.0%}",
        }
    ]
    assert expected["silent"], "the sample has raters who returned nothing"
    silent = one_table(page, "kpi-silent-raters")
    assert [r["评价人工号"] for r in silent] == expected["silent"]
    assert [r["评价人"] for r in silent] == [expected["names"][e] for e in expected["silent"]]
    per_rater = assigned.groupby("rater_id").size()
    assert [int(r["应评份数"]) for r in silent] == [per_rater[e] for e in expected["silent"]]


def test_ratings_not_given_per_ratee_and_group(ctx: ReportContext, expected: dict):
    page = rs.data_quality(ctx).data
    groups = (
        expected["assigned"]
        .groupby(["employee_id", "rater_group"])["returned"]
        .agg(["sum", "size"])
    )
    short = groups.loc[groups["sum"] < groups["size"]]
    shown = one_table(page, "kpi-rating-gaps")
    assert len(shown) == len(short)
    names = {"superior": "直接上级", "peers": "同级", "subordinates": "直接下级", "self": "本人"}
    got = {
        (r["被评人工号"], r["评价关系"]): (int(r["已评份数"]), int(r["应评份数"])) for r in shown
    }
    want = {(e, names[g]): (int(s), int(n)) for (e, g), (s, n) in short.iterrows()}
    assert got == want
    assert {r["指标"] for r in shown} == {"团队协作评分"}  # KPIs and groups by name
    assert {r["被评人"] for r in shown} <= set(expected["names"].values())


def test_rater_leniency_table(ctx: ReportContext, expected: dict):
    page = rs.calibration(ctx).data
    assert "评价人校准" in page and "评分宽严度" in page
    rows = one_table(page, "kpi-leniency")
    by_hand = by_hand_leniency(expected["ratings"])
    assert {r["评价人工号"] for r in rows} == set(by_hand)
    for row in rows:
        people, difference = by_hand[row["评价人工号"]]
        assert int(row["可比被评人数"]) == people
        assert float(row["差值"]) == pytest.approx(difference, abs=0.006)
        assert row["评价人"] == expected["names"][row["评价人工号"]]
        assert row["指标"] == "团队协作评分"
    differences = [float(r["差值"]) for r in rows]
    assert differences == sorted(differences, reverse=True)  # most lenient first
    assert "自评与上级评分" not in page  # the scheme has no self appraisal


def test_a_team_report_counts_its_own_people(inputs: Inputs, ctx: ReportContext, expected: dict):
    team = "华东服务组"
    mine = load_context(scheme=SCHEME, period=PERIOD, inputs=inputs, team=team)
    members = set(ctx.roster.loc[ctx.roster["team"] == team, "employee_id"])
    assigned = expected["assigned"]
    assigned = assigned.loc[assigned["employee_id"].isin(members)]
    (facts,) = one_table(rs.data_quality(mine).data, "kpi-completeness")
    assert (int(facts["应评份数"]), int(facts["已评份数"])) == (
        len(assigned),
        int(assigned["returned"].sum()),
    )
    ratings = expected["ratings"]
    by_hand = by_hand_leniency(ratings.loc[ratings["employee_id"].isin(members)])
    shown = one_table(rs.calibration(mine).data, "kpi-leniency")
    assert {r["评价人工号"]: int(r["可比被评人数"]) for r in shown} == {
        rater: people for rater, (people, _) in by_hand.items()
    }


def test_english_labels(inputs: Inputs):
    en = load_context(scheme=SCHEME, period=PERIOD, inputs=inputs, lang="en")
    page = rs.data_quality(en).data + rs.calibration(en).data
    for text in (
        "Completeness of the 360 ratings",
        "Raters who returned nothing",
        "Rater leniency",
    ):
        assert text in page
    for text in ("360 度评价完成情况", "评分宽严度", "同级", "团队协作评分"):
        assert text not in page
    assert "peers" in page and "Teamwork rating" in page


def _with_ratings(inputs: Inputs, ratings: pd.DataFrame, scheme: Scheme | None = None) -> Inputs:
    return dataclasses.replace(inputs, ratings=ratings, scheme=scheme or inputs.scheme)


def _one_peer(inputs: Inputs) -> pd.DataFrame:
    """The ratings with every peer of the supervisor but one gone."""
    r = inputs.ratings
    assert r is not None
    gone = (
        (r["employee_id"] == SUPERVISOR)
        & (r["period"] == PERIOD)
        & (r["rater_group"] == "peers")
        & (r["rater_id"] != LONE_PEER)
    )
    return r.loc[~gone]


def test_the_scorecard_merges_a_lone_peer_into_others(inputs: Inputs):
    ctx = load_context(
        scheme=SCHEME, period=PERIOD, inputs=_with_ratings(inputs, _one_peer(inputs))
    )
    card = cs.result(ctx, SUPERVISOR).data
    rows = one_table(card, "kpi-360")
    groups = {r["评价组"]: r for r in rows}
    assert set(groups) == {"直接上级", "直接下级", "其他评价人"}
    assert groups["其他评价人"]["评价人数"] == "1"
    assert groups["其他评价人"]["平均评分"] == "—"  # the lone peer's 3.9 is not shown
    assert all(r["平均评分"] != "3.90" for r in rows)
    assert "其他评价人" in card and LONE_PEER not in card
    assert ctx.names()[LONE_PEER] not in card
    assert groups["直接上级"]["平均评分"] == "4.00"  # the superior is shown, alone
    # the analyst's card (department report) shows the group as rated
    analyst = {r["评价组"]: r for r in one_table(rs.scorecard(ctx, SUPERVISOR), "kpi-360")}
    assert analyst["同级"]["评价人数"] == "1" and analyst["同级"]["平均评分"] == "3.90"


@pytest.fixture(scope="module")
def with_self(inputs: Inputs) -> ReportContext:
    """Supervisors appraise themselves (self: shown); the supervisor rates 3.0."""
    scheme = inputs.scheme
    supervisor = scheme.positions["supervisor"]
    raters = {**supervisor.raters, "self": 0.0}
    positions = {**scheme.positions, "supervisor": supervisor.model_copy(update={"raters": raters})}
    shown = scheme.model_copy(update={"positions": positions})
    assert inputs.ratings is not None
    own = pd.DataFrame(
        [
            {
                "employee_id": SUPERVISOR,
                "period": PERIOD,
                "kpi_id": "teamwork",
                "rater_id": SUPERVISOR,
                "rater_group": "self",
                "value": "3.0",
            }
        ]
    )
    ratings = pd.concat([inputs.ratings, own], ignore_index=True)
    return load_context(scheme=shown, period=PERIOD, inputs=_with_ratings(inputs, ratings, shown))


def test_self_against_superior_on_the_scorecard(with_self: ReportContext):
    card = cs.result(with_self, SUPERVISOR).data
    assert "自评与上级评分" in card
    assert one_table(card, "kpi-self-superior") == [
        {
            "指标": "团队协作评分",
            "自评": "3.00",
            "直接上级评分": "4.00",
            "差距(自评 − 上级)": "-1.00",
        }
    ]
    groups = {r["评价组"]: r for r in one_table(card, "kpi-360")}
    assert groups["本人"]["平均评分"] == "3.00"  # the person's own, never merged


def test_self_against_superior_in_the_department_report(with_self: ReportContext):
    page = rs.calibration(with_self).data
    rows = one_table(page, "kpi-self-superior")
    assert rows == [
        {
            "工号": SUPERVISOR,
            "姓名": with_self.names()[SUPERVISOR],
            "指标": "团队协作评分",
            "自评": "3.00",
            "直接上级评分": "4.00",
            "差距(自评 − 上级)": "-1.00",
        }
    ]
    leniency = {r["评价人工号"] for r in one_table(page, "kpi-leniency")}
    assert SUPERVISOR in leniency  # as a rater of others; their self rating is left out
    # the assignments now include each supervisor's own rating: the others are not returned
    silent = one_table(rs.data_quality(with_self).data, "kpi-rating-gaps")
    own = [r for r in silent if r["评价关系"] == "本人"]
    supervisors = with_self.scores.loc[with_self.scores["position"] == "supervisor"]
    assert len(own) == len(supervisors) - 1 and SUPERVISOR not in {r["被评人工号"] for r in own}


@pytest.mark.notebook
def test_the_department_report_shows_them(data_dir: Path, ctx: ReportContext, tmp_path: Path):
    """One run of the report notebook: the sections come out in the page as rendered."""
    args = ["report", "--scheme", SCHEME, "--data-dir", str(data_dir), "--period", PERIOD]
    assert main([*args, "--out-dir", str(tmp_path), "--quiet"]) == 0
    page = (tmp_path / f"appraisal_report_{PERIOD}.html").read_text(encoding="utf-8")
    for heading in ("360 度评价完成情况", "未提交任何评分的评价人", "评价人校准", "评分宽严度"):
        assert heading in page, heading
    for css, section in (
        ("kpi-completeness", rs.data_quality),
        ("kpi-silent-raters", rs.data_quality),
        ("kpi-rating-gaps", rs.data_quality),
        ("kpi-leniency", rs.calibration),
    ):
        assert tables(page, css) == tables(section(ctx).data, css), css
    assert len(tables(page, "kpi-360")) == len(ctx.scores)  # every analyst's card
