"""A real headless Chromium for the tests of the HTML pages (explorer, intrusion form).

Debian's ``chromium`` package (``apt-get install chromium``; ``.ci/run`` installs it) driven by
Playwright. Where either is missing the browser tests are skipped, and the skip says why.
``GOVTOPICS_CHROMIUM`` names another Chromium binary.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("GOVTOPICS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


# Module scope: each test module imports this fixture, and one Playwright must stop before the next
# starts (a second one in the same thread finds the first one's event loop running and refuses).
@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (fresh profile), or a skip with the reason."""
    if not CHROMIUM:
        pytest.skip("browser test skipped: no Chromium found (apt-get install chromium, or set GOVTOPICS_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test skipped: playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page and everything it did: console messages, uncaught errors, dialogs, requests."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_quiet(self, allowed_urls: set[str]) -> None:
        """No console error or warning, no uncaught error, no dialog, no request but ``allowed_urls``."""
        assert [m for m in self.console if m[0] in ("error", "warning")] == []
        assert self.errors == []
        assert self.dialogs == []
        assert set(self.requests) <= allowed_urls, self.requests


def open_page(browser: Any, path: Path | None = None, html: str | None = None) -> Watched:
    """Open a file (``file://``) or HTML content in a new context and watch it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watched = Watched(page)
    page.on("console", lambda m: watched.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: watched.errors.append(str(e)))

    def dialog(d: Any) -> None:
        watched.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    context.on("request", lambda r: watched.requests.append(r.url))
    if path is not None:
        page.goto(path.resolve().as_uri())
    else:
        page.set_content(html)
    return watched
