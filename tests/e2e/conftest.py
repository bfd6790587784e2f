"""Browser journeys: Playwright's sync API drives Debian's Chromium against live_server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`.ci/run` installs
it from Debian). Without it the journeys fail with a clear message under CI=true, and are
skipped on a developer's machine that has no Chromium.

Screenshots of the key pages land in .data/e2e-screenshots/<test>/NN-name.png (gitignored).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / ".data" / "e2e-screenshots"
TIMEOUT_MS = 10_000


def _chromium_or_stop() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"Chromium is missing at {CHROMIUM}: the browser journeys (tests/e2e) need Debian's "
        "Chromium (`apt-get install -y chromium`; .ci/run installs it). Playwright must not "
        "download its own browser."
    )
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def browser(live_server, transactional_db, settings, tmp_path) -> Iterator[Any]:
    """One headless Chromium per journey, against the live server on this test's data.

    Playwright's sync API keeps an event loop running in this thread, which Django's ORM
    takes for an async context: allow it while the browser lives (the test body and its
    fixtures read the database in this thread), and only then.
    """
    _chromium_or_stop()
    from playwright.sync_api import sync_playwright

    settings.SITE_URL = live_server.url  # links built in the test and in emails reach it
    settings.MEDIA_ROOT = str(tmp_path / "media")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
                # While Playwright runs, Django keeps this thread's connections in the event
                # loop's context; close them here, or they outlive the test and block the
                # test database's teardown ("being accessed by other users").
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser) -> Callable[[], Any]:
    """A page in a fresh browser context: one person, their own cookies and cache."""

    def make() -> Any:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/Berlin"
        )
        context.set_default_timeout(TIMEOUT_MS)
        return context.new_page()

    return make


class Screens:
    """Numbered screenshots for one test: a whole page, or one element (an SVG badge)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, target: Any, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        if hasattr(target, "goto"):  # a page
            target.screenshot(path=str(path), full_page=True)
        else:  # a locator
            target.screenshot(path=str(path))
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screens:
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screens(folder)
