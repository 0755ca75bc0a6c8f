"""Provenance: the footer of every report (toolkit version, each input's file name and
SHA-256, the parameters), naming no folder of the machine that made it."""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
from IPython.display import HTML

from ..labels import Lang, label, name_of
from .context import ReportContext
from .html import escape

__all__ = ["PATH_PARAMETERS", "footer", "input_list"]


def footer(ctx: ReportContext) -> HTML:
    """Provenance: toolkit version, each input's file name and SHA-256, the parameters
    (a path shown by its last part: the page names no folder of the machine that made it)."""
    lang = ctx.lang
    params = "".join(
        f"<li>{escape(name_of('param', k, lang))} = "
        f"<code>{escape(_shown_parameter(k, v))}</code></li>"
        for k, v in ctx.parameters.items()
    )
    return HTML(
        f'<footer class="kpi-footer"><p>kpi-toolkit {escape(ctx.version)} · '
        f"{escape(label('report.generated', lang))} {escape(ctx.generated)}</p>"
        f"{input_list(ctx.inputs, lang=lang, ledger=ctx.ledger)}<ul>{params}</ul></footer>"
    )


def input_list(
    inputs: dict[str, tuple[str, str]], *, lang: Lang, ledger: pd.DataFrame | None = None
) -> str:
    """Each input file as a list item: its role in words, its file name and its SHA-256
    (not its folder: the page is shared, the hash identifies the file).

    A raw export's role (``records:<mapping>``) is named by the table it fills, found in
    the ``ledger`` (``source, table, ...``) when there is one.
    """
    tables: dict[str, str] = {}
    if ledger is not None and "table" in ledger:
        tables = dict(zip(ledger["source"], ledger["table"], strict=True))
    items = "".join(
        f"<li>{escape(_role(role, tables, lang))}: <code>{escape(_file_name(path))}</code> sha256 "
        f"<code>{escape(digest)}</code></li>"
        for role, (path, digest) in inputs.items()
    )
    return f"<ul>{items}</ul>"


PATH_PARAMETERS = frozenset(
    {"scheme", "data_dir", "sources", "records_dir", "corrections", "plans", "scenario"}
)


def _file_name(path: object) -> str:
    """The last part of a path, whichever the machine's separator (``C:\\d\\r.csv``)."""
    return PurePath(str(path).replace("\\", "/")).name or str(path)


def _shown_parameter(key: str, value: object) -> object:
    """A path parameter by its last part; any other as given."""
    return _file_name(value) if key in PATH_PARAMETERS and isinstance(value, str) else value


def _role(role: str, tables: dict[str, str], lang: Lang) -> str:
    """``roster`` → 花名册; ``records:sample_tickets`` → 原始记录 · 工单."""
    kind, _, source = role.partition(":")
    shown = name_of("input", kind, lang)
    return f"{shown} · {name_of('table', tables[source], lang)}" if source in tables else shown
