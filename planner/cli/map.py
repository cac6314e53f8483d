"""``planner map``: interactive maps that open offline (one self-contained HTML file each)."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli._common import console, info
from planner.cli._i18n import h, say
from planner.errors import PlannerError

map_app = typer.Typer(
    short_help=h("Offline maps: layouts, a run, two runs compared.", "离线地图：布局、运行结果、两次运行比较。"),
    help=h("Interactive offline maps: the documented layouts, scenario results and run comparisons.",
           "离线交互地图：文件所载的布局、场景结果和两次运行的比较。"),
    no_args_is_help=True,
)

_BASEMAP_HELP = h(
    "Background: none (default; shipped boundaries, works offline), osm, gaode (data shifted to GCJ-02) "
    "or tianditu (needs TIANDITU_KEY). Tiled basemaps need the internet when the map is opened.",
    "底图：none（默认，随附的行政区界，可离线）、osm、gaode（数据转换为 GCJ-02）或 tianditu（需要 TIANDITU_KEY）。"
    "瓦片底图在打开地图时需要联网。",
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
    info(f"{say('wrote', '已写出')} {path} ({size / 1024:.0f} KiB)")
    console.print(str(path), markup=False, highlight=False, soft_wrap=True)


@map_app.command("layouts", help=h("Write all layout maps: xinjiang.html, gansu.html, corridors.html, emergency.html.",
                                    "写出全部布局地图：xinjiang.html、gansu.html、corridors.html、emergency.html。"))
def layouts(
    out: Path = typer.Option(
        None, "--out", help=h("Directory to write into (default: maps/ of the repository).", "输出目录（默认为仓库的 maps/）。")
    ),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    from planner.maps.layouts import write_layout_maps
    from planner.paths import repo_root

    basemap = _check_basemap(basemap)
    directory = out if out is not None else repo_root() / "maps"
    if directory.exists() and not directory.is_dir():
        raise PlannerError(f"--out {directory} is a file; give a directory")
    for path in write_layout_maps(directory, basemap).values():
        _report(path)


@map_app.command("layout", help=h("Write one layout map.", "写出一幅布局地图。"))
def layout(
    name: str = typer.Argument(..., help=h("xinjiang, gansu, corridors or emergency.", "xinjiang、gansu、corridors 或 emergency。")),
    out: Path = typer.Option(None, "--out", help=h("HTML file to write (default: maps/NAME.html).", "输出的 HTML 文件（默认 maps/NAME.html）。")),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    from planner.maps.base import save_map
    from planner.maps.layouts import layout_map
    from planner.paths import repo_root

    basemap = _check_basemap(basemap)
    folium_map = layout_map(name, basemap)
    target = out if out is not None else repo_root() / "maps" / f"{name.strip().lower()}.html"
    if target.is_dir():
        raise PlannerError(f"--out {target} is a directory; give an .html file name")
    _report(save_map(folium_map, target))


@map_app.command("run", help=h("Draw a scenario result: sites by tier, flows along their routes, assignments, unmet demand, "
                                "closed links, regions by KPI.",
                                "绘制场景结果：分层级的设施、沿路线的流量、分配关系、未满足需求、关闭的线路和按指标着色的地区。"))
def run_map_command(
    run_dir: Path = typer.Argument(..., help=h("Run directory (outputs/<scenario>/<run-id>).", "运行目录（outputs/<场景>/<运行编号>）。")),
    out: Path = typer.Option(None, "--out", help=h("Output HTML file (default: RUN_DIR/map.html).", "输出的 HTML 文件（默认 RUN_DIR/map.html）。")),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    from planner.maps import run_map, save_map

    basemap = _check_basemap(basemap)
    _report(save_map(run_map(run_dir, basemap=basemap), out if out is not None else run_dir / "map.html"))


@map_app.command("compare", help=h("Draw what changed between two runs: both plans' flows, closed links and ports, unmet "
                                    "demand, and the sites opened, closed, moved, resized or kept in each tier.",
                                    "绘制两次运行之间的变化：两个方案的流量、关闭的线路和口岸、未满足需求，以及各层级新增、关闭、迁移、调整规模或保留的设施。"))
def compare_map_command(
    run_a: Path = typer.Argument(..., help=h("Run directory A.", "运行目录 A。")),
    run_b: Path = typer.Argument(..., help=h("Run directory B.", "运行目录 B。")),
    out: Path = typer.Option(Path("compare.html"), "--out", help=h("Output HTML file.", "输出的 HTML 文件。")),
    basemap: str = typer.Option("none", "--basemap", help=_BASEMAP_HELP),
) -> None:
    from planner.maps import compare_map, save_map

    basemap = _check_basemap(basemap)
    _report(save_map(compare_map(run_a, run_b, basemap=basemap), out))
