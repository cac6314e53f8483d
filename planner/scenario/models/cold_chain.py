"""The multi-tier cold-chain network design model as scenarios use it (:mod:`planner.model.coldchain`; the
scenario side of its data in :mod:`planner.scenario.coldchain`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.errors import InfeasibleError, PlannerError
from planner.network.places import resolve_place
from planner.scenario.inputs import (
    BuiltScenario,
    candidate_sites,
    demand_table,
    distinct_towns,
    gateway_onward_costs,
    select_places,
    supply_table,
)
from planner.scenario.models.base import ModelAdapter
from planner.scenario.result import RunResult, place_names, site_places

if TYPE_CHECKING:
    import networkx as nx

    from planner.model.coldchain import ColdChainModel, ColdChainSolution
    from planner.model.deadline import Deadline
    from planner.model.matrix import SolverOptions
    from planner.scenario.schema import Scenario

__all__ = ["COLD_CHAIN", "Solved", "build_cold_chain", "cold_chain_tables", "solve_cold_chain"]


@dataclass
class Solved:
    """A solved cold-chain model with the options and the deadline its site justifications share."""

    model: ColdChainModel
    solution: ColdChainSolution
    options: SolverOptions
    deadline: Deadline


def build_cold_chain(scenario: Scenario, base_dir: Path, places: pd.DataFrame, graph: nx.MultiDiGraph) -> BuiltScenario:
    """The cold-chain problem: supply, demand points, tiers of candidate sites, arcs with their route options."""
    # the model and the route searches load scipy and networkx: not for `planner validate`
    from planner.model.coldchain import ColdChainProblem, DemandPoint
    from planner.scenario import coldchain

    supply, notes = supply_table(scenario, base_dir)
    if supply.empty:
        raise PlannerError(f"scenario {scenario.name}: no supply for its products in {', '.join(scenario.region)}")
    points = select_places(scenario.demand.points, scenario, places)
    demand = demand_table(scenario, points, places, supply, base_dir)
    areas = list(dict.fromkeys(supply["place_id"]))
    # a place may be a city and an export port at once (Khorgas): one demand point per place and kind, named
    # by the place for a city and "<kind>:<place>" otherwise, so exports travel as line-haul
    demand = demand.assign(point=np.where(demand["kind"] == "city", demand["place_id"], demand["kind"] + ":" + demand["place_id"]))
    demand_points = list(dict.fromkeys(demand["point"]))
    kinds = demand.groupby("point")["kind"].first()
    point_places = demand.groupby("point")["place_id"].first()
    locations: dict[str, list[str]] = {"production": areas, "demand": [str(point_places[p]) for p in demand_points]}
    site_keys: dict[str, tuple[str, str]] = {str(p): ("demand", str(point_places[p])) for p in demand_points}
    named = {resolve_place(n) for n in [*scenario.policy.must_open, *scenario.policy.forbidden]}
    for tier in scenario.tiers:
        candidates = distinct_towns(candidate_sites(tier.candidates, scenario, places, supply), places, named)
        if not candidates:
            raise PlannerError(f"scenario {scenario.name}: tier {tier.name} has no candidate sites")
        locations[tier.name] = candidates
        site_keys.update({f"{tier.name}:{place}": (tier.name, place) for place in candidates})
    must_open = {resolve_place(n) for n in scenario.policy.must_open}
    forbidden = {resolve_place(n) for n in scenario.policy.forbidden}
    tiers = coldchain.cold_chain_tiers(scenario, locations, must_open, forbidden)
    tier_arcs = scenario.tier_arcs or [
        ("production", scenario.tiers[0].name),
        *[(a.name, b.name) for a, b in zip(scenario.tiers, scenario.tiers[1:], strict=False)],
        (scenario.tiers[-1].name, "demand"),
    ]
    products = coldchain.cold_chain_products(scenario)
    arcs = coldchain.cold_chain_arcs(graph, locations, [tuple(pair) for pair in tier_arcs],
                                     [str(kinds[p]) for p in demand_points], list(scenario.modes), products,
                                     coldchain.load_leg_rates(), _onward(scenario, demand_points, kinds, point_places),
                                     rail_tiers={t.name for t in scenario.tiers if t.rail_terminal})
    co2 = _co2_parameters()
    problem = ColdChainProblem(
        products=products,
        production_areas=areas,
        supply_t=supply[["place_id", "product", "tonnes"]],
        demand_points=[DemandPoint(p, kind=str(kinds[p])) for p in demand_points],
        demand_t=demand[["point", "product", "tonnes"]],
        tiers=tiers,
        arcs=arcs,
        tier_arcs=[tuple(pair) for pair in tier_arcs],
        budget_cny=scenario.policy.budget_cny,
        unmet_penalty_cny_per_t=scenario.policy.unmet_penalty_cny_per_t,
        co2_kg_per_tkm=co2[0],
        co2_reefer_factor=co2[1],
        co2_price_cny_per_t=coldchain.co2_price(scenario),
        name=scenario.name,
    )
    return BuiltScenario(scenario, places, graph, problem, site_keys=site_keys, notes=notes)


def _onward(scenario: Scenario, points: list[str], kinds: pd.Series, point_places: pd.Series) -> list[float]:
    """CNY/t beyond each demand point: a gateway's onward cost on its own demand point (not on a city of the
    same place)."""
    onward = gateway_onward_costs(scenario)
    return [onward.get(str(point_places[p]), 0.0) if kinds[p] != "city" else 0.0 for p in points]


def _co2_parameters() -> tuple[dict[str, float], float]:
    from planner import domain

    params = domain.cold_chain_parameters().set_index(["parameter", "key"])["value"]
    road = float(params.get(("co2_intensity", "road"), 0.0))
    rail = float(params.get(("co2_intensity", "rail"), 0.0))
    reefer = float(params.get(("co2_reefer_factor", "all"), 1.0))
    return {"road": road, "rail": rail, "air": road}, reefer


def solve_cold_chain(built: BuiltScenario, options: SolverOptions) -> Solved:
    """Solve the built problem within the solver's time limit, keeping a share of it for the site
    justifications the tables compute."""
    from planner.model.coldchain import ColdChainModel
    from planner.model.deadline import Deadline
    from planner.scenario import coldchain_tables

    scenario = built.scenario
    places = built.places
    try:
        model = ColdChainModel(built.problem)
    except InfeasibleError as exc:  # name the places of the reasons (the model knows only their ids)
        ids = [*built.problem.production_areas, *(place for _, place in built.site_keys.values())]
        reasons = [coldchain_tables.named(r, places, ids) for r in exc.reasons]
        raise InfeasibleError(f"scenario {scenario.name} is infeasible: {reasons[0]}", reasons) from None
    # one deadline for the whole solve (start, rounds, repair, explanation) and the site justifications, which
    # keep a share of it (at most 30 s)
    deadline = Deadline.after(options.time_limit_s)
    reserve = 0.0 if options.time_limit_s is None else min(0.15 * options.time_limit_s, 30.0)
    solve_until = Deadline(None if deadline.end is None else deadline.end - reserve)
    solution = model.solve(options, deadline=solve_until)
    return Solved(model, solution, options, deadline)


def cold_chain_tables(built: BuiltScenario, solved: Solved) -> RunResult:
    """The run tables of the cold-chain solution: sites, flows, service, zones, catchments, why these sites."""
    from planner.scenario import coldchain, coldchain_tables
    from planner.scenario.coldchain_routes import FlowRoutes, flow_routes

    scenario, places = built.scenario, built.places
    model, solution, options, deadline = solved.model, solved.solution, solved.options, solved.deadline
    sites = solution.sites.copy()
    sites["place_id"] = sites["site"].map({name: place for name, (_, place) in built.site_keys.items()})
    sites = pd.concat([sites.reset_index(drop=True), place_names(places, sites["place_id"])], axis=1)
    columns = ["tier", "place_id", "name_zh", "name_en", "lon", "lat", "open", "zones", "level", "capacity_t",
               "storage_t", "volume_m3", "capex_cny", "fixed_cost_cny", "throughput_t", "utilisation", "handling_cny",
               "must_open", "forbidden"]
    candidates = sites[columns]
    opened = candidates[candidates["open"]].drop(columns="open").reset_index(drop=True)

    flows = solution.flows.copy()
    for end in ("from", "to"):
        flows[f"{end}_place"] = site_places(built, flows[end])
        names = place_names(places, flows[f"{end}_place"])
        for column in ("name_zh", "lon", "lat"):
            flows[f"{end}_{column}"] = names[column].to_numpy()
    flows = flows.drop(columns=["from", "to"]).rename(columns={"from_place": "from_id", "to_place": "to_id"})
    front = ["product", "from_tier", "from_id", "from_name_zh", "to_tier", "to_id", "to_name_zh", "leg_class", "mode",
             "refrigerated", "tonnes"]
    flows = flows[front + [c for c in flows.columns if c not in front]]
    book = FlowRoutes(built.graph, coldchain.load_leg_rates(), list(built.problem.products), list(built.problem.arcs))
    route_ids, routes = flow_routes(book, flows)
    flows["route_id"] = route_ids
    flows["via"] = [routes[r].via if r else "" for r in route_ids]

    service = solution.service.copy()
    service.insert(0, "place_id", site_places(built, service.pop("demand_point")))
    service = pd.concat([service.reset_index(drop=True), place_names(places, service["place_id"])[["name_zh", "name_en"]]], axis=1)

    last = flows[flows["to_tier"] == "demand"]
    if len(last):
        main = last.sort_values("tonnes", ascending=False).drop_duplicates("to_id")
        assignments = pd.DataFrame({
            "place_id": main["to_id"].to_numpy(),
            "name_zh": main["to_name_zh"].to_numpy(),
            "site_id": main["from_id"].to_numpy(),
            "site_name_zh": main["from_name_zh"].to_numpy(),
            "site_tier": main["from_tier"].to_numpy(),
            "tonnes": last.groupby("to_id")["tonnes"].sum().reindex(main["to_id"]).to_numpy(),
        })
    else:
        assignments = pd.DataFrame(columns=["place_id", "name_zh", "site_id", "site_name_zh", "site_tier", "tonnes"])

    catchment = coldchain_tables.catchment_table(flows)
    summary_of = coldchain_tables.catchment_text(catchment)
    why = coldchain_tables.why_sites(model, solution, places, built.site_keys, options, deadline)
    why_of = {(e["tier"], e["place_id"]): coldchain_tables.why_text(e, places) for e in why}
    keys = list(zip(opened["tier"], opened["place_id"], strict=True))
    opened["catchment"] = [summary_of.get(k, "") for k in keys]
    opened["why"] = [why_of.get(k, "") for k in keys]
    zones = solution.zones.copy()
    if len(zones):
        zones["place_id"] = site_places(built, zones["site"])
        zones = pd.concat([zones.drop(columns="site").reset_index(drop=True), place_names(places, zones["place_id"])[["name_zh"]]], axis=1)

    kpis = solution.kpis()
    kpis["tonne_km_by_mode"] = {m: float(v) for m, v in (flows["tonnes"] * flows["distance_km"]).groupby(flows["mode"]).sum().items()}
    result = RunResult(scenario, dict(solution.report), kpis, opened, flows, assignments, service,
                       solution.cost_breakdown.copy(), candidates, list(built.notes), built)
    result.tables = {"site_zones": zones, "catchment": catchment}
    result.routes = routes
    result.why_sites = why
    if why and len(why) < len(opened):
        result.notes.append(f"why these sites: {len(why)} of {len(opened)} open sites compared with their nearest "
                            f"alternative (tiers with the fewest open sites first, then the largest)")
    return result


def _unique_tiers(scenario: Scenario) -> None:
    names = [t.name for t in scenario.tiers]
    if len(set(names)) != len(names):
        raise ValueError(f"tier names must be unique, got {names}")


COLD_CHAIN = ModelAdapter(
    "cold_chain", "multi-tier cold-chain network design",
    "which pre-cooling centres, cold-chain bases and distribution centres to open, at what capacity per "
    "temperature zone, and how each product travels from its production areas to cities, markets and ports?",
    "investment and operating cost of the sites, handling, transport, CO2 and unmet demand, CNY per season",
    True, ("products", "tiers", "supply"), build_cold_chain, solve_cold_chain, cold_chain_tables, _unique_tiers,
)
