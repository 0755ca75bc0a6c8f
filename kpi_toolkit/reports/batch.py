"""Running the report notebooks: one kernel for a batch, one offline HTML file per report.

``kpi report`` plans its jobs (the department, each team, each person), checks the inputs
once in this process (bad input stops everything with exit code 2), then runs each job's
notebook in one shared kernel and exports it. Given the context, the personal scorecards
are rendered in one pass from it (:mod:`kpi_toolkit.reports.card_batch`): the first runs in
the kernel, the others are built from the same cells and the one appraisal. A failing job
does not stop the others: it is listed at the end. Every file is written atomically, under
a name made by :func:`kpi_toolkit.files.inside` (safe, numbered on a clash, inside the
output folder).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from ..errors import InputError, Problem
from ..files import inside, make_folder, notebooks_dir, unused_name, write_atomic
from ..labels import Lang, label
from .context import ReportContext, load_context
from .export import execute_notebook, export_html, shared_kernel

if TYPE_CHECKING:
    from jupyter_client import AsyncKernelManager
    from nbformat import NotebookNode

    from .card_batch import CardPass
    from .pdf import Printer

__all__ = ["Job", "Outcome", "annual_job", "plan_jobs", "run_jobs"]

SCORECARDS = "scorecards"  # the sub-folder of the personal scorecards


@dataclass(frozen=True)
class Job:
    """One report to write: which notebook, with which parameters, under which file name.

    ``stem`` is a safe file name (``folder`` the sub-folder of the output folder, if any):
    :func:`plan_jobs` makes every job's ``(folder, stem)`` distinct.
    """

    stem: str
    notebook: Path
    parameters: dict[str, object]
    title: str
    lang: Lang = "zh"
    folder: str = ""


@dataclass(frozen=True)
class Outcome:
    """What became of a job: the files written, or the error that stopped it."""

    job: Job
    html: Path | None = None
    notebook: Path | None = None
    error: str | None = None
    pdf: Path | None = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None


def plan_jobs(
    ctx: ReportContext,
    *,
    scheme: str,
    data_dir: str,
    teams: Sequence[str] = (),
    per_employee: bool = False,
    employees: Sequence[str] = (),
    approval: dict[str, str] | None = None,
    sources: str | None = None,
    records_dir: str | None = None,
    corrections: str | None = None,
    plans: str | None = None,
    compare: str | None = None,
) -> list[Job]:
    """The jobs of one ``kpi report`` run.

    ``teams`` empty: the department report; ``["all"]``: one report per team; else those
    teams. ``per_employee`` adds one scorecard per appraised person (of those teams);
    ``employees`` adds the scorecards of the people named. ``compare``: the earlier period
    the department and team reports compare with (default: the previous one).

    Raises
    ------
    InputError
        A person named in ``employees`` who is not appraised in the period.
    """
    period, lang = str(ctx.appraisal.period), ctx.lang
    common: dict[str, object]  # Job.parameters; records_dir may be None
    common = {"scheme": scheme, "data_dir": data_dir, "period": period, "lang": lang}
    if sources is not None:
        common |= {"sources": sources, "records_dir": records_dir}
    if corrections is not None:
        common |= {"corrections": corrections}
    if plans is not None:
        common |= {"plans": plans}
    title = f"{label('report.title', lang)} {period}"
    compared = {} if compare is None else {"compare": compare}
    chosen = sorted(set(ctx.appraisal.scores["team"])) if list(teams) == ["all"] else list(teams)
    report = notebooks_dir() / "appraisal_report.ipynb"
    jobs = [
        Job(
            f"appraisal_report_{period}_{stem}",
            report,
            {**common, "team": t, **compared, **(approval or {})},
            f"{title} · {t}",
            lang,
        )
        for t, stem in _stems(chosen).items()
    ] or [
        Job(
            f"appraisal_report_{period}",
            report,
            {**common, **compared, **(approval or {})},
            title,
            lang,
        )
    ]
    scores = ctx.appraisal.scores
    people = (
        list(scores["employee_id"])
        if not chosen
        else list(scores.loc[scores["team"].isin(chosen), "employee_id"])
    )
    named = _appraised(ctx, employees)
    card = notebooks_dir() / "employee_scorecard.ipynb"
    jobs += [
        Job(
            stem,
            card,
            {**common, "employee_id": e},
            f"{label('report.scorecard_title', lang)} {period}",
            lang,
            folder=SCORECARDS,
        )
        for e, stem in _stems([*(people if per_employee else []), *named]).items()
    ]
    return jobs


def annual_job(
    *,
    scheme: str,
    data_dir: str,
    year: int,
    lang: Lang = "zh",
    bonus: dict[str, object] | None = None,
    approval: dict[str, str] | None = None,
    sources: str | None = None,
    records_dir: str | None = None,
) -> Job:
    """The annual review of ``year`` (``kpi report --annual``): the notebook
    ``annual_review.ipynb`` with the bonus inputs (``installs``, ``install_price``,
    ``repairs``, ``repair_price``, ``allocation``) and the approval block's names."""
    parameters: dict[str, object] = {
        "scheme": scheme,
        "data_dir": data_dir,
        "year": year,
        "lang": lang,
    }
    if sources is not None:
        parameters |= {"sources": sources, "records_dir": records_dir}
    return Job(
        f"annual_review_{year}",
        notebooks_dir() / "annual_review.ipynb",
        {**parameters, **(bonus or {}), **(approval or {})},
        f"{label('report.annual_title', lang)} {year}",
        lang,
    )


