"""Scorecards in one pass (``reports/card_batch.py``): every card of ``kpi report`` is what a
single-person papermill run of ``employee_scorecard.ipynb`` gives, names nobody else, and
carries nothing of the card made before it."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.files import notebooks_dir
from kpi_toolkit.reports.batch import SCORECARDS, context_for, plan_jobs, run_jobs
from kpi_toolkit.reports.card_batch import card_notebook, outputs_agree, run_record
from kpi_toolkit.reports.execution import parameterized
from kpi_toolkit.reports.export import PageShell, export_html
from kpi_toolkit.reports.scorecard import card, card_book, card_context
from kpi_toolkit.sample.department import write_sample

PERIOD = "2026-Q3"
FIRST = "E005"  # runs in the kernel: the reference
BUILT = ["E004", "E008", "E054"]  # a supervisor, a specialist with a plan, the best total
NOTEBOOK = notebooks_dir() / "employee_scorecard.ipynb"
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("data")
    write_sample(directory)
    return directory


@pytest.fixture(scope="module")
def cards(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kpi report`` with four scorecards: the first run in the kernel, three built."""
    out = tmp_path_factory.mktemp("cards")
    argv = ["report", "--scheme", "after_sales_team", "--data-dir", str(data_dir)]
    argv += ["--period", PERIOD, "--out-dir", str(out), "--quiet"]
    for person in [FIRST, *BUILT]:
        argv += ["--employee", person]
    assert main(argv) == 0
    return out / SCORECARDS


def _papermill(data_dir: Path, person: str, folder: Path) -> nbformat.NotebookNode:
    import papermill

    parameters = {"scheme": "after_sales_team", "data_dir": str(data_dir), "period": PERIOD}
    parameters |= {"lang": "zh", "employee_id": person}
    return papermill.execute_notebook(
        str(NOTEBOOK),
        str(folder / f"{person}.ipynb"),
        parameters=parameters,
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        log_output=False,
    )


def _shown(nb: nbformat.NotebookNode) -> list[tuple[str, list[str], str, list[dict]]]:
    """What a notebook shows, per cell: type, tags, source (the injected parameters as
    assignments) and outputs (type and data; the time the report was made normalised)."""
    cells = []
    for cell in nb.cells:
        outputs = [
            {"type": o["output_type"], "data": json.loads(TIME.sub("T", json.dumps(o["data"])))}
            for o in cell.get("outputs", [])
        ]
        tags = cell.metadata.get("tags", [])
        cells.append((cell.cell_type, tags, cell.source, outputs))
    return cells


def _page(html: str, nb: nbformat.NotebookNode) -> str:
    """A page with the time normalised and the injected-parameters cell's id (papermill
    draws a new one each run) named the same."""
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    return TIME.sub("T", html.replace(f"cell-id={injected.id}", "cell-id=INJECTED"))


@pytest.mark.parametrize("person", BUILT[:2])
def test_a_built_card_is_the_single_person_papermill_run(
    cards: Path, data_dir: Path, tmp_path: Path, person: str
):
    built = nbformat.read(cards / f"{person}.ipynb", as_version=4)
    single = _papermill(data_dir, person, tmp_path)
    assert _shown(built) == _shown(single)
    assert built.metadata.papermill.parameters == single.metadata.papermill.parameters
    title = f"个人绩效考核结果 {PERIOD}"
    page = (cards / f"{person}.html").read_text(encoding="utf-8")
    assert _page(page, built) == _page(export_html(single, title=title), single)


def test_the_cards_after_the_first_are_built_not_run(cards: Path):
    """The reference card's record of the run (execution times) is every built card's."""

    def times(person: str) -> list[object]:
        nb = nbformat.read(cards / f"{person}.ipynb", as_version=4)
        return [c.metadata.get("execution") for c in nb.cells if c.cell_type == "code"]

    assert all(times(person) == times(FIRST) for person in BUILT)
    assert all(t for t in times(FIRST))


def test_every_card_names_nobody_else(cards: Path, data_dir: Path):
    """Neither page nor notebook (its outputs and its parameters) of a card names another
    person of the roster or carries their id."""
    roster = pd.read_csv(data_dir / "roster.csv", dtype=str, keep_default_na=False)
    for person in [FIRST, *BUILT]:
        nb = nbformat.read(cards / f"{person}.ipynb", as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        injected = [c.source for c in nb.cells if "injected-parameters" in c.metadata.tags]
        texts = {
            "page": (cards / f"{person}.html").read_text(encoding="utf-8"),
            "notebook": json.dumps([outputs, injected, nb.metadata], ensure_ascii=False),
        }
        others = roster.loc[roster["employee_id"] != person]
        mine = roster.loc[roster["employee_id"] == person, "name"].iloc[0]
        for where, text in texts.items():
            assert mine in text, (person, where)
            names = [n for n in others["name"] if n in text]
            ids = [e for e in others["employee_id"] if re.search(rf"\b{e}\b", text)]
            assert not names and not ids, (person, where, names, ids)


@pytest.fixture(scope="module")
def context(data_dir: Path):
    return context_for(scheme="after_sales_team", data_dir=str(data_dir), period=PERIOD, lang="zh")


def _card(ctx, person: str, book) -> list[str]:
    shown = card_context(ctx, scheme="after_sales_team", period=PERIOD, employee_id=person)
    return [h.data for h in card(shown, person, book=book)]


def test_one_book_for_every_card_gives_each_card_as_alone(context):
    """The lookups shared by every card change no card: each card is the same with the
    shared book, alone, and in any order (nothing of one person carried to the next)."""
    book = card_book(context)
    people = [FIRST, *BUILT]
    alone = {p: _card(context, p, card_book(context)) for p in people}
    forth = {p: _card(context, p, book) for p in people}
    back = {p: _card(context, p, book) for p in reversed(people)}
    assert forth == alone and back == alone


def test_card_is_what_each_section_gives(context):
    from kpi_toolkit.reports import scorecard as cs
    from kpi_toolkit.reports.improvement import acknowledgement
    from kpi_toolkit.reports.trends import trends_of_person

    ctx = card_context(context, scheme="after_sales_team", period=PERIOD, employee_id="E004")
    sections = [
        cs.title(ctx, "E004"),
        cs.result(ctx, "E004"),
        trends_of_person(ctx, "E004"),
        cs.department(ctx, "E004"),
        acknowledgement(ctx, "E004"),
        cs.footer(ctx),
    ]
    assert [h.data for h in card(ctx, "E004")] == [h.data for h in sections]


def _executed_like(person: str, context) -> nbformat.NotebookNode:
    """A card built with a made-up record of a run (no kernel)."""
    parameters = {"scheme": "after_sales_team", "period": PERIOD, "employee_id": person}
    fresh = parameterized(NOTEBOOK, parameters)
    for count, cell in enumerate(c for c in fresh.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        if count > 1:  # the parameters cells show nothing
            cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=count + 1)]
    ctx = card_context(context, scheme="after_sales_team", period=PERIOD, employee_id=person)
    return card_notebook(fresh, run_record(fresh), card(ctx, person))


