"""Headless Debian chromium driven by Playwright, for the tests of maps and reports.

The fixtures ``browser_context``, ``opened`` and ``screenshots`` are in ``conftest.py``. The browser is /usr/bin/chromium (``tools/install-browser.sh``); Playwright's own browser download is never
used. Without chromium the tests skip, except under CI (``CI`` set), where they fail. Screenshots go to a
pytest temporary directory (``screenshots``), kept as test artefacts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "about:")


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; in CI the browser tests must run (install it with tools/install-browser.sh)")
    pytest.skip(f"{reason}; install it with tools/install-browser.sh")


class Opened:
    """A page with everything it logged and requested."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

    def open(self, path: Path) -> Opened:
        """Open a map page and wait for its viewer."""
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.plannerMap !== undefined", timeout=10_000)
        return self

    def open_page(self, path: Path) -> Opened:
        """Open any page (a report) and wait until it has loaded."""
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        return self

    def outside(self) -> list[str]:
        """Requests to anything outside the file."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    def counts(self, method: str) -> dict[str, int]:
        return self.page.evaluate(
            f"() => Object.fromEntries(plannerMap.layerIds.map(id => [id, plannerMap.{method}(id)]))"
        )
