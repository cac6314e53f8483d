"""The shipped scenarios end to end: validate, build, solve, write the run directory, check the outputs.

Each shipped scenario is solved once per test session (module-scoped cache) and its run directory is
written once; the tests then read the files back as a user would (pandas, geopandas, json).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shipped_record import differences

from planner.errors import PlannerError
from planner.run_dir import write_run
from planner.scenario import coldchain
from planner.scenario.build import build_scenario, supply_table
from planner.scenario.load import check_scenario, load_scenario, read_scenario_dict
from planner.scenario.run import RunResult, solve_built
from planner.scenario.schema import Scenario

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))
DATA = REPO / "tests" / "data" / "scenarios"
BASE = REPO / "scenarios" / "xinjiang_fruit_cold_chain.yaml"
KHORGAS = REPO / "scenarios" / "xinjiang_fruit_khorgas_closed.yaml"


class _Runs:
    """Solve and write each scenario once, on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[Path, tuple[RunResult, Path]] = {}

    def get(self, path: Path) -> tuple[RunResult, Path]:
        if path not in self.cache:
            scenario = load_scenario(path)
            built = build_scenario(scenario, path.parent)
            log = self.root / f"{scenario.name}.log"
            result = solve_built(built, log)
            result.source_files = [source.path for source in read_scenario_dict(path)[1]]
            run_dir = write_run(result, self.root / "outputs", solver_log=log)
            self.cache[path] = (result, run_dir)
        return self.cache[path]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> _Runs:
    return _Runs(tmp_path_factory.mktemp("scenario_runs"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_the_shipped_scenarios_are_there() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"xinjiang_fruit_cold_chain", "gansu_backbone_cold_chain", "gansu_urban_distribution",
            "gansu_emergency_reserves", "rural_drug_coverage", "xinjiang_fruit_khorgas_closed"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=_ids(SHIPPED))
def test_shipped_scenario_validates_and_cites(path: Path) -> None:
    scenario, problems = check_scenario(path)
    assert problems == []
    assert scenario is not None and scenario.cites, "every shipped scenario cites a document clause"
    assert scenario.name == path.stem


@pytest.mark.parametrize("path", SHIPPED, ids=_ids(SHIPPED))
def test_shipped_scenario_runs_and_outputs_agree(path: Path, runs: _Runs) -> None:
    result, run_dir = runs.get(path)
    scenario = result.scenario
    # speed is the benchmarks' business (bench/RESULTS.md): on a slow or loaded machine a cold chain may stop at
    # its time limit, and then the run must say so; otherwise the plan is proven within the scenario's gap
    assert result.status in ("optimal", "gap_limit", "time_limit")
    if result.status == "time_limit":
        assert any("time limit" in note for note in result.notes)
    else:
        assert result.report["gap"] is None or result.report["gap"] <= scenario.solver.mip_gap + 1e-9

    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    sites = pd.read_csv(run_dir / "sites.csv", dtype={"place_id": str})
    candidates = pd.read_csv(run_dir / "candidates.csv", dtype={"place_id": str})
    assert summary["scenario"] == scenario.name and summary["model"] == scenario.model
    assert summary["sites_opened_total"] == len(sites) > 0
    for tier, entry in summary["sites_opened"].items():
        assert entry["count"] == int((sites["tier"] == tier).sum())
    assert int(candidates["open"].sum()) == len(sites)

    layers = dict(gpd.list_layers(run_dir / "results.gpkg")[["name", "geometry_type"]].values)
    assert {"sites", "candidates", "regions"} <= set(layers)
    gpkg_sites = gpd.read_file(run_dir / "results.gpkg", layer="sites")
    assert len(gpkg_sites) == len(sites)
    assert len(gpd.read_file(run_dir / "results.gpkg", layer="candidates")) == len(candidates)
    regions = gpd.read_file(run_dir / "results.gpkg", layer="regions")
    assert len(regions) > 0 and regions.crs is not None

    if scenario.model == "cold_chain":
        flows = pd.read_csv(run_dir / "flows.csv", dtype={"from_id": str, "to_id": str})
        service = pd.read_csv(run_dir / "service.csv", dtype={"place_id": str})
        assert len(gpd.read_file(run_dir / "results.gpkg", layer="flows")) == len(flows)
        # flows into the demand points = delivered demand, per point and product
        into = flows[flows["to_tier"] == "demand"].groupby(["to_id", "product"])["tonnes"].sum()
        # a place can hold several demand points (a city and its land port): compare per place
        delivered = service.groupby(["place_id", "product"])["delivered_t"].sum()
        joined = pd.concat([into.rename("flow"), delivered.rename("delivered")], axis=1).fillna(0.0)
        # the CSV files round tonnes to 0.01 t: a sum of rounded flows may differ by a few hundredths
        np.testing.assert_allclose(joined["flow"], joined["delivered"], rtol=1e-6, atol=0.05)
        # delivered + unmet = demand
        np.testing.assert_allclose(service["delivered_t"] + service["unmet_t"], service["demand_t"], rtol=1e-6, atol=0.02)
        assert summary["kpis"]["delivered_t"] == pytest.approx(service["delivered_t"].sum(), rel=1e-6)
        # site throughput = flows into the site
        inflow = flows.groupby(["to_tier", "to_id"])["tonnes"].sum()
        for row in sites.itertuples():
            assert row.throughput_t == pytest.approx(inflow.get((row.tier, row.place_id), 0.0), rel=1e-6, abs=0.05)
            assert row.throughput_t <= row.capacity_t * (1 + 1e-6)
    else:
        assignments = pd.read_csv(run_dir / "assignments.csv", dtype={"place_id": str, "site_id": str})
        assert len(gpd.read_file(run_dir / "results.gpkg", layer="assignments")) == len(assignments)
        served = assignments.dropna(subset=["site_id"])
        assert set(served["site_id"]) <= set(sites["place_id"])
        load = served.groupby("site_id")["weight"].sum()
        count = served.groupby("site_id").size()
        for row in sites.itertuples():  # both files round weights to 0.001: the sums agree to n x 0.0005
            assert row.assigned_weight == pytest.approx(load.get(row.place_id, 0.0), rel=1e-9,
                                                        abs=5e-4 * (count.get(row.place_id, 0) + 1))
        assert len(sites) == scenario.p

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert str(path.resolve()) in manifest["scenario_files"]
    hashes = {entry["path"]: entry["sha256"] for entry in manifest["inputs"]}
    assert hashes[str(path.resolve())] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["scenario"] == scenario.model_dump(mode="json")
    assert (run_dir / "solver.log").is_file()


def test_gansu_backbone_opens_one_or_two_bases(runs: _Runs) -> None:
    result, _ = runs.get(REPO / "scenarios" / "gansu_backbone_cold_chain.yaml")
    bases = result.open_sites("backbone")
    assert 1 <= len(bases) <= 2
    assert result.kpis["service_level"] > 0.99


def test_emergency_reserves_p_center_minimises_the_worst_time(runs: _Runs) -> None:
    result, _ = runs.get(REPO / "scenarios" / "gansu_emergency_reserves.yaml")
    assert len(result.sites) == 5
    assert result.kpis["max_time_h"] == pytest.approx(result.objective, rel=1e-6)
    assert result.kpis["unserved_points"] == 0


def test_rural_drug_coverage_reports_coverage(runs: _Runs) -> None:
    result, _ = runs.get(REPO / "scenarios" / "rural_drug_coverage.yaml")
    assert 0 < result.kpis["covered_weight_share"] <= 1
    assert result.kpis["covered_points"] + result.kpis["unserved_points"] == len(result.assignments)


# ----------------------------------------------------------------------------------- Khorgas closed


def _port_tonnes(result: RunResult) -> pd.Series:
    """Tonnes delivered for export per port (a port town's own consumption is a separate city demand)."""
    service = result.service
    return service[service["kind"] == "port"].groupby("place_id")["delivered_t"].sum()


def test_khorgas_closed_reroutes_exports_and_costs_more(runs: _Runs) -> None:
    base, _ = runs.get(BASE)
    closed, _ = runs.get(KHORGAS)
    base_ports, closed_ports = _port_tonnes(base), _port_tonnes(closed)
    assert base_ports.get("khorgas", 0.0) > 0
    assert closed_ports.get("khorgas", 0.0) == 0.0
    assert closed_ports.get("alashankou", 0.0) > 0
    base_routes = set(zip(base.flows["from_id"], base.flows["to_id"], strict=True))
    closed_routes = set(zip(closed.flows["from_id"], closed.flows["to_id"], strict=True))
    assert base_routes != closed_routes or set(base.open_sites()) != set(closed.open_sites())
    # same gap (0.5%) for both; the closure adds the longer foreign leg to the re-routed exports, a cost
    # smaller than the gap, so the objectives agree within it and the closed plan costs more than the
    # open network's proven bound
    gap = base.scenario.solver.mip_gap
    assert closed.objective > base.objective * (1 - gap)
    assert closed.objective > base.report["best_bound"]


def test_khorgas_closed_inherits_the_base(runs: _Runs) -> None:
    base, closed = load_scenario(BASE), load_scenario(KHORGAS)
    assert closed.products == base.products and closed.tiers == base.tiers and closed.supply == base.supply
    assert closed.disruptions.border_ports == ["khorgas"] and base.disruptions.border_ports == []
    assert closed.solver == base.solver
    # the markets mapping is merged key by key: the outbound shares stay, Khorgas is excluded
    assert closed.demand.markets.outbound_share == base.demand.markets.outbound_share
    assert closed.demand.markets.exclude == ["khorgas"] and base.demand.markets.exclude == []


def test_gateway_onward_cost_is_added_to_arcs_into_the_gateway(runs: _Runs) -> None:
    result, _ = runs.get(KHORGAS)
    problem = result.built.problem
    keys = result.built.site_keys
    demand_ids = [p.name for p in problem.demand_points]
    column = demand_ids.index("port:alashankou")
    other = demand_ids.index("port:torugart")
    town = demand_ids.index("alashankou")  # the town's own consumption: no onward leg
    arc = next(a for a in problem.arcs if a.from_tier == "backbone" and a.to_tier == "demand" and a.mode == "road")
    backbone = next(t for t in problem.tiers if t.name == "backbone")
    origins = [keys[site.name][1] for site in backbone.sites]
    places = [keys[name][1] for name in demand_ids]
    kinds = [p.kind for p in problem.demand_points]
    plain = next(a for a in coldchain.cold_chain_arcs(
        result.built.graph, {"backbone": origins, "demand": places}, [("backbone", "demand")], kinds, ["road"],
        list(problem.products), coldchain.load_leg_rates()) if a.mode == "road" and a.alternative == arc.alternative)
    np.testing.assert_allclose(arc.cost_refrigerated_cny_per_t[:, column], plain.cost_refrigerated_cny_per_t[:, column] + 190.0)
    np.testing.assert_allclose(arc.cost_ambient_cny_per_t[:, column], plain.cost_ambient_cny_per_t[:, column] + 190.0)
    np.testing.assert_allclose(arc.cost_refrigerated_cny_per_t[:, other], plain.cost_refrigerated_cny_per_t[:, other])
    np.testing.assert_allclose(arc.cost_refrigerated_cny_per_t[:, town], plain.cost_refrigerated_cny_per_t[:, town])
    np.testing.assert_allclose(arc.time_h, plain.time_h)


# ------------------------------------------------------------------------------------------ extends


def test_extends_overrides_one_field_and_keeps_the_rest(tmp_path: Path) -> None:
    base_path = REPO / "scenarios" / "gansu_emergency_reserves.yaml"
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {base_path}\nname: fewer_reserves\np: 3\nsolver: {{time_limit_s: 10}}\n", encoding="utf-8")
    base, derived = load_scenario(base_path), load_scenario(child)
    assert derived.p == 3 and derived.name == "fewer_reserves"
    assert derived.solver.time_limit_s == 10 and derived.solver.mip_gap == base.solver.mip_gap
    for field in ("title", "model", "region", "metric", "candidates", "demand", "cites", "policy"):
        assert getattr(derived, field) == getattr(base, field), field


def test_extends_problem_points_at_the_child_file(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {REPO / 'scenarios' / 'gansu_emergency_reserves.yaml'}\np: many\n", encoding="utf-8")
    _, problems = check_scenario(child)
    assert len(problems) == 1
    assert problems[0].file == str(child.resolve()) and problems[0].line == 2 and problems[0].field == "p"


# ------------------------------------------------------------------------------------- user tables


@pytest.mark.parametrize("name", ["user_supply.yaml", "user_supply_by_name.yaml"])
def test_user_supply_table(name: str, tmp_path: Path) -> None:
    path = DATA / name
    scenario = load_scenario(path)
    supply, notes = supply_table(scenario, path.parent)
    assert notes == []
    assert supply["tonnes"].sum() == pytest.approx(300_000)
    assert supply["product"].unique().tolist() == ["apple"]
    built = build_scenario(scenario, path.parent)
    result = solve_built(built)
    assert result.status in ("optimal", "gap_limit")
    # the gateway takes half of the user's supply
    matrix = result.built.problem.demand_matrix_t
    names = [d.name for d in result.built.problem.demand_points]
    assert matrix[names.index("gateway:xian")].sum() == pytest.approx(150_000)
    assert result.kpis["delivered_t"] > 0


def _unchecked(path: Path) -> Scenario:
    """The scenario of a file, schema-checked only (as an API user may build one), to reach the builder."""
    return Scenario.model_validate(read_scenario_dict(path)[0])


@pytest.mark.parametrize(("name", "reader"), [("unreadable_csv.yaml", "CSV error"), ("unreadable_xlsx.yaml", "BadZipFile")])
def test_unreadable_user_table_is_one_clear_line(name: str, reader: str) -> None:
    path = DATA / name
    [problem] = check_scenario(path)[1]  # validate reports it at the table
    assert "supply_broken" in problem.file and "cannot read the table" in problem.message
    with pytest.raises(PlannerError) as info:
        supply_table(_unchecked(path), path.parent)
    message = str(info.value)
    assert "\n" not in message
    assert "cannot read the table" in message and reader in message and "supply_broken" in message


def test_user_table_bad_row_names_file_line_and_field(tmp_path: Path) -> None:
    for item in ("user_supply.yaml",):
        shutil.copy(DATA / item, tmp_path / item)
    (tmp_path / "supply_adcode.csv").write_text("adcode,product,tonnes\n621002,apple,100\n999999,apple,5\n", encoding="utf-8")
    with pytest.raises(PlannerError, match=r"supply_adcode\.csv:3: adcode: unknown place '999999'"):
        load_scenario(tmp_path / "user_supply.yaml")
    scenario = _unchecked(tmp_path / "user_supply.yaml")
    with pytest.raises(PlannerError, match=r"supply_adcode\.csv:3: adcode: unknown place '999999'"):
        supply_table(scenario, tmp_path)
    (tmp_path / "supply_adcode.csv").write_text("where,product,tonnes\n621002,apple,100\n", encoding="utf-8")
    with pytest.raises(PlannerError, match="missing column"):
        supply_table(scenario, tmp_path)


def test_write_run_failure_leaves_nothing(runs: _Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.run_dir as run_dir

    result, _ = runs.get(REPO / "scenarios" / "gansu_emergency_reserves.yaml")

    def broken_map(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("map writer failed")

    monkeypatch.setattr(run_dir, "_write_map", broken_map)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="map writer failed"):
        write_run(result, out)
    assert not out.exists()  # no run folder, no temporary folder, no empty scenario folder


def test_user_demand_table_in_tonnes(tmp_path: Path) -> None:
    path = DATA / "user_demand.yaml"
    scenario = load_scenario(path)
    built = build_scenario(scenario, path.parent)
    demand = built.problem.demand_t.set_index("point")["tonnes"]
    # the table's tonnes, not the census; the gateway still takes half of the supply
    assert demand.to_dict() == pytest.approx({"lanzhou": 12_000.0, "tianshui": 8_000.0, "gateway:xian": 150_000.0})
    result = solve_built(built)
    assert result.status in ("optimal", "gap_limit") and result.kpis["delivered_t"] > 0
    # the table is an input of the run: the manifest hashes it
    from planner.scenario.run import solve_scenario

    run_dir = write_run(solve_scenario(path), tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert any(Path(item["path"]).name == "demand_tonnes.csv" for item in manifest["inputs"])


def test_user_demand_weights_for_a_location_model(tmp_path: Path) -> None:
    (tmp_path / "weights.csv").write_text("adcode,weight\n620102,50\n620502,30\n621002,20\n", encoding="utf-8")
    (tmp_path / "pmed.yaml").write_text(
        "name: weighted_pmed\ntitle: weighted p-median\nmodel: p_median\nregion: [gansu]\nmetric: time_h\np: 1\n"
        "candidates: {names: [兰州, 天水, 庆阳]}\n"
        "demand: {points: {county_seats_of: [gansu]}, weights: weights.csv, per_capita: false}\n",
        encoding="utf-8",
    )
    built = build_scenario(load_scenario(tmp_path / "pmed.yaml"), tmp_path)
    weights = dict(zip(built.customers, built.problem["weights"], strict=True))
    assert weights["cs620102"] == 50 and weights["cs620502"] == 30 and weights["cs621002"] == 20
    assert sum(weights.values()) == 100  # county seats the table leaves out weigh 0
    result = solve_built(built)
    # one site: the weighted time is smallest at Lanzhou (half the weight sits in its seat district)
    assert list(result.sites["place_id"]) == ["lanzhou"]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("name,product,tonnes\n兰州,apple,10\n酒泉,apple,5\n", r"demand_tonnes\.csv:3: name: '酒泉' is not one of the scenario's demand points"),
        ("name,product,tonnes\n兰州,pear,10\n", r"demand_tonnes\.csv:2: product: 'pear' is not a product of the scenario"),
        ("name,product,tonnes\n兰州,apple,-1\n", r"demand_tonnes\.csv:2: tonnes: '-1' is not a number from 0 to 1e\+12"),
        ("name,product,tonnes\n兰州,apple,\n", r"demand_tonnes\.csv:2: tonnes: the value is missing"),
        ("name,amount\n兰州,10\n", r"demand_tonnes\.csv:1: demand tables need columns name, product, tonnes or name, weight"),
        ("place,product,tonnes\n兰州,apple,10\n", r"demand_tonnes\.csv:1: missing column\(s\) name"),
    ],
)
def test_user_demand_table_errors_name_file_line_and_field(table: str, expected: str, tmp_path: Path) -> None:
    for item in ("user_supply.yaml", "user_demand.yaml", "supply_adcode.csv"):
        shutil.copy(DATA / item, tmp_path / item)
    (tmp_path / "demand_tonnes.csv").write_text(table, encoding="utf-8")
    with pytest.raises(PlannerError, match=expected):  # planner validate finds it
        load_scenario(tmp_path / "user_demand.yaml")
    with pytest.raises(PlannerError, match=expected) as info:  # and so does the builder, for an unchecked object
        build_scenario(_unchecked(tmp_path / "user_demand.yaml"), tmp_path)
    assert "\n" not in str(info.value)


def test_user_demand_weights_as_persons_for_the_cold_chain(tmp_path: Path) -> None:
    for item in ("user_supply.yaml", "user_demand.yaml", "supply_adcode.csv"):
        shutil.copy(DATA / item, tmp_path / item)
    (tmp_path / "demand_tonnes.csv").write_text("name,weight\n兰州,3000000\n天水,1000000\n", encoding="utf-8")
    built = build_scenario(load_scenario(tmp_path / "user_demand.yaml"), tmp_path)
    demand = built.problem.demand_t.set_index("point")["tonnes"]
    # persons x apple consumption per head: in the ratio of the weights
    assert demand["lanzhou"] > 0 and demand["lanzhou"] == pytest.approx(3 * demand["tianshui"])


# ------------------------------------------------------------------- the same results as recorded


RECORDED = json.loads((REPO / "tests" / "data" / "shipped_runs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SHIPPED, ids=_ids(SHIPPED))
def test_shipped_run_gives_the_recorded_results(path: Path, runs: _Runs) -> None:
    """Restructurings leave results alone: each shipped run against the record made before them
    (tests/shipped_record.py says what is compared and how a new scenario is recorded)."""
    result, _ = runs.get(path)
    recorded = RECORDED.get(result.scenario.name)
    assert recorded is not None, f"{path.name} has no record: run `python -m tests.shipped_record` on the tree before the change"
    assert differences(result.scenario.name, result, recorded) == []


def test_the_record_comparison_catches_a_change(runs: _Runs) -> None:
    result, _ = runs.get(REPO / "scenarios" / "gansu_emergency_reserves.yaml")
    recorded = RECORDED[result.scenario.name]
    assert differences(result.scenario.name, result, recorded) == []
    moved = {**recorded, "open_sites": {"site": [*recorded["open_sites"]["site"][1:], "lanzhou_new_area"]}}
    assert any("open sites" in d for d in differences(result.scenario.name, result, moved))
    dearer = {**recorded, "objective": recorded["objective"] * 1.01}
    assert any("objective" in d for d in differences(result.scenario.name, result, dearer))
    cold, _ = runs.get(REPO / "scenarios" / "gansu_backbone_cold_chain.yaml")
    record = RECORDED[cold.scenario.name]
    wrong = {**record, "plan_cost_cny": record["plan_cost_cny"] * 1.001, "best_bound": record["objective"] * 1.05,
             "model_sha256": "0" * 64}
    found = differences(cold.scenario.name, cold, wrong)
    assert any("MILP differs" in d for d in found) and any("recorded plan costs" in d for d in found)
    assert any("below the recorded proven bound" in d for d in found)


def test_xinjiang_rail_flows_ride_the_rail_lines_they_were_priced_on(runs: _Runs) -> None:
    result, _ = runs.get(BASE)
    flows = result.flows
    rail = flows[flows["mode"] == "rail"]
    assert len(rail) > 0 and (rail["route_id"] != "").all()
    for row in rail.itertuples():
        found = result.routes[row.route_id]
        # drayage by road, one rail haul, drayage by road: the length the model priced, rail lines named
        assert found.distance_km == pytest.approx(row.distance_km, abs=1e-6)
        assert "rail" in found.modes_used and found.origin == row.from_id and found.destination == row.to_id
    road = flows[(flows["mode"] == "road") & (flows["from_id"] != flows["to_id"]) & (flows["leg_class"] != "first_mile")]
    assert all(result.routes[r].distance_km == pytest.approx(d, abs=1e-6) for r, d in zip(road["route_id"], road["distance_km"], strict=True))


def test_location_assignments_follow_the_paths_the_matrix_priced(runs: _Runs) -> None:
    result, run_dir = runs.get(REPO / "scenarios" / "gansu_urban_distribution.yaml")
    served = result.assignments[(result.assignments["site_id"] != "") & (result.assignments["site_id"] != result.assignments["place_id"])]
    assert len(served) > 0 and (served["route_id"] != "").all()
    for row in served.itertuples():
        found = result.routes[row.route_id]
        assert (found.origin, found.destination) == (row.place_id, row.site_id)
        assert found.distance_km == pytest.approx(row.distance_km, rel=1e-9, abs=1e-6)
        assert found.time_h == pytest.approx(row.time_h, rel=1e-9, abs=1e-6)
    drawn = gpd.read_file(run_dir / "results.gpkg", layer="assignments")
    lines = drawn[drawn["route_id"].fillna("") != ""]
    assert len(lines) == len(served) and (lines.geometry.apply(lambda g: len(g.coords)) > 2).any()
