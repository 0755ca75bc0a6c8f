"""The sample's raters filling in their rating forms (``make demo``'s stand-in for people).

``python -m kpi_toolkit.sample.fill_forms FOLDER [--seed N]`` fills every form
``kpi forms`` wrote into FOLDER with the sample department's own ratings
(:func:`~kpi_toolkit.sample.make_sample`'s ``ratings``): the rows the sample has a rating for
get it, typed into the 评分 cell as a value; the others stay blank, as a rater who did not
rate everyone leaves them. Nothing else of the workbook changes, so ``kpi collect`` reads the
same ratings back and reports the blanks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from ..labels import Lang, label
from ..reports.excel import cell_text, save_workbook
from ..reports.form_identity import read_identity
from ..reports.forms import VALUE_COLUMN
from .department import make_sample

__all__ = ["fill_forms", "main"]

Key = tuple[str, str, str, str, str]  # employee_id, period, kpi_id, rater_id, rater_group


def fill_forms(
    folder: str | Path, *, ratings: pd.DataFrame, keep_unrated: bool = False
) -> tuple[int, int, int]:
    """Type ``ratings`` into the forms of ``folder``; return (forms filled, ratings typed,
    forms kept back).

    ``ratings`` is a table ``employee_id, period, kpi_id, rater_id, rater_group, value``.
    A value is typed as it is in the table (a number stays a number, a label a label). A
    rater with no rating in the table does not send the form back: unless ``keep_unrated``,
    the form is removed from the folder, as a form never returned.
    """
    given = _by_key(ratings)
    forms = typed = kept = 0
    for path in sorted(Path(folder).glob("*.xlsx")):
        count = _fill(path, given)
        if count == 0 and not keep_unrated:
            path.unlink()
            kept += 1
            continue
        forms, typed = forms + (count is not None), typed + (count or 0)
    return forms, typed, kept


def _by_key(ratings: pd.DataFrame) -> dict[Key, Any]:
    """Each rating by its (ratee, period, KPI, rater, group), the ids as a form's cells hold
    them."""
    columns = ["employee_id", "period", "kpi_id", "rater_id", "rater_group"]
    keys = zip(*(ratings[c].astype(str) for c in columns), strict=True)
    return {
        tuple(cell_text(part) for part in key): _plain(value)  # type: ignore[misc]
        for key, value in zip(keys, ratings["value"], strict=True)
    }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _fill(path: Path, given: Mapping[Key, Any]) -> int | None:
    """Fill one form; ``None`` where the workbook is not a form."""
    book = load_workbook(path)
    identity = read_identity(book)
    if identity is None:
        return None
    lang: Lang = "en" if identity.get("lang") == "en" else "zh"
    sheet = book[label("forms.sheet", lang)]
    header = int(identity.get("header_row") or 0)
    period, rater = identity.get("period") or "", identity.get("rater_id") or ""
    typed = 0
    for row, (ratee, kpi, group) in enumerate(identity.rows, start=header + 1):
        value = given.get((ratee, period, kpi, rater, group))
        if value is not None and not pd.isna(value):
            sheet.cell(row, VALUE_COLUMN).value = value
            typed += 1
    save_workbook(book, path)
    return typed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kpi_toolkit.sample.fill_forms",
        description="fill the sample's rating forms as its raters would",
    )
    parser.add_argument("folder", help="the folder kpi forms wrote")
    parser.add_argument("--seed", type=int, default=2026, help="the sample's seed")
    args = parser.parse_args(argv)
    if not Path(args.folder).is_dir():
        print(f"error: {args.folder}: {label('collect.no_folder')}", file=sys.stderr)
        return 2
    forms, typed, kept = fill_forms(args.folder, ratings=make_sample(seed=args.seed).ratings)
    folder = Path(args.folder).resolve()
    print(label("forms.filled", forms=forms, typed=typed, kept=kept, folder=folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
