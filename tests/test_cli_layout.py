"""`planner layout` as a user runs it: list, show, node, export, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from cli_runner import run_planner as run_cli

from planner.cli import main


def test_show_xinjiang_prints_the_structure() -> None:
    result = run_cli("layout", "show", "xinjiang")
    assert result.returncode == 0, result.stderr
    for text in ("乌鲁木齐", "喀什、红其拉甫", "奎屯、独山子、乌苏", "口岸经济带", "X:L12"):
        assert text in result.stdout


def test_show_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layout", "show", "gansu", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    components = {c["id"]: c for c in data["components"]}
    assert components["land_ports"]["members"] == ["lanzhou", "wuwei", "tianshui"]
    hexi = next(g for g in components["domains"]["groups"] if g["id"] == "hexi")
    assert hexi["parts"]["hub"] == ["jiuquan"]


def test_list_and_node_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layout", "list", "--json"]) == 0
    layouts = json.loads(capsys.readouterr().out)
    assert [lay["id"] for lay in layouts] == ["xinjiang", "gansu"]
    assert main(["layout", "list", "--nodes", "--json"]) == 0
    nodes = json.loads(capsys.readouterr().out)
    assert len(nodes) == 74
    assert main(["layout", "node", "Lanzhou", "--json"]) == 0
    node = json.loads(capsys.readouterr().out)
    types = {r["detail"] for r in node["roles"] if r["role"] == "national_hub"}
    assert types == {"land_port", "trade_service"}


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
def test_export_writes_every_attribute(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"nodes.{fmt}"
    result = run_cli("layout", "export", "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out) if fmt == "csv" else gpd.read_file(out, layer="nodes" if fmt == "gpkg" else None)
    assert len(frame) == 74
    for column in ("id", "name_zh", "name_en", "province", "lon", "lat", "roles", "sources"):
        assert column in frame.columns
    urumqi = frame[frame["id"] == "urumqi"].iloc[0]
    assert "national_hub:air_port" in urumqi["roles"]
    assert "004_e234a45108d6376c.txt:L16" in urumqi["sources"]
    if fmt == "gpkg":
        corridors = gpd.read_file(out, layer="corridors")
        assert len(corridors) == 15
    assert not list(tmp_path.glob(".*tmp*")), "no temporary files left behind"


def test_export_one_layout_carries_its_components(tmp_path: Path) -> None:
    out = tmp_path / "xinjiang.csv"
    assert main(["layout", "export", "--layout", "xinjiang", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert frame["id"].iloc[0] == "urumqi"
    shihezi = frame[frame["id"] == "shihezi"].iloc[0]
    assert shihezi["component"] == "areas; nodes"


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_cli("layout", "show", "tibet")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown layout 'tibet'; use one of xinjiang, gansu"
    result = run_cli("layout", "node", "Urumchi")
    assert result.returncode == 2 and "did you mean" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("layout", "export", "--out", str(tmp_path / "nodes.shp"))
    assert result.returncode == 2 and "unknown export format 'shp'" in result.stderr
    assert not (tmp_path / "nodes.shp").exists()


def test_debug_shows_the_traceback() -> None:
    result = run_cli("--debug", "layout", "show", "tibet")
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_broken_geodata_is_one_line_error(geodata_copy: Path) -> None:
    nodes = geodata_copy / "nodes.csv"
    nodes.write_text(
        nodes.read_text(encoding="utf-8") + nodes.read_text(encoding="utf-8").splitlines()[1] + "\n",
        encoding="utf-8",
    )
    result = run_cli("layout", "list", "--nodes")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nodes.csv:76: duplicate id 'urumqi'" in lines[0]
