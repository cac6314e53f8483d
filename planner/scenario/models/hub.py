"""The p-hub median model as scenarios use it (:mod:`planner.model.hub`): which places gather and bundle the
flows between the scenario's places (China-Europe train assembly centres, multimodal hubs).

The nodes are the demand points and the candidates (hubs open among the candidates only); the flows come
from the table ``hub.flows``; the cost of a leg is the scenario's ``metric`` on the network between the two
places. The run tables are those of the location models (each node's hub in ``assignments``, the open hubs
in ``sites``, tier ``hub``) plus ``hub_routes`` (each flow's two hubs and cost) and ``hub_transfers``
(tonnes between hubs).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner import network
from planner.errors import InfeasibleError, PlannerError
from planner.network.places import resolve_place
from planner.scenario.inputs import BuiltScenario, MatrixInputs, candidate_sites, mode_set, select_places
from planner.scenario.models.base import ModelAdapter
from planner.scenario.result import RunResult, attach_routes, place_names
from planner.scenario.tables import read_flow_table

if TYPE_CHECKING:
    import networkx as nx

    from planner.model.hub import HubSolution
    from planner.model.matrix import SolverOptions
    from planner.scenario.schema import Scenario

__all__ = ["P_HUB_MEDIAN", "build_hub", "hub_tables", "solve_hub"]

TIER = "hub"


def build_hub(scenario: Scenario, base_dir: Path, places: pd.DataFrame, graph: nx.MultiDiGraph) -> BuiltScenario:
    """Nodes (demand points, then the candidates not among them), the node x node cost matrices and the flows."""
    assert scenario.candidates is not None and scenario.hub is not None
    hubs = candidate_sites(scenario.candidates, scenario, places)
    if not hubs:
        raise PlannerError(f"scenario {scenario.name}: no candidate hubs")
    nodes = list(dict.fromkeys([*select_places(scenario.demand.points, scenario, places), *hubs]))
    notes: list[str] = []
    flows = read_flow_table((base_dir / scenario.hub.flows).resolve(), scenario.hub.sheet, nodes, notes)
    index = {place: i for i, place in enumerate(nodes)}
    tonnes = np.zeros((len(nodes), len(nodes)))
    np.add.at(tonnes, (flows["origin"].map(index).to_numpy(), flows["destination"].map(index).to_numpy()),
              flows["tonnes"].to_numpy())
    fixings = {}
    for field_name in ("must_open", "forbidden"):
        chosen = [resolve_place(n) for n in getattr(scenario.policy, field_name)]
        outside = [p for p in chosen if p not in hubs]
        if outside:
            raise PlannerError(f"scenario {scenario.name}: policy.{field_name}: {outside[0]} is not a candidate hub")
        fixings[field_name] = [index[p] for p in chosen]
    fixings["forbidden"] += [i for i, place in enumerate(nodes) if place not in set(hubs)]
    matrix = network.cost_matrix(graph, nodes, nodes, modes=mode_set(list(scenario.modes)), refrigerated=scenario.refrigerated)
    metric = {"time_h": matrix.time_h, "distance_km": matrix.distance_km, "cost": matrix.cost_cny_per_t}[scenario.metric]
    problem: MatrixInputs = {
        "cost": np.asarray(metric, dtype=float),
        "distance_km": np.asarray(matrix.distance_km, dtype=float),
        "time_h": np.asarray(matrix.time_h, dtype=float),
        "flow_t": tonnes,
        **fixings,
    }
    return BuiltScenario(scenario, places, graph, problem, sites=hubs, customers=nodes,
                         site_keys={place: (TIER, place) for place in hubs}, notes=notes)


def solve_hub(built: BuiltScenario, options: SolverOptions) -> HubSolution:
    """Solve the p-hub median problem with the scenario's p and leg factors."""
    from planner.model.hub import p_hub_median  # PuLP and scipy: loaded on solve, not for validate

    scenario, data = built.scenario, built.problem
    assert scenario.hub is not None and scenario.p is not None
    try:
        return p_hub_median(data["cost"], data["flow_t"], scenario.p, collection=scenario.hub.collection,
                            transfer=scenario.hub.transfer, distribution=scenario.hub.distribution,
                            must_open=data["must_open"], forbidden=data["forbidden"], options=options)
    except PlannerError as exc:
        exc.args = (f"scenario {scenario.name}: {exc}", *exc.args[1:])
        raise


