"""What the shipped scenarios gave before a restructuring, and how a run is compared with it.

``python -m tests.shipped_record`` solves every shipped scenario and writes ``tests/data/shipped_runs.json``;
``tests/test_scenarios.py`` compares each run of the suite with it (:func:`differences`). Run the recorder
on the tree *before* a change that should leave results alone, never after it.

Per scenario the record holds the solver status, objective and proven bound, and the open sites per tier.
The location and hub models are solved to their gap (1e-4) by deterministic searches, so their objective
(within that gap) and their sites must come back the same. A cold-chain run stops at a gap (or at its time limit on a loaded machine), so two runs of the
same model may end on different plans of nearly equal cost; for it the record adds what does not depend on
the solver's path:

* ``model_sha256``: a digest of the first MILP (costs, bounds, rows, integrality), equal when the model is;
* ``plan``: the open zone levels of the recorded plan, and ``plan_cost_cny``: that plan's cost with every
  opening fixed and the flows re-solved as a linear programme (one optimum, whatever the machine);

and the run's ``[best_bound, objective]`` interval must overlap the recorded one.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "tests" / "data" / "shipped_runs.json"
#: relative tolerance of an exact model's objective and of the fixed plan's LP cost
EXACT_RTOL = 1e-6


def _open_sites(result: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tier, group in result.sites.groupby("tier", sort=True):
        out[str(tier)] = sorted(str(p) for p in group["place_id"])
    return out


def _model_digest(model: Any) -> str:
    arrays = model.model.arrays()
    digest = hashlib.sha256()
    for key in sorted(arrays):
        value = arrays[key]
        if hasattr(value, "tocsr"):  # the constraint matrix: its canonical CSR parts
            csr = value.tocsr()
            csr.sort_indices()
            parts = [csr.data, csr.indices, csr.indptr, np.asarray(csr.shape)]
        else:
            parts = [np.asarray(value)]
        digest.update(key.encode())
        for part in parts:
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


#: the cold-chain model of each built problem compared so far (built once, whatever the number of comparisons)
_MODELS: dict[int, tuple[Any, Any]] = {}


def _model(result: Any) -> Any:
    from planner.model.coldchain import ColdChainModel

    problem = result.built.problem
    if id(problem) not in _MODELS:  # the problem is kept beside its model, so its id stays its own
        _MODELS[id(problem)] = (problem, ColdChainModel(problem))
    return _MODELS[id(problem)][1]


def _plan(result: Any) -> list[list[Any]]:
    zones = result.tables.get("site_zones")
    if zones is None or zones.empty:
        return []
    return sorted([str(r.tier), str(r.place_id), str(r.zone), int(r.level)] for r in zones.itertuples())


def plan_cost(model: Any, plan: list[list[Any]]) -> float:
    """Cost (CNY) of ``plan`` (tier, place, zone, level index) in the cold-chain ``model``: openings fixed,
    flows re-solved as a linear programme (door-to-door rows left out: a fingerprint, not a feasibility check)."""
    from planner.model.coldchain import ZONES
    from planner.model.matrix import SolverOptions

    c = model.c
    index = {(c.sites[c.lvl_site[lv]].name, ZONES[int(c.sz_zone[c.lvl_sz[lv]])], int(c.lvl_idx[lv])): lv
             for lv in range(c.lvl_site.size)}
    levels = np.zeros(c.lvl_site.size)
    for tier, place, zone, level in plan:
        levels[index[f"{tier}:{place}", zone, level]] = 1.0
    lp, blocks = model.build(active=np.zeros_like(model.active), fix_open=levels, relax=True)
    res = lp.solve(SolverOptions(time_limit_s=600.0, mip_gap=0.0))
    if res.objective is None:
        raise AssertionError(f"the recorded plan has no feasible flows ({res.status})")
    return float(model.to_main(res, blocks).objective)


def fingerprint(result: Any) -> dict[str, Any]:
    """What a run of a shipped scenario is compared on (see the module docstring)."""
    report = result.report
    entry: dict[str, Any] = {
        "model": result.scenario.model,
        "status": result.status,
        "objective": float(report["objective"]),
        "best_bound": None if report.get("best_bound") is None else float(report["best_bound"]),
        "open_sites": _open_sites(result),
    }
    if result.scenario.model == "cold_chain":
        model = _model(result)
        entry["model_sha256"] = _model_digest(model)
        entry["plan"] = _plan(result)
        entry["plan_cost_cny"] = plan_cost(model, entry["plan"])
    return entry


def differences(name: str, result: Any, recorded: dict[str, Any]) -> list[str]:
    """How a run of ``name`` departs from its record (empty when it agrees)."""
    now = fingerprint(result) if recorded["model"] != "cold_chain" else None
    out: list[str] = []
    if recorded["model"] != result.scenario.model:
        return [f"{name}: model {result.scenario.model}, recorded {recorded['model']}"]
    if now is not None:
        # solved to the scenario's gap (1e-4 for the shipped ones) by deterministic searches: the same plan
        tolerance = max(EXACT_RTOL, result.scenario.solver.mip_gap)
        if not math.isclose(now["objective"], recorded["objective"], rel_tol=tolerance, abs_tol=1e-9):
            out.append(f"{name}: objective {now['objective']!r}, recorded {recorded['objective']!r}")
        if now["open_sites"] != recorded["open_sites"]:
            out.append(f"{name}: open sites {now['open_sites']}, recorded {recorded['open_sites']}")
        return out
    model = _model(result)
    digest = _model_digest(model)
    if digest != recorded["model_sha256"]:
        out.append(f"{name}: the MILP differs from the recorded one (sha256 {digest[:12]} vs {recorded['model_sha256'][:12]})")
    cost = plan_cost(model, recorded["plan"])
    if not math.isclose(cost, recorded["plan_cost_cny"], rel_tol=EXACT_RTOL):
        out.append(f"{name}: the recorded plan costs {cost!r} CNY now, {recorded['plan_cost_cny']!r} then")
    objective, bound = float(result.report["objective"]), result.report.get("best_bound")
    low = recorded["best_bound"] if recorded["best_bound"] is not None else -math.inf
    if objective < low * (1 - EXACT_RTOL):
        out.append(f"{name}: objective {objective!r} below the recorded proven bound {low!r}")
    if bound is not None and float(bound) > recorded["objective"] * (1 + EXACT_RTOL):
        out.append(f"{name}: proven bound {bound!r} above the recorded objective {recorded['objective']!r}")
    return out


def record(paths: list[Path]) -> dict[str, Any]:
    """Solve each scenario file and return its fingerprint by scenario name."""
    from planner.scenario.build import build_scenario
    from planner.scenario.load import load_scenario
    from planner.scenario.run import solve_built

    out = {}
    for path in paths:
        scenario = load_scenario(path)
        result = solve_built(build_scenario(scenario, path.parent))
        out[scenario.name] = fingerprint(result)
        print(f"{scenario.name}: {out[scenario.name]['status']} {out[scenario.name]['objective']:.6g}", file=sys.stderr)
    return out


if __name__ == "__main__":
    shipped = sorted((REPO / "scenarios").glob("*.yaml"))
    RECORD.write_text(json.dumps(record(shipped), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
