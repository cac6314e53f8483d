"""The p-hub median model: exact against enumeration of every hub set and allocation, and as a scenario."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import REPO, run_planner

from planner.errors import InfeasibleError, ModelError
from planner.model.hub import p_hub_median
from planner.model.matrix import SolverOptions

EXACT = SolverOptions(mip_gap=0.0)


def _enumerate(cost: np.ndarray, flow: np.ndarray, p: int, chi: float, alpha: float, delta: float) -> float:
    """The optimum by brute force: every hub set, every allocation of the other nodes; hubs are joined by
    the cheapest path among hubs."""
    n = cost.shape[0]
    best = np.inf
    for hubs in itertools.combinations(range(n), p):
        between = cost[np.ix_(hubs, hubs)].copy()
        for m in range(p):  # Floyd-Warshall among the hubs
            between = np.minimum(between, between[:, [m]] + between[[m], :])
        others = [i for i in range(n) if i not in hubs]
        for choice in itertools.product(range(p), repeat=len(others)):
            slot = np.zeros(n, dtype=int)
            slot[list(hubs)] = range(p)
            slot[others] = choice
            hub_of = np.asarray(hubs)[slot]
            total = (chi * (flow.sum(axis=1) * cost[np.arange(n), hub_of]).sum()
                     + delta * (flow.sum(axis=0) * cost[np.arange(n), hub_of]).sum()
                     + alpha * (flow * between[np.ix_(slot, slot)]).sum())
            best = min(best, total)
    return float(best)


def _instance(seed: int, n: int, metric: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if metric:
        xy = rng.uniform(0, 100, (n, 2))
        cost = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2)
    else:  # any positive costs, no triangle inequality
        cost = rng.uniform(1, 50, (n, n))
        np.fill_diagonal(cost, 0.0)
    flow = rng.integers(0, 20, (n, n)).astype(float)
    np.fill_diagonal(flow, 0.0)
    return cost, flow


@pytest.mark.parametrize(("seed", "n", "p", "metric"), [
    (1, 5, 2, True), (2, 6, 2, True), (3, 6, 3, True), (4, 7, 2, True), (5, 7, 3, True),
    (6, 5, 2, False), (7, 6, 3, False), (8, 7, 2, False),
])
def test_optimum_equals_enumeration(seed: int, n: int, p: int, metric: bool) -> None:
    cost, flow = _instance(seed, n, metric)
    chi, alpha, delta = (3.0, 0.75, 2.0) if seed % 2 else (1.0, 0.5, 1.0)
    solution = p_hub_median(cost, flow, p, collection=chi, transfer=alpha, distribution=delta, options=EXACT)
    assert solution.status == "optimal"
    expected = _enumerate(cost, flow, p, chi, alpha, delta)
    assert solution.objective == pytest.approx(expected, rel=1e-6)
    assert len(solution.hubs) == p
    assert set(solution.allocation[solution.hubs]) == set(solution.hubs)  # a hub serves itself
    assert set(solution.allocation) <= set(solution.hubs)
    assert sum(solution.cost_breakdown.values()) == pytest.approx(solution.objective, rel=1e-6)


def test_a_cheaper_transfer_never_costs_more_and_a_free_one_opens_hubs_apart() -> None:
    cost, flow = _instance(11, 7, True)
    costs = [p_hub_median(cost, flow, 2, transfer=a, options=EXACT).objective for a in (1.0, 0.75, 0.5, 0.25)]
    assert all(b <= a + 1e-6 for a, b in zip(costs, costs[1:], strict=False))
    one = p_hub_median(cost, flow, 1, options=EXACT).objective
    assert p_hub_median(cost, flow, 2, options=EXACT).objective <= one + 1e-6


def test_must_open_and_forbidden_are_kept() -> None:
    cost, flow = _instance(12, 6, True)
    free = p_hub_median(cost, flow, 2, options=EXACT)
    banned = int(free.hubs[0])
    other = p_hub_median(cost, flow, 2, forbidden=[banned], must_open=[(banned + 1) % 6], options=EXACT)
    assert banned not in other.hubs and (banned + 1) % 6 in other.hubs
    assert other.objective >= free.objective - 1e-6


def test_bad_input_is_named() -> None:
    cost, flow = _instance(13, 5, True)
    with pytest.raises(ModelError, match="p must be an integer"):
        p_hub_median(cost, flow, 6)
    with pytest.raises(ModelError, match="flow has shape"):
        p_hub_median(cost, flow[:4, :4], 2)
    with pytest.raises(InfeasibleError, match="may be hubs"):
        p_hub_median(cost, flow, 3, forbidden=[0, 1, 2])


# ------------------------------------------------------------------------------------- as a scenario

SCENARIO = REPO / "scenarios" / "china_europe_train_assembly.yaml"


@pytest.fixture(scope="module")
def assembly_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped China-Europe train scenario run with ``planner run``; its run directory."""
    out = tmp_path_factory.mktemp("hub_runs")
    done = run_planner("run", SCENARIO, "--out", out)
    assert done.returncode == 0, done.stderr
    [run_dir] = [d for d in out.glob("*/*") if d.is_dir()]
    return run_dir


