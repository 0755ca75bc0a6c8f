"""The reference of every YAML kind (docs/reference, ``kpi schema``) says what the models
accept: every key has a meaning, the committed copies are the generated ones, every built-in
file validates against its schema, and the schemas refuse what the models refuse."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kpi_toolkit.cli import main
from kpi_toolkit.engine.rules import RULES
from kpi_toolkit.engine.scheme import builtin_scheme, scheme_from_dict
from kpi_toolkit.errors import InputError
from kpi_toolkit.explorer import save_scenario
from kpi_toolkit.loader import read_yaml
from kpi_toolkit.reference import KINDS, MEANINGS, json_schema, reference_files, schema_text
from kpi_toolkit.reference.schema import SHORTHANDS, model_names

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = [(k.name, p) for k in KINDS.values() for p in sorted((ROOT / k.folder).glob("*.yaml"))]


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(
        (ROOT / "docs" / "reference" / "schema" / f"{kind}.json").read_text("utf-8")
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _as_json(data: Any) -> Any:
    """YAML data as an editor's language server sees it (dates and times as text)."""
    return json.loads(json.dumps(data, default=str))


def _errors(kind: str, data: Any) -> list[str]:
    found = _validator(kind).iter_errors(_as_json(data))
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in found]


# --- one table of meanings, every key -----------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_key_of_every_model_has_a_meaning(kind: str) -> None:
    missing = [
        f"{model}.{key}"
        for model, keys in model_names(kind).items()
        for key in sorted(keys - set(MEANINGS.get(model, {})))
    ]
    assert missing == [], "add them to kpi_toolkit/reference/meanings.py"


def test_the_table_names_no_key_that_no_model_has() -> None:
    known: dict[str, set[str]] = {}
    for kind in KINDS:
        for model, keys in model_names(kind).items():
            known.setdefault(model, set()).update(keys)
    stray = [
        f"{model}.{key}"
        for model, meanings in MEANINGS.items()
        for key in meanings
        if key not in known.get(model, set())
    ]
    assert stray == []


def test_every_rule_kind_is_in_the_scheme_schema_with_its_own_keys() -> None:
    defs = json_schema("scheme")["$defs"]
    for kind, rule in RULES.items():
        keys = set(defs[rule.__name__]["properties"])
        assert keys == set(rule.model_fields) and keys <= set(MEANINGS[rule.__name__]), kind
        assert defs[rule.__name__]["properties"]["kind"]["const"] == kind


def test_every_key_has_a_description_and_an_example() -> None:
    for kind in KINDS:
        schema = json_schema(kind)
        for name, node in [("", schema), *schema["$defs"].items()]:
            forms = [m for m in node.get("anyOf", []) if "properties" in m] or [node]
            for key, value in forms[0].get("properties", {}).items():
                assert value.get("description"), f"{kind}: {name}.{key}"
                assert value.get("examples"), f"{kind}: {name}.{key}"


def test_the_loaders_own_keys_are_left_out() -> None:
    assert "path" not in json_schema("scheme")["properties"]
    assert "file" not in json_schema("calendar")["properties"]
    assert "file" in json_schema("source")["properties"]  # a source's data file is the user's
    assert "id" not in json_schema("scheme")["$defs"]["Position"]["properties"]


# --- the committed copies are the generated ones ----------------------------------------


