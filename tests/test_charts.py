"""kpi_toolkit.reports.charts: a CJK font first, Chinese labels drawn without missing glyphs."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from kpi_toolkit.errors import KpiError
from kpi_toolkit.reports import charts
from kpi_toolkit.reports.charts import (
    bar_chart,
    cjk_font_file,
    grade_distribution_chart,
    use_cjk_font,
)

GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


@pytest.fixture(autouse=True)
def restore_rcparams() -> Iterator[None]:
    with mpl.rc_context():
        yield


def render(fig: Figure) -> list[str]:
    """Draw ``fig`` to PNG; return the warnings raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


def texts(fig: Figure) -> list[str]:
    ax = fig.axes[0]
    labels = ax.get_xticklabels() + ax.get_yticklabels()
    return [ax.get_title()] + [label.get_text() for label in labels]


def test_use_cjk_font_puts_an_installed_cjk_font_first() -> None:
    family = use_cjk_font()
    assert family in charts.CJK_FONTS
    assert mpl.rcParams["font.family"][0] == family
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert cjk_font_file(family).is_file()


def test_chinese_title_and_tick_labels_have_every_glyph() -> None:
    use_cjk_font()
    scores = pd.DataFrame({"姓名": ["张三", "李四", "王五"], "总分": [92.5, 81.0, -3.0]})
    fig = bar_chart(scores, x="姓名", y="总分", title="售后服务部总分", ylabel="分数")
    assert render(fig) == []
    assert {"售后服务部总分", "张三", "李四", "王五"} <= set(texts(fig))


def test_without_the_cjk_font_the_same_chart_misses_glyphs() -> None:
    # The check above means something: DejaVu Sans alone cannot draw these labels.
    mpl.rcParams["font.family"] = ["DejaVu Sans"]
    scores = pd.DataFrame({"姓名": ["张三"], "总分": [92.5]})
    missing = render(bar_chart(scores, x="姓名", y="总分", title="总分"))
    assert any("missing from font" in message for message in missing)


def test_grade_distribution_shows_labels_in_order_and_the_counts() -> None:
    use_cjk_font()
    counts = pd.DataFrame({"安装组": [1, 4, 2, 0], "维修组": [2, 3, 1, 1]}, index=list(GRADES))
    fig = grade_distribution_chart(counts, labels=GRADES, title="等级分布", ylabel="人数")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(GRADES.values())
    heights = [[bar.get_height() for bar in bars] for bars in ax.containers]
    assert heights == [[1, 4, 2, 0], [2, 3, 1, 1]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["安装组", "维修组"]
    assert render(fig) == []


def test_horizontal_bar_chart_lists_the_first_row_at_the_top() -> None:
    ranking = pd.DataFrame({"name": ["甲", "乙"], "total": [90.0, 80.0]})
    ax = bar_chart(ranking, x="name", y="total", title="排名", horizontal=True).axes[0]
    assert ax.yaxis_inverted()
    assert [bar.get_width() for bar in ax.containers[0]] == [90.0, 80.0]


def test_bar_chart_names_a_missing_column() -> None:
    with pytest.raises(KpiError, match="no column 'score'; columns found: name, total"):
        bar_chart(pd.DataFrame({"name": ["甲"], "total": [1]}), x="name", y="score", title="t")


def test_a_font_installed_after_the_cache_was_built_is_found_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = font_manager.fontManager
    cjk_files = {f.fname for f in manager.ttflist if f.name in charts.CJK_FONTS}
    without_cjk = [f for f in manager.ttflist if f.fname not in cjk_files]
    monkeypatch.setattr(manager, "ttflist", without_cjk)
    monkeypatch.setattr(mpl, "get_cachedir", lambda: str(tmp_path))
    family = use_cjk_font()
    assert family in charts.CJK_FONTS
    cache = next(tmp_path.glob("fontlist-*.json")).read_text(encoding="utf-8")
    assert family in cache


def test_no_cjk_font_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "CJK_FONTS", ("No Such Font SC",))
    with pytest.raises(KpiError, match="apt-get install fonts-noto-cjk"):
        use_cjk_font()


def test_box_chart_draws_one_box_per_series_without_missing_glyphs():
    import warnings

    import pandas as pd

    from kpi_toolkit.reports.charts import box_chart, use_cjk_font

    use_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = box_chart(
            {"客户满意度": pd.Series([0.9, 1.0, 0.7]), "响应时间": pd.Series([0.5, 0.8, None])},
            title="得分分布",
        )
        fig.canvas.draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["客户满意度", "响应时间"]
    assert ax.get_title() == "得分分布"


def test_shares_are_drawn_on_a_percent_axis() -> None:
    use_cjk_font()
    shares = pd.DataFrame({"指标": ["客户满意度", "投诉率"], "得分率": [0.96, 0.5]})
    fig = bar_chart(shares, x="指标", y="得分率", title="得分率", horizontal=True, percent=True)
    render(fig)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "100%" in ticks and "0%" in ticks  # the axis in the unit of the bar labels
    assert [t.get_text() for t in ax.texts] == ["96%", "50%"]
    assert ax.get_xlim() == (0.0, 1.15)


def test_grade_bars_take_the_grades_colours() -> None:
    from matplotlib.colors import to_hex

    from kpi_toolkit.reports.palette import GRADE_STEPS

    use_cjk_font()
    counts = pd.DataFrame({"all": [2, 5, 1, 0]}, index=list(GRADES))
    colours = dict(zip(GRADES, [GRADE_STEPS[i] for i in (0, 1, 3, 4)], strict=True))
    fig = grade_distribution_chart(
        counts, labels=GRADES, title="等级分布", ylabel="人数", colours=colours
    )
    bars = fig.axes[0].patches
    assert [to_hex(b.get_facecolor()) for b in bars] == list(colours.values())


def test_every_chart_is_drawn_in_the_house_style() -> None:
    from kpi_toolkit.reports.palette import STYLE_FILE

    assert STYLE_FILE.is_file()
    use_cjk_font()
    fig = bar_chart(pd.DataFrame({"a": ["x"], "b": [1.0]}), x="a", y="b", title="t")
    assert fig.axes[0].spines["top"].get_visible() is False  # from kpi.mplstyle
    assert mpl.rcParams["axes.titlesize"] == 13
