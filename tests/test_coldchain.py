"""Cold-chain network design model on small hand-checked instances.

Every optimum asserted here is reasoned out in the comments. Arcs are given as explicit matrices (time in h,
cost in CNY/t) so that the arithmetic stays visible; unless a test says otherwise the feeder arcs
(production -> precool) have zero time and cost and no site has handling cost or dwell time.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from planner import domain
from planner.errors import InfeasibleError, ModelError
from planner.model.coldchain import (
    ArcMatrix,
    ColdChainModel,
    ColdChainProblem,
    DemandPoint,
    Product,
    Site,
    SiteTier,
    arc_matrix_from_distance,
    diagnose_cold_chain,
    heuristics,
    product_from_parameters,
    route_limits,
    solve_cold_chain,
)
from planner.model.deadline import Deadline
from planner.model.matrix import SolverOptions

GRAIN = Product("grain", perishable=False, value_cny_per_t=2000.0)


def arc(ft: str, tt: str, time_h, cost_amb, cost_ref=None, mode: str = "road", dist=None) -> ArcMatrix:
    """Arc matrix from nested lists; ``cost_ref`` None = same as ambient; distance defaults to 0."""
    t = np.asarray(time_h, dtype=float)
    ca = np.asarray(cost_amb, dtype=float)
    cr = ca if cost_ref is None else np.asarray(cost_ref, dtype=float)
    d = np.zeros_like(t) if dist is None else np.asarray(dist, dtype=float)
    return ArcMatrix(ft, tt, mode, d, t, ca, cr)


def zeros(n: int, m: int) -> list[list[float]]:
    return [[0.0] * m for _ in range(n)]


def check_breakdown(sol) -> None:
    """The cost breakdown sums to the solver's objective and the flow table is consistent with it."""
    cb = dict(zip(sol.cost_breakdown["component"], sol.cost_breakdown["cost_cny"], strict=True))
    parts = sum(v for k, v in cb.items() if k != "total")
    assert parts == pytest.approx(cb["total"], rel=1e-9, abs=1e-6)
    assert cb["total"] == pytest.approx(sol.objective, rel=1e-7, abs=1e-4)
    assert sol.flows["cost_cny"].sum() + cb["fixed"] + cb["unmet_penalty"] == pytest.approx(sol.objective, rel=1e-7)


def two_cluster(fixed_b1: float, fixed_b2: float, **kw) -> ColdChainProblem:
    """One area, one free pre-cooling centre, two backbone candidates, demand W and E (1000 t each).

    Costs: precool -> B1 or B2 100 CNY/t; B1 -> W 10, B1 -> E 200, B2 -> W 200, B2 -> E 10.
    One base B_k alone: F_k + 1000 (100 + 10) + 1000 (100 + 200) = F_k + 410 000.
    Both bases: F_1 + F_2 + 2000 (100 + 10) = F_1 + F_2 + 220 000.
    """
    tiers = [
        SiteTier("precool", (Site("P", ((1e5, 0.0),)),)),
        SiteTier("backbone", (Site("B1", ((1e5, fixed_b1),)), Site("B2", ((1e5, fixed_b2),))),
                 max_open=kw.pop("max_open", None)),
    ]
    arcs = [
        arc("production", "precool", [[0.0]], [[0.0]]),
        arc("precool", "backbone", [[10.0, 10.0]], [[100.0, 100.0]]),
        arc("backbone", "demand", [[2.0, 20.0], [20.0, 2.0]], [[10.0, 200.0], [200.0, 10.0]]),
    ]
    return ColdChainProblem(
        products=[GRAIN], production_areas=["A"], supply_t={("A", "grain"): 5000.0},
        demand_points=[DemandPoint("W"), DemandPoint("E")],
        demand_t={("W", "grain"): 1000.0, ("E", "grain"): 1000.0},
        tiers=tiers, arcs=arcs, **kw,
    )


# ------------------------------------------------------------------------------------------- refrigeration
def reefer_problem(apricot: Product, reefer_trunk_cost: float = 450.0) -> ColdChainProblem:
    grain = Product("grain", perishable=False, value_cny_per_t=2000.0, loss_rate_ambient_per_h=1e-4,
                    loss_rate_refrigerated_per_h=1e-4)
    tiers = [SiteTier("precool", (Site("P", ((1e4, 0.0),)),)), SiteTier("backbone", (Site("B", ((1e4, 0.0),)),))]
    arcs = [
        arc("production", "precool", [[0.0]], [[0.0]]),
        # the trunk: 40 h, 300 CNY/t ambient, reefer_trunk_cost CNY/t refrigerated
        arc("precool", "backbone", [[40.0]], [[300.0]], [[reefer_trunk_cost]]),
        arc("backbone", "demand", [[0.0]], [[0.0]]),
    ]
    return ColdChainProblem(
        products=[apricot, grain], production_areas=["Korla"],
        supply_t={("Korla", apricot.name): 100.0, ("Korla", "grain"): 200.0},
        demand_points=[DemandPoint("Shanghai gateway", kind="gateway")],
        demand_t={("Shanghai gateway", apricot.name): 100.0, ("Shanghai gateway", "grain"): 200.0},
        tiers=tiers, arcs=arcs,
    )


def trunk(sol, product: str) -> pd.Series:
    f = sol.flows
    return f[(f["product"] == product) & (f["tier_pair"] == "precool->backbone")].iloc[0]


def test_refrigeration_pays_for_valuable_perishable_and_cheap_product_goes_ambient():
    # apricot 20 000 CNY/t, k_amb 0.004/h, k_ref 0.0005/h, 40 h trunk.
    # ambient: 300 + 20000 (1 - e^-0.16) = 300 + 2957.1 ; refrigerated: 450 + 20000 (1 - e^-0.02) = 450 + 396.0
    # -> refrigerated (premium 150 < saved spoilage 2561). Grain has the same k either way -> ambient (150 cheaper).
    apricot = Product("apricot", perishable=True, value_cny_per_t=20000.0, loss_rate_ambient_per_h=0.004,
                      loss_rate_refrigerated_per_h=0.0005, ambient_allowed=True)
    sol = solve_cold_chain(reefer_problem(apricot))
    assert bool(trunk(sol, "apricot")["refrigerated"]) is True
    assert bool(trunk(sol, "grain")["refrigerated"]) is False
    expected = 100 * (450 + 20000 * (1 - math.exp(-0.02))) + 200 * (300 + 2000 * (1 - math.exp(-0.004)))
    assert sol.objective == pytest.approx(expected, rel=1e-9)
    cb = dict(zip(sol.cost_breakdown["component"], sol.cost_breakdown["cost_cny"], strict=True))
    assert cb["spoilage"] == pytest.approx(100 * 20000 * (1 - math.exp(-0.02)) + 200 * 2000 * (1 - math.exp(-0.004)))
    check_breakdown(sol)


