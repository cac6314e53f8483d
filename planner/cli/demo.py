"""``planner demo``: the main job on the shipped data, with no network and no keys."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer

from planner.cli._common import console, info
from planner.cli.layout import show_layout
from planner.export import export_nodes


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the root app."""
    app.command("demo")(demo)


def demo(out: Path = typer.Option(Path("outputs/demo"), "--out", "-o", help="Directory for the demo outputs.")) -> None:
    """Show the documented layouts and write them to OUT (GeoPackage, CSV and, when available, maps)."""
    for name in ("xinjiang", "gansu"):
        show_layout(name, as_json=False)
    out.mkdir(parents=True, exist_ok=True)
    written = [export_nodes(out / "layout_nodes.gpkg"), export_nodes(out / "layout_nodes.csv")]
    if importlib.util.find_spec("planner.maps") is not None:
        from planner.maps import render_layout_maps

        written.extend(render_layout_maps(out))
    for path in written:
        info(f"wrote {path}")
    console.print(f"demo outputs in {out.resolve()}")
