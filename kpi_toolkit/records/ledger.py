"""Data-quality ledger: every input row is used or excluded with a reason code.

:func:`~kpi_toolkit.records.staging.build_canonical` turns a registered raw relation into a
canonical view and tags each source row on the way; :func:`count_ledger` counts them: rows
in = rows used + rows excluded, always (checked). The reason codes are :data:`REASON_CODES`;
their words are in :mod:`kpi_toolkit.labels`.

A row is named by where it is in its file, as an editor shows it: a CSV file's line (the
header is line 1, so the first data row is line 2; blank lines count), an XLSX sheet's row,
a Parquet file's row. Of several copies of one id, the most complete copy is used (the
earliest among equally complete ones) and the others are excluded as ``duplicate_id``, so a
truncated copy on an earlier line never hides the complete one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..labels import LABELS, Lang, name_of
from .fields import period_time
from .sources import ROW_COLUMN, SourceSpec
from .sql_guard import Connection, quote_identifier
from .staging import CANONICAL_VIEW, build_canonical, check_mapping
from .tables import KEYS

# build_canonical, check_mapping and period_time are defined in staging and fields and
# named here too, where they were first
__all__ = [
    "CANONICAL_VIEW",
    "REASONS",
    "REASON_CODES",
    "Ledger",
    "build_canonical",
    "check_mapping",
    "count_ledger",
    "period_time",
    "reason_label",
]


REASON_CODES = (
    "used",
    "filtered",
    "system_account",
    "not_resolved",
    "unparseable_timestamp",
    "bad_value",
    "missing_value",
    "duplicate_id",
    "missing_employee",
    "unknown_employee",
    "resolved_before_created",
    "outside_period",
)
# code → its label in each language; the words live in kpi_toolkit.labels


REASONS: Mapping[str, Mapping[str, str]] = {code: LABELS[f"reason.{code}"] for code in REASON_CODES}


def reason_label(code: str, *, lang: Lang = "zh") -> str:
    """The label of a reason code in Chinese (default) or English."""
    return name_of("reason", code, lang)


@dataclass(frozen=True)
class Ledger:
    """Where every input row went.

    ``counts`` maps reason code → rows (``used`` included); ``excluded`` holds the
    excluded rows themselves with their ``row`` number in the source and ``reason``;
    ``table`` is the canonical table the source fills (what a page calls the source) and
    ``label`` the mapping's own name for it where it gives one.
    """

    source: str
    rows_in: int
    counts: Mapping[str, int]
    excluded: pd.DataFrame = field(repr=False)
    table: str = ""
    label: Mapping[str, str] = field(default_factory=dict)

    @property
    def rows_used(self) -> int:
        return self.counts.get("used", 0)

    @property
    def rows_excluded(self) -> int:
        return sum(n for code, n in self.counts.items() if code != "used")

    @property
    def balanced(self) -> bool:
        """Rows in = rows used + rows excluded, and ``excluded`` lists them all."""
        listed = len(self.excluded) == self.rows_excluded
        return self.rows_in == self.rows_used + self.rows_excluded and listed

    def summary(self, *, lang: Lang = "zh") -> pd.DataFrame:
        """Rows per reason (``used`` first), with the reason's label."""
        codes = [code for code in REASONS if self.counts.get(code)]
        rows = [self.counts[code] for code in codes]
        labels = [reason_label(code, lang=lang) for code in codes]
        return pd.DataFrame({"reason": codes, "label": labels, "rows": rows})


def count_ledger(con: Connection, spec: SourceSpec, *, raw: str, used: int | None = None) -> Ledger:
    """Rows in, counted in the source; used, counted in the canonical table; excluded, listed.

    The three are counted apart, so :attr:`Ledger.balanced` is a real check. ``used`` is the
    canonical table's rows where the caller counted them while reading it (the metrics' one
    pass); an event log's used rows are its events, counted here.
    """
    row = quote_identifier(ROW_COLUMN)
    rows_in = _count(con, f"SELECT count(*) FROM {raw}")
    if used is None or spec.events:
        used = _count(con, _used_sql(spec))
    counts = dict(con.execute("SELECT reason, count(*) FROM _excluded GROUP BY ALL").fetchall())
    sql = (
        f"SELECT e.{row} AS row, e.reason, raw.* EXCLUDE ({row}) FROM _excluded e "
        f"JOIN {raw} raw USING ({row}) ORDER BY row"
    )
    # none excluded: the columns only, without reading the source again
    excluded = con.execute(sql if counts else f"{sql} LIMIT 0").df()
    ledger = Ledger(
        spec.path or spec.name,
        rows_in,
        {"used": used} | counts,
        excluded,
        table=spec.table,
        label={str(lang): text for lang, text in spec.label.items()},
    )
    if not ledger.balanced:
        raise RuntimeError(
            f"ledger does not balance for {ledger.source}: {counts}, {used} used vs {rows_in} in"
        )
    return ledger


def _count(con: Connection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None  # a count(*) query returns one row
    return int(row[0])


def _used_sql(spec: SourceSpec) -> str:
    """Source rows behind the canonical table: its rows, or an event log's rows of its tickets."""
    if not spec.events:
        return f"SELECT count(*) FROM {CANONICAL_VIEW}"
    key, target = quote_identifier(spec.events.key), quote_identifier(KEYS[spec.table])
    return (
        f"SELECT count(*) FROM _staged WHERE _reason IS NULL "
        f"AND {key} IN (SELECT {target} FROM {CANONICAL_VIEW})"
    )