def test_refrigeration_choice_versus_mandatory_cold_chain():
    # reefer premium 3000 CNY/t > saved spoilage 2561 CNY/t: when ambient is allowed the apricot goes ambient ...
    free = Product("apricot", perishable=True, value_cny_per_t=20000.0, loss_rate_ambient_per_h=0.004,
                   loss_rate_refrigerated_per_h=0.0005, ambient_allowed=True)
    sol = solve_cold_chain(reefer_problem(free, reefer_trunk_cost=3300.0))
    assert bool(trunk(sol, "apricot")["refrigerated"]) is False
    assert sol.objective == pytest.approx(100 * (300 + 20000 * (1 - math.exp(-0.16)))
                                          + 200 * (300 + 2000 * (1 - math.exp(-0.004))), rel=1e-9)
    # ... but a perishable product with the default ambient_allowed=None must stay refrigerated
    strict = Product("apricot", perishable=True, value_cny_per_t=20000.0, loss_rate_ambient_per_h=0.004,
                     loss_rate_refrigerated_per_h=0.0005)
    sol = solve_cold_chain(reefer_problem(strict, reefer_trunk_cost=3300.0))
    assert sol.flows[sol.flows["product"] == "apricot"]["refrigerated"].all()
    assert sol.objective == pytest.approx(100 * (3300 + 20000 * (1 - math.exp(-0.02)))
                                          + 200 * (300 + 2000 * (1 - math.exp(-0.004))), rel=1e-9)


# ------------------------------------------------------------------------------------------- siting
def test_second_backbone_pays_for_two_distant_clusters():
    # F = 100 000 each: both = 420 000 < one = 510 000
    sol = solve_cold_chain(two_cluster(1e5, 1e5))
    assert sol.open_sites("backbone") == ["B1", "B2"]
    assert sol.objective == pytest.approx(420_000.0)
    check_breakdown(sol)
    # F = 250 000 each: one = 660 000 < both = 720 000 (tie between B1 and B2)
    sol = solve_cold_chain(two_cluster(2.5e5, 2.5e5))
    assert len(sol.open_sites("backbone")) == 1
    assert sol.objective == pytest.approx(660_000.0)


def test_must_open_overrides_the_cheaper_site():
    # free choice: B1 alone 250 000 + 410 000 = 660 000; must-open B2: B2 alone 670 000 < both 730 000
    assert solve_cold_chain(two_cluster(2.5e5, 2.6e5)).open_sites("backbone") == ["B1"]
    sol = solve_cold_chain(two_cluster(2.5e5, 2.6e5, must_open=["B2"]))
    assert sol.open_sites("backbone") == ["B2"]
    assert sol.objective == pytest.approx(670_000.0)
    assert bool(sol.sites.set_index("site").loc["B2", "must_open"]) is True


def test_budget_binds():
    # unconstrained: both bases (420 000); budget 150 000 allows one base only: 100 000 + 410 000
    sol = solve_cold_chain(two_cluster(1e5, 1e5, budget_cny=1.5e5))
    assert len(sol.open_sites("backbone")) == 1
    assert sol.objective == pytest.approx(510_000.0)
    assert sol.sites["fixed_cost_cny"].sum() <= 1.5e5


def test_max_open_limits_the_tier():
    sol = solve_cold_chain(two_cluster(1e5, 1e5, max_open=1))
    assert sol.objective == pytest.approx(510_000.0)


def test_capacity_level_choice():
    # demand 2000 t: level 0 (1000 t) too small; level 1 (2500 t, 180 000) beats level 2 (5000 t, 300 000)
    levels = ((1000.0, 100_000.0), (2500.0, 180_000.0), (5000.0, 300_000.0))
    tiers = [SiteTier("backbone", (Site("B", levels, handling_cny_per_t=5.0),))]
    prob = ColdChainProblem(
        [GRAIN], ["A"], {("A", "grain"): 3000.0}, [DemandPoint("D")], {("D", "grain"): 2000.0}, tiers,
        [arc("production", "backbone", [[5.0]], [[20.0]]), arc("backbone", "demand", [[5.0]], [[30.0]])],
    )
    sol = solve_cold_chain(prob)
    row = sol.sites.iloc[0]
    assert row["level"] == 1 and row["capacity_t"] == 2500.0
    assert row["throughput_t"] == pytest.approx(2000.0) and row["utilisation"] == pytest.approx(0.8)
    # 180 000 + 2000 x (20 + 5 handling + 30)
    assert sol.objective == pytest.approx(180_000.0 + 2000 * 55.0)
    check_breakdown(sol)


# ------------------------------------------------------------------------------------------- time limits
def test_time_limit_forces_the_nearer_site():
    # B_far is cheaper (fixed 0, path 10 + 25 = 35 h, 50 CNY/t), B_near costs 20 000 fixed (path 10 + 8 h,
    # 60 CNY/t). Without a limit: B_far, 1000 x 50 = 50 000. With 30 h: B_near, 20 000 + 60 000 = 80 000.
    def prob(limit):
        tiers = [SiteTier("backbone", (Site("B_far", ((1e4, 0.0),)), Site("B_near", ((1e4, 20_000.0),))))]
        return ColdChainProblem(
            [Product("pear", True, 6000.0, max_time_h=limit)], ["Korla"], {("Korla", "pear"): 1000.0},
            [DemandPoint("Urumqi")], {("Urumqi", "pear"): 1000.0}, tiers,
            [arc("production", "backbone", [[10.0, 10.0]], [[20.0, 20.0]]),
             arc("backbone", "demand", [[25.0], [8.0]], [[30.0], [40.0]])],
        )

    free = solve_cold_chain(prob(None))
    assert free.open_sites() == ["B_far"] and free.objective == pytest.approx(50_000.0)
    limited = solve_cold_chain(prob(30.0))
    assert limited.open_sites() == ["B_near"] and limited.objective == pytest.approx(80_000.0)
    svc = limited.service.iloc[0]
    assert svc["max_path_time_h"] == pytest.approx(18.0) and bool(svc["within_limit"])