def _stems(names: Sequence[object]) -> dict[object, str]:
    """Each name's file stem: safe, and distinct from the others' (``a/b`` and ``a_b``)."""
    stems: dict[object, str] = {}
    for name in dict.fromkeys(names):
        stems[name] = unused_name(str(name), taken=stems.values())
    return stems


def _appraised(ctx: ReportContext, employees: Sequence[str]) -> list[str]:
    """The people named, each checked to be appraised in the period."""
    appraised = set(ctx.appraisal.scores["employee_id"])
    unknown = [e for e in employees if e not in appraised]
    if unknown:
        raise InputError(
            [
                Problem(
                    where="--employee",
                    value=e,
                    message=f"not appraised in {ctx.appraisal.period}",
                    allowed="the employee_id of a person appraised in the period",
                )
                for e in unknown
            ]
        )
    return list(employees)


def run_jobs(
    jobs: Iterable[Job],
    *,
    out_dir: str | Path,
    progress: bool = True,
    cwd: str | Path | None = None,
    pdf: bool = False,
    context: ReportContext | None = None,
) -> list[Outcome]:
    """Run every job in one shared kernel; return each outcome (failures included).

    ``pdf``: also print each page to a PDF beside it (:mod:`kpi_toolkit.reports.pdf`).
    ``context``: the period's context the jobs were planned from (:func:`plan_jobs`): the
    scorecards are then rendered from it in one pass, the first in the kernel.

    Raises
    ------
    InputError
        Before any job runs: an output path that cannot be used (a link planted in the
        output folder that leads elsewhere, a file where a folder must be); with ``pdf``,
        Playwright or Chromium missing.
    """
    from time import perf_counter

    from tqdm import tqdm

    from .card_batch import CardPass

    out = Path(out_dir)
    jobs = list(jobs)
    for job in jobs:
        targets(job, out=out)
    cards = None if context is None else CardPass(context)
    if cards is not None and sum(map(cards.takes, jobs)) < 2:
        cards = None  # a single card: run in the kernel, nothing to build from it
    outcomes = []
    with _printer(pdf) as printer, shared_kernel() as kernel:
        bar = tqdm(jobs, desc="kpi report", unit="report", disable=not progress)
        for job in bar:
            bar.set_postfix_str(job.stem, refresh=False)
            start = perf_counter()
            try:
                executed, html = _report(job, kernel=kernel, cwd=cwd, cards=cards)
                outcome = _write(job, executed, html, out=out, printer=printer)
            except Exception as error:  # a failing report must not stop the batch
                outcome = Outcome(job=job, error=_reason(error))
            outcomes.append(Outcome(**{**outcome.__dict__, "seconds": perf_counter() - start}))
    return outcomes


@contextmanager
def _printer(pdf: bool) -> Iterator[Printer | None]:
    if not pdf:
        yield None
        return
    from .pdf import pdf_printer

    with pdf_printer() as printer:
        yield printer


def _report(
    job: Job,
    *,
    kernel: AsyncKernelManager,
    cwd: str | Path | None,
    cards: CardPass | None = None,
) -> tuple[NotebookNode, str]:
    """The job's executed notebook and its page: a scorecard built by ``cards`` once a
    reference card agreed, else run in the kernel (a scorecard run there offered to
    ``cards`` as the reference)."""
    takes = cards is not None and cards.takes(job)
    if cards is not None and takes and cards.ready:
        return cards.build(job)
    executed = execute_notebook(
        job.notebook, job.parameters, cwd=cwd or job.notebook.parent, kernel=kernel
    )
    html = export_html(executed, title=job.title, lang=job.lang)
    if cards is not None and takes:
        cards.check(job, executed, html)
    return executed, html


def _write(
    job: Job, executed: NotebookNode, html: str, *, out: Path, printer: Printer | None = None
) -> Outcome:
    """Write the job's page and notebook (and print the page, with a printer)."""
    page, notebook = targets(job, out=out)
    write_atomic(page, html)
    write_atomic(notebook, nbformat.writes(executed))
    beside = inside(page.parent, job.stem, extension=".pdf")
    printed = None if printer is None else printer(page, beside)
    return Outcome(job=job, html=page, notebook=notebook, pdf=printed)


def targets(job: Job, *, out: Path) -> tuple[Path, Path]:
    """The job's HTML page and executed notebook, inside ``out`` (its sub-folder made)."""
    folder = make_folder(inside(out, job.folder)) if job.folder else out
    return (
        inside(folder, job.stem, extension=".html"),
        inside(folder, job.stem, extension=".ipynb"),
    )


def _reason(error: Exception) -> str:
    """The error in one line: a cell's exception name and message, not its traceback."""
    name, value = getattr(error, "ename", None), getattr(error, "evalue", None)
    if name:
        return f"{name}: {value}"
    return f"{type(error).__name__}: {error}".splitlines()[0]


def context_for(
    *,
    scheme: str,
    data_dir: str,
    period: str,
    lang: Lang,
    sources: str | None = None,
    records_dir: str | None = None,
    corrections: str | None = None,
    plans: str | None = None,
    compare: str | None = None,
) -> ReportContext:
    """The period's appraisal, computed here once to check the inputs and plan the jobs."""
    return load_context(
        scheme=scheme,
        data_dir=data_dir,
        period=period,
        lang=lang,
        sources=sources,
        records_dir=records_dir,
        corrections=corrections,
        plans=plans,
        compare=compare,
    )
