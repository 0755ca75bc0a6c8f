"""The one HTML table renderer and number formatter (kpi_toolkit.reports.html)."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_toolkit.reports.html import MISSING, cell, escape, number, section, table


class _Cells(HTMLParser):
    """The text of every ``th``/``td`` and the attributes of every ``tr``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.rows: list[dict[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("th", "td"):
            self.cells.append("")
        if tag == "tr":
            self.rows.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.cells[-1] += data


def parse(page: str) -> _Cells:
    parser = _Cells()
    parser.feed(page)
    parser.close()
    return parser


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (98.025, 2, "98.03"),
        (98.0, 2, "98.00"),
        (np.float64(0.125), 1, "0.1"),
        (7, 2, "7"),
        (np.int64(3), 2, "3"),
        (float("nan"), 2, MISSING),
        (None, 2, MISSING),
        (pd.NA, 2, MISSING),
        ("良好", 2, "良好"),
    ],
)
def test_number(value: object, digits: int, shown: str) -> None:
    assert number(value, digits) == shown


def test_a_small_table_exactly() -> None:
    frame = pd.DataFrame({"姓名": ["曾芳", None], "总分": [99.625, np.nan], "排名": [1, 2]})
    assert table(frame, css="kpi-table") == (
        '<table class="kpi-table"><thead><tr><th>姓名</th><th class="num">总分</th>'
        '<th class="num">排名</th></tr>'
        '</thead><tbody><tr><td>曾芳</td><td class="num">99.62</td><td class="num">1</td></tr>'
        '<tr><td>—</td><td class="num">—</td><td class="num">2</td></tr></tbody></table>'
    )


def test_columns_headers_formats_and_row_attributes() -> None:
    data = {"employee_id": ["E1", "E2"], "share": [0.5, 0.25], "total": [90.0, 80.0]}
    page = table(
        data,
        columns=["employee_id", "share"],
        headers=["工号", "得分率"],
        formats={"share": 3},
        attrs={"data-weights": '{"a": 1}'},
        rows=[{"class": "up", "data-employee": "E1"}, {"class": "", "data-employee": "E2"}],
    )
    parsed = parse(page)
    assert parsed.cells == ["工号", "得分率", "E1", "0.500", "E2", "0.250"]
    assert parsed.rows[1:] == [
        {"class": "up", "data-employee": "E1"},
        {"class": "", "data-employee": "E2"},
    ]
    assert 'data-weights="{&quot;a&quot;: 1}"' in page


def test_booleans_are_text_not_numbers() -> None:
    assert cell(True) == "<td>True</td>"


def test_section_escapes_its_heading() -> None:
    assert section("<b>", "<p>x</p>", css="wide") == (
        '<section class="kpi-section wide"><h2>&lt;b&gt;</h2><p>x</p></section>'
    )


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5), texts)
def test_any_text_comes_back_as_text(rows: list[tuple[str, str]], header: str) -> None:
    """Whatever a name or header holds, it is shown as text: no tag, nothing lost."""
    frame = pd.DataFrame(rows, columns=["a", "b"])
    parsed = parse(table(frame, headers=[header, "b"]))
    expected = [header, "b"] + [t for row in rows for t in row]
    assert parsed.cells == expected
    assert set(parsed.tags) == {"table", "thead", "tbody", "tr", "th", "td"}


@given(st.floats(allow_nan=True, allow_infinity=False, width=64), st.integers(0, 4))
def test_a_float_shows_its_digits_or_the_missing_mark(value: float, digits: int) -> None:
    shown = number(value, digits)
    if np.isnan(value):
        assert shown == MISSING
    else:
        decimals = shown.partition(".")[2]
        assert len(decimals) == digits and abs(float(shown) - value) <= 0.5 * 10**-digits + 1e-9


def test_escape_of_missing_and_quotes() -> None:
    assert escape(None) == "" and escape(float("nan")) == ""
    assert escape("a'b\"c") == "a&#x27;b&quot;c"