def _routes(built: BuiltScenario, solution: HubSolution) -> pd.DataFrame:
    """One row per flow: its two hubs, tonnes and the cost per tonne of each leg (factors applied)."""
    hub = built.scenario.hub
    assert hub is not None
    nodes, cost, flow = built.customers, built.problem["cost"], built.problem["flow_t"]
    origin, destination = np.nonzero(flow > 0)
    first, second = solution.allocation[origin], solution.allocation[destination]
    frame = pd.DataFrame({
        "origin_id": [nodes[i] for i in origin],
        "destination_id": [nodes[j] for j in destination],
        "origin_hub_id": [nodes[k] for k in first],
        "destination_hub_id": [nodes[m] for m in second],
        "tonnes": flow[origin, destination],
        "collection_per_t": hub.collection * cost[origin, first],
        "transfer_per_t": hub.transfer * cost[first, second],
        "distribution_per_t": hub.distribution * cost[second, destination],
    })
    for end in ("origin", "destination", "origin_hub", "destination_hub"):
        frame[f"{end}_name_zh"] = place_names(built.places, frame[f"{end}_id"])["name_zh"].to_numpy()
    return frame


def hub_tables(built: BuiltScenario, solution: HubSolution) -> RunResult:
    """The run tables: open hubs, each node's hub, each flow's route, the tonnes between hubs."""
    scenario, places, data = built.scenario, built.places, built.problem
    if not solution.is_feasible:
        raise InfeasibleError(f"scenario {scenario.name}: {solution.status} ({solution.result.message or 'no feasible solution'})")
    nodes = built.customers
    allocation = np.asarray(solution.allocation)
    rows = np.arange(len(nodes))
    weight = data["flow_t"].sum(axis=1) + data["flow_t"].sum(axis=0)
    assignments = pd.DataFrame({"place_id": nodes, "site_id": [nodes[k] for k in allocation], "weight": weight,
                                "time_h": data["time_h"][rows, allocation],
                                "distance_km": data["distance_km"][rows, allocation]})
    assignments = pd.concat([assignments, place_names(places, assignments["place_id"])], axis=1)
    assignments["site_name_zh"] = place_names(places, assignments["site_id"])["name_zh"].to_numpy()
    paths = attach_routes(built, assignments)
    hub_ids = [nodes[k] for k in solution.hubs]
    candidates = pd.DataFrame({"tier": TIER, "place_id": built.sites})
    candidates = pd.concat([candidates, place_names(places, candidates["place_id"])], axis=1)
    candidates["open"] = candidates["place_id"].isin(hub_ids)
    candidates["assigned_weight"] = candidates["place_id"].map(assignments.groupby("site_id")["weight"].sum()).fillna(0.0)
    candidates["customers"] = candidates["place_id"].map(assignments.groupby("site_id").size()).fillna(0).astype(int)
    opened = candidates[candidates["open"]].drop(columns="open").reset_index(drop=True)
    routes = _routes(built, solution)
    transfers = pd.DataFrame([(hub_ids[a], hub_ids[b], float(solution.transfer_flow[a, b]))
                              for a in range(len(hub_ids)) for b in range(len(hub_ids)) if solution.transfer_flow[a, b] > 0],
                             columns=["from_id", "to_id", "tonnes"])
    total_t = float(data["flow_t"].sum())
    kpis: dict[str, Any] = {
        "status": solution.status,
        "objective": solution.objective,
        "gap": solution.result.gap,
        "open_sites": len(hub_ids),
        "total_flow_t": total_t,
        "flow_via_one_hub_share": float(routes.loc[routes["origin_hub_id"] == routes["destination_hub_id"], "tonnes"].sum() / total_t)
        if total_t > 0 else 0.0,
        "max_time_h": float(np.max(assignments["time_h"])),
    }
    report = {k: getattr(solution.result, k) for k in ("status", "objective", "best_bound", "gap", "build_seconds",
                                                       "solve_seconds", "solver", "message")}
    report["problem"] = "p_hub_median"
    report["iterations"] = 1
    breakdown = pd.DataFrame({"component": list(solution.cost_breakdown), "cost_cny": list(solution.cost_breakdown.values())})
    result = RunResult(scenario, report, kpis, opened, pd.DataFrame(), assignments, assignments.copy(), breakdown,
                       candidates, list(built.notes), built)
    paths.update(attach_routes(built, transfers, "from_id", "to_id"))  # the trunks between hubs, like the legs
    result.tables = {"hub_routes": routes, "hub_transfers": transfers}
    result.routes = paths
    return result


P_HUB_MEDIAN = ModelAdapter(
    "p_hub_median", "hub-and-spoke p-hub median",
    "which p places should gather the flows between the scenario's places and bundle them between hubs at a "
    "discount (train assembly centres, multimodal hubs)?",
    "flow-weighted cost of collection, discounted transfer between hubs and distribution (hub.flows x metric)",
    False, ("candidates", "p", "hub"), build_hub, solve_hub, hub_tables,
)