def test_time_limit_holds_on_every_route_through_mixing_sites():
    # Areas A1 (1 h to P, 100 CNY/t) and A2 (20 h to P, 10 CNY/t), 1000 t each; P -> B 10 h; B -> d1 5 h,
    # B -> d2 25 h; limit 40 h; demand 500 t at d1 and at d2. Pruning keeps every arc (A2 -> P -> B -> d1 is
    # 35 h), but A2 -> P -> B -> d2 takes 55 h. Goods mix at P and B, so using A2 at all while B serves d2
    # (unavoidable) would create that route: the model must take all 1000 t from A1: 100 000 CNY.
    # (Arc pruning alone would buy everything from A2: 10 000 CNY.)
    tiers = [SiteTier("precool", (Site("P", ((1e4, 0.0),)),)), SiteTier("backbone", (Site("B", ((1e4, 0.0),)),))]
    prob = ColdChainProblem(
        [Product("melon", True, 3000.0, max_time_h=40.0)], ["A1", "A2"],
        {("A1", "melon"): 1000.0, ("A2", "melon"): 1000.0},
        [DemandPoint("d1"), DemandPoint("d2")], {("d1", "melon"): 500.0, ("d2", "melon"): 500.0}, tiers,
        [arc("production", "precool", [[1.0], [20.0]], [[100.0], [10.0]]),
         arc("precool", "backbone", [[10.0]], [[0.0]]),
         arc("backbone", "demand", [[5.0, 25.0]], [[0.0, 0.0]])],
    )
    model = ColdChainModel(prob)
    assert model.size()["time_critical_variants"] > 0
    for solver in ("highs", "cbc"):
        sol = model.solve(SolverOptions(solver=solver))
        assert sol.objective == pytest.approx(100_000.0)
        assert "A2" not in set(sol.flows["from"])
        assert sol.service["max_path_time_h"].max() <= 40.0 + 1e-9
        assert sol.service["within_limit"].all()


def test_demand_point_limit_and_dwell_count_towards_the_time():
    # dwell 6 h at B makes the route 10 + 6 + 8 = 24 h > 20 h limit of the port: unreachable
    tiers = [SiteTier("backbone", (Site("B", ((1e4, 0.0),), dwell_h=6.0),))]
    prob = ColdChainProblem(
        [GRAIN], ["A"], {("A", "grain"): 10.0}, [DemandPoint("Khorgas", kind="port", max_time_h=20.0)],
        {("Khorgas", "grain"): 10.0}, tiers,
        [arc("production", "backbone", [[10.0]], [[0.0]]), arc("backbone", "demand", [[8.0]], [[0.0]])],
    )
    with pytest.raises(InfeasibleError) as err:
        solve_cold_chain(prob)
    assert "demand point Khorgas cannot be reached within 20 h" in str(err.value)
    assert "fastest route 24.0 h" in err.value.reasons[0]


# ------------------------------------------------------------------------------------------- unmet demand
def test_unmet_demand_penalty():
    # supply 800 t < demand 1000 t, penalty 500 CNY/t: serve 800 via B (fixed 1000, 110 CNY/t) and pay for 200
    def prob(penalty):
        tiers = [SiteTier("backbone", (Site("B", ((1e4, 1000.0),)),))]
        return ColdChainProblem(
            [GRAIN], ["A"], {("A", "grain"): 800.0}, [DemandPoint("D")], {("D", "grain"): 1000.0}, tiers,
            [arc("production", "backbone", [[1.0]], [[100.0]]), arc("backbone", "demand", [[1.0]], [[10.0]])],
            unmet_penalty_cny_per_t=penalty,
        )

    sol = solve_cold_chain(prob(500.0))
    assert sol.service["unmet_t"].sum() == pytest.approx(200.0)
    assert sol.objective == pytest.approx(1000.0 + 800 * 110.0 + 200 * 500.0)
    check_breakdown(sol)
    assert sol.kpis()["service_level"] == pytest.approx(0.8)
    # penalty 50 CNY/t below the 110 CNY/t service cost: nothing is served, no site opens
    sol = solve_cold_chain(prob(50.0))
    assert sol.objective == pytest.approx(1000 * 50.0) and sol.open_sites() == []
    # no penalty: supply shortage is explained before solving
    with pytest.raises(InfeasibleError) as err:
        solve_cold_chain(prob(None))
    assert "product grain: supply 800 t < demand 1 kt and no unmet-demand penalty" in err.value.reasons


# ------------------------------------------------------------------------------------------- infeasibility
def test_infeasibility_explained_before_solving():
    prob = two_cluster(1e5, 1e5, must_open=["B1"], forbidden=["B1"])
    reasons = diagnose_cold_chain(prob)
    assert "must-open site B1 is also forbidden" in reasons
    with pytest.raises(InfeasibleError) as err:
        solve_cold_chain(prob)
    assert "must-open site B1 is also forbidden" in str(err.value)

    reasons = diagnose_cold_chain(two_cluster(1e5, 1e5, must_open=["B1", "B2"], max_open=1))
    assert "max sites in tier backbone (1) < must-open sites (2)" in reasons

    reasons = diagnose_cold_chain(two_cluster(1e5, 2e5, must_open=["B2"], budget_cny=1.5e5))
    assert any(r.startswith("budget 150,000 CNY < 200,000 CNY") for r in reasons)


def test_tier_capacity_shortage_is_explained():
    # every route crosses the backbone tier; its two sites hold 600 kt each but demand is 1.5 Mt
    tiers = [SiteTier("backbone", (Site("B1", ((6e5, 0.0),)), Site("B2", ((6e5, 0.0),))))]
    prob = ColdChainProblem(
        [GRAIN], ["A"], {("A", "grain"): 2e6}, [DemandPoint("D")], {("D", "grain"): 1.5e6}, tiers,
        [arc("production", "backbone", [[1.0, 1.0]], [[1.0, 1.0]]), arc("backbone", "demand", [[1.0], [1.0]],
                                                                        [[1.0], [1.0]])],
    )
    with pytest.raises(InfeasibleError) as err:
        solve_cold_chain(prob)
    assert err.value.reasons == ["tier backbone: capacity 1.2 Mt < demand 1.5 Mt"]


def test_solver_infeasibility_names_the_responsible_group():
    # no cheap check fires (no must-open, capacity 3000 >= 2000 t), but 2000 t need the 500 CNY level while
    # the budget is 300 CNY: relaxing the budget by 200 CNY (or capacity by 1000 t, or demand by 1000 t)
    # restores feasibility.
    tiers = [SiteTier("backbone", (Site("B", ((1000.0, 100.0), (3000.0, 500.0))),))]
    prob = ColdChainProblem(
        [GRAIN], ["A"], {("A", "grain"): 5000.0}, [DemandPoint("D")], {("D", "grain"): 2000.0}, tiers,
        [arc("production", "backbone", [[1.0]], [[1.0]]), arc("backbone", "demand", [[1.0]], [[1.0]])],
        budget_cny=300.0,
    )
    assert diagnose_cold_chain(prob) == []
    with pytest.raises(InfeasibleError) as err:
        solve_cold_chain(prob)
    text = "\n".join(err.value.reasons)
    assert "constraint group 'budget' is responsible: relaxing it alone by 200 CNY" in text
    assert "constraint group 'capacity' is responsible: relaxing it alone by 1 kt" in text
    assert "'supply'" not in text


