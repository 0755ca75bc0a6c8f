"""A PDF of each HTML report, printed by Chromium (``kpi report --pdf``).

Chromium's print to PDF, driven by Playwright, prints the very page a reader opens: the
same stylesheet (its ``@media print`` rules), the charts, the fonts, with the text kept as
text (Chinese selectable and searchable). WeasyPrint, the other candidate, lays the page out
with its own engine (no JavaScript: the what-if panel and the widgets would differ) and
needs Pango from the system; Chromium is already what the browser tests drive. Every page
has the report's title (its ``<title>``) in the header and ``page / pages`` in the footer.

Playwright is the optional extra ``kpi-toolkit[pdf]``; the browser is Debian's ``chromium``
(``scripts/system-deps.sh``), or the one ``$KPI_CHROMIUM`` names. Printing makes no network
request: anything but ``file:`` and ``data:`` is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, Problem
from ..files import write_atomic

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright, Route

__all__ = ["CHROMIUM", "chromium_path", "pdf_printer"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_BOX = "font-size:8px;width:100%;margin:0 12mm;font-family:sans-serif;color:#555;"
HEADER = f'<div style="{_BOX}"><span class="title"></span></div>'
FOOTER = (
    f'<div style="{_BOX}text-align:center;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

Printer = Callable[[Path, Path], Path]  # (HTML page, PDF to write) → the PDF written


def chromium_path() -> Path:
    """The Chromium to print with: ``$KPI_CHROMIUM``, else Debian's ``/usr/bin/chromium``."""
    return Path(os.environ.get("KPI_CHROMIUM") or CHROMIUM)


def _check_tools() -> Path:
    """Playwright importable and a Chromium present; else bad input saying how to fix it."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append(
            Problem(
                where="--pdf",
                message="printing to PDF needs Playwright, which is not installed",
                allowed="pip install 'kpi-toolkit[pdf]' (the pdf extra), or leave out --pdf",
            )
        )
    browser = chromium_path()
    if not browser.is_file():
        problems.append(
            Problem(
                where="--pdf",
                value=str(browser),
                message="no Chromium to print with",
                allowed="Debian's chromium (bash scripts/system-deps.sh), or $KPI_CHROMIUM "
                "naming a Chromium executable",
            )
        )
    if problems:
        raise InputError(problems)
    return browser


@contextmanager
def pdf_printer() -> Iterator[Printer]:
    """One Chromium for a batch: yields ``print_pdf(html, pdf)``.

    Playwright's synchronous API refuses to run in a thread with an asyncio loop (a
    Jupyter kernel, or the caller's own Playwright): it runs in a worker thread of its own.

    Raises
    ------
    InputError
        Playwright (the ``pdf`` extra) is not installed, or there is no Chromium.

    Examples
    --------
    >>> with pdf_printer() as print_pdf:  # doctest: +SKIP
    ...     print_pdf(Path("report.html"), Path("report.pdf"))
    """
    browser_path = _check_tools()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-pdf") as worker:
        started = worker.submit(_start, browser_path).result()
        try:

            def print_pdf(html: Path, pdf: Path) -> Path:
                return write_atomic(pdf, worker.submit(_print, started[1], html).result())

            yield print_pdf
        finally:
            worker.submit(_stop, *started).result()


def _start(browser_path: Path) -> tuple[Playwright, Browser]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(browser_path), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    return playwright, browser


def _print(browser: Browser, html: Path) -> bytes:
    """The page printed: A4, backgrounds, the title in the header, page numbers below."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/*", _offline)
        page.goto(html.resolve().as_uri(), wait_until="load")
        return page.pdf(
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template=HEADER,
            footer_template=FOOTER,
            margin={"top": "16mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
        )
    finally:
        context.close()


def _stop(playwright: Playwright, browser: Browser) -> None:
    try:
        browser.close()
    finally:
        playwright.stop()


def _offline(route: Route) -> None:
    """Only the page itself and what it inlines: no request leaves the machine."""
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()
