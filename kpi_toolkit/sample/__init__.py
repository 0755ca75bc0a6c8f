"""The seeded sample department: roster, actuals, 360 ratings and the raw exports they
follow from.

May import: the top-level shared modules, ``engine`` and ``records`` (public names), and
``reports.excel`` (the one Excel writer).
"""

from .department import SampleDepartment, make_sample, write_sample
from .folder import data_folder, sample_folder

__all__ = ["SampleDepartment", "data_folder", "make_sample", "sample_folder", "write_sample"]