def test_perishable_cannot_cross_an_ambient_tier():
    # the same engine sites ambient distribution centres; a cold-only product cannot use them
    tiers = [SiteTier("dc", (Site("DC", ((1e4, 10.0),)),), refrigerated=False)]
    arcs = [arc("production", "dc", [[2.0]], [[5.0]], [[8.0]]), arc("dc", "demand", [[2.0]], [[5.0]], [[8.0]])]
    ok = ColdChainProblem([GRAIN], ["A"], {("A", "grain"): 10.0}, [DemandPoint("D")], {("D", "grain"): 10.0},
                          tiers, arcs)
    sol = solve_cold_chain(ok)
    assert sol.objective == pytest.approx(10.0 + 10 * 10.0) and not sol.flows["refrigerated"].any()
    milk = Product("milk", perishable=True, value_cny_per_t=8000.0)
    bad = ColdChainProblem([milk], ["A"], {("A", "milk"): 10.0}, [DemandPoint("D")], {("D", "milk"): 10.0},
                           tiers, arcs)
    assert diagnose_cold_chain(bad) == [
        "demand point D cannot be reached by any route for product milk (refrigerated arcs and tiers only)"]


# ------------------------------------------------------------------------------------------- solvers
def test_highs_and_cbc_agree():
    for prob, expected in ((two_cluster(1e5, 1e5), 420_000.0), (two_cluster(2.5e5, 2.6e5, budget_cny=3e5), 660_000.0)):
        model = ColdChainModel(prob)
        a = model.solve(SolverOptions(solver="highs"))
        b = model.solve(SolverOptions(solver="cbc"))
        assert a.objective == pytest.approx(expected) and b.objective == pytest.approx(expected)
        assert a.open_sites() == b.open_sites()
        for sol in (a, b):
            assert sol.report["status"] == "optimal"
            assert sol.report["solve_seconds"] >= 0 and sol.report["build_seconds"] > 0
            check_breakdown(sol)


def test_solution_tables_are_complete():
    sol = solve_cold_chain(two_cluster(1e5, 1e5, co2_kg_per_tkm={"road": 0.1}, co2_price_cny_per_t=100.0))
    assert list(sol.cost_breakdown["component"]) == ["fixed", "handling", "transport", "spoilage", "co2",
                                                     "unmet_penalty", "total"]
    for col in ("product", "from", "to", "tier_pair", "mode", "refrigerated", "tonnes", "distance_km", "time_h",
                "cost_cny"):
        assert col in sol.flows.columns
    for col in ("tier", "site", "open", "level", "capacity_t", "throughput_t", "utilisation"):
        assert col in sol.sites.columns
    # flow balance: what enters the demand tier equals the delivered tonnes of the service table
    into_dem = sol.flows[sol.flows["to_tier"] == "demand"]["tonnes"].sum()
    assert into_dem == pytest.approx(sol.service["delivered_t"].sum()) == pytest.approx(2000.0)
    k = sol.kpis()
    assert k["open_sites_backbone"] == 2 and k["service_level"] == 1.0
    assert k["total_cost_cny"] == pytest.approx(sol.objective)


# ------------------------------------------------------------------------------------------- bad input
def test_bad_input_raises_model_error():
    with pytest.raises(ModelError, match="negative"):
        two_cluster(1e5, 1e5).__class__([GRAIN], ["A"], {("A", "grain"): 1.0}, [DemandPoint("W")],
                                         {("W", "grain"): -5.0}, [SiteTier("b", (Site("B", ((1.0, 0.0),)),))],
                                         [arc("production", "b", [[1.0]], [[1.0]]),
                                          arc("b", "demand", [[1.0]], [[1.0]])])
    with pytest.raises(ModelError, match="NaN"):
        arc("precool", "backbone", [[1.0]], [[float("nan")]])
    with pytest.raises(ModelError, match="strictly increasing"):
        Site("B", ((2000.0, 10.0), (1000.0, 20.0)))
    with pytest.raises(ModelError, match="min_open 3 > number of candidates 2"):
        SiteTier("backbone", (Site("B1", ((1.0, 0.0),)), Site("B2", ((1.0, 0.0),))), min_open=3)
    with pytest.raises(ModelError, match="unknown product 'pearz'"):
        ColdChainProblem([GRAIN], ["A"], {("A", "pearz"): 1.0}, [DemandPoint("W")], {("W", "grain"): 1.0},
                         [SiteTier("b", (Site("B", ((1.0, 0.0),)),))],
                         [arc("production", "b", [[1.0]], [[1.0]]), arc("b", "demand", [[1.0]], [[1.0]])])
    with pytest.raises(ModelError, match="must_open: unknown site 'B9'"):
        two_cluster(1e5, 1e5, must_open=["B9"])
    with pytest.raises(ModelError, match="shape"):
        ColdChainProblem([GRAIN], ["A"], {("A", "grain"): 1.0}, [DemandPoint("W")], {("W", "grain"): 1.0},
                         [SiteTier("b", (Site("B", ((1.0, 0.0),)),))],
                         [arc("production", "b", [[1.0, 1.0]], [[1.0, 1.0]]), arc("b", "demand", [[1.0]], [[1.0]])])
    with pytest.raises(ModelError, match="no arc matrix"):
        two_cluster(1e5, 1e5, tier_arcs=[("production", "precool"), ("precool", "backbone"), ("backbone", "demand"),
                                         ("precool", "demand")])


# ------------------------------------------------------------------------------------------- parameters
def test_parameter_table_and_product_defaults():
    params = domain.cold_chain_parameters()
    assert {"parameter", "key", "value", "unit", "source"} <= set(params.columns)
    assert params["source"].str.len().gt(0).all()
    pear = product_from_parameters("香梨", "fruit_vegetable", params=params)
    # 25 % ambient chain loss over the 72 h reference chain: k = -ln(0.75) / 72
    assert pear.loss_rate_ambient_per_h == pytest.approx(-math.log(0.75) / 72)
    assert pear.loss_rate_refrigerated_per_h < pear.loss_rate_ambient_per_h and pear.perishable
    assert pear.max_time_h == 96.0
    dist = np.array([[120.0, np.inf]])
    a = arc_matrix_from_distance("production", "precool", "road", dist, speed_kmh=60.0, ambient_cny_per_tkm=0.35,
                                 refrigerated_cny_per_tkm=0.55)
    assert a.time_h[0, 0] == pytest.approx(2.0) and a.cost_refrigerated_cny_per_t[0, 0] == pytest.approx(66.0)
    assert not np.isfinite(a.time_h[0, 1])


