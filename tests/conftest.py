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
