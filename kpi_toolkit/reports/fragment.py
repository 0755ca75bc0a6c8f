"""What every report section is made of: a labelled table and the section around it."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from ..labels import Lang, label
from .html import section

__all__ = ["html_section", "labelled"]


def labelled(rows: list[tuple], keys: tuple[str, ...], lang: Lang) -> pd.DataFrame:
    """A table of ``rows`` whose column headers are the labels of ``keys``."""
    return pd.DataFrame(rows, columns=[label(k, lang) for k in keys])


def html_section(heading: str, body: str, *, css: str = "", anchor: str = "") -> HTML:
    """``body`` under ``heading`` as a report section, for a notebook to display."""
    return HTML(section(heading, body, css=css, anchor=anchor))