def test_repair_heuristic_keeps_routes_within_limits():
    # the instance of test_time_limit_holds_on_every_route_through_mixing_sites with every site open: the first
    # LP buys everything from the slow area A2 (55 h route to d2); banning the offending first-mile variant
    # leaves A1 only, the optimum of 100 000 CNY
    tiers = [SiteTier("precool", (Site("P", ((1e4, 0.0),)),)), SiteTier("backbone", (Site("B", ((1e4, 0.0),)),))]
    prob = ColdChainProblem(
        [Product("melon", True, 3000.0, max_time_h=40.0)], ["A1", "A2"],
        {("A1", "melon"): 1000.0, ("A2", "melon"): 1000.0},
        [DemandPoint("d1"), DemandPoint("d2")], {("d1", "melon"): 500.0, ("d2", "melon"): 500.0}, tiers,
        [arc("production", "precool", [[1.0], [20.0]], [[100.0], [10.0]]),
         arc("precool", "backbone", [[10.0]], [[0.0]]),
         arc("backbone", "demand", [[5.0, 25.0]], [[0.0, 0.0]])],
    )
    model = ColdChainModel(prob)
    res = route_limits.repair(model, np.ones(2), SolverOptions(), Deadline())
    assert res is not None and res.objective == pytest.approx(100_000.0)
    assert not route_limits.violations(model, res.values(model.blocks["flow"])).any()


# ------------------------------------------------------------------------------ formulation options (exactness)
def shortcut_problem(max_time_h: float | None) -> ColdChainProblem:
    """Areas A1 (to the precool P: 0 h, 50 CNY/t) and A2 (3 h, free) feed P -> backbone B (0 h, free); B feeds
    regional R (100 CNY/t, 2 h); R -> W and R -> E cost 10 CNY/t, 1 h; the direct arcs B -> W cost 105 CNY/t
    (6 h) and B -> E 150 CNY/t (4 h). Free sites, no handling or dwell, 1000 t demand at W and at E.

    Without a time limit B -> W (105) beats B -> R -> W (110) and is no dearer in anything else, so R -> W is
    shortcut; R -> E is not (150 > 110) and B -> R carries E's tonnes. Optimum: A2's free tonnes, W direct,
    E over R: 105 000 + 110 000 = 215 000 CNY.
    With a 6.5 h limit the direct B -> W (6 h, kept by the time pruning: B is reached in 0 h from A1) is slower
    than the route over R (3 h): no shortcut. Optimum: A2's tonnes (3 h to B) over R to both: 3 + 2 + 1 = 6 h,
    2 x 110 000 = 220 000 CNY. Dropping R -> W would force W onto B -> W, so that no route into B may take
    more than 0.5 h: A2 unusable, 315 000 CNY.
    """
    prod = Product("grain", perishable=False, value_cny_per_t=0.0, max_time_h=max_time_h)
    tiers = [
        SiteTier("precool", (Site("P", ((1e5, 0.0),)),)),
        SiteTier("backbone", (Site("B", ((1e5, 0.0),)),)),
        SiteTier("regional", (Site("R", ((1e5, 0.0),)),)),
    ]
    arcs = [
        arc("production", "precool", [[0.0], [3.0]], [[50.0], [0.0]]),
        arc("precool", "backbone", [[0.0]], [[0.0]]),
        arc("backbone", "regional", [[2.0]], [[100.0]]),
        arc("regional", "demand", [[1.0, 1.0]], [[10.0, 10.0]]),
        arc("backbone", "demand", [[6.0, 4.0]], [[105.0, 150.0]]),
    ]
    return ColdChainProblem(
        products=[prod], production_areas=["A1", "A2"], supply_t={("A1", "grain"): 5000.0, ("A2", "grain"): 5000.0},
        demand_points=[DemandPoint("W"), DemandPoint("E")],
        demand_t={("W", "grain"): 1000.0, ("E", "grain"): 1000.0}, tiers=tiers, arcs=arcs,
    )


def test_shortcut_pruning_drops_only_dominated_detours():
    exact = SolverOptions(mip_gap=1e-9)
    m = ColdChainModel(shortcut_problem(None))
    assert m.shortcut_variants == 1
    kept = {(m.c.node_name[i], m.c.node_name[j]) for i, j in zip(m.f_from, m.f_to, strict=True)}
    assert ("R", "W") not in kept and ("R", "E") in kept and ("B", "R") in kept
    sol = m.solve(exact)
    assert sol.objective == pytest.approx(215_000.0, rel=1e-9)
    assert ColdChainModel(shortcut_problem(None), shortcut=False).solve(exact).objective == pytest.approx(215_000.0)
    # the faster detour is kept under a door-to-door limit the direct arc breaks
    timed = ColdChainModel(shortcut_problem(6.5))
    assert timed.shortcut_variants == 0
    sol = timed.solve(exact)
    assert sol.objective == pytest.approx(220_000.0, rel=1e-9)
    assert sol.service["within_limit"].all() and sol.kpis()["service_level"] == pytest.approx(1.0)


