"""Charts for reports: matplotlib with a CJK font first, so Chinese never renders as boxes.

The helpers return a :class:`~matplotlib.figure.Figure` already closed in pyplot: a notebook
shows it once, as the cell's value (not again when the cell ends), and nothing piles up in
pyplot's registry. Titles and labels are passed in; the label table lives with the report.
Every chart is drawn in the house style (``kpi.mplstyle`` beside the page's stylesheet) and
grade bars in the grades' colours (:mod:`kpi_toolkit.reports.palette`). A value axis shows
the unit of its labels: shares on a percent axis, never fractions under ``%`` labels.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.style
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..errors import KpiError
from .html import escape
from .palette import STYLE_FILE

__all__ = [
    "CJK_FONTS",
    "bar_chart",
    "box_chart",
    "cjk_font_file",
    "grade_distribution_chart",
    "png",
    "use_cjk_font",
]

# In order of preference: Debian's fonts-noto-cjk first, then what other systems ship.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
)
FONT_FIX = "apt-get install fonts-noto-cjk (or run `make system`)"


def use_cjk_font() -> str:
    """Put an installed CJK font first in matplotlib's fonts and return its family name.

    Looks through :data:`CJK_FONTS` in matplotlib's font list; if none is known there, scans
    the system's fonts once more (a font installed after matplotlib built its cache) and saves
    the updated cache. Sets ``font.family`` and ``font.sans-serif`` with the font first and
    ``axes.unicode_minus = False`` (the CJK fonts' minus sign is the ASCII one).

    Returns
    -------
    str
        The family name, e.g. ``"Noto Sans CJK SC"``.

    Raises
    ------
    KpiError
        No CJK font is installed; the message names the fix.

    Examples
    --------
    >>> use_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    family = _known_cjk_family() or _rescan_system_fonts()
    if family is None:
        raise KpiError(
            "No CJK font found for Chinese chart labels; looked for: "
            f"{', '.join(CJK_FONTS)}. Fix: {FONT_FIX}."
        )
    sans = [name for name in mpl.rcParams["font.sans-serif"] if name != family]
    mpl.rcParams["font.sans-serif"] = [family, *sans]
    mpl.rcParams["font.family"] = [family, "sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def cjk_font_file(family: str) -> Path:
    """The font file matplotlib uses for ``family`` (a ``.ttc`` collection is fine)."""
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    return Path(found)


def _known_cjk_family() -> str | None:
    known = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def _rescan_system_fonts() -> str | None:
    """Add system font files matplotlib does not know yet, save its cache, look again."""
    manager = font_manager.fontManager
    known = {Path(font.fname) for font in manager.ttflist}
    new = [Path(f) for f in font_manager.findSystemFonts() if Path(f) not in known]
    for path in new:
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # unreadable or not a font matplotlib reads
            continue
    if new:
        cache = Path(mpl.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        font_manager.json_dump(manager, cache)
    return _known_cjk_family()


def bar_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str | list[str],
    title: str,
    xlabel: str | None = None,
    ylabel: str | None = None,
    horizontal: bool = False,
    value_format: str = "{:g}",
    percent: bool = False,
) -> Figure:
    """Bars of ``data[y]`` by ``data[x]``, each bar labelled with its value.

    Parameters
    ----------
    data
        One row per bar (or per group of bars when ``y`` names several columns).
    x
        Column with the category shown on the axis (an employee name, a team, a KPI).
    y
        Column(s) with the values; several columns give grouped bars and a legend.
    title, xlabel, ylabel
        Text shown on the chart (axis labels default to the column names).
    horizontal
        Horizontal bars, first row at the top (suits long names and rankings).
    value_format
        Format of the value written on each bar.
    percent
        The values are shares (0.85): the value axis is in percent (0 %–100 %) and each
        bar is labelled ``85%`` (``value_format`` is not used).

    Returns
    -------
    Figure

    Examples
    --------
    >>> scores = pd.DataFrame({"姓名": ["张三", "李四"], "总分": [92.5, 81.0]})
    >>> fig = bar_chart(scores, x="姓名", y="总分", title="总分")
    """
    columns = [y] if isinstance(y, str) else list(y)
    _require_columns(data, [x, *columns])
    table = data.set_index(x)[columns]
    fig = _figure((7.5, max(3.5, 0.45 * len(table))) if horizontal else (7.5, 4.2))
    ax = fig.add_subplot()
    shown = "{:.0%}" if percent else value_format
    _draw_bars(ax, table, horizontal=horizontal, value_format=shown)
    ax.set_title(title)
    ax.set_xlabel(xlabel if xlabel is not None else (columns[0] if horizontal else x))
    ax.set_ylabel(ylabel if ylabel is not None else (x if horizontal else columns[0]))
    if percent:
        _percent_axis(ax.xaxis if horizontal else ax.yaxis)
    return fig


def _percent_axis(axis: mpl.axis.Axis) -> None:
    """Shares shown in percent on ``axis``, from 0 % to a little past 100 %."""
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    limits = axis.axes.set_xlim if axis is axis.axes.xaxis else axis.axes.set_ylim
    limits(0, 1.15)


def grade_distribution_chart(
    counts: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    title: str,
    ylabel: str,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Head count per grade: one bar per grade, or grouped bars for several groups.

    Parameters
    ----------
    counts
        Index: grade ids in the order to show (best first); one column per group (a team,
        a position, or a single column for the whole department) holding head counts.
    labels
        Text shown for each grade id (``{"excellent": "优秀", ...}``) and, when a column id
        is a key too, for that group in the legend. Ids without a label show as they are.
    title, ylabel
        Text shown on the chart.
    colours
        Grade id → colour (:func:`~kpi_toolkit.reports.palette.grade_colours`): with a
        single group each bar takes its grade's colour.

    Returns
    -------
    Figure

    Examples
    --------
    >>> counts = pd.DataFrame({"all": [2, 5, 1]}, index=["excellent", "good", "pass"])
    >>> fig = grade_distribution_chart(
    ...     counts, labels={"excellent": "优秀", "good": "良好", "pass": "合格"},
    ...     title="等级分布", ylabel="人数")
    """
    table = counts.rename(index=lambda grade: labels.get(grade, grade))
    table = table.rename(columns=lambda group: labels.get(group, group))
    fig = _figure((6.5, 4.0))
    ax = fig.add_subplot()
    bars = _draw_bars(ax, table, horizontal=False, value_format="{:d}")
    if colours and len(table.columns) == 1:
        for bar, grade in zip(bars[0], counts.index, strict=True):
            bar.set_color(colours.get(grade, bar.get_facecolor()))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    locator = ax.yaxis.get_major_locator()
    assert isinstance(locator, MaxNLocator)  # a linear axis starts with an AutoLocator
    locator.set_params(integer=True)
    return fig


def box_chart(
    data: Mapping[str, pd.Series], *, title: str, xlabel: str = "", percent: bool = False
) -> Figure:
    """One horizontal box per series (e.g. each KPI's points as a share of its weight);
    ``percent``: the values are shares, shown on a percent axis.

    Examples
    --------
    >>> fig = box_chart({"客户满意度": pd.Series([0.9, 1.0, 0.7])}, title="得分分布")
    """
    fig = _figure((7.5, 0.45 * len(data) + 1.4))
    ax = fig.add_subplot()
    names = list(data)
    ax.boxplot(
        [data[n].dropna().to_numpy() for n in names],
        orientation="horizontal",
        tick_labels=names,
        widths=0.6,
    )
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if percent:
        _percent_axis(ax.xaxis)
    return fig


def _figure(size: tuple[float, float]) -> Figure:
    """A new figure in the house style, closed in pyplot at once.

    The style file sets only sizes, colours and lines, so the CJK font chosen by
    :func:`use_cjk_font` stays first. Made through pyplot so that, in a notebook, the
    inline backend is set up and shows a returned figure as PNG; closed so it is shown
    once, as the cell's value.
    """
    matplotlib.style.use(STYLE_FILE)
    fig = plt.figure(figsize=size, layout="constrained")
    plt.close(fig)
    return fig


def _draw_bars(
    ax: Axes, table: pd.DataFrame, *, horizontal: bool, value_format: str
) -> list[BarContainer]:
    """Grouped bars: one group per row of ``table``, one bar per column, values on top."""
    positions = range(len(table))
    drawn = []
    width = 0.8 / len(table.columns)
    for i, column in enumerate(table.columns):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        draw = ax.barh if horizontal else ax.bar
        bars: BarContainer = draw(offsets, table[column], width, label=str(column))
        ax.bar_label(bars, labels=[value_format.format(v) for v in table[column]], padding=2)
        drawn.append(bars)
    ticks = ax.set_yticks if horizontal else ax.set_xticks
    ticks(list(positions), [str(label) for label in table.index])
    if horizontal:
        ax.invert_yaxis()
    if len(table.columns) > 1:
        ax.legend()
    if horizontal:
        ax.margins(x=0.12)
        ax.grid(axis="y", visible=False)
    else:
        ax.margins(y=0.12)
        ax.grid(axis="x", visible=False)
    return drawn


def _require_columns(data: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KpiError(
            f"Chart data has no column {', '.join(map(repr, missing))}; "
            f"columns found: {', '.join(map(str, data.columns))}"
        )


def png(figure: Figure, *, alt: str) -> str:
    """``figure`` as an ``<img>`` with its PNG inlined and ``alt`` (what the chart shows)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="kpi-chart" alt="{escape(alt)}" src="data:image/png;base64,{data}">'
