"""``planner demo``: the main job on the shipped data, with no network and no keys."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer

from planner.cli._common import STATE, console, info
from planner.cli.scenario import _print_summary, run_file
from planner.export import export_nodes
from planner.outputs import summary
from planner.paths import scenarios_dir

DEMO_SCENARIO = "xinjiang_fruit_cold_chain.yaml"


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the root app."""
    app.command("demo")(demo)


def demo(out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Root directory for the demo outputs.")) -> None:
    """Run the shipped Xinjiang fruit cold-chain scenario and write the documented layouts.

    Writes the run directory under OUT/xinjiang_fruit_cold_chain/<run-id>/ (tables, GeoPackage, map)
    and the layout nodes and maps under OUT/layouts/, then prints where the maps are.
    """
    result, run_dir = run_file(scenarios_dir() / DEMO_SCENARIO, out, show_progress=not STATE.quiet)
    _print_summary(summary(result))
    layouts = out / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    written = [export_nodes(layouts / "layout_nodes.gpkg"), export_nodes(layouts / "layout_nodes.csv")]
    if importlib.util.find_spec("planner.maps") is not None:
        from planner.maps import render_layout_maps

        written.extend(render_layout_maps(layouts))
    for path in written:
        info(f"wrote {path}")
    console.print(f"run directory: {run_dir.resolve()}")
    if (run_dir / "map.html").is_file():
        console.print(f"result map: {(run_dir / 'map.html').resolve()}")
    console.print(f"layout maps and nodes: {layouts.resolve()}")
