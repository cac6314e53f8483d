"""Detours: closing any expressway keeps every county seat on the road network; rail alternatives;
passenger-only lines carry no freight; route stretches, route and corridor names; bad network input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import pytest

from planner.cli import main
from planner.errors import DataError, PlannerError
from planner.network import build_network, clear_cache, cost_matrix, disrupt, import_osm, resolve_place, route
from planner.network.catalog import resolve_route, route_table
from planner.network.data import load_routes
from planner.regions import load_county_seats

DATA = Path(__file__).parent / "data"
EXPRESSWAYS = [s.id for s in load_routes() if s.mode == "road" and s.road_class == "expressway"]


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return build_network()


@pytest.fixture(scope="module")
def seats() -> list[str]:
    return sorted({resolve_place(str(a)) for a in load_county_seats()["adcode"]})


@pytest.mark.parametrize("expressway", EXPRESSWAYS)
def test_closing_any_expressway_leaves_every_county_seat_on_the_road_network(
    graph: nx.MultiDiGraph, seats: list[str], expressway: str
) -> None:
    closed = disrupt(graph, routes=[expressway])
    m = cost_matrix(closed, ["urumqi", "lanzhou"], seats, modes=("road",))
    cut = [seats[j] for j in range(len(seats)) if not all(math.isfinite(x) for x in m.distance_km[:, j])]
    assert not cut, f"closing {expressway} cuts {cut}"


def test_expressway_list_covers_both_provinces() -> None:
    assert {"G30", "G3012", "G7", "G0711", "G22", "G75", "G6"} <= set(EXPRESSWAYS)


def test_closing_g30_and_the_lanxin_railway_does_not_cut_jinchang(graph: nx.MultiDiGraph) -> None:
    closed = disrupt(graph, routes=["连霍高速", "兰新铁路"])
    detour = route(closed, "lanzhou", "jinchang", modes=("road", "rail"))
    assert "G30" not in detour.routes and "R-LANXIN" not in detour.routes
    assert "G312" in detour.routes


@pytest.mark.parametrize(
    ("closure", "origin", "destination", "via"),
    [
        ({"route": "R-LANXIN", "from": "兰州", "to": "武威"}, "lanzhou", "urumqi", "R-GANWU"),
        ({"route": "R-LONGHAI", "from": "兰州", "to": "宝鸡"}, "lanzhou", "xian", "R-BAOZHONG"),
        ({"route": "R-NANJIANG", "from": "吐鲁番", "to": "库尔勒"}, "urumqi", "korla", "R-GEKU"),
    ],
)
def test_rail_freight_detours_where_an_alternative_line_exists(
    graph: nx.MultiDiGraph, closure: dict[str, str], origin: str, destination: str, via: str
) -> None:
    base = route(graph, origin, destination, modes=("rail",), weight="distance")
    closed = disrupt(graph, links=[closure])
    detour = route(closed, origin, destination, modes=("rail",), weight="distance")
    assert via in detour.routes and detour.distance_km > base.distance_km


def test_passenger_only_lines_carry_no_freight(graph: nx.MultiDiGraph) -> None:
    hsr = [d for _, _, d in graph.edges(data=True) if d["road_class"] == "hsr"]
    assert hsr and not any(d["freight"] for d in hsr)
    freight = route(graph, "lanzhou", "urumqi", modes=("rail",), weight="distance")
    assert "R-LANXIN-HSR" not in freight.routes and "R-LANXIN" in freight.routes
    # with the conventional Lanxin line closed, freight cannot fall back on the high-speed line
    with pytest.raises(PlannerError, match="no route"):
        route(disrupt(graph, routes=["R-LANXIN"]), "lanzhou", "jiayuguan", modes=("rail",))
    assert route_table("rail").set_index("id").loc["R-LANXIN-HSR", "freight"] == False  # noqa: E712


def test_closing_a_stretch_keeps_the_rest_of_the_route(graph: nx.MultiDiGraph) -> None:
    closed = disrupt(graph, links=[{"route": "G30", "from": "武威", "to": "张掖"}])
    assert "G30" not in route(closed, "wuwei", "zhangye", weight="time").routes
    # east of Wuwei and west of Zhangye the expressway stays open
    assert "G30" in route(closed, "lanzhou", "wuwei", weight="time").routes
    assert "G30" in route(closed, "zhangye", "jiuquan", weight="time").routes
    with pytest.raises(PlannerError, match="not a place on route G30"):
        disrupt(graph, links=[{"route": "G30", "from": "武威", "to": "和田"}])


@pytest.mark.parametrize(
    ("name", "route_id"),
    [("连霍高速", "G30"), ("兰新铁路", "R-LANXIN"), ("g3012", "G3012"), ("乌尉高速", "G0711"),
     ("Lanzhou-Xinjiang Railway", "R-LANXIN")],
)  # fmt: skip
def test_route_names_resolve(name: str, route_id: str) -> None:
    assert resolve_route(name) == route_id


def test_unknown_route_and_corridor_names_suggest(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(PlannerError, match="did you mean .*兰新铁路"):
        resolve_route("兰新通道")
    with pytest.raises(PlannerError, match="unknown corridor '兰新通道'; did you mean"):
        disrupt(graph, corridors=["兰新通道"])
    closed = disrupt(graph, corridors=["西部陆海新通道"])
    assert closed.graph["disruption"]["removed_links"] > 0


def test_cli_lists_routes_and_corridors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "routes", "--mode", "rail", "--json"]) == 0
    routes = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert routes["R-LANXIN"]["name_zh"] == "兰新铁路" and routes["R-LANXIN"]["from_zh"] == "兰州"
    assert routes["R-LANXIN-HSR"]["freight"] is False
    assert main(["network", "corridors"]) == 0
    out = capsys.readouterr().out
    assert "western_land_sea_corridor" in out and "西部陆海新通道走廊" in out
    assert main(["network", "route", "武威", "张掖", "--close-link", "G30:武威:张掖", "--json"]) == 0
    assert "G30" not in json.loads(capsys.readouterr().out)["routes"]


def test_validate_reports_closure_names_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenarios = Path(__file__).parents[1] / "scenarios"
    (tmp_path / "base.yaml").write_text((scenarios / "xinjiang_fruit_cold_chain.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "extends: base.yaml\nname: bad_closures\ndisruptions:\n  routes: [G30x, 兰新铁路]\n  corridors: [兰新通道]\n"
        "  border_ports: [lanzhou]\n  links:\n    - {route: G30, from: 武威, to: 和田}\n"
        "    - {route: 连霍高速, from: 武威, to: 张掖}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: disruptions.routes[0]: unknown route 'G30x'; did you mean G30" in err
    assert f"{bad}:5: disruptions.corridors[0]: unknown corridor '兰新通道'" in err
    assert f"{bad}:6: disruptions.border_ports[0]: 'lanzhou' (lanzhou) has no border-crossing link" in err
    assert f"{bad}:8: disruptions.links[0].to: '和田' is not a place on route G30" in err
    assert "links[1]" not in err and "routes[1]" not in err


def test_scenario_link_closure_runs_through_the_builder(tmp_path: Path) -> None:
    from planner.scenario.build import scenario_graph
    from planner.scenario.load import load_scenario

    scenarios = Path(__file__).parents[1] / "scenarios"
    (tmp_path / "base.yaml").write_text((scenarios / "xinjiang_fruit_cold_chain.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "closed.yaml"
    path.write_text("extends: base.yaml\nname: g30_cut\ndisruptions:\n  links:\n    - {route: G30, from: 武威, to: 张掖}\n",
                    encoding="utf-8")  # fmt: skip
    graph = scenario_graph(load_scenario(path))
    assert graph.graph["disruption"]["removed_links"] > 0
    assert "G30" not in route(graph, "wuwei", "zhangye").routes


# ----------------------------------------------------------------------------------- bad input


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_routes_file_with_an_unknown_place_names_file_line_and_field(geodata_copy: Path) -> None:
    routes = geodata_copy / "network" / "routes.yaml"
    _edit(routes, "waypoints: [kuytun, karamay, \"cs:654224=Toli\"", "waypoints: [kuytun, karamy, \"cs:654224=Toli\"")
    line = next(i for i, text in enumerate(routes.read_text(encoding="utf-8").splitlines(), 1) if "id: G3015" in text)
    clear_cache()
    with pytest.raises(DataError, match=rf"routes.yaml: line {line}: route 'G3015': field waypoints: 'karamy' is not an id in nodes.csv; did you mean 'karamay'") as info:
        build_network()
    assert "\n" not in str(info.value)


def test_negative_published_length_names_file_line_and_field(geodata_copy: Path) -> None:
    calibration = geodata_copy / "network" / "calibration.csv"
    _edit(calibration, "section,G314,urumqi,cs:650422,,,160,", "section,G314,urumqi,cs:650422,,,-160,")
    clear_cache()
    with pytest.raises(DataError, match=r"calibration.csv: line 2: field published_km='-160' must be a positive number"):
        build_network()


def test_route_class_without_speed_names_file_line_and_field(geodata_copy: Path) -> None:
    routes = geodata_copy / "network" / "routes.yaml"
    _edit(routes, "  - id: G3016\n    name_zh: 清伊高速\n    name_en: Qingshuihe-Yining Expressway\n    mode: road\n    class: expressway",
          "  - id: G3016\n    name_zh: 清伊高速\n    name_en: Qingshuihe-Yining Expressway\n    mode: road\n    class: motorway")  # fmt: skip
    line = next(i for i, text in enumerate(routes.read_text(encoding="utf-8").splitlines(), 1) if "id: G3016" in text)
    clear_cache()
    with pytest.raises(DataError, match=rf"routes.yaml: line {line}: route 'G3016': field class='motorway' has no speed row"):
        build_network()


def test_osm_way_naming_a_missing_node_names_file_line_and_field(tmp_path: Path) -> None:
    text = (DATA / "city_block.osm").read_text(encoding="utf-8")
    bad = tmp_path / "broken.osm"
    bad.write_text(text.replace('<nd ref="1002"/><nd ref="1005"/>', '<nd ref="1002"/><nd ref="9999"/>'), encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.osm: line 19: way 2003: field nd ref='9999' names no node"):
        import_osm(bad, "urumqi")