def test_the_committed_reference_is_generated_from_the_models() -> None:
    stale = [
        path
        for path, text in reference_files().items()
        if not (ROOT / path).is_file() or (ROOT / path).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"{', '.join(stale)} differ from the models: run `make reference`"


def test_the_pages_cover_every_kind_and_say_how_an_editor_finds_the_schema() -> None:
    index = (ROOT / "docs" / "reference" / "README.md").read_text(encoding="utf-8")
    for kind in KINDS.values():
        page = (ROOT / "docs" / "reference" / f"{kind.name}.md").read_text(encoding="utf-8")
        line = f"# yaml-language-server: $schema=../../docs/reference/schema/{kind.name}.json"
        assert line in page and f"({kind.name}.md)" in index
        target = line.split("=", 1)[1]
        assert (ROOT / kind.folder / target).resolve().is_file()  # from the kind's folder


def test_a_page_has_a_row_per_key_with_type_default_meaning_example() -> None:
    page = (ROOT / "docs" / "reference" / "scheme.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if line.startswith("| `per_unit` |"))
    assert row.split(" | ")[1:4] == ["number > 0", "", "yes"]
    assert "per unit beyond the allowance" in row
    assert '| `peers` | one of `same_position`, `same_superior` | `"same_position"` |' in page


# --- kpi schema ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_kpi_schema_prints_the_generated_schema(kind: str, capsys) -> None:
    assert main(["schema", kind]) == 0
    out = capsys.readouterr().out
    assert out == schema_text(kind)
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_kpi_schema_refuses_an_unknown_kind(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["schema", "schemes"])
    assert stop.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_kpi_schema_writes_utf8_and_loads_no_database() -> None:
    code = (
        "import sys; from kpi_toolkit.cli import main; code = main(['schema', 'metrics']); "
        "sys.stderr.write(str(code) + ' ' + str('duckdb' in sys.modules))"
    )
    env = {"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)
    assert done.stderr.decode() == "0 False"
    assert json.loads(done.stdout.decode("utf-8")) == json_schema("metrics")


# --- the schemas accept what the models accept, refuse what they refuse ----------------


@pytest.mark.parametrize(("kind", "path"), BUILTIN, ids=[f"{k}:{p.name}" for k, p in BUILTIN])
def test_every_builtin_file_validates_against_its_schema(kind: str, path: Path) -> None:
    assert _errors(kind, read_yaml(path).data) == []


def test_a_saved_scenario_validates_against_the_scenario_schema(tmp_path: Path) -> None:
    baseline = builtin_scheme("manager_post")
    position = next(iter(baseline.positions))
    kpis = baseline.positions[position].kpis
    weights = {position: {kpis[0].id: kpis[0].weight + 5, kpis[1].id: kpis[1].weight - 5}}
    saved = save_scenario(baseline, weights, name="more_reports", directory=tmp_path)
    assert _errors("scenario", read_yaml(saved).data) == []


def _models_accept(name: str, value: Any) -> bool:
    from kpi_toolkit.engine import scheme
    from kpi_toolkit.records import sources

    model = getattr(scheme, name, None) or getattr(sources, name)
    model.model_validate(value)
    return True


@pytest.mark.parametrize("name", list(SHORTHANDS))
def test_each_shorthand_of_a_schema_is_one_the_model_accepts(name: str) -> None:
    for example in SHORTHANDS[name]["examples"]:
        assert _models_accept(name, example)


def _scheme() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(ROOT / "params" / "schemes" / "manager_post.yaml").data)


def _unknown_key(data: dict) -> None:
    data["positions"]["manager"]["kpis"][0]["wieght"] = 10


def _unknown_rule(data: dict) -> None:
    data["positions"]["manager"]["kpis"][0]["rule"] = {"kind": "curve", "better": "higher"}


def _rule_key_of_another_kind(data: dict) -> None:
    data["positions"]["manager"]["kpis"][0]["rule"] = {"kind": "linear", "per_unit": 1}


def _no_positions(data: dict) -> None:
    del data["positions"]


def _bad_period(data: dict) -> None:
    data["positions"]["manager"]["period"] = "week"


def _negative_weight(data: dict) -> None:
    data["positions"]["manager"]["kpis"][0]["weight"] = -1


@pytest.mark.parametrize(
    "change",
    [
        _unknown_key,
        _unknown_rule,
        _rule_key_of_another_kind,
        _no_positions,
        _bad_period,
        _negative_weight,
    ],
)
def test_the_scheme_schema_refuses_what_the_model_refuses(change) -> None:
    data = _scheme()
    change(data)
    assert _errors("scheme", data)
    with pytest.raises(InputError):
        scheme_from_dict(data)


def test_a_number_may_be_a_parameter_in_a_scheme_only() -> None:
    data = _scheme()
    data["parameters"] = {"share": {"value": 0.5}}
    data["positions"]["manager"]["raters"] = {"superior": {"param": "share"}, "self": "shown"}
    assert _errors("scheme", data) == []
    data["positions"]["manager"]["raters"]["self"] = "hidden"
    assert _errors("scheme", data)


def test_a_source_mapping_refuses_an_unknown_key_and_a_bad_field_type() -> None:
    source = read_yaml(ROOT / "params" / "sources" / "sample_tickets.yaml").data
    assert _errors("source", {**source, "filter": []})
    fields = {**source["fields"], "created_at": {"column": "x", "type": "datetime"}}
    assert _errors("source", {**source, "fields": fields})


def test_a_metric_kind_is_one_of_the_registry() -> None:
    metrics = {"name": "m", "metrics": {"x": {"kind": "ratio", "numerator": "true"}}}
    assert _errors("metrics", metrics) == []
    metrics["metrics"]["x"]["kind"] = "rate"
    assert _errors("metrics", metrics)


def test_a_calendar_reads_hours_as_hh_mm() -> None:
    calendar = yaml.safe_load("hours: [{start: '08:30', end: '12:00'}]\nholidays: [2026-12-31]")
    assert _errors("calendar", calendar) == []
    assert _errors("calendar", {"hours": [{"start": "8.30", "end": "12:00"}]})


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_example_is_valid_for_its_key(kind: str) -> None:
    schema = json_schema(kind)
    wrong = []
    for name, node in [("", schema), *schema["$defs"].items()]:
        forms = [m for m in node.get("anyOf", []) if "properties" in m] or [node]
        for key, value in forms[0].get("properties", {}).items():
            check = jsonschema.Draft202012Validator({**value, "$defs": schema["$defs"]})
            wrong += [
                f"{name}.{key}" for example in value["examples"] if not check.is_valid(example)
            ]
    assert wrong == []
