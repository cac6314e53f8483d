"""The README's main job (`planner demo`) and the set-up commands the README promises."""

from __future__ import annotations

import re
from pathlib import Path

from cli_runner import run_planner

REPO = Path(__file__).resolve().parents[1]


def test_demo_runs_the_shipped_scenario_and_writes_maps(tmp_path: Path) -> None:
    result = run_planner("demo", "--out", tmp_path, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    runs = list((tmp_path / "xinjiang_fruit_cold_chain").iterdir())
    assert len(runs) == 1
    run = runs[0]
    for name in ("summary.json", "sites.csv", "flows.csv", "results.gpkg", "map.html", "manifest.json"):
        assert (run / name).is_file(), name
    assert f"result map: {(run / 'map.html').resolve()}" in result.stdout
    for name in ("xinjiang", "gansu", "corridors", "emergency"):
        assert (tmp_path / "layouts" / f"{name}.html").is_file()
    assert (tmp_path / "layouts" / "layout_nodes.gpkg").is_file()
    html = (run / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?://", html), "the result map must not load scripts from the network"


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("    ")]
    assert commands == [
        "python -m pip install -e . && planner demo",
        "bash tools/install-test.sh && python -m pytest -q",
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash tools/install-test.sh" in ci and "python -m pytest -q" in ci
