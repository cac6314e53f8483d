"""The classic location models as scenarios use them: p-median, p-center, maximal and set covering,
facility location (:mod:`planner.model.location`).

They share one problem (a customer x site matrix of the scenario's ``metric``, customer weights, the
policy's fixed sites) and one set of run tables (open sites, each demand point's serving site); each adapter
adds how its model is called.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner import network
from planner.errors import InfeasibleError, PlannerError
from planner.network.places import resolve_place
from planner.scenario.inputs import (
    BuiltScenario,
    MatrixInputs,
    candidate_sites,
    demand_weights,
    mode_set,
    select_places,
)
from planner.scenario.models.base import ModelAdapter
from planner.scenario.result import RunResult, attach_routes, place_names

if TYPE_CHECKING:
    import networkx as nx

    from planner.model.location import LocationSolution
    from planner.model.matrix import SolverOptions
    from planner.scenario.schema import Scenario

__all__ = ["LOCATION_ADAPTERS", "build_location", "location_tables"]


def build_location(scenario: Scenario, base_dir: Path, places: pd.DataFrame, graph: nx.MultiDiGraph) -> BuiltScenario:
    """The customer x site matrices (the scenario's metric, time and distance), weights and fixed sites."""
    assert scenario.candidates is not None
    sites = candidate_sites(scenario.candidates, scenario, places)
    customers = select_places(scenario.demand.points, scenario, places)
    if not sites:
        raise PlannerError(f"scenario {scenario.name}: no candidate sites")
    if not customers:
        raise PlannerError(f"scenario {scenario.name}: no demand points")
    fixings = {}
    for field_name in ("must_open", "forbidden"):
        chosen = [resolve_place(n) for n in getattr(scenario.policy, field_name)]
        outside = [p for p in chosen if p not in sites]
        if outside:  # planner validate reports it with file and line; a Scenario object gets here
            raise PlannerError(f"scenario {scenario.name}: policy.{field_name}: {outside[0]} is not a candidate site")
        fixings[field_name] = [sites.index(p) for p in chosen]
    matrix = network.cost_matrix(graph, customers, sites, modes=mode_set(list(scenario.modes)), refrigerated=scenario.refrigerated)
    metric = {"time_h": matrix.time_h, "distance_km": matrix.distance_km, "cost": matrix.cost_cny_per_t}[scenario.metric]
    weights = demand_weights(customers, scenario, places, base_dir).to_numpy()
    problem: MatrixInputs = {
        "cost": np.asarray(metric, dtype=float),
        "distance_km": np.asarray(matrix.distance_km, dtype=float),
        "time_h": np.asarray(matrix.time_h, dtype=float),
        "weights": weights,
        "fixed_cost_cny": np.full(len(sites), scenario.fixed_cost_cny),
        "budget_cny": scenario.policy.budget_cny,
        **fixings,
    }
    site_keys = {place: ("site", place) for place in sites}
    return BuiltScenario(scenario, places, graph, problem, sites=sites, customers=customers, site_keys=site_keys)


def location_tables(built: BuiltScenario, solution: LocationSolution) -> RunResult:
    """The run tables of a location model's solution: open sites, each demand point's site, KPIs."""
    scenario = built.scenario
    data = built.problem
    if not solution.is_feasible:
        raise InfeasibleError(f"scenario {scenario.name}: {solution.status} ({solution.message or 'no feasible solution'})"
                              f"{_budget_reason(scenario, solution.status)}")
    places = built.places
    opened_ids = [built.sites[j] for j in solution.open_sites]
    assignment = np.asarray(solution.assignment)
    if assignment.ndim == 2:  # split CFLP: the site serving the largest share
        assignment = np.where(assignment.max(axis=1) > 0, assignment.argmax(axis=1), -1)
    served = assignment >= 0
    rows = np.arange(len(built.customers))
    site_of = np.where(served, assignment, 0)
    time_h = np.where(served, data["time_h"][rows, site_of], np.inf)
    distance_km = np.where(served, data["distance_km"][rows, site_of], np.inf)
    assignments = pd.DataFrame({
        "place_id": built.customers,
        "site_id": [built.sites[j] if ok else "" for j, ok in zip(site_of, served, strict=True)],
        "weight": data["weights"],
        "time_h": time_h,
        "distance_km": distance_km,
    })
    assignments = pd.concat([assignments, place_names(places, assignments["place_id"])[["name_zh", "name_en", "lon", "lat"]]], axis=1)
    assignments["site_name_zh"] = [places.loc[s, "name_zh"] if s else "" for s in assignments["site_id"]]
    routes = attach_routes(built, assignments)
    load = assignments[assignments["site_id"] != ""].groupby("site_id")["weight"].sum()
    candidates = pd.DataFrame({"tier": "site", "place_id": built.sites})
    candidates = pd.concat([candidates, place_names(places, candidates["place_id"])], axis=1)
    candidates["open"] = candidates["place_id"].isin(opened_ids)
    candidates["assigned_weight"] = candidates["place_id"].map(load).fillna(0.0)
    candidates["customers"] = candidates["place_id"].map(assignments.groupby("site_id").size()).fillna(0).astype(int)
    opened = candidates[candidates["open"]].drop(columns="open").reset_index(drop=True)
    within = scenario.service_time_h
    total_weight = float(np.sum(data["weights"]))
    kpis: dict[str, Any] = {
        "status": solution.status,
        "objective": solution.objective,
        "gap": solution.gap,
        "open_sites": len(opened_ids),
        "max_time_h": float(np.max(time_h[served])) if served.any() else None,
        "mean_time_h_weighted": float(np.average(time_h[served], weights=data["weights"][served])) if served.any() and data["weights"][served].sum() > 0 else None,
        "unserved_points": int((~served).sum()),
        "total_weight": total_weight,
    }
    if within is not None:
        covered = served & (time_h <= within)
        kpis["covered_points"] = int(covered.sum())
        kpis["covered_weight_share"] = float(data["weights"][covered].sum() / total_weight) if total_weight > 0 else 0.0
    report = {k: getattr(solution, k) for k in ("status", "objective", "best_bound", "gap", "build_seconds", "solve_seconds", "solver", "message")}
    report["problem"] = solution.problem
    report["iterations"] = solution.iterations
    breakdown = pd.DataFrame({"component": list(solution.cost_breakdown), "cost_cny": list(solution.cost_breakdown.values())})
    result = RunResult(scenario, report, kpis, opened, pd.DataFrame(), assignments, assignments.copy(), breakdown,
                       candidates, list(built.notes), built)
    result.routes = routes
    return result


def _budget_reason(scenario: Scenario, status: str) -> str:
    """Why a location model with a budget found no plan, when the budget can be the cause."""
    budget = scenario.policy.budget_cny
    if budget is None or scenario.fixed_cost_cny <= 0 or status != "infeasible":
        return ""
    affordable = int(budget // scenario.fixed_cost_cny)
    need = {"set_covering": f"no {affordable} site(s) reach every demand point within {scenario.service_time_h:g} h",
            "facility_location": f"no {affordable} site(s) can serve every demand point"
                                 + (f" with {scenario.capacity_t:g} each" if scenario.capacity_t is not None else "")}
    return (f"; policy.budget_cny {budget:,.0f} CNY pays for at most {affordable} site(s) at fixed_cost_cny "
            f"{scenario.fixed_cost_cny:,.0f} CNY and {need.get(scenario.model, 'no plan fits it')}: raise the budget")


Call = Callable[[Any, BuiltScenario, dict[str, Any]], "LocationSolution"]


def _solver(call: Call) -> Callable[[BuiltScenario, SolverOptions], LocationSolution]:
    """The adapter's solve: ``call(models, built, common)`` with the policy's fixed sites and the solver
    options in ``common``; a model's one-line error names the scenario."""

    def solve(built: BuiltScenario, options: SolverOptions) -> LocationSolution:
        from planner.model import location as models  # PuLP and scipy: loaded on solve, not for validate

        data = built.problem
        common = {"must_open": data["must_open"] or None, "forbidden": data["forbidden"] or None, "options": options}
        try:
            return call(models, built, common)
        except PlannerError as exc:  # name the scenario in the model's one-line message (keeps type and reasons)
            exc.args = (f"scenario {built.scenario.name}: {exc}", *exc.args[1:])
            raise

    return solve


def _p_median(models: Any, built: BuiltScenario, common: dict[str, Any]) -> LocationSolution:
    data = built.problem
    return models.p_median(data["cost"], built.scenario.p, weights=data["weights"], **common)


def _p_center(models: Any, built: BuiltScenario, common: dict[str, Any]) -> LocationSolution:
    return models.p_center(built.problem["cost"], built.scenario.p, **common)


def _max_covering(models: Any, built: BuiltScenario, common: dict[str, Any]) -> LocationSolution:
    data, scenario = built.problem, built.scenario
    return models.maximal_covering(data["time_h"], scenario.service_time_h, scenario.p, demand=data["weights"], **common)


def _set_covering(models: Any, built: BuiltScenario, common: dict[str, Any]) -> LocationSolution:
    data, scenario = built.problem, built.scenario
    # sites cost fixed_cost_cny each, or count 1 each when they cost nothing (then no budget applies)
    fixed = np.full(len(built.sites), scenario.fixed_cost_cny or 1.0)
    budget = data["budget_cny"] if scenario.fixed_cost_cny > 0 else None
    return models.location_set_covering(data["time_h"], scenario.service_time_h, site_cost=fixed, budget=budget, **common)


def _facility_location(models: Any, built: BuiltScenario, common: dict[str, Any]) -> LocationSolution:
    data, scenario = built.problem, built.scenario
    fixed, weights = data["fixed_cost_cny"], data["weights"]
    transport = data["cost"] * weights[:, None]
    if scenario.capacity_t is not None:
        capacity = np.full(len(built.sites), scenario.capacity_t)
        return models.capacitated_facility_location(transport, fixed, weights, capacity, single_sourcing=True,
                                                    budget=data["budget_cny"], **common)
    return models.uncapacitated_facility_location(transport, fixed, demand=weights, budget=data["budget_cny"], **common)


def _adapter(name: str, title: str, question: str, objective: str, is_cost: bool, needs: tuple[str, ...],
             call: Call) -> ModelAdapter:
    return ModelAdapter(name, title, question, objective, is_cost, ("candidates", *needs), build_location,
                        _solver(call), location_tables)


LOCATION_ADAPTERS = (
    _adapter("p_median", "p-median", "where should p sites stand so that demand is, on average, closest?",
             "weighted sum of the metric from each demand point to its site", False, ("p",), _p_median),
    _adapter("p_center", "p-center", "where should p sites stand so that the worst-served point is served best?",
             "largest (weighted) metric to a site", False, ("p",), _p_center),
    _adapter("max_covering", "maximal covering", "which p sites reach the most demand within service_time_h?",
             "demand covered within service_time_h", False, ("p", "service_time_h"), _max_covering),
    _adapter("set_covering", "set covering", "how few sites reach every demand point within service_time_h?",
             "number of sites (or their fixed_cost_cny)", False, ("service_time_h",), _set_covering),
    _adapter("facility_location", "facility location with fixed costs",
             "which sites pay for themselves: fixed_cost_cny per site against the transport they save?",
             "fixed cost of the sites plus transport cost, CNY", True, (), _facility_location),
)
