"""The p-median: open exactly ``p`` sites minimising the weighted distance to the nearest open site.

Solved exactly by :mod:`planner.model.location.minsum` (heuristic, Lagrangian bound, reduced-cost fixing,
branch and bound), which times each phase in :attr:`LocationSolution.phases` and the solver log.

Distances in any unit, weights in demand units, objective in weight x distance units, times in seconds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from planner.errors import ModelError
from planner.model.location.common import (
    LocationSolution,
    PhaseLog,
    SiteSets,
    as_matrix,
    as_vector,
    check_p,
    default_options,
    nearest_open,
    reachable,
    site_sets,
)
from planner.model.location.lagrangian import Pruning, penalised_costs
from planner.model.location.minsum import MinSumResult, solve_min_sum
from planner.model.matrix import OPTIMAL_GAP, SolverOptions, relative_gap


def p_median(
    distance: Any,
    p: int,
    *,
    weights: Any = None,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    options: SolverOptions | None = None,
    max_rounds: int = 50,
) -> LocationSolution:
    """p-median: open exactly ``p`` sites minimising ``sum_i w_i * distance(i, nearest open site)``.

    ``distance[i, j]`` in any distance unit; ``weights[i]`` (default 1) in demand units; the objective is in
    weight x distance units. The method is exact (see the module docstring): a Lagrangian bound with
    reduced-cost fixing and, when the bound does not yet meet the best solution, a branch and bound with
    Lagrangian bounds at every node. ``options.time_limit_s`` bounds the whole solve (the best solution and
    the bound proven so far are returned with status ``time_limit``); ``options.mip_gap`` is the relative gap
    accepted as proof. ``options.solver`` is not used (no MILP is solved). ``max_rounds`` is accepted for
    compatibility and ignored.

    ``phases`` of the result: ``heuristic_seconds``, ``bound_seconds``, ``fixing_seconds``,
    ``search_seconds``; ``heuristic_cost``, ``root_bound``, ``bound_iterations``, ``sites_fixed_closed``,
    ``sites_fixed_open``, ``sites_left``, ``nodes``.
    """
    del max_rounds
    dist = as_matrix(distance, "distance")
    n, m = dist.shape
    w = as_vector(weights, n, "weights", "customers", default=1.0)
    sites = site_sets(m, must_open, forbidden, existing)
    p = check_p(p, sites)
    options = default_options(options)
    t_start = time.perf_counter()
    deadline = None if options.time_limit_s is None else t_start + options.time_limit_s
    ok = reachable(dist, sites, "served")
    if (dist[ok] < 0).any():
        raise ModelError("distance has negative entries")
    log = PhaseLog("p_median", options)

    sel = np.flatnonzero(sites.allowed)  # column k <-> input site sel[k]
    forced = sites.forced[sel]
    with np.errstate(invalid="ignore"):
        wd = np.where(ok[:, sel], w[:, None] * dist[:, sel], np.inf)
    # customers of weight zero that every site can serve never change the objective
    rows = np.flatnonzero((w > 0) | ~np.isfinite(wd).all(axis=1))
    c, penalty = penalised_costs(wd[rows])
    pruning = Pruning.for_costs(c, options.mip_gap)
    build_s = time.perf_counter() - t_start
    log.line(f"{rows.size} customers x {sel.size} candidate sites, p = {p}, "
             f"{'integral' if pruning.integral else 'fractional'} costs")
    result = solve_min_sum(c, p, forced, pruning, deadline, log, unit="sites")
    return _solution(dist, w, sel, result, penalty, build_s, t_start, sites, log)


def _solution(dist: np.ndarray, w: np.ndarray, sel: np.ndarray, result: MinSumResult, penalty: float,
              build_s: float, t_start: float, sites: SiteSets, log: PhaseLog) -> LocationSolution:
    solve_s = time.perf_counter() - t_start - build_s
    feasible = result.cost < penalty
    open_sites = np.sort(sel[result.columns]) if feasible else np.zeros(0, dtype=np.int64)
    assignment = nearest_open(dist, open_sites)
    objective: float | None = None
    bound: float | None = None
    if feasible:
        served = dist[np.arange(dist.shape[0]), assignment]
        objective = float(np.dot(w[w > 0], served[w > 0]))
        bound = min(result.bound, objective)
        gap = relative_gap(objective, bound)
        if not result.complete:
            status, message = "time_limit", "time limit reached"
        elif gap is not None and gap <= OPTIMAL_GAP:
            status, message = "optimal", "proven optimal"
        else:
            status, message = "gap_limit", "stopped at the accepted gap"
    elif result.complete:
        status, message = "infeasible", "no set of p sites serves every customer"
    else:
        status, message = "time_limit", "no feasible solution found in time"
        bound = result.bound
    log.line(f"result: {status}, objective {objective}, bound {bound}")
    log.flush()
    return LocationSolution(
        problem="p_median",
        status=status,
        objective=objective,
        best_bound=bound,
        gap=relative_gap(objective, bound),
        build_seconds=build_s,
        solve_seconds=solve_s,
        solver="lagrangian",
        open_sites=open_sites,
        assignment=assignment,
        cost_breakdown={"assignment": objective} if objective is not None else {},
        cost=dist,
        demand=w,
        existing=sites.existing,
        iterations=max(1, result.nodes),
        message=message,
        phases=log.report(),
    )
