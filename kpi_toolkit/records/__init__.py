"""Raw exports to actuals: canonical tables, source mappings, the ledger, the working-day
calendar, metric sets run by DuckDB, and bundles of one department's exports.

Owns reading a raw export through its mapping into a canonical table (every row used or
excluded with a reason: the ledger), the SQL guard that confines metric expressions, the
Chinese working-day calendar, and the per-employee, per-period aggregation.

May import: the top-level shared modules. Never ``engine``, ``reports``, ``explorer`` or
``sample``. DuckDB is imported here and nowhere else; the
names below are imported on first use.
"""

from .._lazy import lazy_exports

_EXPORTS = {
    "Bundle": ".bundle",
    "BundleResult": ".bundle",
    "actuals_from_bundle": ".bundle",
    "load_bundle": ".bundle",
    "CalendarSpec": ".calendar",
    "load_calendar": ".calendar",
    "working_minutes": ".calendar",
    "workdays": ".calendar",
    "Ledger": ".ledger",
    "MetricSet": ".metric_sets",
    "load_metrics": ".metric_sets",
    "MetricsResult": ".metrics",
    "compute": ".metrics",
    "compute_from_files": ".metrics",
    "SourceSpec": ".sources",
    "load_source": ".sources",
    "read_raw": ".sources",
    "check_expression": ".sql_guard",
    "TABLES": ".tables",
    "canonical_frame": ".tables",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
