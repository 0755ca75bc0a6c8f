"""The explorer widget without a browser: set slider values, read what it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from kpi_toolkit import builtin_scheme, load_scheme, score
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.explorer.scenario_files import list_scenarios
from kpi_toolkit.explorer.server import parameterised_notebook
from kpi_toolkit.explorer.widget import BASELINE, CURRENT, explore
from kpi_toolkit.labels import LABELS
from kpi_toolkit.reports.export import execute_notebook
from kpi_toolkit.sample.department import make_sample, write_sample

SAMPLE = make_sample()
PERIOD = "2026-Q3"
RATINGS = ratings_for(SAMPLE.ratings, scheme=builtin_scheme("after_sales_team"))
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "weight_explorer.ipynb"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


@pytest.fixture
def explorer(data_dir: Path, tmp_path: Path):
    return explore(
        scheme="after_sales_team", data_dir=data_dir, period=PERIOD, scenario_dir=tmp_path
    )


def _reference(scheme, position: str, weights: dict[str, float]):
    """What score() says under the re-weighted scheme, for the same actuals."""
    result = score(
        SAMPLE.actuals_after_sales_team,
        scheme=scheme.with_weights(position, weights),
        roster=SAMPLE.roster,
        period=PERIOD,
        ratings=RATINGS,
        plans=SAMPLE.plans,  # the data directory's plans.csv, as the explorer reads it
    )
    return result.scores.set_index("employee_id")


def test_opens_on_the_largest_position_with_baseline_weights(explorer):
    assert explorer.position.value == "specialist"
    assert {k: s.value for k, s in explorer.sliders.items()} == explorer.weights["specialist"]
    assert explorer.view.grade_changes == 0 and explorer.view.rank_changes == 0
    assert explorer.view.headcount == 50
    assert "保持类别分值" in explorer.mode.options[0][0]
    assert "类别分值不变" in explorer.note.value


def test_a_slider_move_ranks_and_grades_as_score_does(explorer):
    explorer.sliders["knowledge_sharing"].value = 0
    weights = explorer.weights["specialist"]
    assert weights["knowledge_sharing"] == 0 and weights["training"] == 15  # ability keeps 15
    assert {k: s.value for k, s in explorer.sliders.items()} == weights
    expected = _reference(explorer.scheme, "specialist", weights)
    shown = explorer.view.ranking.set_index("employee_id")
    assert np.allclose(shown["total_after"], expected.loc[shown.index, "total"], atol=0.01)
    assert (shown["rank_after"] == expected.loc[shown.index, "rank"]).all()
    assert (shown["grade_after"] == expected.loc[shown.index, "grade"]).all()
    everyone = explorer.scores.set_index("employee_id").loc[expected.index]
    assert np.allclose(everyone["total"], expected["total"], atol=0.01)
    assert explorer.view.grade_changes == 4  # as the sensitivity table of ±5 says
    ranking = explorer.ranking.value
    assert json.loads(_attr(ranking, "data-weights"))["knowledge_sharing"] == 0
    assert 'class="up"' in ranking and 'class="down"' in ranking and "↑" in ranking


def _attr(page: str, name: str) -> str:
    import html

    start = page.index(f'{name}="') + len(name) + 2
    return html.unescape(page[start : page.index('"', start)])


def test_distribution_and_band_edges_follow_the_weights(explorer):
    explorer.sliders["csat"].value = 25
    weights = explorer.weights["specialist"]
    expected = _reference(explorer.scheme, "specialist", weights)
    counts = expected.loc[expected["position"] == "specialist", "grade_id"].value_counts()
    scenario = explorer.view.distribution["scenario"]
    assert all(scenario[g] == counts.get(g, 0) for g in scenario.index)
    assert explorer.view.distribution["baseline"].sum() == 50
    edges = explorer.view.edges
    assert (edges["nearest"].diff().dropna() >= 0).all()
    first = edges.iloc[0]
    total = expected.loc[first["employee_id"], "total"]
    assert first["nearest"] == pytest.approx(min(abs(total - m) for m in (90, 80, 60)), abs=0.01)
    assert first["employee_id"] in explorer.edges.value


def test_free_mode_warns_when_the_total_is_not_100(explorer):
    explorer.mode.value = "free"
    explorer.sliders["csat"].value = 20
    assert sum(explorer.weights["specialist"].values()) == 105
    assert explorer.weights["specialist"]["complaint_rate"] == 10  # nothing else moves
    assert "总权重 105" in explorer.note.value and "≠ 100" in explorer.note.value
    expected = _reference(explorer.scheme, "specialist", explorer.weights["specialist"])
    shown = explorer.view.ranking.set_index("employee_id")
    assert np.allclose(shown["total_after"], expected.loc[shown.index, "total"], atol=0.01)
    explorer.mode.value = "keep"
    assert sum(explorer.weights["specialist"].values()) == pytest.approx(100)


def test_single_kpi_category_cannot_move_in_keep_mode(data_dir: Path, tmp_path: Path):
    explorer = explore(
        scheme="manager_post", data_dir=data_dir, period=PERIOD, scenario_dir=tmp_path
    )
    assert not any(s.disabled for s in explorer.sliders.values())  # every category has 2+
    assert explorer.view.headcount == 2


def test_reset_returns_to_the_baseline(explorer):
    explorer.sliders["teamwork"].value = 2
    assert explorer.view.rank_changes > 0
    explorer.reset_button.click()
    assert explorer.view.rank_changes == 0
    assert explorer.sliders["teamwork"].value == 10


def test_positions_have_their_own_sliders(explorer):
    explorer.sliders["csat"].value = 20
    explorer.position.value = "supervisor"
    assert explorer.sliders["csat"].value == 15  # the supervisor's own weight
    assert explorer.view.headcount == 6
    explorer.position.value = "specialist"
    assert explorer.sliders["csat"].value == 20


def test_save_and_compare_scenarios(explorer, tmp_path: Path):
    explorer.sliders["knowledge_sharing"].value = 1
    explorer.scenario_name.value = "少看知识分享"
    explorer.save_button.click()
    path = tmp_path / "少看知识分享.yaml"
    assert path.is_file() and str(path) in explorer.message.value
    saved = load_scheme(path)  # what `kpi validate` runs
    assert saved.positions["specialist"].kpi("training").weight == 14
    assert "少看知识分享" in dict(explorer.compare_b.options).values()
    explorer.reset()
    people, teams = explorer.compare(BASELINE, "少看知识分享")
    saved_scores = score(
        SAMPLE.actuals_after_sales_team,
        scheme=saved,
        roster=SAMPLE.roster,
        period=PERIOD,
        ratings=RATINGS,
        plans=SAMPLE.plans,
    ).scores.set_index("employee_id")
    expected = _reference(explorer.scheme, "specialist", {}).join(saved_scores.add_suffix("_saved"))
    people = people.set_index("employee_id").loc[expected.index]
    assert (people["grade_after"] == expected["grade_saved"]).all()
    assert (people["rank_change"] == expected["rank"] - expected["rank_saved"]).all()
    assert (people["grade_steps"] != 0).sum() > 0
    assert len(teams) == 6 and "团队排名变化" in explorer.comparison.value
    same, _ = explorer.compare(BASELINE, CURRENT)
    assert (same["rank_change"] == 0).all()


def test_a_zero_weight_cannot_be_saved(explorer):
    explorer.sliders["knowledge_sharing"].value = 0
    explorer.scenario_name.value = "零权重"
    explorer.save_button.click()
    assert "权重为 0" in explorer.message.value and "必须大于 0" in explorer.message.value
    assert list_scenarios(explorer.scenario_dir) == []


def test_errors_are_shown_not_raised(explorer):
    explorer.scenario_name.value = "a/b"
    explorer.save_button.click()
    assert "无法完成" in explorer.message.value and "不能用作文件名" in explorer.message.value


def test_sensitivity_table_in_the_explorer(explorer):
    by_kpi, by_person = explorer.compute_sensitivity()
    assert len(by_kpi) == 22 and "敏感性" not in explorer.sensitivity.value
    assert "改变等级所需的最小单项权重调整" in explorer.sensitivity.value
    assert by_person.iloc[0]["employee_id"] in explorer.sensitivity.value
    explorer.sliders["csat"].value = 16
    assert explorer.sensitivity.value == LABELS["explorer.sensitivity.stale"]["zh"]


def test_english(data_dir: Path, tmp_path: Path):
    explorer = explore(
        scheme="after_sales_team",
        data_dir=data_dir,
        period=PERIOD,
        lang="en",
        scenario_dir=tmp_path,
    )
    assert explorer.position.options[0][0] == "After-sales specialist"
    assert "Rank in position" in explorer.ranking.value and "Against the baseline" in (
        explorer.ranking.value
    )
    assert "岗位" not in explorer.ranking.value


def test_every_label_has_both_languages():
    explorer_labels = {k: v for k, v in LABELS.items() if k.startswith("explorer.")}
    assert explorer_labels
    assert all(set(texts) == {"zh", "en"} for texts in explorer_labels.values())


def test_parameterised_notebook(tmp_path: Path):
    path = parameterised_notebook(tmp_path, {"period": "2026-Q2", "lang": "en"})
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    injected = [c for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
    assert 'period = "2026-Q2"' in "".join(injected[0]["source"])


@pytest.mark.notebook
def test_notebook_runs(data_dir: Path, tmp_path: Path):
    nb = execute_notebook(
        NOTEBOOK,
        {"data_dir": str(data_dir), "period": PERIOD, "scenario_dir": str(tmp_path)},
    )
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert not any(o.get("output_type") == "error" for o in outputs)


def test_the_page_says_what_it_is_in_the_readers_language(explorer, data_dir, tmp_path):
    top = explorer.widget.children[1].value
    assert "移动权重" in top and "Move a weight" not in top
    english = explore(
        scheme="after_sales_team",
        data_dir=data_dir,
        period=PERIOD,
        lang="en",
        scenario_dir=tmp_path,
    )
    assert "Move a weight" in english.widget.children[1].value


def test_mode_buttons_fit_their_words_and_no_button_needs_an_icon_font(explorer):
    assert explorer.mode.style.button_width == "auto"
    buttons = [explorer.reset_button, explorer.save_button, explorer.compare_button]
    assert all(b.icon == "" for b in buttons)  # icons are Font Awesome, from a CDN in Voilà


def test_keep_mode_is_exactly_proportional_in_the_widget(explorer):
    explorer.sliders["csat"].value = 16.5  # performance 70: the six others share 53.5
    weights = explorer.weights["specialist"]
    tens = [weights[k] for k in ("complaint_rate", "resolution_rate", "first_response")]
    assert max(tens) - min(tens) <= 1e-6 and weights["workload"] == pytest.approx(tens[0] / 2)
    performance = [k.id for k in explorer.scheme.positions["specialist"].kpis][:7]
    assert sum(round(weights[k] * 1e6) for k in performance) == 70_000_000
    assert {k: s.value for k, s in explorer.sliders.items()} == weights


def test_a_saved_scenarios_description_has_no_float_noise(explorer, tmp_path: Path):
    explorer.sliders["csat"].value = 16.5
    path = explorer.save("细分权重")
    description = load_scheme(path).description or ""
    assert "9.727273" in description or "9.727272" in description
    numbers = re.findall(r"(?:weight|points): (\S+)", path.read_text(encoding="utf-8"))
    assert numbers and not [n for n in numbers if re.search(r"\.\d{7,}", n)]
    assert not re.search(r"\d\.\d{7,}", description)


def test_compare_says_in_words_when_nobody_changes(explorer):
    people, _ = explorer.compare(BASELINE, CURRENT)
    assert (people["rank_change"] == 0).all()
    assert LABELS["explorer.scenario.no_change"]["zh"] in explorer.comparison.value
    assert "kpi-compare" not in explorer.comparison.value


def test_parameterised_notebook_drops_the_developer_notes(tmp_path: Path):
    path = parameterised_notebook(tmp_path, {"period": "2026-Q2"})
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert all(c["cell_type"] == "code" for c in cells)
    assert "Move a weight" not in path.read_text(encoding="utf-8")


def test_kpi_explore_takes_a_scenario_dir():
    from kpi_toolkit.cli.parser import build_parser

    args = build_parser().parse_args(
        ["explore", "--scheme", "s", "--data-dir", "d", "--period", PERIOD, "--scenario-dir", "x"]
    )
    assert args.scenario_dir == "x"
