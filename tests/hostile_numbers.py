"""Hostile numbers: parameters, scheme numbers, bonus amounts, totals, actuals as text, and
the tables every command writes (no live formula in a workbook or a CSV meant for Excel).

Each case runs a fast command (score, annual, bonus, validate, raters, metrics); ids start
with ``num-``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hostile import Case, Place, rows_csv

SCHEME = "after_sales_team"
PERIOD = "2026-Q3"
EVIL = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
)
SCORES_HEADER = ("employee_id", "name", "position", "team", "period", "total", "grade")


def _score(*extra: str, out: str = "{w}/out.csv", data: str = "{sample}") -> list[str]:
    return [
        "score",
        "--scheme",
        SCHEME,
        "--data-dir",
        data,
        "--period",
        PERIOD,
        "--out",
        out,
        *extra,
    ]


def _bonus(*extra: str, scores: str = "{w}/scores.csv") -> list[str]:
    return ["bonus", "--scores", scores, *extra]


def _amounts(installs: str = "10", price: str = "30", repairs: str = "5") -> list[str]:
    return [
        "--installs",
        installs,
        "--install-price",
        price,
        "--repairs",
        repairs,
        "--repair-price",
        "80",
    ]


# --- setups -------------------------------------------------------------------------------


def _scores(rows: Sequence[Sequence[object]]):
    def setup(place: Place) -> None:
        place.write("scores.csv", rows_csv(SCORES_HEADER, rows))

    return setup


GOOD = [
    ("E1", "甲", "specialist", "华东", PERIOD, 95, "优秀"),
    ("E2", "乙", "specialist", "华东", PERIOD, 82.5, "良好"),
    ("E3", "丙", "specialist", "华北", PERIOD, 61, "合格"),
]


def _with_total(total: object):
    return _scores([*GOOD, ("E4", "丁", "specialist", "华北", PERIOD, total, "合格")])


def _evil_scores(place: Place) -> None:
    rows = [
        (f"E{i}", name, "specialist", name, PERIOD, 90 - i, "优秀") for i, name in enumerate(EVIL)
    ]
    place.write("scores.csv", rows_csv(SCORES_HEADER, rows))


def _evil_names(place: Place) -> None:
    """The sample department with hostile names and teams (a copy in ``{w}/data``)."""
    roster = place.frame("roster.csv")
    for i, text in enumerate(EVIL):
        roster.loc[roster.index[3 + i], "name"] = text
        roster.loc[roster.index[10 + i], "team"] = text
    place.write_frame("data/roster.csv", roster)
    for name in (f"actuals_{SCHEME}.csv", "ratings.csv", "plans.csv"):
        place.write_frame(f"data/{name}", place.frame(name))


def _scheme_with(old: str, new: str, *, scheme: str = SCHEME, count: int = 1):
    def setup(place: Place) -> None:
        text = (place.params / "schemes" / f"{scheme}.yaml").read_text(encoding="utf-8")
        changed = re.sub(old, new, text, count=count, flags=re.MULTILINE)
        assert changed != text, old
        place.write("s.yaml", changed)

    return setup


def _actual(value: str, *, column: str = "csat"):
    def setup(place: Place) -> None:
        actuals = place.frame(f"actuals_{SCHEME}.csv")
        row = actuals.index[actuals["period"] == PERIOD][0]
        actuals.loc[row, column] = value
        place.write_frame("actuals.csv", actuals)

    return setup


def _evil_tickets(place: Place) -> None:
    import pandas as pd

    source = place.sample / "records" / "tickets.csv"
    tickets = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="gb18030")
    column = tickets.columns[1]  # 处理人工号
    for i, text in enumerate(EVIL):
        tickets.loc[tickets[column] == tickets[column].iloc[i * 50], column] = text
    path = place.w / "tickets.csv"
    tickets.to_csv(path, index=False, encoding="gb18030")


# --- cases ------------------------------------------------------------------------------

SET_VALUES = {
    "nan": "nan",
    "inf": "inf",
    "minus-inf": "-inf",
    "negative": "-1",
    "1e400": "1e400",
    "text": "many",
    "blank": "",
    "fullwidth": "３６０",
    "comma": "1,5",
}
SET_CASES = [
    Case(
        id=f"num-set-{name}",
        argv=_score("--set", f"workload_per_quarter={value}"),
        needles=["--set workload_per_quarter", "finite number"],
        absent=["{w}/out.csv"],
    )
    for name, value in SET_VALUES.items()
] + [
    Case(
        id="num-set-no-name",
        argv=_score("--set", "=5"),
        needles=["NAME=NUMBER"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="num-set-zero-is-a-number",
        argv=_score("--set", "workload_per_quarter=0"),
        code=0,
        exists=["{w}/out.csv"],
    ),
]

SCHEME_CASES = [
    Case(
        id=f"num-scheme-{name}",
        argv=["validate", "{w}/s.yaml"],
        setup=_scheme_with(old, new, scheme=scheme),
        needles=needles,
    )
    for name, old, new, scheme, needles in (
        ("weight-1e400", r"weight: 15$", "weight: 1e400", SCHEME, ["kpis[0].weight", "finite"]),
        ("weight-inf", r"weight: 15$", "weight: .inf", SCHEME, ["kpis[0].weight", "finite"]),
        ("weight-nan", r"weight: 15$", "weight: .nan", SCHEME, ["kpis[0].weight"]),
        ("target-1e400", r"target: 0.90$", "target: 1e400", SCHEME, ["kpis[0].target", "infinite"]),
        (
            "band-points-1e400",
            r"to: 0.05, points: \[7, 5\]",
            "to: 0.05, points: [1e400, 5]",
            "manager_post",
            ["bands[2].points", "infinite"],
        ),
        (
            "category-points-inf",
            r"points: 15\}",
            "points: .inf}",
            SCHEME,
            ["categories", "finite"],
        ),
        (
            "parameter-inf",
            r"workload_per_quarter: \{value: 360",
            "workload_per_quarter: {value: .inf",
            SCHEME,
            ["parameters.workload_per_quarter", "finite"],
        ),
    )
]

BONUS_AMOUNTS = {
    "installs-negative": (_amounts(installs="-1"), "installs"),
    "installs-fraction": (_amounts(installs="2.5"), "whole number"),
    "installs-nan": (_amounts(installs="nan"), "installs"),
    "installs-inf": (_amounts(installs="inf"), "installs"),
    "installs-1e400": (_amounts(installs="1e400"), "installs"),
    "price-negative": (_amounts(price="-30"), "install_price"),
    "price-nan": (_amounts(price="nan"), "install_price"),
    "price-inf": (_amounts(price="inf"), "install_price"),
    "pool-overflow": (_amounts(installs="1e15", price="1e10"), "too large"),
    "pool-past-exact-cents": (_amounts(installs="1e14", price="1000"), "too large"),
}
BONUS_AMOUNT_CASES = [
    Case(
        id=f"num-bonus-{name}",
        argv=_bonus(*argv, "--out", "{w}/bonus.csv"),
        setup=_scores(GOOD),
        needles=[needle],
        absent=["{w}/bonus.csv"],
    )
    for name, (argv, needle) in BONUS_AMOUNTS.items()
]


def _only_one_problem_per_person(place: Place, output: str) -> None:
    assert output.count("appears twice") == 1, output


SCORES_CASES = (
    [
        Case(
            id="num-scores-duplicate-person",
            argv=_bonus(*_amounts()),
            setup=_scores([*GOOD, ("E1", "甲", "specialist", "华东", PERIOD, 95, "优秀")]),
            needles=["rows 2, 5", "E1", "twice"],
            check=_only_one_problem_per_person,
        ),
        Case(
            id="num-scores-mixed-periods",
            argv=_bonus(*_amounts()),
            setup=_scores([*GOOD, ("E4", "丁", "specialist", "华北", "2026-Q2", 70, "合格")]),
            needles=["2 periods", "2026-Q3, 2026-Q2", "--period"],
        ),
        Case(
            id="num-scores-period-chosen",
            argv=_bonus(*_amounts(), "--period", "2026-q2", "--out", "{w}/bonus.csv"),
            setup=_scores([*GOOD, ("E4", "丁", "specialist", "华北", "2026-Q2", 70, "合格")]),
            code=0,
            needles=["1 appraised"],
            exists=["{w}/bonus.csv"],
        ),
        Case(
            id="num-scores-period-not-in-file",
            argv=_bonus(*_amounts(), "--period", "2025-Q1"),
            setup=_scores(GOOD),
            needles=["--period", "2026-Q3"],
        ),
        Case(
            id="num-scores-every-bad-total-at-once",
            argv=_bonus(*_amounts()),
            setup=_scores(
                [
                    *GOOD,
                    ("E4", "丁", "s", "t", PERIOD, 150, "优秀"),
                    ("E5", "戊", "s", "t", PERIOD, -20, "不合格"),
                    ("E6", "己", "s", "t", PERIOD, "nan", "不合格"),
                    ("E7", "庚", "s", "t", PERIOD, "很好", "不合格"),
                ]
            ),
            needles=[
                "4 problem(s)",
                "row 5 (employee E4)",
                "row 6",
                "row 7",
                "row 8 (employee E7)",
            ],
        ),
    ]
    + [
        Case(
            id=f"num-scores-total-{name}",
            argv=_bonus(*_amounts(), "--allocation", allocation),
            setup=_with_total(total),
            needles=["row 5 (employee E4), column total", "0 to 100"],
        )
        for name, total, allocation in (
            ("inf-proportional", "inf", "proportional"),
            ("1e309-proportional", "1e309", "proportional"),
            ("blank", "", "base"),
            ("fullwidth", "９０", "base"),
            ("percent", "90%", "base"),
        )
    ]
    + [
        Case(
            id="num-scores-spaces-and-sign-are-numbers",
            argv=_bonus(*_amounts(), "--out", "{w}/bonus.csv"),
            setup=_scores([*GOOD[:2], ("E3", "丙", "s", "t", PERIOD, " +61 ", "合格")]),
            code=0,
            exists=["{w}/bonus.csv"],
        ),
    ]
)

ACTUAL_CASES = [
    Case(
        id=f"num-actual-{name}",
        argv=[*_score(data="{sample}"), "--actuals", "{w}/actuals.csv"],
        setup=_actual(value, column=column),
        needles=["actuals.csv", f"column {column}", needle],
        absent=["{w}/out.csv"],
    )
    for name, value, column, needle in (
        ("1e309", "1e309", "csat", "outside the range"),
        ("nan", "nan", "csat", "not a number"),
        ("fullwidth", "１２", "workload", "not a number"),
        ("decimal-comma", "0,9", "csat", "not a number"),
        ("count-fraction", "12.5", "workload", "outside the range"),
        ("blank", "", "csat", "no actual value"),
    )
] + [
    Case(
        id=f"num-actual-{name}-accepted",
        argv=[*_score(data="{sample}"), "--actuals", "{w}/actuals.csv"],
        setup=_actual(value, column=column),
        code=0,
        exists=["{w}/out.csv"],
    )
    for name, value, column in (
        ("percent", "93%", "csat"),
        ("minus-zero", "-0", "complaint_rate"),
        ("plus-sign", "+3", "workload"),
        ("spaces", " 7 ", "workload"),
    )
]

OUT = "{w}/data"
WRITER_CASES = [
    Case(
        id="num-out-score-xlsx",
        argv=_score(out="{w}/scores.xlsx", data=OUT),
        setup=_evil_names,
        code=0,
        exists=["{w}/scores.xlsx"],
        no_formulas=["{w}/scores.xlsx"],
    ),
    Case(
        id="num-out-score-csv",
        argv=_score(out="{w}/scores.csv", data=OUT),
        setup=_evil_names,
        code=0,
        exists=["{w}/scores.csv"],
        csv_safe=["{w}/scores.csv"],
    ),
    Case(
        id="num-out-annual-xlsx",
        argv=[
            "annual",
            "--scheme",
            SCHEME,
            "--data-dir",
            OUT,
            "--year",
            "2025",
            "--out",
            "{w}/year.xlsx",
        ],
        setup=_evil_names,
        code=0,
        exists=["{w}/year.xlsx"],
        no_formulas=["{w}/year.xlsx"],
    ),
    Case(
        id="num-out-annual-csv",
        argv=[
            "annual",
            "--scheme",
            SCHEME,
            "--data-dir",
            OUT,
            "--year",
            "2025",
            "--out",
            "{w}/year.csv",
        ],
        setup=_evil_names,
        code=0,
        exists=["{w}/year.csv"],
        csv_safe=["{w}/year.csv"],
    ),
    Case(
        id="num-out-bonus-xlsx",
        argv=_bonus(*_amounts(), "--out", "{w}/bonus.xlsx"),
        setup=_evil_scores,
        code=0,
        exists=["{w}/bonus.xlsx"],
        no_formulas=["{w}/bonus.xlsx"],
    ),
    Case(
        id="num-out-bonus-csv",
        argv=_bonus(*_amounts(), "--out", "{w}/bonus.csv"),
        setup=_evil_scores,
        code=0,
        exists=["{w}/bonus.csv"],
        csv_safe=["{w}/bonus.csv"],
    ),
    Case(
        id="num-out-raters-csv",
        argv=[
            "raters",
            "--scheme",
            SCHEME,
            "--roster",
            "{w}/data/roster.csv",
            "--period",
            PERIOD,
            "--out",
            "{w}/raters.csv",
        ],
        setup=_evil_names,
        code=0,
        exists=["{w}/raters.csv"],
        csv_safe=["{w}/raters.csv"],
    ),
    Case(
        id="num-out-raters-xlsx",
        argv=[
            "raters",
            "--scheme",
            SCHEME,
            "--roster",
            "{w}/data/roster.csv",
            "--period",
            PERIOD,
            "--out",
            "{w}/raters.xlsx",
        ],
        setup=_evil_names,
        code=0,
        exists=["{w}/raters.xlsx"],
        no_formulas=["{w}/raters.xlsx"],
    ),
    Case(
        id="num-out-metrics-csv",
        argv=[
            "metrics",
            "--source",
            "sample_tickets",
            "--data",
            "{w}/tickets.csv",
            "--period-grain",
            "quarter",
            "--out",
            "{w}/metrics.csv",
        ],
        setup=_evil_tickets,
        code=0,
        exists=["{w}/metrics.csv"],
        csv_safe=["{w}/metrics.csv"],
    ),
    Case(
        id="num-out-metrics-xlsx",
        argv=[
            "metrics",
            "--source",
            "sample_tickets",
            "--data",
            "{w}/tickets.csv",
            "--period-grain",
            "quarter",
            "--out",
            "{w}/metrics.xlsx",
        ],
        setup=_evil_tickets,
        code=0,
        exists=["{w}/metrics.xlsx"],
        no_formulas=["{w}/metrics.xlsx"],
    ),
]

CASES = [
    *SET_CASES,
    *SCHEME_CASES,
    *BONUS_AMOUNT_CASES,
    *SCORES_CASES,
    *ACTUAL_CASES,
    *WRITER_CASES,
]
