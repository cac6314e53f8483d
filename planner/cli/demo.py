"""``planner demo``: the main job on the shipped data, with no network and no keys."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer

from planner.cli._common import STATE, console, info
from planner.cli._i18n import h, say

DEMO_SCENARIO = "xinjiang_fruit_cold_chain.yaml"


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the root app."""
    app.command("demo", short_help=h("Run the shipped Xinjiang fruit scenario and write the layout maps.", "运行随附的新疆林果场景并写出布局地图。"), help=h(
        "Run the shipped Xinjiang fruit cold-chain scenario and write the documented layouts.\n\n"
        "Writes the run directory under OUT/xinjiang_fruit_cold_chain/<run-id>/ (tables, workbook, GeoPackage, map, "
        "report) and the layout nodes and maps under OUT/layouts/, then prints where they are.",
        "运行随附的新疆林果冷链场景并写出文件所载的布局。\n\n"
        "运行目录写到 OUT/xinjiang_fruit_cold_chain/<运行编号>/（表格、工作簿、GeoPackage、地图、报告），布局节点和地图写到 "
        "OUT/layouts/，最后显示它们的位置。"))(demo)


def demo(out: Path = typer.Option(Path("outputs"), "--out", "-o", help=h("Root directory for the demo outputs.", "演示输出的上级目录。"))) -> None:
    from planner.cli.scenario import print_summary, run_file
    from planner.export import export_nodes
    from planner.outputs import summary
    from planner.paths import scenarios_dir

    result, run_dir = run_file(scenarios_dir() / DEMO_SCENARIO, out, show_progress=not STATE.quiet)
    print_summary(summary(result))
    layouts = out / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    written = [export_nodes(layouts / "layout_nodes.gpkg"), export_nodes(layouts / "layout_nodes.csv")]
    if importlib.util.find_spec("planner.maps") is not None:
        from planner.maps import render_layout_maps

        written.extend(render_layout_maps(layouts))
    for path in written:
        info(f"{say('wrote', '已写出')} {path}")
    console.print(f"{say('run directory', '运行目录')}: {run_dir.resolve()}", markup=False, highlight=False, soft_wrap=True)
    for name, en, zh in (("report.html", "report", "报告"), ("map.html", "result map", "结果地图")):
        if (run_dir / name).is_file():
            console.print(f"{say(en, zh)}: {(run_dir / name).resolve()}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"{say('layout maps and nodes', '布局地图和节点')}: {layouts.resolve()}", markup=False, highlight=False, soft_wrap=True)
