"""Reports: the appraisal context, report sections, charts, notebook execution, the offline
HTML export, batches of reports, the Excel workbook, the what-if panel, and the forms (ratings,
plans) sent out and collected back.

Owns everything a reader sees of one appraisal outside the explorer: the notebooks'
sections (department report, scorecard, annual review), their charts, running the
notebooks with papermill in one shared kernel, exporting them to one offline HTML file,
and the scores workbook.

May import: the top-level shared modules, ``engine``, ``records`` (through the appraisal
pipeline) and the public names of ``explorer`` (scenarios, sensitivity). nbconvert,
papermill and IPython are imported here and nowhere else; the names below are imported
on first use, so ``import kpi_toolkit.reports.excel`` needs none of them.
"""

from .._lazy import lazy_exports

_EXPORTS = {
    "ReportContext": ".context",
    "load_context": ".context",
    "Job": ".batch",
    "Outcome": ".batch",
    "plan_jobs": ".batch",
    "run_jobs": ".batch",
    "execute_notebook": ".execution",
    "export_html": ".export",
    "shared_kernel": ".execution",
    "write_scores_excel": ".excel",
    "write_rating_forms": ".forms",
    "collect_rating_forms": ".collect",
    "Collected": ".collect",
    "write_plan_forms": ".plan_form",
    "collect_plan_forms": ".collect",
    "CollectedPlans": ".collect",
    "panel": ".whatif",
    "panel_data": ".whatif",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
