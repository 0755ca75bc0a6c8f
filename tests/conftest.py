"""Shared fixtures. ``offline_page``: a Chromium page that can reach nothing but files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ALLOWED_SCHEMES = ("file:", "data:")


@dataclass
class OfflinePage:
    """A page whose requests other than ``file:`` and ``data:`` are aborted and recorded."""

    page: Page
    blocked: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(ALLOWED_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright (its own browser download does not work here)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def offline_page(chromium: Browser) -> Iterator[OfflinePage]:
    """A fresh page in its own context; ``.blocked`` lists every network request it tried."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    offline = OfflinePage(page=context.new_page())
    offline.page.route("**/*", offline.route)
    yield offline
    context.close()


@dataclass(frozen=True)
class SampleReport:
    """``kpi report`` of the sample department's demo quarter computed from its raw exports,
    in zh, with the scorecard of its first person: the folder written, the console's text."""

    out: Path
    console: str
    period: str = "2026-Q3"
    person: str = "E054"  # the quarter's first (rank 1 of 安装组, the first team listed)


@pytest.fixture(scope="session")
def sample_department(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample department (``kpi sample``, raw exports included), shared read-only by the
    modules that only read it: writing it takes seconds."""
    from kpi_toolkit.cli import main

    folder = tmp_path_factory.mktemp("sample_department")
    assert main(["sample", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="session")
def sample_report(
    sample_department: Path, tmp_path_factory: pytest.TempPathFactory
) -> SampleReport:
    """One ``kpi report`` run shared by the modules that read its pages and workbook."""
    import contextlib
    import io

    from kpi_toolkit.cli import main

    out, console = tmp_path_factory.mktemp("sample_report"), io.StringIO()
    period, person = SampleReport.period, SampleReport.person
    args = ["report", "--scheme", "after_sales_team", "--data-dir", str(sample_department)]
    args += ["--sources", "sample_department", "--records-dir", str(sample_department / "records")]
    args += ["--period", period, "--employee", person, "--out-dir", str(out)]
    with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
        code = main([*args, "--quiet"])
    assert code == 0, console.getvalue()
    return SampleReport(out=out, console=console.getvalue())