def test_the_train_assembly_run_routes_every_flow_through_open_hubs(assembly_run: Path) -> None:
    summary = json.loads((assembly_run / "summary.json").read_text(encoding="utf-8"))
    sites = pd.read_csv(assembly_run / "sites.csv")
    routes = pd.read_csv(assembly_run / "hub_routes.csv")
    flows = pd.read_csv(REPO / "scenarios" / "data" / "china_europe_train_flows.csv")
    assert summary["model"] == "p_hub_median" and summary["sites_opened_total"] == 4
    hubs = set(sites["place_id"])
    assert {"khorgas", "alashankou"} <= hubs  # policy.must_open: every train crosses at one of the ports
    assert len(hubs & {"urumqi", "lanzhou", "wuwei", "xian"}) == 2
    assert {"lanzhou", "xian"} <= hubs  # the corridor's freight comes mostly from the east (README)
    assert set(routes["origin_hub_id"]) | set(routes["destination_hub_id"]) <= hubs
    assert routes["tonnes"].sum() == pytest.approx(flows["tonnes"].sum())
    # each place sends and receives through one hub (single allocation), a hub through itself
    for column, hub in (("origin_id", "origin_hub_id"), ("destination_id", "destination_hub_id")):
        assert (routes.groupby(column)[hub].nunique() == 1).all()
    assert (routes.loc[routes["origin_id"].isin(hubs), "origin_hub_id"] == routes.loc[routes["origin_id"].isin(hubs), "origin_id"]).all()
    legs = routes[["collection_per_t", "transfer_per_t", "distribution_per_t"]].sum(axis=1)
    assert (legs * routes["tonnes"]).sum() == pytest.approx(summary["kpis"]["objective"], rel=1e-4)  # CSV rounds per tonne


def test_without_the_train_discount_the_plan_costs_more(tmp_path: Path) -> None:
    child = tmp_path / "no_discount.yaml"
    flows = REPO / "scenarios" / "data" / "china_europe_train_flows.csv"  # relative paths follow the child
    child.write_text(f"extends: {SCENARIO}\nname: no_discount\nset:\n  hub.transfer: 1.0\n  hub.flows: {flows}\n",
                     encoding="utf-8")
    objectives = []
    for path in (SCENARIO, child):
        done = run_planner("run", path, "--out", tmp_path / "out", "--json")
        assert done.returncode == 0, done.stderr
        objectives.append(json.loads(done.stdout)["kpis"]["objective"])
    assert objectives[1] > objectives[0]


def test_a_flow_to_an_unknown_place_is_named_by_validate(tmp_path: Path) -> None:
    flows = tmp_path / "flows.csv"
    flows.write_text("origin,destination,tonnes\n兰州,阿拉山口,100\n天水,北京,5\n", encoding="utf-8")
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {SCENARIO}\nname: bad\nset:\n  hub.flows: {flows}\n", encoding="utf-8")
    done = run_planner("validate", scenario)
    assert done.returncode != 0
    assert "flows.csv:3" in done.stdout + done.stderr and "destination" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_the_trunk_between_hubs_names_its_lines(assembly_run: Path) -> None:
    """Each hub-to-hub transfer names the network route the matrix priced, and the GeoPackage holds it."""
    import geopandas as gpd

    transfers = pd.read_csv(assembly_run / "hub_transfers.csv", keep_default_na=False)
    routes = gpd.read_file(assembly_run / "results.gpkg", layer="routes").set_index("route_id")
    between = transfers[transfers["from_id"] != transfers["to_id"]]
    assert len(between) > 0 and (between["route_id"] != "").all() and (between["via"] != "").all()
    assert set(between["route_id"]) <= set(routes.index)
    # a train from Lanzhou or Xi'an to a land port runs more than 1,500 km west
    assert (routes.loc[between["route_id"], "distance_km"] > 1500).any()
