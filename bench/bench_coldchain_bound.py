"""Lower bound of the realistic cold-chain instance with door-to-door limits: a per-consignment relaxation.

The model keeps a limit on every route its used arcs form, with sites mixing what they receive
(``planner.model.coldchain``). Its LP does not see the limits: the ``use`` / ``arrive`` rows are big-M
rows, so the bound the solver proves comes almost entirely from branching. This benchmark measures a
relaxation whose LP does see them. Flows carry the time they have already travelled, in classes of
``r = resolution_h`` hours: a consignment in class ``k`` at node ``i`` has travelled at least ``k r``
hours. A variant ``i -> j`` (transit + dwell ``tau``) takes class ``k`` to class
``max(k + floor(tau / r), floor(E(j) / r))`` (``E`` the earliest arrival over the model's flow variables),
and it exists in class ``k`` only if ``k * r + tau`` still leaves time to reach, over those variables, some
demand point of the product within its limit. Each
class is conserved separately at every site.

Why it is a relaxation: split any solution of the full model into paths. Every path uses used arcs, so it
keeps its limit, and along it the class times never exceed the time travelled. So the path fits the
expanded model, and its cost is the same. What the relaxation gives up is the mixing at sites: early and
late consignments may leave the same site towards different demand points. ``tests/test_bench_bound.py``
checks it by hand and against the exact optimum of seeded instances.

Baseline (same process): the LP bound of the model itself (``ColdChainModel(problem)``, no ``use`` rows,
the first round's model). Then the expanded MIP runs for ``--time-limit`` seconds, and the time-window
heuristic of the model (``ColdChainModel._window_repair``) runs from the plan the expanded MIP opens. That
gives a plan that keeps every limit, which is an upper bound.

Run: ``python bench/bench_coldchain_bound.py [--resolution-h 4] [--time-limit 900] [--repair-s 60]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from planner.model.coldchain import ColdChainModel
from planner.model.matrix import SolveResult, SolverOptions
from planner.scenario.build import build_scenario
from planner.scenario.load import load_scenario

REAL_SCENARIO = Path(__file__).with_name("bench_coldchain_real.yaml")


def consignment_relaxation(model: ColdChainModel, resolution_h: float) -> dict:
    """The model's arrays with every flow column split by travelled-time class (see the module docstring).

    Returns the arrays (``A``, ``cost``, ``lb``, ``ub``, ``integer``, ``row_lower``, ``row_upper``) and
    ``flow_of`` (the model's flow variable of each expanded column, the first ``n_expanded`` columns) and
    ``other`` (the model's other columns, in the order they follow).
    """
    c = model.c
    arr = model.model.arrays()
    a_mat = arr["A"].tocsc()
    flow = model.blocks["flow"]
    conservation = model.model.rows_named("conservation")
    kept_rows = np.ones(a_mat.shape[0], dtype=bool)
    kept_rows[conservation] = False
    flow_of, tail, head = [], [], []
    for p in range(c.P):
        mine = np.flatnonzero(model.f_p == p)
        frame = model._arrival_frame(p)  # earliest / latest useful arrival over the model's flow variables
        if frame is None:  # no limit: one class
            flow_of.append(mine)
            tail.append(np.zeros(mine.size, dtype=np.int64))
            head.append(np.zeros(mine.size, dtype=np.int64))
            continue
        _, early, latest = frame
        limit = c.limit[c.demand[:, p] > 0, p]
        top = int(np.ceil(limit[np.isfinite(limit)].max() / resolution_h))
        tau = c.a_tau[model.f_a[mine]]
        first = np.floor(early[model.f_from[mine]] / resolution_h + 1e-9).astype(np.int64)
        last = np.floor(np.minimum((latest[model.f_to[mine]] - tau) / resolution_h, top) + 1e-9).astype(np.int64)
        from_area = c.node_tier[model.f_from[mine]] == 0
        last[from_area] = np.minimum(last[from_area], 0)  # tonnes leave a production area in class 0
        count = np.maximum(last - first + 1, 0)
        rep = np.repeat(np.arange(mine.size), count)
        k = np.repeat(first, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        floor_to = np.floor(early[model.f_to[mine]] / resolution_h + 1e-9).astype(np.int64)
        step = np.floor(tau / resolution_h + 1e-9).astype(np.int64)
        flow_of.append(mine[rep])
        tail.append(k)
        head.append(np.minimum(np.maximum(k + step[rep], floor_to[rep]), top))
    fi, kt, kh = (np.concatenate(v) for v in (flow_of, tail, head))
    n_exp = fi.size
    other = np.r_[np.arange(0, flow.start), np.arange(flow.start + flow.size, a_mat.shape[1])]
    rest = a_mat[kept_rows]
    # one conservation row per (site node, product, class)
    into = c.node_site[model.f_to[fi]] >= 0
    out_of = c.node_site[model.f_from[fi]] >= 0
    width = int(max(kt.max(initial=0), kh.max(initial=0))) + 1
    key_in = (model.f_to[fi] * c.P + model.f_p[fi]) * width + kh
    key_out = (model.f_from[fi] * c.P + model.f_p[fi]) * width + kt
    keys = np.unique(np.r_[key_in[into], key_out[out_of]])
    rows = np.r_[np.searchsorted(keys, key_in[into]), np.searchsorted(keys, key_out[out_of])]
    cols = np.r_[np.flatnonzero(into), np.flatnonzero(out_of)]
    vals = np.r_[np.ones(into.sum()), -np.ones(out_of.sum())]
    classes = sp.csc_matrix((vals, (rows, cols)), shape=(keys.size, n_exp))
    matrix = sp.bmat([[rest[:, flow.start + fi], rest[:, other]], [classes, None]]).tocsc()
    return {
        "A": matrix,
        "cost": np.r_[arr["cost"][flow.start + fi], arr["cost"][other]],
        "lb": np.r_[arr["lb"][flow.start + fi], arr["lb"][other]],
        "ub": np.r_[arr["ub"][flow.start + fi], arr["ub"][other]],
        "integer": np.r_[np.zeros(n_exp, dtype=bool), arr["integer"][other]],
        "row_lower": np.r_[arr["row_lower"][kept_rows], np.zeros(keys.size)],
        "row_upper": np.r_[arr["row_upper"][kept_rows], np.zeros(keys.size)],
        "flow_of": fi,
        "n_expanded": n_exp,
        "other": other,
    }


def highs_solve(arrays: dict, *, relax: bool, time_limit_s: float, gap: float = 0.005) -> dict:
    """Solve the arrays with HiGHS (an LP by the interior point method when ``relax``); objective and bound
    in the model's scaled units, seconds, status and column values."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", gap)
    if relax:
        h.setOptionValue("solver", "ipm")
    a_mat = arrays["A"].tocsc()
    inf = highspy.kHighsInf
    integer = np.zeros(a_mat.shape[1], np.int32) if relax else arrays["integer"].astype(np.int32)
    h.passModel(a_mat.shape[1], a_mat.shape[0], int(a_mat.nnz), 1, 1, 0.0, arrays["cost"],
                np.clip(arrays["lb"], -inf, inf), np.clip(arrays["ub"], -inf, inf),
                np.clip(arrays["row_lower"], -inf, inf), np.clip(arrays["row_upper"], -inf, inf),
                a_mat.indptr.astype(np.int32), a_mat.indices.astype(np.int32), a_mat.data, integer)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    bound = info.objective_function_value if relax else info.mip_dual_bound
    return {"objective": info.objective_function_value, "bound": bound, "seconds": seconds, "status": status,
            "x": np.asarray(h.getSolution().col_value)}


def plan_of(model: ColdChainModel, expanded: dict, x: np.ndarray) -> np.ndarray:
    """The opening plan (0/1 per site level) of a solution of the expanded model."""
    full = np.zeros(model.model.num_vars)
    full[expanded["other"]] = x[expanded["n_expanded"]:]
    levels = model.level_values(SolveResult("optimal", None, None, None, 0.0, 0.0, "highs", x=full))
    return (levels > 0.5).astype(np.float64)


def run(path: Path, resolution_h: float, time_limit_s: float, repair_s: float, gap: float) -> dict:
    """The baseline LP bound, the relaxation's LP and MIP bounds and the heuristic plan from its openings."""
    problem = build_scenario(load_scenario(path), path.parent).problem
    model = ColdChainModel(problem)
    scale = model.cost_scale
    base = highs_solve(model.model.arrays(), relax=True, time_limit_s=time_limit_s)
    t0 = time.perf_counter()
    expanded = consignment_relaxation(model, resolution_h)
    expand_s = time.perf_counter() - t0
    lp = highs_solve(expanded, relax=True, time_limit_s=time_limit_s)
    mip = highs_solve(expanded, relax=False, time_limit_s=time_limit_s, gap=gap)
    out = {
        "scenario": str(path),
        "resolution_h": resolution_h,
        "model_columns": int(model.model.num_vars),
        "expanded_columns": int(expanded["A"].shape[1]),
        "expanded_rows": int(expanded["A"].shape[0]),
        "expand_seconds": round(expand_s, 2),
        "baseline_lp_bound_cny": round(base["bound"] / scale),
        "baseline_lp_seconds": round(base["seconds"], 1),
        "relaxation_lp_bound_cny": round(lp["bound"] / scale),
        "relaxation_lp_seconds": round(lp["seconds"], 1),
        "relaxation_mip_bound_cny": round(mip["bound"] / scale),
        "relaxation_mip_incumbent_cny": round(mip["objective"] / scale),
        "relaxation_mip_seconds": round(mip["seconds"], 1),
        "relaxation_mip_status": mip["status"],
        "ratio_lp_bound_relaxation_over_baseline": round(lp["bound"] / base["bound"], 4),
    }
    plan = plan_of(model, expanded, mip["x"])
    options = SolverOptions(mip_gap=gap, time_limit_s=repair_s)
    t0 = time.perf_counter()
    repaired = model._window_repair(plan, options, time.perf_counter() + repair_s)
    out["heuristic_seconds"] = round(time.perf_counter() - t0, 1)
    if repaired is not None:
        upper = repaired.objective
        violations = int(model._route_violations(repaired.values(model.blocks["flow"])).sum())
        out.update(heuristic_plan_cny=round(upper), heuristic_routes_over_limit=violations,
                   gap_heuristic_over_mip_bound=round((upper - mip["bound"] / scale) / upper, 4))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(REAL_SCENARIO))
    ap.add_argument("--resolution-h", type=float, default=4.0, help="width of a travelled-time class (h)")
    ap.add_argument("--time-limit", type=float, default=900.0, help="seconds for each solve of the relaxation")
    ap.add_argument("--repair-s", type=float, default=60.0, help="seconds for the heuristic from its plan")
    ap.add_argument("--gap", type=float, default=0.005)
    a = ap.parse_args()
    out = run(Path(a.scenario), a.resolution_h, a.time_limit, a.repair_s, a.gap)
    out["python"] = f"{platform.python_implementation()} {platform.python_version()}"
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
