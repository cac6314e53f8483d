"""``planner map``: interactive maps that open offline (one self-contained HTML file each)."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli._common import console, info
from planner.errors import PlannerError
from planner.paths import repo_root

map_app = typer.Typer(
    help="Interactive offline maps: the documented layouts, scenario results and run comparisons.",
    no_args_is_help=True,
)

_BASEMAP_HELP = (
    "Background: none (default; shipped boundaries, works offline), osm, gaode (data shifted to GCJ-02) "
    "or tianditu (needs TIANDITU_KEY). Tiled basemaps need the internet when the map is opened."
)


def register(app: typer.Typer) -> None:
    """Add the ``map`` command group to the root app."""
    app.add_typer(map_app, name="map")


def _check_basemap(basemap: str) -> str:
    from planner.maps.basemaps import get_basemap

    get_basemap(basemap)  # raises a one-line PlannerError for an unknown name or a missing key
    return basemap.strip().lower()


def _report(path: Path) -> None:
    size = path.stat().st_size
    info(f"wrote {path} ({size / 1024:.0f} KiB)")
    console.print(str(path))


@map_app.command("layouts")
def layouts(
    out: Path = typer.Option(
        None, "--out", help="Directory to write into (default: maps/ of the repository)."
    ),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    """Write all layout maps: xinjiang.html, gansu.html, corridors.html, emergency.html."""
    from planner.maps.layouts import write_layout_maps

    basemap = _check_basemap(basemap)
    directory = out if out is not None else repo_root() / "maps"
    if directory.exists() and not directory.is_dir():
        raise PlannerError(f"--out {directory} is a file; give a directory")
    for path in write_layout_maps(directory, basemap).values():
        _report(path)


@map_app.command("layout")
def layout(
    name: str = typer.Argument(..., help="xinjiang, gansu, corridors or emergency."),
    out: Path = typer.Option(None, "--out", help="HTML file to write (default: maps/NAME.html)."),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    """Write one layout map."""
    from planner.maps.base import save_map
    from planner.maps.layouts import layout_map

    basemap = _check_basemap(basemap)
    folium_map = layout_map(name, basemap)
    target = out if out is not None else repo_root() / "maps" / f"{name.strip().lower()}.html"
    if target.is_dir():
        raise PlannerError(f"--out {target} is a directory; give an .html file name")
    _report(save_map(folium_map, target))


@map_app.command("run")
def run_map_command(
    run_dir: Path = typer.Argument(..., help="Run directory (outputs/<scenario>/<run-id>)."),
    out: Path = typer.Option(None, "--out", help="Output HTML file (default: RUN_DIR/map.html)."),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    """Draw a scenario result: sites by tier, flows along their routes, assignments, regions by KPI."""
    from planner.maps import run_map, save_map

    basemap = _check_basemap(basemap)
    _report(save_map(run_map(run_dir, basemap=basemap), out if out is not None else run_dir / "map.html"))


@map_app.command("compare")
def compare_map_command(
    run_a: Path = typer.Argument(..., help="Run directory A."),
    run_b: Path = typer.Argument(..., help="Run directory B."),
    out: Path = typer.Option(Path("compare.html"), "--out", help="Output HTML file."),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    """Draw the sites opened, closed, kept and changed between two runs."""
    from planner.maps import compare_map, save_map

    basemap = _check_basemap(basemap)
    _report(save_map(compare_map(run_a, run_b, basemap=basemap), out))
