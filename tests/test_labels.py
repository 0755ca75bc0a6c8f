"""The one label table: both languages everywhere, and a name for every internal id."""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_toolkit.engine.scheme import builtin_scheme
from kpi_toolkit.explorer.view import save_problems
from kpi_toolkit.files import builtin_names
from kpi_toolkit.labels import (
    LABELS,
    label,
    ledger_table,
    name_of,
    position_name,
    position_names,
)
from kpi_toolkit.records.ledger import REASON_CODES, REASONS, reason_label
from kpi_toolkit.records.tables import TABLES

SCHEMES = {name: builtin_scheme(name) for name in builtin_names("schemes")}
TEAM = SCHEMES["after_sales_team"]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_has_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = LABELS[key]
    assert set(texts) == {"zh", "en"} and all(t.strip() for t in texts.values())
    assert _fields(texts["zh"]) == _fields(texts["en"])


def test_an_unknown_key_says_where_to_add_it() -> None:
    with pytest.raises(KeyError, match=r"add it to kpi_toolkit\.labels\.LABELS"):
        label("no.such.key")


def test_every_rater_group_reason_and_table_has_a_name() -> None:
    groups = {g for s in SCHEMES.values() for p in s.positions.values() for g in p.raters}
    groups |= {"superior", "peers", "subordinates", "self"}
    for kind, codes in (("rater_group", groups), ("reason", REASON_CODES), ("table", TABLES)):
        for code in codes:
            assert name_of(kind, code) != code and name_of(kind, code, "en"), (kind, code)  # type: ignore[arg-type]


def test_rater_groups_in_words() -> None:
    shown = [name_of("rater_group", g) for g in ("superior", "peers", "subordinates", "self")]
    assert shown == ["直接上级", "同级", "直接下级", "本人"]


def test_reasons_live_in_the_label_table() -> None:
    assert REASONS["duplicate_id"] == LABELS["reason.duplicate_id"]
    assert reason_label("outside_period") == "不在考核期内"
    assert reason_label("outside_period", lang="en") == "outside the period"


@given(st.text(max_size=12))
def test_an_unknown_code_is_shown_as_typed(code: str) -> None:
    if f"reason.{code}" not in LABELS:
        assert name_of("reason", code) == code


@pytest.mark.parametrize(
    ("position", "title", "shown"),
    [
        ("supervisor", "组长", "售后服务主管"),  # the scheme's own name wins
        ("department_head", "部长(代)", "部长(代)"),  # the roster's title, as typed
        ("department_head", None, "售后服务部部长"),  # a built-in scheme's name
        ("department_head", float("nan"), "售后服务部部长"),
        ("driver", None, "driver"),  # the user's own text
        ("", None, "(未填岗位)"),
    ],
)
def test_position_names(position: str, title: object, shown: str) -> None:
    assert position_name(position, scheme=TEAM, title=title) == shown


def test_position_names_of_a_column_in_english() -> None:
    names = position_names(["manager", "department_head"], scheme=TEAM, lang="en")
    assert "manager" not in names and "department_head" not in names


@pytest.mark.parametrize(
    "pid", sorted({pid for s in SCHEMES.values() for pid in s.positions}), ids=str
)
def test_no_builtin_position_is_shown_as_its_id(pid: str) -> None:
    assert position_name(pid) != pid and position_name(pid, scheme=TEAM) != pid


def test_ledger_table_shows_tables_and_file_names_not_mapping_ids() -> None:
    ledger = pd.DataFrame(
        {
            "source": ["sample_tickets", "sample_tickets"],
            "table": ["tickets", "tickets"],
            "file": ["/data/2026/tickets.csv"] * 2,
            "reason": ["used", "duplicate_id"],
            "label": ["已使用", "编号重复"],
            "rows": [10, 2],
        }
    )
    shown = ledger_table(ledger)
    assert list(shown.columns) == ["数据源", "文件", "使用情况", "行数"]
    assert shown.values.tolist() == [
        ["工单", "tickets.csv", "已使用", 10],
        ["工单", "tickets.csv", "编号重复", 2],
    ]
    assert list(ledger_table(ledger, lang="en").iloc[0, :1]) == ["Tickets"]


def test_two_mappings_of_one_file_are_told_apart_by_their_labels(tmp_path) -> None:
    """The sample reads surveys.csv twice (quality score, communication): two names."""
    from kpi_toolkit.engine.inputs import check_roster
    from kpi_toolkit.records.bundle import actuals_from_bundle
    from kpi_toolkit.sample import make_sample, write_sample

    write_sample(tmp_path, records=True)
    roster = check_roster(make_sample().roster)
    result = actuals_from_bundle(
        "sample_department", grain="quarter", roster=roster, data_dir=tmp_path / "records"
    )
    shown = ledger_table(result.ledger(lang="zh"))
    surveys = shown.loc[shown["文件"] == "surveys.csv", "数据源"]
    assert set(surveys) == {"回访调查(服务质量评分)", "回访调查(沟通评价)"}
    english = ledger_table(result.ledger(lang="en"), lang="en")
    assert "survey (communication)" in set(english.iloc[:, 0])


# --- the explorer's reasons not to save, in words ------------------------------------------

WEIGHTS = {k.id: k.weight for k in TEAM.positions["specialist"].kpis}


def test_weights_that_can_be_saved(tmp_path: Path) -> None:
    assert (
        save_problems("响应速度25", {"specialist": WEIGHTS}, scheme=TEAM, directory=tmp_path) == []
    )


@pytest.mark.parametrize(
    ("name", "moves", "expected"),
    [
        ("a/b", {}, "情景名称“a/b”不能用作文件名"),
        ("taken", {}, "已有名为“taken”的情景"),
        ("zero", {"training": 0.0}, "售后服务专员的指标“"),
        ("over", {"csat": 99.0}, "权重合计"),
    ],
)
def test_reasons_not_to_save_are_chinese_sentences(
    tmp_path: Path, name: str, moves: dict[str, float], expected: str
) -> None:
    (tmp_path / "taken.yaml").write_text("id: x\n", encoding="utf-8")
    weights = {"specialist": {**WEIGHTS, **moves}}
    problems = save_problems(name, weights, scheme=TEAM, directory=tmp_path)
    assert problems and expected in problems[0]
    assert not any(word in " ".join(problems) for word in ("greater", "Input", "specialist"))
