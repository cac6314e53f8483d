"""Printing a report page to PDF with a headless Chromium (Debian's ``/usr/bin/chromium`` by default).

The same browser the map tests drive. ``PLANNER_CHROMIUM`` names another binary. The page is printed
from a ``file://`` URL after its scripts ran (the embedded map draws before the print).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from planner.atomic import atomic_path
from planner.errors import PlannerError

__all__ = ["find_chromium", "print_pdf"]

_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium binary to print with: ``PLANNER_CHROMIUM``, else the first one installed."""
    override = os.environ.get("PLANNER_CHROMIUM")
    if override:
        return override if Path(override).is_file() or shutil.which(override) else None
    for name in _CANDIDATES:
        found = name if Path(name).is_file() else shutil.which(name)
        if found:
            return str(found)
    return None


def print_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], *, timeout_s: float = 180.0) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4) with headless Chromium; return the PDF's path.

    Raises :class:`PlannerError` when no Chromium is installed or printing fails.
    """
    chromium = find_chromium()
    if chromium is None:
        raise PlannerError("--pdf needs Chromium: install it (Debian: apt-get install chromium, or "
                           "bash tools/install-browser.sh) or set PLANNER_CHROMIUM to its path")
    source = Path(html_path).resolve()
    target = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="planner-chromium-") as profile, atomic_path(target) as temporary:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                   "--virtual-time-budget=4000", f"--print-to-pdf={temporary}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PlannerError(f"printing {source.name} to PDF with {chromium} failed: {exc}") from None
        if not temporary.is_file() or temporary.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PlannerError(f"printing {source.name} to PDF with {chromium} failed (exit {done.returncode}): {last}")
    return target