def random_problem(seed: int, timed: bool) -> ColdChainProblem:
    """A small seeded three-tier instance (2 products, 3 areas, 4 / 3 / 4 candidates with 2-3 capacity levels,
    8 demand points, road arcs everywhere, rail on long legs; coordinates in a 600 km box)."""
    rng = np.random.default_rng(seed)
    pts = {k: rng.uniform(0, 600, (n, 2)) for k, n in
           (("production", 3), ("precool", 4), ("backbone", 3), ("regional", 4), ("demand", 8))}

    def dist(a: str, b: str) -> np.ndarray:
        return 1.3 * np.sqrt(((pts[a][:, None, :] - pts[b][None, :, :]) ** 2).sum(axis=2))

    def road(a: str, b: str) -> ArcMatrix:
        return arc_matrix_from_distance(a, b, "road", dist(a, b), speed_kmh=60.0, ambient_cny_per_tkm=0.3,
                                        refrigerated_cny_per_tkm=0.45)

    def rail(a: str, b: str) -> ArcMatrix:
        d = dist(a, b)
        return arc_matrix_from_distance(a, b, "rail", np.where(d < 250.0, np.inf, d), speed_kmh=45.0,
                                        ambient_cny_per_tkm=0.12, refrigerated_cny_per_tkm=0.2,
                                        terminal_cny_per_t=15.0)

    limit = 30.0 if timed else None
    products = [Product("pear", perishable=True, value_cny_per_t=6000.0, loss_rate_refrigerated_per_h=2e-4,
                        loss_rate_ambient_per_h=2e-3, max_time_h=limit),
                Product("grain", perishable=False, value_cny_per_t=2000.0)]
    supply = rng.uniform(200.0, 900.0, (3, 2))
    demand = rng.uniform(50.0, 200.0, (8, 2))
    demand *= 0.8 * supply.sum(axis=0) / demand.sum(axis=0)
    levels = {"precool": ((400.0, 8e3), (1200.0, 18e3)), "backbone": ((800.0, 3e4), (1600.0, 5e4), (3000.0, 8e4)),
              "regional": ((300.0, 6e3), (900.0, 14e3))}
    tiers = [SiteTier(t, tuple(Site(f"{t}{k}", levels[t], handling_cny_per_t=5.0, dwell_h=2.0)
                              for k in range(len(pts[t]))), max_open=2 if t == "backbone" else None)
             for t in ("precool", "backbone", "regional")]
    arcs = [road("production", "precool"), road("precool", "backbone"), rail("precool", "backbone"),
            road("backbone", "regional"), rail("backbone", "regional"), road("regional", "demand"),
            road("backbone", "demand")]
    names = {t: [f"{t}{k}" for k in range(len(pts[t]))] for t in ("production", "demand")}
    return ColdChainProblem(
        products=products, production_areas=names["production"],
        supply_t={(a, p.name): float(supply[i, j]) for i, a in enumerate(names["production"])
                  for j, p in enumerate(products)},
        demand_points=[DemandPoint(d) for d in names["demand"]],
        demand_t={(d, p.name): float(demand[i, j]) for i, d in enumerate(names["demand"])
                  for j, p in enumerate(products)},
        tiers=tiers, arcs=arcs, unmet_penalty_cny_per_t=50_000.0,
    )


def lp_bound(m: ColdChainModel) -> float:
    """Optimum (CNY) of the LP relaxation of the first round's model."""
    lp, _ = m.build(active=m.active, relax=True)
    res = lp.solve(SolverOptions())
    assert res.status == "optimal"
    return res.objective / m.cost_scale


@pytest.mark.parametrize("seed,timed", [(1, False), (2, False), (3, True), (4, True)])
def test_formulation_options_keep_the_optimum_and_tighten_the_lp(seed, timed):
    prob = random_problem(seed, timed)
    exact = SolverOptions(mip_gap=1e-9)
    variants = {
        "baseline": {"shortcut": False, "level_bounds": False, "levels": "choice"},
        "default": {},
        "choice": {"levels": "choice"},
        "no_shortcut": {"shortcut": False},
        "site": {"linking": "site"},
        "ends": {"linking": "ends"},
        "flow": {"linking": "flow"},
    }
    models = {k: ColdChainModel(prob, **kw) for k, kw in variants.items()}
    objective = {k: m.solve(exact).objective for k, m in models.items()}
    for k, v in objective.items():
        assert v == pytest.approx(objective["baseline"], rel=1e-6), k
    bound = {k: lp_bound(ColdChainModel(prob, **variants[k])) for k in variants}
    tol = 1e-7 * abs(objective["baseline"])
    assert bound["no_shortcut"] >= bound["baseline"] - tol  # level-capped linking coefficients
    assert bound["default"] >= bound["no_shortcut"] - tol   # shortcut pruning restricts the LP only
    assert bound["default"] >= bound["ends"] - tol >= bound["site"] - 2 * tol  # pair rows include ends rows
    # cumulative level columns are a change of variables (same LP), they only change what branching does
    assert bound["default"] == pytest.approx(bound["choice"], rel=1e-7)
    for k, v in bound.items():
        assert v <= objective["baseline"] + tol, k


def test_cumulative_level_columns_map_to_and_from_levels():
    # pre-cooling sites have 2 levels; the plan opens site 0 at its level 1 and site 1 at its level 0
    prob = random_problem(5, False)
    m, choice = ColdChainModel(prob), ColdChainModel(prob, levels="choice")
    c = m.c
    plan = np.zeros(c.lvl_site.size)
    plan[np.flatnonzero(c.lvl_site == 0)[1]] = 1.0
    plan[np.flatnonzero(c.lvl_site == 1)[0]] = 1.0
    z = m.open_start(plan)
    site0, site1 = np.flatnonzero(c.lvl_site == 0), np.flatnonzero(c.lvl_site == 1)
    assert z[site0].tolist() == [1.0, 1.0] and z[site1].tolist() == [1.0, 0.0]
    assert z[c.lvl_site >= 2].sum() == 0.0
    assert choice.open_start(plan).tolist() == plan.tolist()
    # a fixed plan costs the same in both formulations and reads back as the same levels
    quick = SolverOptions(mip_gap=1e-9)
    fixed = {}
    for name, model in (("cumulative", m), ("choice", choice)):
        mm, blocks = model.build(active=model.active, fix_open=plan)
        res = mm.solve(quick)
        assert res.status == "optimal"
        assert model.level_values(res, blocks).tolist() == pytest.approx(plan.tolist())
        fixed[name] = res.objective / model.cost_scale
    assert fixed["cumulative"] == pytest.approx(fixed["choice"], rel=1e-9)
    # the solution table reads levels, not cumulative columns
    sol = m.solve(quick)
    chosen = sol.sites[sol.sites["open"]]
    assert (chosen["capacity_t"] >= chosen["throughput_t"] - 1e-6).all()
    assert sol.objective == pytest.approx(choice.solve(quick).objective, rel=1e-6)
    with pytest.raises(ModelError, match="levels must be"):
        ColdChainModel(prob, levels="sos")


def test_local_search_steps_a_site_down_a_level():
    # B1 at 200 t (1 000 CNY) carrying all 120 t of demand costs 1 000 + 120 x 1 = 1 120 CNY. One level down
    # (100 t, 100 CNY) leaves 20 t unmet at 5 CNY/t: 100 + 100 + 100 = 300 CNY, the optimum (B2 alone: 100 +
    # 120 x 2 = 340; both: 200 + 120 = 320). Throughput 120 t is within 1.25 x 100 t, so the move is tried.
    tiers = [SiteTier("backbone", (Site("B1", ((100.0, 100.0), (200.0, 1000.0))), Site("B2", ((100.0, 100.0),))))]
    prob = ColdChainProblem(
        [GRAIN], ["A"], {("A", "grain"): 500.0}, [DemandPoint("D")], {("D", "grain"): 120.0}, tiers,
        [arc("production", "backbone", [[1.0, 1.0]], [[0.0, 0.0]]), arc("backbone", "demand", [[1.0], [1.0]], [[1.0], [2.0]])],
        unmet_penalty_cny_per_t=5.0,
    )
    m = ColdChainModel(prob)
    quick = SolverOptions(mip_gap=1e-9)
    seen: list[float] = []

    def try_plan(fix):  # as in heuristics.warm_start, recording each plan's cost (CNY)
        out = heuristics.solve_plan(m, fix, quick)
        if out is not None:
            seen.append(out[0].objective / m.cost_scale)
        return out

    start = try_plan(np.array([0.0, 1.0, 0.0]))  # B1 at its larger level, B2 closed
    assert seen == [pytest.approx(1120.0)]
    heuristics.local_search(m, start, np.array([1.0, 1.0]), try_plan, Deadline.after(30.0))
    assert min(seen) == pytest.approx(300.0)
    assert m.solve(quick).objective == pytest.approx(300.0)


