"""Report notebooks exported to one offline HTML file (run by :mod:`.execution`).

The stock nbconvert HTML loads require.js, MathJax and the ipywidgets renderer from CDNs and
shows a blank page without a network. The ``kpi_offline`` template (next to this module)
empties those blocks and inlines the widget renderer (``@jupyter-widgets/html-manager``
``dist/embed.js``, fetched at install time by ``scripts/fetch-widget-renderer.sh``) as a
``data:`` URI, so the one file opens anywhere, offline, widgets included.

The same page comes from ``jupyter nbconvert --to kpi_html executed.ipynb``: the package
declares :class:`KpiHtmlExporter` under the ``nbconvert.exporters`` entry point. Cells tagged
``notes`` (the notebooks' explanations, for whoever runs them) are left out of the page.
"""

from __future__ import annotations

import copy
import re
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

from ..errors import KpiError
from .execution import execute_notebook, shared_kernel  # importable from here, as ever

__all__ = [
    "HTML_MANAGER_VERSION",
    "NOTES_TAG",
    "WIDGET_RENDERER",
    "PageShell",
    "execute_notebook",
    "export_html",
    "page_language",
    "page_title",
    "shared_kernel",
    "without_notes",
]

Language = Literal["zh", "en"]

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "kpi_offline"
WIDGET_RENDERER = TEMPLATES / TEMPLATE_NAME / "static" / "embed.js"
HTML_MANAGER_VERSION = "1.0.15"  # pinned in scripts/fetch-widget-renderer.sh
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
HTML_LANG: dict[Language, str] = {"zh": "zh-CN", "en": "en"}
NOTES_TAG = "notes"  # explanatory cells: shown in Jupyter, left out of every exported page
# Characters left as they are in the renderer's data: URI: harmless in a URL body and in an
# HTML attribute. Everything else is percent-encoded, "/" above all: webpack takes the
# bundle's public path from its own URL up to the last "/", and fetches its icon fonts from
# there. With base64, whose alphabet has "/", every font URL becomes a copy of the 2.5 MB URI
# and Chromium takes seconds over them; here the public path is just "data:text/".
_URI_SAFE = " !$'()*+,-.:;=@[]^_`{|}~"


def export_html(nb: NotebookNode, *, title: str, lang: Language = "zh") -> str:
    """Render an executed notebook as one self-contained HTML page that works offline.

    Input code, prompts and ``notes`` cells are left out; images are already embedded by
    nbconvert; widget state from ``nb.metadata.widgets`` is rendered by the inlined widget
    renderer. :class:`KpiHtmlExporter` (``nbconvert --to kpi_html``) renders the same page.

    Parameters
    ----------
    nb
        The executed notebook (for example from :func:`execute_notebook`). Not modified.
    title
        The page title (``<title>``), e.g. ``"售后服务部绩效考核报告 2026-Q3"``.
    lang
        Language of the page: ``"zh"`` gives ``<html lang="zh-CN">``, ``"en"`` gives ``"en"``.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    KpiError
        The notebook has widgets but the widget renderer was never fetched.

    Examples
    --------
    >>> html = export_html(executed, title="售后服务部绩效考核报告")  # doctest: +SKIP
    >>> from kpi_toolkit.files import write_atomic
    >>> write_atomic("report.html", html)  # doctest: +SKIP
    """
    if lang not in HTML_LANG:
        raise KpiError(f"Unsupported language: {lang!r}. Supported: {', '.join(HTML_LANG)}")
    page = copy.deepcopy(nb)
    page.metadata["title"] = title
    page.metadata["kpi_lang"] = lang
    html, _ = _kpi_exporter_class()().from_notebook_node(page)
    return str(html)


