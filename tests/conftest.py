"""Shared fixtures: the source documents in ../shared, a writable copy of the shipped geodata, and the
headless chromium of the browser tests (``browser_context``, ``opened``, ``screenshots``; see browser.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import ARGS, CHROMIUM, Opened, unavailable

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _clear_all_caches() -> None:
    from planner import layout, regions

    layout.clear_caches()
    regions.clear_caches()


@pytest.fixture
def seeds_dir() -> Path:
    """The source documents (../shared/seeds); tests that read them skip when it is absent."""
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is absent: the source documents are needed to check provenance")
    return path


@pytest.fixture
def orlib_dir() -> Path:
    """The OR-Library instances (../shared/orlib)."""
    path = SHARED / "orlib"
    if not path.is_dir():
        pytest.skip("../shared/orlib is absent: the OR-Library instances are needed")
    return path


@pytest.fixture
def geodata_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of geodata/ that the loaders read instead of the shipped one."""
    target = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata", target)
    monkeypatch.setenv("PLANNER_GEODATA", str(target))
    _clear_all_caches()
    yield target
    monkeypatch.delenv("PLANNER_GEODATA")
    _clear_all_caches()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless chromium for the session, with a fresh profile."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def opened(browser_context: Any) -> Iterator[Opened]:
    page = browser_context.new_page()
    try:
        yield Opened(page)
    finally:
        page.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def cold_chain_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two run directories of the small apple cold chain made by ``planner run``: A with up to two
    distribution centres (tests/data/scenarios/user_supply.yaml), B with one (a path override,
    ``tiers[0].max_open: 1``) and the G22 expressway closed, titled with markup that must stay text."""
    from cli_runner import run_planner

    root = tmp_path_factory.mktemp("cold_chain_runs")
    base = REPO / "tests" / "data" / "scenarios" / "user_supply.yaml"
    shutil.copy(base.parent / "supply_adcode.csv", root / "supply_adcode.csv")  # read from the child's folder
    child = root / "one_dc.yaml"
    child.write_text(
        f"extends: {base}\nname: apples_one_dc\ntitle: 'one DC <img src=x onerror=alert(1)> [bold]G22[/bold] closed'\n"
        "tiers[0].max_open: 1\ndisruptions:\n  routes: [G22]\n",
        encoding="utf-8",
    )
    out = root / "outputs"
    for scenario in (base, child):
        done = run_planner("--quiet", "run", scenario, "--out", out, timeout=300)
        assert done.returncode == 0, done.stderr
    [run_a] = list((out / "user_supply_apples").iterdir())
    [run_b] = list((out / "apples_one_dc").iterdir())
    return run_a, run_b
