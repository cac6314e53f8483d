"""The public Python API: the lazy package root and the calls the notebooks make (``import planner as pl``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import folium
import networkx as nx
import pandas as pd
import pytest
from cli_runner import run_planner

import planner as pl
from planner.errors import PlannerError
from planner.maps.base import planner_state, render_html
from planner.maps.html import esc
from planner.maps.routes import route_text
from planner.scenario.load import ScenarioError
from planner.scenario.run import RunResult

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SHIPPED = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))
HEAVY = ("geopandas", "pandas", "folium", "pulp", "pydantic", "networkx", "shapely", "highspy", "scipy", "numpy")


# ------------------------------------------------------------------------------------------ package root


def test_every_public_name_resolves_to_its_defining_object() -> None:
    lazy = set(pl._LAZY)
    assert lazy | {"DataError", "InfeasibleError", "ModelError", "PlannerError", "__version__"} == set(pl.__all__)
    assert len(pl.__all__) == len(set(pl.__all__))
    for name in pl.__all__:
        assert getattr(pl, name) is not None, name
    for name, (module, attribute) in pl._LAZY.items():
        assert getattr(pl, name) is getattr(sys.modules[module], attribute), name
    assert set(pl.__all__) <= set(dir(pl))
    from planner.network.routing import route

    assert pl.route is route
    assert pl.run_summary.__module__ == "planner.outputs"


def test_import_planner_loads_no_heavy_library() -> None:
    code = (
        "import json, sys\n"
        "import planner, planner.api, planner.compare\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'planner' has no attribute 'solve_everything'"):
        pl.solve_everything  # noqa: B018 - the attribute access is the test
    assert not hasattr(pl, "_not_public")


def test_paths() -> None:
    assert pl.repo_root() == REPO
    assert (pl.repo_root() / "notebooks").is_dir()
    assert (pl.geodata_dir() / "nodes.csv").is_file()


# ------------------------------------------------------------------------------------------ scenarios


def test_shipped_scenarios_and_their_paths() -> None:
    assert pl.shipped_scenarios() == SHIPPED
    assert {"xinjiang_fruit_cold_chain", "gansu_emergency_reserves"} <= set(SHIPPED)
    expected = REPO / "scenarios" / "xinjiang_fruit_cold_chain.yaml"
    assert pl.scenario_path("xinjiang_fruit_cold_chain") == expected
    assert pl.scenario_path("xinjiang_fruit_cold_chain.yaml") == expected
    given = DATA / "scenarios" / "user_supply.yaml"
    assert pl.scenario_path(given) == given
    assert pl.scenario_path(str(given)) == given


@pytest.mark.parametrize("name", ["no_such_scenario", "scenarios/no_such_scenario.yaml", "xinjiang_fruit"])
def test_unknown_scenario_names_the_shipped_ones(name: str) -> None:
    with pytest.raises(PlannerError) as caught:
        pl.scenario_path(name)
    message = str(caught.value)
    assert message.startswith(f"{name}: no such scenario file or shipped scenario; shipped: ")
    assert all(shipped in message for shipped in SHIPPED)
    assert "\n" not in message
    with pytest.raises(PlannerError, match="shipped: "):
        pl.load_scenario(name)


def test_load_scenario_by_name_and_by_path() -> None:
    by_name = pl.load_scenario("xinjiang_fruit_cold_chain")
    assert isinstance(by_name, pl.Scenario)
    assert by_name.name == "xinjiang_fruit_cold_chain" and by_name.model == "cold_chain"
    assert [t.name for t in by_name.tiers] == ["precool", "backbone", "regional"]
    assert by_name.tiers[1].max_open == 4
    by_path = pl.load_scenario(REPO / "scenarios" / "xinjiang_fruit_cold_chain.yaml")
    assert by_path == by_name
    user = pl.load_scenario(str(DATA / "scenarios" / "user_supply.yaml"))
    assert user.name == "user_supply_apples" and user.supply is not None and user.supply.table == "supply_adcode.csv"


def test_load_scenario_reports_a_broken_file() -> None:
    with pytest.raises(ScenarioError, match=r"wrong_type.yaml:8: p: Input should be a valid integer"):
        pl.load_scenario(DATA / "scenarios" / "wrong_type.yaml")


@pytest.fixture(scope="module")
def fruit() -> pl.Scenario:
    return pl.load_scenario("xinjiang_fruit_cold_chain")


def test_modify_scenario_returns_a_changed_copy(fruit: pl.Scenario) -> None:
    before = fruit.model_dump()
    changed = pl.modify_scenario(
        fruit,
        {"tiers[1].max_open": 2, "policy.unmet_penalty_cny_per_t": 5000, "solver.time_limit_s": 30,
         "demand.gateways[2].share_of_supply.korla_pear": 0.02, "tiers[1].candidates.names": ["乌鲁木齐", "喀什"]},
        name="fruit_two_bases",
    )  # fmt: skip
    assert isinstance(changed, pl.Scenario)
    assert changed.name == "fruit_two_bases"
    assert changed.tiers[1].max_open == 2
    assert changed.policy.unmet_penalty_cny_per_t == 5000
    assert changed.solver.time_limit_s == 30
    assert changed.demand.gateways[2].share_of_supply["korla_pear"] == 0.02
    assert changed.tiers[1].candidates.names == ["乌鲁木齐", "喀什"]
    assert fruit.model_dump() == before  # the original is untouched
    # everything not named is carried over
    assert changed.tiers[0] == fruit.tiers[0] and changed.products == fruit.products
    assert pl.modify_scenario(fruit) == fruit and pl.modify_scenario(fruit) is not fruit


BAD_CHANGES = [
    ({"policy.unmet_penalty": 1}, "policy.unmet_penalty", "did you mean 'unmet_penalty_cny_per_t'?"),
    ({"tiers[9].max_open": 1}, "tiers[9].max_open", "index 9 is out of range"),
    ({"tiers.max_open": 3}, "tiers.max_open", "tiers is a list: give an index"),
    ({"tiers[1].max_open": -1}, "tiers[1].max_open", "greater than or equal to 0"),
    ({"tiers[1].min_open": 5}, "tiers[1]", "max_open 4 < min_open 5"),
    ({"solver.name": "gurobi"}, "solver.name", "'highs' or 'cbc'"),
    ({"tiers[1].candidates.names": ["乌鲁木齐", "兰洲"]}, "tiers[1].candidates.names[1]", "unknown place '兰洲'"),
    ({"demand.gateways[0].share_of_supply.apple": 2}, "demand.gateways[0].share_of_supply.apple", "less than or equal to 1"),
    ({"bad path!": 1}, "bad path!", "malformed path"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_CHANGES, ids=[c[1] for c in BAD_CHANGES])
def test_modify_scenario_rejects_bad_paths_and_values(fruit: pl.Scenario, changes: dict, field: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        pl.modify_scenario(fruit, changes)
    error = caught.value
    assert error.problems[0].field == field
    assert message in str(error)
    assert str(error).startswith(f"scenario xinjiang_fruit_cold_chain: {field}: ")
    assert "\n" not in str(error)


def test_modify_scenario_lists_every_problem(fruit: pl.Scenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        pl.modify_scenario(fruit, {"products": [{"id": "banana"}]})
    error = caught.value
    assert error.problems[0].field == "products[0].id" and "unknown product 'banana'" in str(error)
    # the gateways still name the products left out
    assert "demand.gateways[0].share_of_supply.korla_pear" in [p.field for p in error.problems]
    assert str(error).endswith(f"(and {len(error.problems) - 1} more in .problems)")
    with pytest.raises(ScenarioError, match=r"^scenario xinjiang_fruit_cold_chain: name: name must be lowercase"):
        pl.modify_scenario(fruit, name="Fruit Variant")
    with pytest.raises(PlannerError, match=r"^modify_scenario: give a Scenario \(from load_scenario\), not str$"):
        pl.modify_scenario("xinjiang_fruit_cold_chain", {"p": 3})  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ solving


@pytest.fixture(scope="module")
def reserves() -> RunResult:
    """The fastest shipped scenario (p-center, 5 of 10 reserve sites, well under a second)."""
    return pl.solve_scenario("gansu_emergency_reserves")


@pytest.fixture(scope="module")
def three_reserves() -> RunResult:
    base = pl.load_scenario("gansu_emergency_reserves")
    return pl.solve_scenario(pl.modify_scenario(base, {"p": 3}, name="three_reserves"))


@pytest.fixture(scope="module")
def apples() -> RunResult:
    """A small cold chain reading its supply from a CSV next to the scenario file."""
    scenario = pl.load_scenario(DATA / "scenarios" / "user_supply.yaml")
    return pl.solve_scenario(scenario, base_dir=DATA / "scenarios")


def test_solve_a_shipped_scenario_by_name(reserves: RunResult) -> None:
    assert isinstance(reserves, RunResult)
    assert reserves.status == "optimal"
    assert reserves.scenario.name == "gansu_emergency_reserves"
    assert len(reserves.sites) == 5 and reserves.kpis["open_sites"] == 5
    # p-center: the objective is the longest travel time to the nearest centre, in hours
    assert reserves.kpis["max_time_h"] == pytest.approx(reserves.objective)
    assert reserves.kpis["max_time_h"] == pytest.approx(reserves.assignments["time_h"].max())
    assert reserves.kpis["unserved_points"] == 0 and len(reserves.assignments) == 87  # Gansu's county seats
    assert reserves.source_files == [REPO / "scenarios" / "gansu_emergency_reserves.yaml"]


def test_solve_a_modified_scenario_object(reserves: RunResult, three_reserves: RunResult) -> None:
    assert three_reserves.scenario.name == "three_reserves"
    assert len(three_reserves.sites) == 3
    assert three_reserves.kpis["max_time_h"] >= reserves.kpis["max_time_h"] - 1e-6


def test_solve_a_scenario_object_with_its_own_tables(apples: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert apples.status == "optimal"
    assert set(apples.sites["tier"]) == {"dc"} and 1 <= len(apples.sites) <= 2
    assert apples.kpis["delivered_t"] + apples.kpis["unmet_t"] == pytest.approx(apples.kpis["demand_t"])
    assert 0 < apples.kpis["service_level"] <= 1
    # without base_dir the supply table is looked for in the current directory
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlannerError, match=r"supply_adcode.csv: file not found"):
        pl.solve_scenario(apples.scenario)


def test_solve_scenario_reports_its_stages_and_writes_the_log(tmp_path: Path) -> None:
    stages: list[str] = []
    log = tmp_path / "solver.log"
    result = pl.solve_scenario(DATA / "scenarios" / "user_supply.yaml", step=stages.append, log_path=log)
    assert stages == ["reading the scenario", "building the network and cost matrices", "building and solving the model"]
    assert log.is_file() and log.stat().st_size > 0
    assert result.status == "optimal"


def test_solve_an_impossible_scenario_raises_one_line() -> None:
    with pytest.raises(PlannerError, match=r"^scenario infeasible_scenario: infeasible .*policy.budget_cny 1,500,000 CNY "
                       r"pays for at most 1 site\(s\)[^\n]*raise the budget$"):
        pl.solve_scenario(DATA / "scenarios" / "infeasible.yaml")


# ------------------------------------------------------------------------------------------ tables


def test_kpi_table(reserves: RunResult, three_reserves: RunResult, apples: RunResult) -> None:
    table = pl.kpi_table({"five": reserves, "three": three_reserves})
    assert list(table.index) == ["five", "three"]
    assert table.loc["five", "open_sites"] == 5 and table.loc["three", "open_sites"] == 3
    assert table.loc["three", "max_time_h"] == pytest.approx(three_reserves.kpis["max_time_h"])
    assert table.loc["five", "objective"] == pytest.approx(reserves.objective)
    assert (table["status"] == "optimal").all()
    by_name = pl.kpi_table([reserves, apples])
    assert list(by_name.index) == ["gansu_emergency_reserves", "user_supply_apples"]
    row = by_name.loc["user_supply_apples"]
    assert row["service_level"] == pytest.approx(apples.kpis["service_level"])
    components = [c for c in by_name.columns if c.startswith("cost_") and c not in ("cost_total", "cost_per_t_delivered_cny")]
    assert {"cost_fixed", "cost_transport", "cost_unmet_penalty", "cost_total"} <= set(by_name.columns)
    assert row[components].sum() == pytest.approx(row["cost_total"], rel=1e-9)
    assert row["cost_total"] == pytest.approx(row["total_cost_cny"], rel=1e-6)
    assert "tonne_km_by_mode" not in by_name.columns  # a mapping, not a scalar
    with pytest.raises(PlannerError, match="at least one result"):
        pl.kpi_table([])


def test_result_frames_and_summary(apples: RunResult) -> None:
    layers = pl.result_frames(apples)
    assert {"sites", "candidates", "flows", "regions"} <= set(layers)
    assert layers["sites"].crs.to_epsg() == 4326 and len(layers["sites"]) == len(apples.sites)
    assert layers["flows"]["tonnes"].sum() == pytest.approx(apples.flows["tonnes"].sum())
    summary = pl.run_summary(apples)
    assert summary["scenario"] == "user_supply_apples"
    assert summary["sites_opened_total"] == len(apples.sites)
    assert summary["cost_breakdown_cny"]["total"] == pytest.approx(apples.kpis["total_cost_cny"], rel=1e-6)


# ------------------------------------------------------------------------------------------ comparing


def _site_keys(sites: pd.DataFrame) -> set[tuple[str, str]]:
    return {(str(t), str(p)) for t, p in zip(sites["tier"], sites["place_id"], strict=True)}


def test_compare_two_results(reserves: RunResult, three_reserves: RunResult) -> None:
    comparison = pl.compare_runs(reserves, three_reserves)
    assert comparison["a"] == "gansu_emergency_reserves" and comparison["b"] == "three_reserves"
    kpis = comparison["kpis"]
    assert kpis["open_sites"] == {"a": 5, "b": 3, "delta": -2, "delta_pct": pytest.approx(-0.4)}
    assert kpis["max_time_h"]["delta"] == pytest.approx(three_reserves.kpis["max_time_h"] - reserves.kpis["max_time_h"])
    assert kpis["status"]["delta"] is None  # not a number
    costs = {k: v for k, v in kpis.items() if k.startswith("cost_")}
    assert costs == {f"cost_{c}": {"a": a, "b": b, "delta": pytest.approx(b - a), "delta_pct": pytest.approx((b - a) / a)}
                     for c, a, b in zip(reserves.cost_breakdown["component"], reserves.cost_breakdown["cost_cny"],
                                        three_reserves.cost_breakdown["cost_cny"], strict=True)}  # fmt: skip
    sites = comparison["sites"]
    five, three = _site_keys(reserves.sites), _site_keys(three_reserves.sites)
    assert {(s["tier"], s["place_id"]) for s in sites["closed"]} == five - three
    assert {(s["tier"], s["place_id"]) for s in sites["opened"]} == three - five
    assert {(s["tier"], s["place_id"]) for s in sites["kept"]} == five & three
    assert all(s["name_zh"] for s in sites["kept"] + sites["closed"])


def test_compare_two_run_directories_like_the_cli(reserves: RunResult, three_reserves: RunResult, tmp_path: Path) -> None:
    dir_a = pl.write_run(reserves, tmp_path, run_id="a")
    dir_b = pl.write_run(three_reserves, tmp_path, run_id="b")
    assert dir_a == tmp_path / "gansu_emergency_reserves" / "a"
    read = pl.read_run(dir_b)
    assert read["summary"]["scenario"] == "three_reserves" and len(read["sites"]) == 3
    from_dirs = pl.compare_runs(dir_a, dir_b)
    in_memory = pl.compare_runs(reserves, three_reserves)
    assert from_dirs["a"] == str(dir_a) and from_dirs["b"] == str(dir_b)
    assert from_dirs["sites"] == in_memory["sites"]
    for key, row in in_memory["kpis"].items():
        assert from_dirs["kpis"][key]["delta"] == pytest.approx(row["delta"]), key
    mixed = pl.compare_runs(dir_a, three_reserves)
    assert mixed["a"] == str(dir_a) and mixed["b"] == "three_reserves" and mixed["sites"] == in_memory["sites"]
    # the command prints the same comparison
    done = run_planner("compare", dir_a, dir_b, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(from_dirs))


def test_compare_rejects_a_directory_that_is_not_a_run(reserves: RunResult, tmp_path: Path) -> None:
    with pytest.raises(PlannerError, match="not a run directory"):
        pl.compare_runs(tmp_path, reserves)


# ------------------------------------------------------------------------------------------ maps


def _offline(html: str) -> bool:
    return not re.search(r"<script[^>]+src=[\"']https?://", html)


def test_result_map_of_a_cold_chain(apples: RunResult, tmp_path: Path) -> None:
    m = pl.result_map_of(apples)
    assert isinstance(m, folium.Map)
    layers = planner_state(m).layers
    assert {"boundaries", "region_kpi", "flows_0", "flows_1", "sites_0", "unmet"} <= set(layers)
    assert len(layers["sites_0"]) == len(apples.sites)
    assert layers["sites_0"].name_zh == "选址：配送中心" and layers["sites_0"].name_en == "Sites opened: distribution centre (dc)"
    assert {layers["flows_0"].name_en, layers["flows_1"].name_en} == {"Flows: production→dc (road)", "Flows: dc→demand (road)"}
    assert {layers["flows_0"].name_zh, layers["flows_1"].name_zh} == {"流量：产地→配送中心（公路）", "流量：配送中心→需求地（公路）"}
    # one label per place, none on the site markers themselves
    assert len(layers["site_labels"]) == apples.sites["place_id"].nunique()
    assert all("lbl" not in f["properties"] for f in layers["sites_0"].features())
    assert len(layers["unmet"]) == int((apples.service.groupby("place_id")["unmet_t"].sum() > 1e-6).sum())
    path = pl.save_map(m, tmp_path / "apples.html")
    html = path.read_text(encoding="utf-8")
    assert _offline(html)
    assert esc("user supply table (adcode)") in html  # the scenario title heads the map
    assert json.dumps("选址：配送中心")[1:-1] in html or "选址：配送中心" in html


def test_result_map_of_a_location_model(reserves: RunResult) -> None:
    m = pl.result_map_of(reserves)
    layers = planner_state(m).layers
    assert "assignments" in layers and "region_kpi" in layers
    assert len(layers["sites_0"]) == 5
    assert len(layers["assignments"]) == len(reserves.assignments[reserves.assignments["site_id"] != reserves.assignments["place_id"]])


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return pl.build_network()


def test_route_map(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    road = pl.route(graph, "乌鲁木齐", "喀什", modes=("road",))
    rail = pl.route(graph, "乌鲁木齐", "喀什", modes=("rail",))
    m = pl.route_map({"公路 <road>": road, "铁路 rail": rail}, title="乌鲁木齐 → 喀什")
    assert isinstance(m, folium.Map)
    state = planner_state(m)
    assert list(state.layers) == ["boundaries", "route_0", "route_1"]
    line, start, end = state.layer("route_0").features()
    tip = line["properties"]["tip"]
    assert tip == esc(route_text("公路 <road>", road))
    assert f": {road.distance_km:,.0f} km, {road.time_h:.1f} h, {road.cost_reefer_cny_per_t:,.0f} CNY/t" in tip
    assert tip.startswith("公路 &lt;road&gt;: ") and tip.endswith(" - ".join(road.routes))
    assert start["geometry"]["coordinates"] == pytest.approx(list(road.geometry.coords[0]), abs=1e-5)
    assert end["geometry"]["coordinates"] == pytest.approx(list(road.geometry.coords[-1]), abs=1e-5)
    rail_tip = state.layer("route_1").features()[0]["properties"]["tip"]
    assert f"{rail.distance_km:,.0f} km" in rail_tip and "R-NANJIANG" in rail_tip
    html = render_html(m)
    assert _offline(html) and "<road>" not in html
    saved = pl.save_map(pl.route_map([road]), tmp_path / "route.html").read_text(encoding="utf-8")
    assert "urumqi -&gt; kashgar" in saved or "urumqi -\\u0026gt; kashgar" in saved
    with pytest.raises(PlannerError, match="at least one route"):
        pl.route_map({})


def test_layout_map_is_a_folium_map() -> None:
    m = pl.layout_map("gansu")
    assert isinstance(m, folium.Map) and "boundaries" in planner_state(m).layers
    with pytest.raises(PlannerError):
        pl.layout_map("tibet")


# ------------------------------------------------------------------------------------------ network


def test_network_stats_add_up(graph: nx.MultiDiGraph) -> None:
    stats = pl.network_stats(graph)
    assert stats["nodes"] == graph.number_of_nodes() and stats["links"] == graph.number_of_edges()
    by_mode = stats["by_mode"]
    assert {"road", "rail", "air"} <= set(by_mode)
    assert sum(e["nodes"] for e in by_mode.values()) == stats["nodes"]
    assert by_mode["crossing"]["nodes"] == 0 and by_mode["crossing"]["links"] > 0  # links between layers
    assert sum(e["links"] for e in by_mode.values()) == stats["links"]
    road_km = sum(d["length_km"] for _, _, d in graph.edges(data=True) if d["mode"] == "road") / 2
    assert by_mode["road"]["km"] == pytest.approx(road_km, abs=0.06)
    for mode in ("road", "rail"):
        by_province = sum(modes.get(mode, 0.0) for modes in stats["km_by_province"].values())
        assert by_province == pytest.approx(by_mode[mode]["km"], rel=1e-3)
    assert stats["km_by_province"]["Xinjiang Uyghur Autonomous Region"]["road"] > stats["km_by_province"]["Gansu Province"]["road"] > 0


def test_network_frames(graph: nx.MultiDiGraph) -> None:
    nodes, links = pl.network_frames(graph)
    assert len(nodes) == graph.number_of_nodes() and len(links) == graph.number_of_edges()
    assert nodes.crs.to_epsg() == 4326 and links.crs.to_epsg() == 4326
    urumqi = nodes.set_index("node").loc["urumqi|road"]
    assert (urumqi["x"], urumqi["y"]) == (urumqi.geometry.x, urumqi.geometry.y)
    g30 = links[links["route"] == "G30"]
    assert len(g30) > 0 and (g30["length_km"] > 0).all()
    assert all(isinstance(c, str) for c in links["corridors"])  # lists joined for the file formats


def test_osm_example_extract_joins_the_network(graph: nx.MultiDiGraph) -> None:
    path = REPO / "notebooks" / "data" / "kashgar_example.osm"
    assert "synthetic" in path.read_text(encoding="utf-8")[:600].lower()
    streets = pl.import_osm(path, "喀什")
    assert streets.graph["city"] == "kashgar" and streets.number_of_edges() >= 10
    highways = {d["highway"] for _, _, d in streets.edges(data=True)}
    assert {"primary/secondary", "residential", "tertiary"} <= highways  # merged ways: sorted, joined with /
    assert not any("[" in h for h in highways)
    joined = pl.connect_city(graph, streets, "喀什")
    connection = joined.graph["city_connection"]
    assert connection["trunk_node"] == "kashgar|road" and connection["length_km"] < 3
    assert joined.number_of_nodes() == graph.number_of_nodes() + streets.number_of_nodes()


# ------------------------------------------------------------------------------------------ README


def _readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_python_example_runs() -> None:
    section = _readme_section("Python / notebooks")
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md (Python / notebooks)", "exec"), namespace)  # the README's own example
    table = namespace["table"]
    assert isinstance(table, pd.DataFrame) and list(table.index) == ["gansu_emergency_reserves", "three_reserves"]
    assert list(table["open_sites"]) == [5, 3]
    assert table.loc["three_reserves", "max_time_h"] >= table.loc["gansu_emergency_reserves", "max_time_h"] - 1e-6
    closed = namespace["closed"]
    assert isinstance(closed, list) and len(closed) >= 2 and all({"tier", "place_id", "name_zh"} <= set(s) for s in closed)
    assert isinstance(namespace["m"], folium.Map)
    road = namespace["road"]
    assert isinstance(road, pl.Route) and road.origin == "urumqi" and road.destination == "kashgar"
    assert 1000 < road.distance_km < 1600 and road.modes_used == ["road"]


def test_readme_lists_every_public_name_it_shows() -> None:
    section = _readme_section("Python / notebooks")
    calls = {name for row in section.splitlines() if row.startswith("| ") for name in re.findall(r"`(\w+)[`(]", row)}
    calls -= {"to_frame", "sites", "flows", "service", "cost_breakdown", "kpis"}  # methods and attributes
    assert calls <= set(pl.__all__), sorted(calls - set(pl.__all__))
    documented = {n for n in pl.__all__ if n[0].islower() and not n.startswith("_")}
    missing = documented - calls - {"result_map"}  # result_map draws saved layers: result_map_of is the call
    assert not missing, f"public calls missing from the README table: {sorted(missing)}"


def test_readme_scenario_reference_covers_the_schema() -> None:
    from planner.scenario import schema

    section = _readme_section("Scenario files")
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    top_level = {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert top_level == set(schema.Scenario.model_fields)
    words = set(re.findall(r"\w+", " ".join(re.findall(r"`([^`]+)`", section))))
    nested = (schema.Citation, schema.ProductSpec, schema.CandidateSpec, schema.TierSpec, schema.SupplySpec,
              schema.GatewaySpec, schema.DemandSpec, schema.PolicySpec, schema.DisruptionSpec, schema.SolverSpec)  # fmt: skip
    for model in nested:
        missing = set(model.model_fields) - words
        assert not missing, f"{model.__name__}: {sorted(missing)} not in the README's scenario reference"
    for model_name in schema.MODELS:
        assert f"`{model_name}`" in section
