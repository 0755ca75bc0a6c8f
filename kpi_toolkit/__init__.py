"""kpi-toolkit: appraisal of an after-sales service department (售后服务部绩效考核).

Schemes in YAML → actuals per employee and period → points, subtotals, totals, grades and
ranks; 360 ratings by rater group; the year result from the quarters; the bonus pool.
"""

from .engine.scheme import Scheme, builtin_scheme, load_scheme
from .engine.scoring import Appraisal, score
from .errors import InputError, KpiError

__version__ = "0.1.0"
__all__ = [
    "Appraisal",
    "InputError",
    "KpiError",
    "Scheme",
    "__version__",
    "builtin_scheme",
    "load_scheme",
    "score",
]