def test_the_page_shell_gives_the_exporters_page(context):
    first, second = _executed_like("E005", context), _executed_like("E054", context)
    shell = PageShell(first, title="个人绩效考核结果", lang="zh")
    assert shell.page(second) == export_html(second, title="个人绩效考核结果", lang="zh")
    assert "E005" not in shell.page(second)


def test_the_page_shell_refuses_another_layout(context):
    first, second = _executed_like("E005", context), _executed_like("E054", context)
    shell = PageShell(first, title="个人绩效考核结果", lang="zh")
    second.cells[-1].outputs.append(nbformat.v4.new_output("stream", text="a warning"))
    assert shell.page(second) is None
    second.cells.pop()
    assert shell.page(second) is None


def test_outputs_agree_only_on_the_same_card(context):
    first = _executed_like("E005", context)
    assert outputs_agree(first, _executed_like("E005", context))
    assert not outputs_agree(first, _executed_like("E054", context))


def test_every_parameter_of_a_card_job_is_one_the_notebook_takes(context, data_dir: Path):
    """``kpi report --corrections --plans --sources … --per-employee``: the scorecard
    notebook assigns every parameter the card jobs pass (it refused ``corrections``)."""
    jobs = plan_jobs(
        context,
        scheme="after_sales_team",
        data_dir=str(data_dir),
        employees=[FIRST],
        sources="sample_department",
        records_dir=str(data_dir / "records"),
        corrections=str(data_dir / "corrections.csv"),
        plans=str(data_dir / "plans.csv"),
    )
    card_job = next(job for job in jobs if job.folder == SCORECARDS)
    assert parameterized(card_job.notebook, card_job.parameters).metadata.papermill.parameters


def test_a_failing_card_is_listed_and_the_others_written(context, data_dir: Path, tmp_path):
    jobs = plan_jobs(
        context, scheme="after_sales_team", data_dir=str(data_dir), employees=[FIRST, "E054"]
    )
    good = [job for job in jobs if job.folder == SCORECARDS]
    nobody = {**good[0].parameters, "employee_id": "E999"}
    bad = replace(good[0], stem="nobody", parameters=nobody)
    outcomes = run_jobs([good[0], bad, good[1]], out_dir=tmp_path, progress=False, context=context)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "E999" in (outcomes[1].error or "") and "not in the roster" in (outcomes[1].error or "")
    assert (tmp_path / SCORECARDS / "E054.html").is_file()
    assert not (tmp_path / SCORECARDS / "nobody.html").exists()


def test_a_context_that_disagrees_with_the_kernel_builds_no_card(
    context, data_dir: Path, tmp_path: Path
):
    """Given a context of other data than the jobs', the reference card disagrees with what
    would be built from it: every card runs in the kernel, each right."""
    other = tmp_path / "other"
    other.mkdir()
    for file in data_dir.glob("*.csv"):
        (other / file.name).write_bytes(file.read_bytes())
    roster = pd.read_csv(other / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[roster["employee_id"] == FIRST, "name"] = "另一个名字"
    roster.to_csv(other / "roster.csv", index=False)
    wrong = context_for(scheme="after_sales_team", data_dir=str(other), period=PERIOD, lang="zh")
    jobs = plan_jobs(
        context, scheme="after_sales_team", data_dir=str(data_dir), employees=[FIRST, "E054"]
    )
    cards = [job for job in jobs if job.folder == SCORECARDS]
    out = tmp_path / "out"
    assert all(o.ok for o in run_jobs(cards, out_dir=out, progress=False, context=wrong))
    first, second = (
        nbformat.read(out / SCORECARDS / f"{p}.ipynb", as_version=4) for p in (FIRST, "E054")
    )
    assert "另一个名字" not in (out / SCORECARDS / f"{FIRST}.html").read_text(encoding="utf-8")
    assert first.cells[3].metadata.execution != second.cells[3].metadata.execution  # both run
    names = context.names()
    assert names["E054"] in (out / SCORECARDS / "E054.html").read_text(encoding="utf-8")
