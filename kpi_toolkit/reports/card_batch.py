"""Personal scorecards in one pass: every card of a batch from the one appraisal.

``kpi report --per-employee`` ran ``employee_scorecard.ipynb`` once per person, each run
appraising the department again: about a second a card. Now the first card runs in the
kernel as before and is the reference; every other card is built here, in one pass over the
report's context:

- its notebook is the scorecard notebook with the person's parameters injected as papermill
  injects them, the reference's record of the run (execution counts and times, output
  types), and each cell's output computed by the function the cell calls
  (:func:`kpi_toolkit.reports.scorecard.card`), from the lookups every card shares
  (:func:`~kpi_toolkit.reports.scorecard.card_book`), computed once;
- its page is the reference's page with the person's outputs put in
  (:class:`~kpi_toolkit.reports.export.PageShell`), without rendering the template again.

Both shortcuts are checked on the reference card: its outputs computed here must be what the
kernel gave (the time the report was made aside), and its page from the shell what the
exporter gave. Where either differs, every card runs in the kernel as before. Nothing of one
person is kept for the next: the reference keeps no output, the shell no value, and the
lookups are only read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from nbformat import NotebookNode

from .execution import parameterized, reparameterized
from .export import PageShell, export_html

if TYPE_CHECKING:
    from .batch import Job
    from .context import ReportContext
    from .scorecard import CardBook

__all__ = ["CardPass", "RunRecord", "card_notebook", "outputs_agree", "run_record"]

# What legitimately differs between two runs of the same card: the time it was made.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_RECORDED = ("output_type", "execution_count", "metadata")  # an output, its data aside


@dataclass(frozen=True)
class RunRecord:
    """A kernel run of a notebook without anything it showed: the notebook's metadata (but
    papermill's parameters) and, per cell, its execution count and metadata and its outputs'
    type, count and metadata."""

    metadata: dict[str, Any]
    cells: tuple[tuple[int | None, dict[str, Any], tuple[dict[str, Any], ...]], ...]


def run_record(executed: NotebookNode) -> RunRecord:
    """The record of ``executed``'s run (no source, no output data)."""
    metadata = {k: v for k, v in executed.metadata.items() if k != "papermill"}
    cells = tuple(
        (
            cell.get("execution_count"),
            {k: v for k, v in cell.metadata.items() if k == "execution"},
            tuple({k: o[k] for k in _RECORDED if k in o} for o in cell.get("outputs", [])),
        )
        for cell in executed.cells
    )
    return RunRecord(nbformat.from_dict(metadata), cells)


def card_notebook(
    fresh: NotebookNode, record: RunRecord, outputs: Sequence[object]
) -> NotebookNode:
    """``fresh`` (the notebook with the person's parameters injected) as the kernel would
    have returned it: ``record``'s execution, each output's data ``outputs``' next object
    as IPython displays it.

    Raises
    ------
    ValueError
        ``record`` is of a notebook with other cells, or with another count of outputs.
    """
    nb = nbformat.from_dict(fresh)
    nb.metadata = nbformat.from_dict({**record.metadata, "papermill": fresh.metadata["papermill"]})
    shown = iter(outputs)
    for cell, (count, metadata, done) in zip(nb.cells, record.cells, strict=True):
        if cell.cell_type != "code":
            continue
        cell.execution_count = count
        cell.metadata.update(nbformat.from_dict(metadata))
        cell.outputs = [_output(o, next(shown)) for o in done]
    if next(shown, None) is not None:
        raise ValueError("more outputs than the notebook's cells show")
    return nb


def _output(recorded: dict[str, Any], shown: object) -> NotebookNode:
    """One output: its type, count and metadata as recorded, its data ``shown``'s."""
    data, metadata = _formatter().format(shown)
    output = nbformat.from_dict({**recorded, "data": data})
    output.metadata = nbformat.from_dict({**recorded.get("metadata", {}), **metadata})
    return output


@cache
def _formatter() -> Any:
    """IPython's display formatter, as a kernel formats a cell's result (it keeps nothing
    of what it formats)."""
    from IPython.core.formatters import DisplayFormatter

    return DisplayFormatter()


def outputs_agree(executed: NotebookNode, built: NotebookNode) -> bool:
    """Whether two runs of a card show the same, the time the report was made aside."""

    def shown(nb: NotebookNode) -> list[str]:
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        return [_TIME.sub("T", json.dumps(o, sort_keys=True)) for o in outputs]

    return shown(executed) == shown(built)


class CardPass:
    """The scorecards of one ``kpi report``: the first run in the kernel (the reference,
    offered to :meth:`check`), the others built from ``context`` in this process
    (:meth:`build`). ``refused`` says why none is built here, where so.

    Parameters
    ----------
    context
        The period's context, as :func:`~kpi_toolkit.reports.batch.context_for` computed it
        for the jobs (the same inputs, period and language).
    """

    def __init__(self, context: ReportContext) -> None:
        self.context = context
        self.usable = True  # until the reference disagrees with what is built here
        self.refused: str | None = None
        self._book: CardBook | None = None
        self._record: RunRecord | None = None
        self._shell: PageShell | None = None
        self._parameterized: dict[Path, NotebookNode] = {}

    def book(self) -> CardBook:
        from .scorecard import card_book

        if self._book is None:
            self._book = card_book(self.context)
        return self._book

    @property
    def ready(self) -> bool:
        """Whether cards are built here (a reference card ran and agreed)."""
        return self.usable and self._record is not None

    def takes(self, job: Job) -> bool:
        """Whether ``job`` is a scorecard of this context."""
        from ..files import notebooks_dir

        return (
            self.usable
            and job.notebook == notebooks_dir() / "employee_scorecard.ipynb"
            and job.parameters.get("lang", "zh") == self.context.lang
            and str(job.parameters.get("period")) == str(self.context.appraisal.period)
        )

    def check(self, job: Job, executed: NotebookNode, page: str) -> None:
        """Take ``executed`` (run in the kernel, exported as ``page``) as the reference
        where what this pass builds for it is the same; else build nothing here."""
        record = run_record(executed)
        try:
            built = self._notebook(job, record)
            shell = PageShell(built, title=job.title, lang=job.lang)
        except Exception as error:  # what cannot be built here is run in the kernel, as it was
            self.usable, self.refused = False, f"{type(error).__name__}: {error}"
            return
        if not outputs_agree(executed, built):
            self.usable, self.refused = False, "the outputs differ from the kernel's"
        elif shell.page(executed) != page:
            self.usable, self.refused = False, "the page differs from the exporter's"
        else:
            self._record, self._shell = record, shell

    def build(self, job: Job) -> tuple[NotebookNode, str]:
        """The job's card: its executed notebook and its page."""
        if self._record is None or self._shell is None:
            raise RuntimeError("no reference card yet: run one in the kernel first")
        nb = self._notebook(job, self._record)
        page = self._shell.page(nb)
        return nb, page if page is not None else export_html(nb, title=job.title, lang=job.lang)

    def _notebook(self, job: Job, record: RunRecord) -> NotebookNode:
        from .scorecard import card, card_context

        p = job.parameters
        first = self._parameterized.get(job.notebook)  # papermill's injection replaced below
        if first is None or set(p) != set(first.metadata.papermill.parameters):
            first = self._parameterized[job.notebook] = parameterized(job.notebook, p)
        person = str(p["employee_id"])
        ctx = card_context(self.context, scheme=p["scheme"], period=p["period"], employee_id=person)
        outputs = card(ctx, person, book=self.book())
        return card_notebook(reparameterized(first, p), record, outputs)
