"""Solving a built scenario and describing the solution as tables.

:func:`solve_scenario` runs the scenario's model (the cold-chain network design model or a classic
location model) and returns a :class:`RunResult`: the solver report, KPIs and the tables later stages
write and draw — ``sites`` (opened sites with throughput and utilisation), ``flows`` (product flows
between places), ``assignments`` (demand point -> serving site), ``service`` and ``cost_breakdown``.
Places are named by id with their Chinese and English names and coordinates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import InfeasibleError, PlannerError
from planner.model import location as location_models
from planner.model.coldchain import REPAIRED_INCUMBENT, solve_cold_chain
from planner.model.matrix import SolverOptions
from planner.scenario.build import BuiltScenario, build_scenario, uses_demand_table
from planner.scenario.load import Problem, ScenarioError, field_path
from planner.scenario.schema import Scenario, SolverSpec
from planner.scenario.semantics import check_semantics, solver_threads

__all__ = ["CheckedScenario", "RunResult", "check_for_run", "solve_built", "solve_checked", "solve_scenario", "solver_notes"]

Step = Callable[[str], None]


@dataclass
class RunResult:
    """A solved scenario: report, KPIs and tables (see the module docstring)."""

    scenario: Scenario
    report: dict[str, Any]
    kpis: dict[str, Any]
    sites: pd.DataFrame
    flows: pd.DataFrame
    assignments: pd.DataFrame
    service: pd.DataFrame
    cost_breakdown: pd.DataFrame
    candidates: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    built: BuiltScenario | None = field(default=None, repr=False)
    source_files: list[Path] = field(default_factory=list)

    @property
    def status(self) -> str:
        """Solver status (optimal, gap_limit, time_limit...)."""
        return str(self.report["status"])

    @property
    def objective(self) -> float:
        """Objective value (CNY for cost models; the model's own unit otherwise)."""
        return float(self.report["objective"])

    def open_sites(self, tier: str | None = None) -> list[str]:
        """Place ids of the opened sites (of ``tier`` if given)."""
        sites = self.sites if tier is None else self.sites[self.sites["tier"] == tier]
        return list(sites["place_id"])


def _names(places: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    info = places.reindex(ids.to_numpy())[["name_zh", "name_en", "lon", "lat"]]
    return info.reset_index(drop=True)


def _site_places(built: BuiltScenario, names: pd.Series, tiers: pd.Series) -> pd.Series:
    """The place id of each model location: looked up in ``built.site_keys`` for a site; production areas
    and demand points are named by their place id already."""
    places = {name: place for name, (_, place) in built.site_keys.items()}
    is_site = ~tiers.isin(["production", "demand"])
    return names.where(~is_site, names.map(places))


def _options(scenario: Scenario, log_path: Path | None) -> SolverOptions:
    solver = scenario.solver
    return SolverOptions(
        solver=solver.name,
        time_limit_s=solver.time_limit_s,
        mip_gap=solver.mip_gap,
        threads=solver_threads(solver.threads),
        log_path=str(log_path) if log_path else None,
    )


def _cold_chain_result(built: BuiltScenario, log_path: Path | None) -> RunResult:
    scenario = built.scenario
    places = built.places
    solution = solve_cold_chain(built.problem, _options(scenario, log_path))
    sites = solution.sites.copy()
    sites["place_id"] = sites["site"].map({name: place for name, (_, place) in built.site_keys.items()})
    sites = pd.concat([sites.reset_index(drop=True), _names(places, sites["place_id"])], axis=1)
    columns = ["tier", "place_id", "name_zh", "name_en", "lon", "lat", "open", "level", "capacity_t",
               "fixed_cost_cny", "throughput_t", "utilisation", "handling_cny", "must_open", "forbidden"]
    candidates = sites[columns]
    opened = candidates[candidates["open"]].drop(columns="open").reset_index(drop=True)

    flows = solution.flows.copy()
    for end in ("from", "to"):
        flows[f"{end}_place"] = _site_places(built, flows[end], flows[f"{end}_tier"])
        names = _names(places, flows[f"{end}_place"])
        for column in ("name_zh", "lon", "lat"):
            flows[f"{end}_{column}"] = names[column].to_numpy()
    flows = flows.drop(columns=["from", "to"]).rename(columns={"from_place": "from_id", "to_place": "to_id"})
    front = ["product", "from_tier", "from_id", "from_name_zh", "to_tier", "to_id", "to_name_zh", "mode", "refrigerated", "tonnes"]
    flows = flows[front + [c for c in flows.columns if c not in front]]

    service = solution.service.copy()
    service = service.rename(columns={service.columns[0]: "place_id"}) if "place_id" not in service else service
    service = pd.concat([service.reset_index(drop=True), _names(places, service["place_id"])[["name_zh", "name_en"]]], axis=1)

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

    kpis = solution.kpis()
    kpis["tonne_km_by_mode"] = {m: float(v) for m, v in (flows["tonnes"] * flows["distance_km"]).groupby(flows["mode"]).sum().items()}
    kpis["spoilage_t"] = float((flows["spoilage_cny"] / flows["product"].map({p.name: p.value_cny_per_t for p in built.problem.products})).sum())
    return RunResult(scenario, dict(solution.report), kpis, opened, flows, assignments, service,
                     solution.cost_breakdown.copy(), candidates, list(built.notes), built)


def _location_result(built: BuiltScenario, log_path: Path | None) -> RunResult:
    scenario = built.scenario
    data = built.problem
    options = _options(scenario, log_path)
    common = {"must_open": data["must_open"] or None, "forbidden": data["forbidden"] or None, "options": options}
    try:
        solution = _solve_location(scenario, built, common)
    except PlannerError as exc:  # name the scenario in the model's one-line message (keeps type and reasons)
        exc.args = (f"scenario {scenario.name}: {exc}", *exc.args[1:])
        raise
    return _location_tail(scenario, built, solution)


def _solve_location(scenario: Scenario, built: BuiltScenario, common: dict[str, Any]) -> Any:
    data = built.problem
    cost, weights = data["cost"], data["weights"]
    if scenario.model == "p_median":
        solution = location_models.p_median(cost, scenario.p, weights=weights, **common)
    elif scenario.model == "p_center":
        solution = location_models.p_center(cost, scenario.p, **common)
    elif scenario.model == "max_covering":
        solution = location_models.maximal_covering(data["time_h"], scenario.service_time_h, scenario.p, demand=weights, **common)
    elif scenario.model == "set_covering":
        # sites cost fixed_cost_cny each, or count 1 each when they cost nothing (then no budget applies)
        fixed = np.full(len(built.sites), scenario.fixed_cost_cny or 1.0)
        budget = data["budget_cny"] if scenario.fixed_cost_cny > 0 else None
        solution = location_models.location_set_covering(data["time_h"], scenario.service_time_h, site_cost=fixed, budget=budget, **common)
    elif scenario.model == "facility_location":
        fixed = data["fixed_cost_cny"]
        transport = cost * weights[:, None]
        if scenario.capacity_t is not None:
            solution = location_models.capacitated_facility_location(transport, fixed, weights, np.full(len(built.sites), scenario.capacity_t), single_sourcing=True, budget=data["budget_cny"], **common)
        else:
            solution = location_models.uncapacitated_facility_location(transport, fixed, demand=weights, budget=data["budget_cny"], **common)
    else:  # pragma: no cover - the schema restricts the models
        raise PlannerError(f"unknown model {scenario.model}")
    return solution


def _location_tail(scenario: Scenario, built: BuiltScenario, solution: Any) -> RunResult:
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
    assignments = pd.concat([assignments, _names(places, assignments["place_id"])[["name_zh", "name_en", "lon", "lat"]]], axis=1)
    assignments["site_name_zh"] = [places.loc[s, "name_zh"] if s else "" for s in assignments["site_id"]]
    load = assignments[assignments["site_id"] != ""].groupby("site_id")["weight"].sum()
    candidates = pd.DataFrame({"tier": "site", "place_id": built.sites})
    candidates = pd.concat([candidates, _names(places, candidates["place_id"])], axis=1)
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
    return RunResult(scenario, report, kpis, opened, pd.DataFrame(), assignments, assignments.copy(), breakdown,
                     candidates, list(built.notes), built)


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


def solve_built(built: BuiltScenario, log_path: Path | None = None) -> RunResult:
    """Solve a built scenario with its solver options; the solver log goes to ``log_path``."""
    started = time.perf_counter()
    if built.scenario.model == "cold_chain":
        result = _cold_chain_result(built, log_path)
    else:
        result = _location_result(built, log_path)
    result.report["run_seconds"] = time.perf_counter() - started
    result.notes = solver_notes(result.report, built.scenario.solver) + result.notes
    return result


def solver_notes(report: dict[str, Any], solver: SolverSpec) -> list[str]:
    """What a user must know about a solve that did not prove the gap asked for, in plain sentences.

    ``report``: the solver report of a run (``status``, ``gap``, ``best_bound``, ``message``); ``solver``:
    the scenario's solver options (``time_limit_s`` in seconds, ``mip_gap`` relative). Empty when the
    solve proved optimality or the requested gap. A time limit that stopped the door-to-door rounds of the
    cold-chain model (message ``repaired incumbent``) adds a note on where the plan comes from.
    """
    if report.get("status") != "time_limit":
        return []
    limit = f" ({solver.time_limit_s:g} s)" if solver.time_limit_s is not None else ""
    gap = report.get("gap")
    if isinstance(gap, (int, float)):
        bound = report.get("best_bound")
        bound_text = ""
        if isinstance(bound, (int, float)):  # CNY in the cost models; hours or counts in p-center and covering
            bound_text = f", best bound {bound:,.0f}" if abs(bound) >= 1000 else f", best bound {bound:.4g}"
        notes = [f"solver: the time limit{limit} stopped the solve at a proven gap of {gap:.2%}{bound_text} "
                 f"(asked for {solver.mip_gap:.2%}); the plan is feasible but may not be optimal: raise "
                 f"solver.time_limit_s to narrow the gap"]
    else:
        notes = [f"solver: the time limit{limit} stopped the solve before any bound was proven; the plan is "
                 f"feasible but its distance to the optimum is unknown: raise solver.time_limit_s"]
    if report.get("message") == REPAIRED_INCUMBENT:
        notes.append("solver: the time limit cut off the exact rounds of the door-to-door limits, so the plan "
                     "comes from the time-window heuristic; every route keeps its limit (service.csv, "
                     "column within_limit)")
    return notes


@dataclass
class CheckedScenario:
    """A scenario that passed every check ``planner validate`` makes, ready to build and solve.

    ``base_dir``: where its relative table paths are read; ``files``: the scenario file and its
    ``extends`` ancestors (empty for a :class:`Scenario` object); ``notes``: the checks' notes.
    """

    scenario: Scenario
    base_dir: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_for_run(scenario: Scenario | str | Path, base_dir: Path | None = None) -> CheckedScenario:
    """Load (if a path) and check a scenario as ``planner validate`` does; raise :class:`ScenarioError`
    naming the first problem (file, line and field for a file; the field for a :class:`Scenario`)."""
    notes: list[str] = []
    if not isinstance(scenario, Scenario):
        path = Path(scenario)
        from planner.scenario.load import check_scenario, read_scenario_dict

        _, chain = read_scenario_dict(path)
        loaded, problems = check_scenario(path, notes)
        if problems:
            raise ScenarioError(problems)
        assert loaded is not None
        return CheckedScenario(loaded, path.parent, [source.path for source in chain], notes)
    base = Path(base_dir) if base_dir is not None else Path(".")
    issues, notes = check_semantics(scenario, base)
    if issues:
        where = f"scenario {scenario.name}"
        raise ScenarioError([
            Problem(i.table.file, i.table.line, i.table.column, i.table.message) if i.table is not None
            else Problem(where, None, field_path(i.loc), i.message)
            for i in issues
        ])
    return CheckedScenario(scenario, base, [], notes)


def solve_checked(checked: CheckedScenario, *, step: Step | None = None, log_path: Path | None = None) -> RunResult:
    """Build and solve a checked scenario (:func:`check_for_run`); the solver log goes to ``log_path``."""
    step = step or (lambda _stage: None)
    scenario, base_dir = checked.scenario, checked.base_dir
    step("building the network and cost matrices")
    built = build_scenario(scenario, base_dir)
    built.notes = [*checked.notes, *built.notes]
    step("building and solving the model")
    result = solve_built(built, log_path)
    # the user's own tables are inputs too (the manifest hashes them)
    files = list(checked.files)
    if scenario.supply is not None and scenario.supply.table != "shipped":
        files.append((base_dir / scenario.supply.table).resolve())
    if uses_demand_table(scenario):
        files.append((base_dir / scenario.demand.weights).resolve())
    result.source_files = files
    return result


def solve_scenario(
    scenario: Scenario | str | Path,
    *,
    step: Step | None = None,
    log_path: Path | None = None,
    base_dir: Path | None = None,
) -> RunResult:
    """Load (if a path), check, build and solve a scenario; ``step`` is told each stage as it starts.

    Relative table paths inside the scenario (a user supply or demand file) are resolved against the
    scenario file's directory, or for a :class:`Scenario` object against ``base_dir`` (default: the
    current directory). The solver log goes to ``log_path``. A scenario that ``planner validate`` would
    reject raises :class:`ScenarioError` before anything is built.
    """
    step = step or (lambda _stage: None)
    if not isinstance(scenario, Scenario):
        step("reading the scenario")
    return solve_checked(check_for_run(scenario, base_dir), step=step, log_path=log_path)
