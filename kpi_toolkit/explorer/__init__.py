"""The weight scenario explorer: attainment shares, weight moves, scenarios, sensitivity,
the widget, its view and the Voilà server.

Owns re-weighting an appraisal from each person's attainment shares (never from raw data),
moving one weight in ``keep`` or ``free`` mode, scenario files, comparisons, the
sensitivity of grades and ranks to each weight, and the interactive surfaces.

May import: the top-level shared modules, ``engine`` and the public names of
:mod:`kpi_toolkit.reports.html` (the one table renderer). ipywidgets and Voilà are imported
here and nowhere else, inside the functions that need them; the names below are imported
on first use.
"""

from .._lazy import lazy_exports

_EXPORTS = {
    "Attainment": ".scenarios",
    "attainment": ".scenarios",
    "baseline_weights": ".scenarios",
    "compare": ".scenarios",
    "normalise": ".scenarios",
    "rescore": ".scenarios",
    "set_weight": ".scenarios",
    "standing": ".scenarios",
    "team_changes": ".scenarios",
    "list_scenarios": ".scenario_files",
    "load_scenario": ".scenario_files",
    "save_scenario": ".scenario_files",
    "scenario_scheme": ".scenario_files",
    "scenario_weights": ".scenario_files",
    "smallest_changes": ".sensitivity",
    "weight_sensitivity": ".sensitivity",
    "serve_explorer": ".server",
    "explorer_view": ".view",
    "WeightExplorer": ".widget",
    "explore": ".widget",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