def without_notes(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` without its cells tagged ``notes``."""
    page = nbformat.from_dict(nb)
    page.cells = [c for c in page.cells if NOTES_TAG not in c.get("metadata", {}).get("tags", [])]
    return page


def page_language(nb: NotebookNode) -> Language:
    """The page's language: as exported by :func:`export_html`, else the notebook's
    ``lang`` parameter (papermill's record of it), else Chinese."""
    given = nb.metadata.get("kpi_lang") or _parameters(nb).get("lang")
    return given if given in HTML_LANG else "zh"


def page_title(nb: NotebookNode) -> str:
    """The page's title: as exported by :func:`export_html`, else the report's heading
    (its first ``<h1>``) and its period or year, else the notebook's name."""
    if nb.metadata.get("title"):
        return str(nb.metadata["title"])
    heading = next(filter(None, map(_heading, _html_outputs(nb))), "")
    parameters = _parameters(nb)
    when = parameters.get("period") or parameters.get("year") or ""
    return " ".join(str(p) for p in (heading, when) if p) or "kpi-toolkit"


_H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


def _heading(html: str) -> str:
    import html as entities

    found = _H1.search(html)
    return entities.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def _html_outputs(nb: NotebookNode) -> Iterator[str]:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            yield str(output.get("data", {}).get("text/html", ""))


def _parameters(nb: NotebookNode) -> dict[str, Any]:
    """The notebook's parameters: its parameters cell's defaults, then those papermill
    recorded as given."""
    import ast

    import papermill

    defaults = {}
    for name, found in papermill.inspect_notebook(nb).items():
        try:
            defaults[name] = ast.literal_eval(found.get("default") or "None")
        except (ValueError, SyntaxError):
            continue  # a default that is an expression: not needed for a title
    return {**defaults, **(nb.metadata.get("papermill", {}).get("parameters", {}) or {})}


# Markdown cells come out with CJK text as numeric references (&#21806;): write the characters
# (only code points above ASCII, so no markup character is ever unescaped).
_NUMERIC_REFERENCE = re.compile(r"&#(\d{1,7});")


def _character(match: re.Match[str]) -> str:
    code = int(match.group(1))
    return chr(code) if 127 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match[0]


def _exporter_class() -> type:
    """nbconvert's HTMLExporter without its final pass through BeautifulSoup.

    That pass re-parses the whole page with Python's html.parser only to add ``alt`` text to
    images that lack it and ``tabindex`` to cells: on a 500-person report (70,000 tags) it
    takes most of the export time. Our charts carry ``alt`` already; the rest is the same.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class OfflineHTMLExporter(HTMLExporter):
        def from_notebook_node(  # type: ignore[override]  # as nbconvert's HTMLExporter: returns str
            self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name"))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            types = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", types)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return OfflineHTMLExporter


def _kpi_exporter_class() -> type:
    """:class:`KpiHtmlExporter`: the offline exporter with the report's settings."""
    global _KPI_EXPORTER
    if _KPI_EXPORTER is not None:
        return _KPI_EXPORTER

    class KpiHtmlExporter(_exporter_class()):  # type: ignore[misc]  # made at run time
        """nbconvert's ``kpi_html``: the page ``kpi report`` writes, from any executed
        report notebook (no code, no notes, the report's styles, the widget renderer
        inlined, nothing fetched from a network)."""

        export_from_notebook = "KPI report (offline HTML)"

        def __init__(self, config: Any = None, **kw: Any) -> None:
            settings = {
                "template_name": TEMPLATE_NAME,
                "extra_template_basedirs": [str(TEMPLATES)],
                "exclude_input": True,
                "exclude_input_prompt": True,
                "exclude_output_prompt": True,
            }
            super().__init__(config=config, **{**settings, **kw})

        def from_notebook_node(
            self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            page = without_notes(nb)
            lang = page_language(page)
            page.metadata["title"] = page_title(page)
            self.language_code = lang
            resources = dict(resources or {})
            resources["kpi"] = {
                "html_lang": HTML_LANG[lang],
                "widget_renderer_src": _renderer(page),
            }
            html, resources = super().from_notebook_node(page, resources=resources, **kw)
            return _NUMERIC_REFERENCE.sub(_character, html), resources

    _KPI_EXPORTER = KpiHtmlExporter
    return KpiHtmlExporter


_KPI_EXPORTER: type | None = None


def __getattr__(name: str) -> Any:
    """``KpiHtmlExporter`` (the ``kpi_html`` entry point) is made on first use, so that
    nbconvert is imported only then."""
    if name == "KpiHtmlExporter":
        return _kpi_exporter_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _renderer(nb: NotebookNode) -> str:
    """The widget renderer as a ``data:`` URI, or ``""`` when the notebook has no widgets."""
    if WIDGET_STATE not in nb.metadata.get("widgets", {}):
        return ""
    return _data_uri(WIDGET_RENDERER)


def _data_uri(script: Path) -> str:
    try:
        source = script.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KpiError(
            f"The ipywidgets renderer is missing: {script}. Reports with widgets inline it "
            f"(@jupyter-widgets/html-manager@{HTML_MANAGER_VERSION}). Fix: run `make install`, "
            "or `bash scripts/fetch-widget-renderer.sh` (needs npm)."
        ) from None
    return "data:text/javascript;charset=utf-8," + urllib.parse.quote(source, safe=_URI_SAFE)


class PageShell:
    """The page of one notebook's layout, rendered once, with each code cell's id and each
    HTML output left as a slot: the pages of many notebooks that differ only there (the
    scorecards of a batch) without rendering nbconvert's template for each.

    :meth:`page` gives exactly what :func:`export_html` gives for such a notebook (the
    template inserts both as they are), and ``None`` for one laid out otherwise.

    Examples
    --------
    >>> shell = PageShell(first, title="个人绩效考核结果 2026-Q3")  # doctest: +SKIP
    >>> shell.page(second) == export_html(second, title=shell.title)  # doctest: +SKIP
    True
    """

    def __init__(self, nb: NotebookNode, *, title: str, lang: Language = "zh") -> None:
        self.title, self.lang = title, lang
        self._token = f"kpislot{uuid.uuid4().hex}n"
        self._layout, _ = _slotted(nb, self._token)
        html = export_html(self._layout, title=title, lang=lang)
        self._parts = re.split(f"({self._token}[0-9]+)", html)
        found = self._parts[1::2]
        self._slots = [int(s.removeprefix(self._token)) for s in found]
        self.usable = sorted(self._slots) == list(range(len(found)))

    def page(self, nb: NotebookNode) -> str | None:
        """``nb``'s page, or ``None`` where its layout differs from the shell's."""
        layout, values = _slotted(nb, self._token)
        if not self.usable or layout != self._layout:
            return None
        parts = list(self._parts)
        for place, slot in enumerate(self._slots):
            parts[2 * place + 1] = _NUMERIC_REFERENCE.sub(_character, values[slot])
        return "".join(parts)


def _slotted(nb: NotebookNode, token: str) -> tuple[NotebookNode, list[str]]:
    """``nb`` without notes, each code cell's id and HTML output replaced by a numbered
    token; the values replaced, in token order. Left out as the page never shows them:
    the code (the page has no input) and papermill's record of the parameters (read only
    for a title and a language, which the page is given)."""
    layout, values = without_notes(nb), []
    layout.metadata.pop("papermill", None)
    for cell in layout.cells:
        if cell.cell_type != "code":
            continue
        cell["source"] = ""
        values.append(str(cell.get("id", "")))
        cell["id"] = f"{token}{len(values) - 1}"
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                values.append(html if isinstance(html, str) else "".join(html))
                data["text/html"] = f"{token}{len(values) - 1}"
    return layout, values
