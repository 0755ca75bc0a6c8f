"""The one YAML loader: line numbers, hostile files refused, every problem at once.

Every YAML kind (schemes, source mappings, metric sets, bundles, calendars, scenarios) is
read by :func:`kpi_toolkit.loader.read_yaml`; each refusal names the file, the key path and
its line.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from helpers import TINY_SCHEME, key_of, line_of
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from kpi_toolkit.engine.scheme import load_scheme
from kpi_toolkit.errors import InputError, Problem, SchemeError
from kpi_toolkit.explorer.scenario_files import load_scenario
from kpi_toolkit.loader import (
    Document,
    Limits,
    locate,
    parse_yaml,
    path_of,
    read_yaml,
    validate,
)
from kpi_toolkit.records.bundle import load_bundle
from kpi_toolkit.records.calendar import load_calendar
from kpi_toolkit.records.metrics import load_metrics
from kpi_toolkit.records.sources import load_source

BILLION_LAUGHS = "lol0: &l0 [lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def refused(text: str, **limits: int) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, file="f.yaml", limits=Limits(**limits))
    assert all(p.file == "f.yaml" for p in caught.value.problems)
    return list(caught.value.problems)


# --- lines ---------------------------------------------------------------------------------


def test_every_key_path_keeps_its_line() -> None:
    text = "name: x\nfields:\n  a: 1\n  b:\n    - {c: 2}\n    - d\n"
    document = parse_yaml(text, file="f.yaml")
    assert document.data == {"name": "x", "fields": {"a": 1, "b": [{"c": 2}, "d"]}}
    assert document.line(("fields", "b", 0, "c")) == 5
    assert document.line(("fields", "b", 1)) == 6
    assert document.line(("fields", "b", 1, "missing")) == 6  # the nearest parent
    assert document.line(("nowhere",)) is None


def test_locate_adds_the_line_once_and_only_for_its_own_file() -> None:
    document = parse_yaml("a:\n  b: 1\n", file="f.yaml")
    located = document.locate(Problem("a.b", "bad"))
    assert (located.where, located.file) == ("a.b (line 2)", "f.yaml")
    assert document.locate(located) == located
    other = Problem("a.b", "bad", file="g.yaml")
    assert document.locate(other) is other


def test_path_of_reads_a_key_path_back() -> None:
    assert path_of("positions.a.kpis[2].rule (line 9)") == ("positions", "a", "kpis", 2, "rule")


def test_locate_reads_the_file_again(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: m\nmetrics:\n  x:\n    kind: count\n", encoding="utf-8")
    data = tmp_path / "data.csv"
    problems = [
        Problem("metrics.x.kind", "refused", file=str(path)),
        Problem("row 3", "bad", file=str(data)),
    ]
    first, second = locate(problems)
    assert first.where == "metrics.x.kind (line 4)"
    assert second == problems[1]  # not a YAML file: as it was


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text("abz_09中文", min_size=1, max_size=6), inner, min_size=1, max_size=3
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.text("abz_09中文", min_size=1, max_size=6), plain, min_size=1, max_size=4)
)
def test_plain_yaml_reads_as_pyyaml_does_with_a_line_for_every_key(data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    document = parse_yaml(text)
    assert document.data == yaml.safe_load(text)
    lines = text.splitlines()

    def walk(node: Any, path: tuple) -> None:
        for key, value in node.items() if isinstance(node, dict) else ():
            line = document.lines[(*path, str(key))]
            assert yaml.safe_dump(key, allow_unicode=True).splitlines()[0] in lines[line - 1]
            walk(value, (*path, str(key)))

    walk(data, ())


# --- refusals ------------------------------------------------------------------------------


def test_billion_laughs_is_refused_without_expanding() -> None:
    tracemalloc.start()
    try:
        problems = refused(BILLION_LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (problem,) = problems
    assert problem.where == "lol5 (line 6)"  # 9**5 nodes: the first past 100000
    assert "aliases expand this past 100000 nodes" in problem.message
    assert peak < 5_000_000  # bytes: expanding lol9 would take 9**9 nodes


def test_too_many_aliases() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 11) + "]\n"
    (problem,) = refused(text, max_aliases=10)
    assert problem.where == "b[10] (line 2)"
    assert problem.message == "too many aliases" and problem.allowed == "at most 10"


def test_an_alias_inside_its_own_node() -> None:
    (problem,) = refused("a: &a\n  b: *a\n")
    assert problem.where == "a.b (line 2)" and "cycle" in problem.message


def test_nesting_deeper_than_the_limit() -> None:
    (problem,) = refused("a:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, 6)), max_depth=4)
    assert problem.where == "a[0][0][0] (line 5)"  # the 5th level: root, a, a[0], ...
    assert problem.message == "nested too deep" and problem.allowed == "at most 4 levels"


def test_aliases_cannot_nest_past_the_depth_limit() -> None:
    levels = "".join(f"l{i}: &l{i} [*l{i - 1}]\n" for i in range(1, 40))
    (problem,) = refused("l0: &l0 [x]\n" + levels, max_depth=32)
    # l30 is [*l29]: the top level, l30 and l29's 31 levels make 33 (30 lists and a scalar)
    assert problem.message == "nested too deep" and problem.where == "l30[0] (line 31)"


def test_a_merge_of_a_scalar_is_refused() -> None:
    (problem,) = refused("a: 1\nb:\n  <<: 5\n")
    assert problem.where == "b (line 3)" and problem.message.startswith("cannot merge: expected")


def test_very_deep_nesting_stops_at_the_limit_without_recursing() -> None:
    (problem,) = refused("[" * 100_000 + "]" * 100_000)
    assert problem.message == "nested too deep" and "line 1" in problem.where


def test_a_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_yaml(path, limits=Limits(max_bytes=100))
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.value == "204 bytes"
    assert problem.allowed == "at most 100 bytes"


def test_the_default_size_limit_refuses_a_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")
    with pytest.raises(InputError, match="file too large"):
        read_yaml(path)


def test_a_device_is_read_no_further_than_the_limit() -> None:
    with pytest.raises(InputError, match="file too large"):
        read_yaml("/dev/zero", limits=Limits(max_bytes=1000))


def test_a_directory_is_not_a_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read: .*Is a directory"):
        read_yaml(tmp_path)


def test_duplicate_keys_name_both_lines() -> None:
    (problem,) = refused("name: a\nfields:\n  x: 1\n  y: 2\n  x: 3\n")
    assert problem.where == "fields.x (line 5)"
    assert problem.message == "duplicate key (also on line 3)" and problem.value == "x"


def test_duplicate_keys_by_value_in_a_flow_mapping() -> None:
    (problem,) = refused("a: {yes: 1, true: 2}\n")
    assert problem.message == "duplicate key (also on line 1)" and problem.value is True


def test_merge_keys_are_not_duplicates_and_the_own_key_wins() -> None:
    document = parse_yaml("base: &b {k: 1, m: 2}\nc:\n  <<: *b\n  k: 3\n")
    assert document.data["c"] == {"k": 3, "m": 2}
    assert document.line(("c", "m")) == 1  # merged from the anchor's line


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("!!python/object/apply:os.system ['true']", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!custom x", "!custom"),
        ("!!binary aGk=", "!!binary"),
    ],
)
def test_foreign_tags_are_refused(text: str, tag: str) -> None:
    (problem,) = refused(f"name: ok\nrule: {text}\n")
    assert problem.where == "rule (line 2)" and problem.message == "tag not allowed"
    assert problem.value == tag and "!!str" in problem.allowed


def test_plain_tags_are_read() -> None:
    assert parse_yaml("a: !!str 1\nb: !!float 2\n").data == {"a": "1", "b": 2.0}


def test_a_value_that_cannot_be_read() -> None:
    (problem,) = refused("holidays: [2026-10-01, 2026-13-45]\n")
    assert problem.where == "holidays[1] (line 1)" and problem.value == "2026-13-45"
    assert "month must be in 1..12" in problem.message and "quote it" in problem.allowed


def test_syntax_error_keeps_line_and_column() -> None:
    (problem,) = refused("name: x\nfields: [a\n")
    assert problem.where == "line 3, column 1"
    assert problem.message.startswith("YAML syntax error: while parsing a flow sequence")


def test_every_problem_is_reported_at_once() -> None:
    text = "a: 1\nb: !!python/object:os.system x\na: 2\nc: !mine y\nd: 2026-02-30\nc: 3\n"
    problems = refused(text)
    assert [p.where for p in problems] == [
        "a (line 3)",
        "c (line 6)",
        "b (line 2)",
        "c (line 4)",
        "d (line 5)",
    ]


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read: file not found"):
        read_yaml(tmp_path / "absent.yaml")
    path = tmp_path / "gbk.yaml"
    path.write_bytes("名称: 售后\n".encode("gbk"))
    with pytest.raises(InputError, match="cannot read: 'utf-8' codec"):
        read_yaml(path)


# --- one validation for every model ----------------------------------------------------------


class Inner(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    weight: float
    kind: Literal["ratio", "count"] = "count"


class Outer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    items: dict[str, Inner]


def test_validation_problems_carry_key_path_line_and_hints() -> None:
    text = "name: x\nitems:\n  a: {weight: 1, kind: ration}\n  b: {wieght: 2}\n"
    with pytest.raises(InputError) as caught:
        validate(parse_yaml(text, file="f.yaml"), model=Outer)
    problems = {key_of(p): p for p in caught.value.problems}
    kind = problems["items.a.kind"]
    assert kind.where == "items.a.kind (line 3)" and kind.value == "ration"
    assert kind.message == "not an allowed value; did you mean 'ratio'?"
    assert kind.allowed == "ratio, count"
    typo = problems["items.b.wieght"]
    assert typo.message == "unknown key; did you mean 'weight'?" and typo.allowed == "weight, kind"
    missing = problems["items.b.weight"]
    assert missing.message == "required key is missing" and missing.allowed == "a number"
    assert missing.where == "items.b.weight (line 4)"  # the line of its mapping
    assert caught.value.title == "f.yaml: 3 problem(s)"


def test_checks_run_on_the_model_and_are_located() -> None:
    def checks(outer: Outer) -> list[Problem]:
        return [Problem(f"items.{k}.weight", "too heavy", i.weight) for k, i in outer.items.items()]

    with pytest.raises(InputError) as caught:
        validate(parse_yaml("name: x\nitems:\n  a:\n    weight: 9\n"), model=Outer, checks=checks)
    assert str(caught.value.problems[0]) == "items.a.weight (line 4): too heavy (found 9.0)"


def test_a_document_made_in_python_validates() -> None:
    assert validate(Document({"name": "x", "items": {}}), model=Outer).name == "x"


HOSTILE = "name: x\nname: y\nhook: !!python/object/apply:os.system ['true']\n"


def _scheme(path: Path) -> object:
    return load_scheme(path)


def _scenario(path: Path) -> object:
    return load_scenario(path)


@pytest.mark.parametrize(
    "load",
    [_scheme, _scenario, load_source, load_metrics, load_bundle, load_calendar],
    ids=["scheme", "scenario", "source", "metrics", "bundle", "calendar"],
)
def test_every_yaml_kind_goes_through_the_loader(
    tmp_path: Path, load: Callable[[Path], object]
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(path)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["name (line 2)", "hook (line 3)"]
    assert all(p.file == str(path) for p in caught.value.problems)


def test_a_scheme_refusal_is_a_scheme_error(tmp_path: Path) -> None:
    path = tmp_path / "scheme.yaml"
    path.write_text(TINY_SCHEME + "id: again\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    (problem,) = caught.value.problems
    text = path.read_text(encoding="utf-8")
    assert problem.message == f"duplicate key (also on line {line_of(text, 'id:')})"
