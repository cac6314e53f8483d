"""osmnx interoperability, the OSM import and the network CLI."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest

from planner.cli import main
from planner.errors import DataError
from planner.network import build_network, connect_city, import_osm, route

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return build_network()


def test_osmnx_converts_and_routes(graph: nx.MultiDiGraph) -> None:
    nodes, edges = ox.convert.graph_to_gdfs(graph)
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    assert str(edges.crs) == "EPSG:4326"
    back = ox.convert.graph_from_gdfs(nodes, edges)
    assert back.number_of_edges() == graph.number_of_edges()
    path = ox.routing.shortest_path(graph, ["urumqi|road"], ["kashgar|road"], weight="length")[0]
    assert path[0] == "urumqi|road" and path[-1] == "kashgar|road"
    ours = route(graph, "urumqi", "kashgar", modes=("road", "rail", "air"), weight="distance")
    assert sum(
        min(d["length"] for d in graph[u][v].values()) for u, v in zip(path[:-1], path[1:], strict=True)
    ) == pytest.approx(ours.distance_km * 1000, rel=1e-9)


def test_osmnx_plots(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig, _ = ox.plot.plot_graph(
        graph, show=False, close=True, save=True, filepath=tmp_path / "g.png", node_size=2
    )
    assert (tmp_path / "g.png").stat().st_size > 1000


def test_import_osm_and_connect(graph: nx.MultiDiGraph) -> None:
    streets = import_osm(DATA / "city_block.osm", "乌鲁木齐")
    assert streets.number_of_nodes() >= 4 and streets.number_of_edges() >= 5
    names = {d["route"] for _, _, d in streets.edges(data=True)}
    assert {"人民路", "解放路"} <= names
    joined = connect_city(graph, streets, "urumqi")
    conn = joined.graph["city_connection"]
    assert conn["trunk_node"] == "urumqi|road" and conn["osm_node"].startswith("osm:urumqi:")
    assert 0 < conn["length_km"] < 2
    street_node = next(n for n in streets.nodes if n != conn["osm_node"])
    path = nx.shortest_path(joined, street_node, "kashgar|road", weight="length")
    assert "urumqi|road" in path


def test_import_rejects_non_osm_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not an OpenStreetMap XML file"):
        import_osm(DATA / "not_osm.osm", "urumqi")
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"\x00\x01")
    with pytest.raises(DataError, match="PBF is not supported"):
        import_osm(pbf, "urumqi")


def test_cli_route(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "route", "乌鲁木齐", "Kashgar", "--mode", "road", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        out["origin"] == "urumqi"
        and out["routes"][-1] == "G3012"
        and out["cost_reefer_cny_per_t"] > out["cost_ambient_cny_per_t"]
    )
    assert main(["network", "route", "urumqi", "almaty", "--close-port", "khorgas", "--json"]) == 0
    assert "X-KHORGAS-ROAD" not in json.loads(capsys.readouterr().out)["routes"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["network", "route", "乌鲁木齐", "喀什x"], "unknown place '喀什x'; did you mean 喀什"),
        (["network", "route", "urumqi", "almaty", "--close-route", "G999"], "unknown route 'G999'"),
        (
            ["network", "import-osm", str(DATA / "not_osm.osm"), "--city", "乌鲁木齐"],
            "not an OpenStreetMap XML file",
        ),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_cli_stats_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "stats", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["by_mode"]["road"]["km"] > 10000 and "Gansu Province" in out["km_by_province"]


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "graphml"])
def test_cli_export(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"net.{fmt}"
    assert main(["network", "export", "--format", fmt, "--out", str(out)]) == 0
    assert out.stat().st_size > 10000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_import_osm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "import-osm", str(DATA / "city_block.osm"), "--city", "乌鲁木齐", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["trunk_node"] == "urumqi|road" and out["osm_links"] >= 5
