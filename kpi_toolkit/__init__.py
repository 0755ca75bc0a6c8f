"""kpi-toolkit: appraisal of an after-sales service department (售后服务部绩效考核).

Schemes in YAML → actuals per employee and period → points, subtotals, totals, grades and
ranks; 360 ratings by rater group; the year result from the quarters; the bonus pool.
A period's inputs are resolved once (:func:`resolve_inputs`) and appraised once
(:func:`appraise`, :func:`appraise_year`): every surface renders that result.
"""

from .engine.scheme import Scheme, builtin_scheme, load_scheme
from .engine.scoring import Appraisal, score
from .errors import InputError, KpiError
from .pipeline import Inputs, appraise, appraise_year, resolve_inputs

__version__ = "0.1.0"
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