def test_level_bounds_tighten_linking_on_a_small_level():
    # one base with levels 100 t (100 CNY) and 1 000 t (800 CNY); demand 500 t, so only the large level works:
    # optimum 800 CNY. Plain linking "x <= 500 (y_small + y_large)" with capacity "x <= 100 y_small + 1000
    # y_large" lets the LP mix y_large = 4/9, y_small = 5/9 at 100 * 5/9 + 800 * 4/9 = 3700/9 CNY. The
    # level-capped coefficients "x <= 100 y_small + 500 y_large" force y_large = 1: LP bound 800 CNY.
    tiers = [SiteTier("backbone", (Site("B", ((100.0, 100.0), (1000.0, 800.0))),))]
    prob = ColdChainProblem(
        [GRAIN], ["A"], {("A", "grain"): 1000.0}, [DemandPoint("D")], {("D", "grain"): 500.0}, tiers,
        [arc("production", "backbone", [[1.0]], [[0.0]]), arc("backbone", "demand", [[1.0]], [[0.0]])],
    )
    assert lp_bound(ColdChainModel(prob, level_bounds=False)) == pytest.approx(3700.0 / 9.0)
    assert lp_bound(ColdChainModel(prob)) == pytest.approx(800.0)
    assert ColdChainModel(prob).solve(SolverOptions(mip_gap=1e-9)).objective == pytest.approx(800.0)


# ------------------------------------------------------------------------------ time-window heuristic
def mixing_problem(a2_cost: float = 10.0) -> ColdChainProblem:
    """The instance of test_time_limit_holds_on_every_route_through_mixing_sites (optimum 100 000 CNY), the
    first-mile cost of A2 (CNY/t) as given."""
    tiers = [SiteTier("precool", (Site("P", ((1e4, 0.0),)),)), SiteTier("backbone", (Site("B", ((1e4, 0.0),)),))]
    return ColdChainProblem(
        [Product("melon", True, 3000.0, max_time_h=40.0)], ["A1", "A2"],
        {("A1", "melon"): 1000.0, ("A2", "melon"): 1000.0},
        [DemandPoint("d1"), DemandPoint("d2")], {("d1", "melon"): 500.0, ("d2", "melon"): 500.0}, tiers,
        [arc("production", "precool", [[1.0], [20.0]], [[100.0], [a2_cost]]),
         arc("precool", "backbone", [[10.0]], [[0.0]]),
         arc("backbone", "demand", [[5.0, 25.0]], [[0.0, 0.0]])],
    )


def test_time_windows_by_hand():
    # E: P 1 h, B 11 h. Latest arrival reaching every demand point in 40 h ("min"): P 40 - 35 = 5, B 40 - 25 =
    # 15; reaching some demand point ("max"): P 40 - 15 = 25, B 40 - 5 = 35. theta = (0, 1/3, 2/3, 1).
    # "min": a(P) = 1 + 4/3, a(B) = 11 + 8/3 = 13.67: A2 -> P (20 h) is banned, A1 -> P (1 <= 2.33), P -> B
    # (12.33 <= 13.67), B -> d1 (18.67 <= 40) and B -> d2 (38.67 <= 40) are kept.
    # "max": a(P) = 1 + 8 = 9, a(B) = 11 + 16 = 27: B -> d2 (27 + 25 = 52 > 40) is banned as well.
    m = ColdChainModel(mixing_problem())
    theta = np.array([0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0])
    names = [(m.c.node_name[i], m.c.node_name[j]) for i, j in zip(m.f_from, m.f_to, strict=True)]
    assert sorted(names) == [("A1", "P"), ("A2", "P"), ("B", "d1"), ("B", "d2"), ("P", "B")]
    banned = {k: {names[f] for f in np.flatnonzero(route_limits.window_ban(m, theta, base=k))} for k in ("min", "max")}
    assert banned["min"] == {("A2", "P")}
    assert banned["max"] == {("A2", "P"), ("B", "d2")}
    # every route over kept variants is within the limit: here the optimum itself
    res = route_limits.window_repair(m, np.ones(2), SolverOptions(), Deadline())
    assert res is not None and res.objective == pytest.approx(100_000.0)
    assert not route_limits.violations(m, res.values(m.blocks["flow"])).any()


