"""Cold chain v2 on small hand-checked instances: leg classes, temperature zones, per-leg standards, the
first-mile check and the shared deadline.

Arcs are explicit matrices (time in h, cost in CNY/t) so the arithmetic stays visible; every optimum is
reasoned out in the comments.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from planner.errors import InfeasibleError
from planner.model.coldchain import (
    ArcMatrix,
    ColdChainModel,
    ColdChainProblem,
    DemandPoint,
    Product,
    Site,
    SiteTier,
    Zone,
    solve_cold_chain,
)
from planner.model.deadline import Deadline
from planner.model.matrix import SolverOptions

EXACT = SolverOptions(mip_gap=1e-9)
APPLE = Product("apple", perishable=True, value_cny_per_t=0.0, zone="chilled")
POTATO = Product("potato", perishable=False, value_cny_per_t=0.0, zone="ambient")


def arc(ft: str, tt: str, time_h, cost, dist=None, leg="any", cost_ref=None) -> ArcMatrix:
    t = np.asarray(time_h, dtype=float)
    c = np.asarray(cost, dtype=float)
    return ArcMatrix(ft, tt, "road", np.zeros_like(t) if dist is None else np.asarray(dist, dtype=float), t,
                     c, c if cost_ref is None else np.asarray(cost_ref, dtype=float), leg_class=leg)


# ------------------------------------------------------------------------------------------- leg classes
def regional_problem(line_haul_rate: float, distribution_rate: float, regional_fixed: float = 100_000.0) -> ColdChainProblem:
    """One base B 500 km from a regional candidate R; two cities 20 km from R and 510 km from B (500 t each).

    Per tonne: direct B -> city = 510 km of distribution; via R = 500 km of line-haul + 40 CNY handling at R
    + 20 km of distribution.
    """
    tiers = [SiteTier("backbone", (Site("B", ((5000.0, 0.0),)),)),
             SiteTier("regional", (Site("R", ((5000.0, regional_fixed),), handling_cny_per_t=40.0),))]
    d = distribution_rate
    arcs = [
        arc("production", "backbone", [[1.0]], [[0.0]], leg="first_mile"),
        arc("backbone", "regional", [[7.0]], [[500 * line_haul_rate]], dist=[[500.0]], leg="line_haul"),
        arc("regional", "demand", [[1.0, 1.0]], [[20 * d, 20 * d]], dist=[[20.0, 20.0]], leg="distribution"),
        arc("backbone", "demand", [[8.0, 8.0]], [[510 * d, 510 * d]], dist=[[510.0, 510.0]], leg="distribution"),
    ]
    return ColdChainProblem(
        [APPLE], ["A"], {("A", "apple"): 2000.0}, [DemandPoint("C1"), DemandPoint("C2")],
        {("C1", "apple"): 500.0, ("C2", "apple"): 500.0}, tiers, arcs,
        tier_arcs=[("production", "backbone"), ("backbone", "regional"), ("regional", "demand"), ("backbone", "demand")],
    )


def test_regional_centre_opens_where_line_haul_is_cheaper_than_distribution():
    # line-haul 0.5, distribution 2.0 CNY/t-km: direct 510 x 2 = 1 020 CNY/t -> 1 020 000 CNY; via R
    # 500 x 0.5 + 40 + 20 x 2 = 330 CNY/t -> 330 000 + 100 000 fixed = 430 000 CNY: R opens
    sol = solve_cold_chain(regional_problem(0.5, 2.0), EXACT)
    assert sol.open_sites("regional") == ["R"]
    assert sol.objective == pytest.approx(430_000.0)
    by_leg = sol.flows.groupby("leg_class")["tonnes"].sum()
    assert by_leg["distribution"] == pytest.approx(1000.0) and by_leg["line_haul"] == pytest.approx(1000.0)
    assert sol.kpis()["transport_distribution_cny"] == pytest.approx(1000 * 40.0)


def test_regional_centre_stays_closed_when_every_leg_costs_the_same():
    # 0.5 CNY/t-km everywhere: direct 510 x 0.5 = 255 CNY/t -> 255 000 CNY; via R 250 + 40 + 10 = 300 CNY/t
    # before its fixed cost: consolidation only adds handling, R stays closed
    sol = solve_cold_chain(regional_problem(0.5, 0.5), EXACT)
    assert sol.open_sites("regional") == []
    assert sol.objective == pytest.approx(255_000.0)


# ------------------------------------------------------------------------------------------- zones
def zoned_problem(ambient_zone: bool) -> ColdChainProblem:
    """Apples (chilled) and potatoes (ambient) through one base with a chilled zone (cheap per tonne of
    capacity) and, if asked, an ambient zone."""
    zones = [Zone("chilled", ((1000.0, 50_000.0), (3000.0, 120_000.0)))]
    if ambient_zone:
        zones.append(Zone("ambient", ((2000.0, 10_000.0),)))
    tiers = [SiteTier("backbone", (Site("B", zones=tuple(zones), fixed_cny=5_000.0),))]
    arcs = [arc("production", "backbone", [[1.0]], [[0.0]]), arc("backbone", "demand", [[1.0]], [[10.0]])]
    return ColdChainProblem(
        [APPLE, POTATO], ["A"], {("A", "apple"): 800.0, ("A", "potato"): 1500.0}, [DemandPoint("C")],
        {("C", "apple"): 800.0, ("C", "potato"): 1500.0}, tiers, arcs, unmet_penalty_cny_per_t=1000.0,
    )


def test_ambient_goods_use_ambient_capacity_never_cold_capacity():
    # with both zones: chilled at 1000 t (50 000) for 800 t of apples, ambient 2000 t (10 000) for the
    # potatoes, the site 5 000: 65 000 + 2300 t x 10 = 88 000 CNY
    sol = solve_cold_chain(zoned_problem(True), EXACT)
    z = sol.zones.set_index("zone")
    assert z.loc["chilled", "throughput_t"] == pytest.approx(800.0)
    assert z.loc["ambient", "throughput_t"] == pytest.approx(1500.0)
    assert sol.objective == pytest.approx(88_000.0)
    assert sol.sites.loc[0, "zones"] == "chilled+ambient"


def test_without_an_ambient_zone_potatoes_do_not_fill_the_cold_store():
    # no ambient zone: the chilled store's larger level could hold both (3000 t), but potatoes may not use
    # cold capacity: they go unmet (1500 x 1000 = 1.5 M CNY) and the apples take the small level:
    # 50 000 + 5 000 + 800 x 10 + 1 500 000 = 1 563 000 CNY
    sol = solve_cold_chain(zoned_problem(False), EXACT)
    assert sol.zones.set_index("zone").loc["chilled", "throughput_t"] == pytest.approx(800.0)
    assert sol.service.set_index("product").loc["potato", "unmet_t"] == pytest.approx(1500.0)
    assert sol.objective == pytest.approx(1_563_000.0)


# ------------------------------------------------------------------------------------------- standards
def test_first_mile_standard_picks_the_pre_cooling_site_within_reach():
    # two pre-cooling candidates (100 CNY each): P_near (2 h, 40 CNY/t) and P_far (6 h, 10 CNY/t). Without a
    # standard the far one wins (100 + 100 x 10); with first_mile_max_h = 4 only P_near is allowed (100 + 100 x
    # 40). Per-leg standards are arc filters: no binaries are added.
    tiers = [SiteTier("precool", (Site("P_near", ((1e4, 100.0),)), Site("P_far", ((1e4, 100.0),))))]
    arcs = [arc("production", "precool", [[2.0, 6.0]], [[40.0, 10.0]], dist=[[60.0, 180.0]], leg="first_mile"),
            arc("precool", "demand", [[5.0], [5.0]], [[0.0], [0.0]], leg="line_haul")]

    def problem(product: Product) -> ColdChainProblem:
        return ColdChainProblem([product], ["A"], {("A", product.name): 100.0}, [DemandPoint("C")],
                                {("C", product.name): 100.0}, tiers, arcs)

    free = solve_cold_chain(problem(APPLE), EXACT)
    assert free.open_sites() == ["P_far"] and free.objective == pytest.approx(1100.0)
    timed = Product("apple", perishable=True, value_cny_per_t=0.0, zone="chilled", first_mile_max_h=4.0)
    sol = solve_cold_chain(problem(timed), EXACT)
    assert sol.open_sites() == ["P_near"] and sol.objective == pytest.approx(4100.0)
    assert ColdChainModel(problem(timed)).size()["binaries"] == ColdChainModel(problem(APPLE)).size()["binaries"]
    # the km standard works the same way
    by_km = Product("apple", perishable=True, value_cny_per_t=0.0, zone="chilled", first_mile_max_km=100.0)
    assert solve_cold_chain(problem(by_km), EXACT).open_sites() == ["P_near"]


def test_no_pre_cooling_site_within_the_first_mile_standard_is_reported_before_solving():
    tiers = [SiteTier("precool", (Site("P1", ((1e4, 0.0),)), Site("P2", ((1e4, 0.0),))))]
    arcs = [arc("production", "precool", [[7.5, 9.0]], [[10.0, 10.0]], dist=[[210.0, 250.0]], leg="first_mile"),
            arc("precool", "demand", [[5.0], [5.0]], [[0.0], [0.0]])]
    veg = Product("vegetables", perishable=True, value_cny_per_t=0.0, zone="chilled", first_mile_max_h=6.0)
    prob = ColdChainProblem([veg], ["Yuzhong"], {("Yuzhong", "vegetables"): 100.0}, [DemandPoint("C")],
                            {("C", "vegetables"): 100.0}, tiers, arcs, unmet_penalty_cny_per_t=1e4)
    with pytest.raises(InfeasibleError, match=r"production area Yuzhong: no pre-cooling candidate within the "
                                              r"first-mile standard of vegetables \(6 h\); the nearest is P1 at 7\.5 h"):
        ColdChainModel(prob)


def test_line_haul_standard_picks_the_faster_of_two_route_alternatives():
    # the same arc by two routes: alternative 0 cheap and slow (30 h, 100 CNY/t), alternative 1 dear and fast
    # (20 h, 160 CNY/t). A 24 h line-haul standard leaves the fast one.
    slow = ArcMatrix("backbone", "demand", "road", [[1500.0]], [[30.0]], [[100.0]], [[100.0]], leg_class="line_haul")
    fast = ArcMatrix("backbone", "demand", "road", [[1400.0]], [[20.0]], [[160.0]], [[160.0]], leg_class="line_haul",
                     alternative=1)
    tiers = [SiteTier("backbone", (Site("B", ((1e4, 0.0),)),))]

    def problem(product: Product) -> ColdChainProblem:
        return ColdChainProblem([product], ["A"], {("A", product.name): 10.0}, [DemandPoint("M", kind="market")],
                                {("M", product.name): 10.0}, tiers,
                                [arc("production", "backbone", [[1.0]], [[0.0]], leg="first_mile"), slow, fast])

    assert solve_cold_chain(problem(APPLE), EXACT).objective == pytest.approx(1000.0)
    timed = Product("apple", perishable=True, value_cny_per_t=0.0, zone="chilled", line_haul_max_h=24.0)
    sol = solve_cold_chain(problem(timed), EXACT)
    assert sol.objective == pytest.approx(1600.0)
    assert sol.flows.set_index("tier_pair").loc["backbone->demand", "alternative"] == 1


def test_first_mile_may_run_unrefrigerated_for_a_cold_chain_product():
    # a perishable product that must stay cold still reaches pre-cooling by farm truck: the first-mile arc has
    # only an ambient cost, the line-haul only a reefer cost; the product is delivered
    tiers = [SiteTier("precool", (Site("P", zones=(Zone("chilled", ((1e4, 0.0),)),)),))]
    arcs = [ArcMatrix("production", "precool", "road", [[30.0]], [[1.0]], [[20.0]], [[np.inf]], leg_class="first_mile"),
            ArcMatrix("precool", "demand", "road", [[300.0]], [[5.0]], [[np.inf]], [[200.0]], leg_class="line_haul")]
    prob = ColdChainProblem([APPLE], ["A"], {("A", "apple"): 10.0}, [DemandPoint("C")], {("C", "apple"): 10.0},
                            tiers, arcs)
    sol = solve_cold_chain(prob, EXACT)
    assert sol.objective == pytest.approx(2200.0)
    assert sol.flows.set_index("leg_class").loc["first_mile", "refrigerated"] == False  # noqa: E712


# ------------------------------------------------------------------------------------------- deadline
def test_deadline_options_share_one_clock():
    deadline = Deadline.after(2.0)
    first = deadline.options(SolverOptions(), cap=30.0)
    assert first is not None and first.time_limit_s <= 2.0
    assert deadline.options(SolverOptions(), share=0.5).time_limit_s <= 1.0
    assert Deadline().options(SolverOptions(), cap=30.0).time_limit_s == 30.0
    assert Deadline().options(SolverOptions()).time_limit_s is None
    gone = Deadline(time.perf_counter() - 1.0)
    assert gone.expired and gone.options(SolverOptions()) is None and gone.left() == 0.0
