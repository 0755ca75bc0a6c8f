"""kpi-toolkit: appraisal of an after-sales service department (售后服务部绩效考核).

Schemes in YAML → actuals per employee and period → points, subtotals, totals, grades and
ranks; 360 ratings by rater group; the year result from the quarters; the bonus pool.
A period's inputs are resolved once (:func:`resolve_inputs`) and appraised once
(:func:`appraise`, :func:`appraise_year`): every surface renders that result.

The names below are imported on first use: ``import kpi_toolkit`` (and the ``kpi`` command's
start) needs neither pandas nor numpy.
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .engine.scheme import Scheme, builtin_scheme, load_scheme
    from .engine.scoring import Appraisal, score
    from .errors import InputError, KpiError
    from .pipeline import Inputs, appraise, appraise_year, resolve_inputs

__version__ = "0.1.0"
_EXPORTS = {
    "Scheme": ".engine.scheme",
    "builtin_scheme": ".engine.scheme",
    "load_scheme": ".engine.scheme",
    "Appraisal": ".engine.scoring",
    "score": ".engine.scoring",
    "InputError": ".errors",
    "KpiError": ".errors",
    "Inputs": ".pipeline",
    "appraise": ".pipeline",
    "appraise_year": ".pipeline",
    "resolve_inputs": ".pipeline",
}
__all__ = [
    "Appraisal",
    "InputError",
    "Inputs",
    "KpiError",
    "Scheme",
    "__version__",
    "appraise",
    "appraise_year",
    "builtin_scheme",
    "load_scheme",
    "resolve_inputs",
    "score",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