def test_guided_time_windows_by_hand():
    # The flows without time rows buy the cheap A2 melons: A2 -> P -> B -> d2 takes 20 + 10 + 25 = 55 h > 40 h.
    # Read off them: longest used arrival F(P) = 20, F(B) = 30; latest arrival the used routes onwards allow
    # U(B) = min(40 - 5, 40 - 25) = 15, U(P) = 15 - 10 = 5; windows clamped to [E, S] = [1, 25] at P, [11, 35]
    # at B. theta_used = 0: a = F = (20, 30) keeps the used first miles and bans the 55 h last mile B -> d2;
    # theta_used = 1: a = U = (5, 15) bans A2 -> P (20 > 5) and keeps B -> d2 (15 + 25 = 40); 0.5: a = (12.5,
    # 22.5) bans both.
    m = ColdChainModel(mixing_problem())
    names = [(m.c.node_name[i], m.c.node_name[j]) for i, j in zip(m.f_from, m.f_to, strict=True)]
    tonnes = {("A2", "P"): 1000.0, ("P", "B"): 1000.0, ("B", "d1"): 500.0, ("B", "d2"): 500.0}
    over = np.array([tonnes.get(n, 0.0) for n in names])
    assert route_limits.violations(m, over).any()
    banned = {th: {names[f] for f in np.flatnonzero(route_limits.guided_ban(m, over, th, 0.5))} for th in (0.0, 0.5, 1.0)}
    assert banned == {0.0: {("B", "d2")}, 0.5: {("A2", "P"), ("B", "d2")}, 1.0: {("A2", "P")}}
    # the optimum (A1 only) keeps its limits, so its own windows keep every variant it uses, whatever theta
    ok = {("A1", "P"): 1000.0, ("P", "B"): 1000.0, ("B", "d1"): 500.0, ("B", "d2"): 500.0}
    within = np.array([ok.get(n, 0.0) for n in names])
    assert not route_limits.violations(m, within).any()
    for th_used in (0.0, 0.5, 1.0):
        for th_free in (0.0, 0.5, 1.0):
            assert not (route_limits.guided_ban(m, within, th_used, th_free) & (within > 0)).any()
    # the repair from the plan reaches the optimum
    res = route_limits.window_repair(ColdChainModel(mixing_problem()), np.ones(2), SolverOptions(), Deadline())
    assert res is not None and res.objective == pytest.approx(100_000.0)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_time_windows_keep_every_route_within_its_limit(seed):
    # on seeded instances with limits: every window restriction gives a plan within every limit, never cheaper
    # than the exact optimum (it is a restriction of the model)
    prob = random_problem(seed, timed=True)
    m0 = ColdChainModel(prob)
    sol = m0.solve(SolverOptions(mip_gap=1e-9))
    exact, plan = sol.objective, np.where(m0.level_values(sol.result) > 0.5, 1.0, 0.0)
    m = ColdChainModel(prob)
    pos = np.arange(m.c.T) / (m.c.T - 1)
    none = np.zeros(m.f_a.size, dtype=bool)
    feasible = 0
    for base in ("max", "min"):
        for g in route_limits.WINDOW_EXPONENTS:
            ban = route_limits.window_ban(m, pos ** g, base=base)
            model, blocks = m.build(active=none, ban=ban)
            res = model.solve(SolverOptions(mip_gap=1e-9))
            if not res.is_feasible:
                continue
            feasible += 1
            assert not route_limits.violations(m, res.values(blocks["flow"])).any()
            assert res.objective / m.cost_scale >= exact * (1 - 1e-7)
    assert feasible > 0
    # windows read off the flows of the model without time rows, and off the exact optimum: every restricted
    # solution keeps every limit; the optimum's own windows keep all the variants it uses
    free = m.model.solve(SolverOptions(mip_gap=1e-9)).values(m.blocks["flow"])
    best = sol.result.values(m0.blocks["flow"])
    for guide in (free, best):
        for th_used, th_free in [(0.0, 0.5), (1.0, 0.5), *route_limits.WINDOW_GUIDES]:
            ban = route_limits.guided_ban(m, guide, th_used, th_free)
            if guide is best:
                assert not (ban & (best > m.used_tolerance())).any()
            model, blocks = m.build(active=none, ban=ban)
            res = model.solve(SolverOptions(mip_gap=1e-9))
            if guide is best:
                assert res.is_feasible and res.objective / m.cost_scale == pytest.approx(exact, rel=1e-6)
            if res.is_feasible:
                assert not route_limits.violations(m, res.values(blocks["flow"])).any()
                assert res.objective / m.cost_scale >= exact * (1 - 1e-7)
    m = ColdChainModel(prob)
    res = route_limits.window_repair(m, plan, SolverOptions(mip_gap=1e-9), Deadline())
    assert res is not None and res.objective >= exact * (1 - 1e-7)
    assert not route_limits.violations(m, res.values(m.blocks["flow"])).any()


def test_time_limited_run_falls_back_to_the_window_heuristic(monkeypatch):
    # a first round cut off by the time limit with routes over their limit (simulated: its optimum buys from
    # A2, 55 h to d2, and is reported as "time_limit") must end on a plan within every limit (the optimum)
    m = ColdChainModel(mixing_problem())
    real_solve = type(m.model).solve

    def cut_off(self, options=None):
        res = real_solve(self, options)
        return dataclasses.replace(res, status="time_limit") if self is m.model else res

    monkeypatch.setattr(type(m.model), "solve", cut_off)
    sol = m.solve(SolverOptions(time_limit_s=30.0))
    assert sol.status == "time_limit" and sol.report["message"] == "repaired incumbent"
    assert sol.service["within_limit"].all() and sol.kpis()["service_level"] == pytest.approx(1.0)
    assert sol.objective == pytest.approx(100_000.0)


def test_reported_bound_is_the_largest_of_the_rounds(monkeypatch):
    # Round 1 (no time rows) proves 10 000 CNY (A2 serves both, 55 h to d2). Round 2 is reported as cut off by
    # the time limit with a weak bound of 2 000 (simulated) and an incumbent within every limit (A1 only,
    # 100 000). Round 1's bound is valid for the full model too, so the result reports it: gap 0.9, not 0.98.
    m = ColdChainModel(mixing_problem())
    real_solve = type(m.model).solve
    rounds = []

    def weak_second_round(self, options=None):
        res = real_solve(self, options)
        if self is not m.model:  # MIP starts and fixed-plan solves build models of their own
            return res
        rounds.append(res.best_bound)
        if len(rounds) == 2:
            return dataclasses.replace(res, status="time_limit", best_bound=2_000 * m.cost_scale)
        return res

    monkeypatch.setattr(type(m.model), "solve", weak_second_round)
    sol = m.solve(SolverOptions())
    assert len(rounds) == 2 and rounds[0] == pytest.approx(10_000 * m.cost_scale)
    assert sol.objective == pytest.approx(100_000.0) and sol.service["within_limit"].all()
    assert sol.report["best_bound"] == pytest.approx(10_000.0)
    assert sol.report["gap"] == pytest.approx(0.9)


def test_round_cut_off_within_limits_is_continued(monkeypatch):
    # A2 dearer than A1 (200 CNY/t): the first round already keeps every limit. Its first solve is reported as
    # cut off by the time limit (simulated); the model continues from that incumbent with the time left and
    # proves the optimum (A1 only, 100 000 CNY) instead of stopping at the reserved share of the time
    m = ColdChainModel(mixing_problem(a2_cost=200.0))
    assert m.size()["time_critical_variants"] > 0
    real_solve = type(m.model).solve
    calls = []

    def first_cut_off(self, options=None):
        res = real_solve(self, options)
        if self is m.model:
            calls.append(options.time_limit_s)
            if len(calls) == 1:
                return dataclasses.replace(res, status="time_limit")
        return res

    monkeypatch.setattr(type(m.model), "solve", first_cut_off)
    sol = m.solve(SolverOptions(time_limit_s=30.0))
    assert len(calls) == 2 and calls[0] <= 15.0 + 1e-9 < calls[1]
    assert sol.status == "optimal" and sol.objective == pytest.approx(100_000.0)
    assert sol.service["within_limit"].all()
