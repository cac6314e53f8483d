"""Maximal covering (MCLP): open ``p`` sites maximising the demand within a service distance.

Maximising the covered demand is minimising the lost demand: a min-sum problem with ``c_ij = 0`` when site
``j`` covers customer ``i`` and ``c_ij = d_i`` otherwise. Its Lagrangian relaxation (the LP bound of
Church and ReVelle's model) is solved by :mod:`planner.model.location.minsum`: heuristic, bound and
reduced-cost fixing. When the bound does not yet prove the incumbent, the rest is a MILP that the fixing
and two exact reductions make small:

* customers covered by the same remaining sites are one customer with their summed demand;
* a site whose covered customers are a subset of another's is dropped (a solution using it loses nothing
  by using the other, or any unused site, instead).

Phases (``heuristic``, ``bound``, ``fixing``, ``reduction``, ``mip``) are timed in
:attr:`LocationSolution.phases` and the solver log. Distances in any unit, demand in demand units.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from planner.model.location.common import (
    LocationSolution,
    PhaseLog,
    as_matrix,
    as_vector,
    check_p,
    default_options,
    nearest_open,
    site_sets,
)
from planner.model.location.covering import service_distance_value
from planner.model.location.lagrangian import Pruning
from planner.model.location.minsum import MinSumResult, solve_min_sum
from planner.model.matrix import OPTIMAL_GAP, MatrixModel, SolverOptions, relative_gap

#: largest number of sites compared pairwise for dominance (the comparison is quadratic)
DOMINANCE_MAX_SITES = 3000


def maximal_covering(
    distance: Any,
    service_distance: float,
    p: int,
    *,
    demand: Any = None,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    options: SolverOptions | None = None,
) -> LocationSolution:
    """Maximal covering (MCLP): open ``p`` sites maximising the demand within ``service_distance``.

    ``distance[i, j]`` in any unit, ``service_distance`` in the same unit, ``demand[i]`` (default 1) in
    demand units; the objective is the covered demand. Exact (see the module docstring): Lagrangian bound
    and reduced-cost fixing, then, if needed, Church and ReVelle's MILP (``max sum d_i z_i``,
    ``z_i <= sum_{j covers i} y_j``, ``sum y = p``) on the reduced instance with the incumbent as start.
    ``options.mip_gap`` is relative to the covered demand.
    """
    dist = as_matrix(distance, "distance")
    n, m = dist.shape
    r = service_distance_value(service_distance)
    d = as_vector(demand, n, "demand", "customers", default=1.0)
    sites = site_sets(m, must_open, forbidden, existing)
    p = check_p(p, sites)
    options = default_options(options)
    t0 = time.perf_counter()
    deadline = None if options.time_limit_s is None else t0 + options.time_limit_s
    log = PhaseLog("mclp", options)
    sel = np.flatnonzero(sites.allowed)  # column k <-> input site sel[k]
    cover = dist[:, sel] <= r
    # customers nobody can cover, and customers without demand, never change the objective
    rows = np.flatnonzero(cover.any(axis=1) & (d > 0))
    cover, weight = cover[rows], d[rows]
    c = np.where(cover, 0.0, weight[:, None])
    # the gap is asked on the covered demand: allow mip_gap times a lower bound on it (the best single site)
    best_single = float((weight[:, None] * cover).sum(axis=0).max()) if rows.size else 0.0
    pruning = Pruning.for_costs(c, 0.0, options.mip_gap * best_single)
    coverable = float(weight.sum())
    build = time.perf_counter() - t0
    log.line(f"{rows.size} coverable customers x {sel.size} candidate sites, p = {p}, radius {r:g}")
    result = solve_min_sum(c, p, sites.forced[sel], pruning, deadline, log, unit="sites", search=False)
    columns = result.columns
    bound = coverable - result.bound
    status, message, solver = "optimal", "proven optimal", "lagrangian"
    if not result.complete:
        columns, bound, status, message, solver = _finish_by_mip(
            cover, weight, p, result, coverable, options, deadline, log)
    open_sites = np.sort(sel[columns])
    assignment = nearest_open(np.where(dist <= r, dist, np.inf), open_sites)
    covered = float(d[assignment >= 0].sum())
    bound = max(min(bound, coverable), covered)
    gap = relative_gap(covered, bound)
    if status == "optimal" and gap is not None and gap > OPTIMAL_GAP:
        status, message = "gap_limit", "stopped at the accepted gap"
    log.line(f"result: {status}, covered {covered:.10g}, bound {bound:.10g}")
    log.flush()
    return LocationSolution(
        problem="mclp",
        status=status,
        objective=covered,
        best_bound=bound,
        gap=gap,
        build_seconds=build,
        solve_seconds=time.perf_counter() - t0 - build,
        solver=solver,
        open_sites=open_sites,
        assignment=assignment,
        cost_breakdown={"covered_demand": covered, "uncovered_demand": float(d.sum()) - covered},
        cost=dist,
        demand=d,
        existing=sites.existing,
        iterations=1,
        message=message,
        phases=log.report(),
    )


def _finish_by_mip(cover: np.ndarray, weight: np.ndarray, p: int, result: MinSumResult, coverable: float,
                   options: SolverOptions, deadline: float | None, log: PhaseLog
                   ) -> tuple[np.ndarray, float, str, str, str]:
    """Solve the reduced MCLP as a MILP; returns columns, covered-demand bound, status, message, solver."""
    assert result.candidates is not None and result.opened is not None
    with log.phase("reduction"):
        cand, opened = result.candidates, result.opened
        sub = cover[:, cand]
        reach = sub.any(axis=1)
        patterns, group = np.unique(np.packbits(sub[reach], axis=1), axis=0, return_inverse=True)
        group_weight = np.bincount(group.reshape(-1), weights=weight[reach], minlength=patterns.shape[0])
        first = np.zeros(patterns.shape[0], dtype=np.int64)
        first[group.reshape(-1)[::-1]] = np.arange(group.size)[::-1]
        group_cover = sub[reach][first]
        keep = _undominated(group_cover, opened, p)
    log.set("customer_groups", int(patterns.shape[0]))
    log.set("sites_dominated", int((~keep).sum()))
    log.line(f"reduction: {int(reach.sum())} customers in {patterns.shape[0]} groups, "
             f"{int((~keep).sum())} of {cand.size} sites dominated ({log.seconds('reduction'):.2f} s)")
    kept = cand[keep]
    model = MatrixModel("mclp", "max")
    y = model.add_variables("y", kept.size, lb=opened[keep].astype(float), ub=1.0, integer=True)
    z = model.add_variables("z", group_weight.size, ub=1.0, cost=group_weight)
    gi, kj = np.nonzero(group_cover[:, keep])
    model.add_constraints("covered", np.concatenate([np.arange(group_weight.size), gi]),
                          np.concatenate([z.cols(), y.cols(kj)]),
                          np.concatenate([np.ones(group_weight.size), -np.ones(gi.size)]),
                          np.full(group_weight.size, -np.inf), np.zeros(group_weight.size))
    model.add_constraints("count", np.zeros(kept.size), y.cols(), 1.0, [float(p)], [float(p)])
    position = {int(j): t for t, j in enumerate(kept)}
    if all(int(j) in position for j in result.columns):
        start = np.zeros(kept.size)
        start[[position[int(j)] for j in result.columns]] = 1.0
        model.set_start(y, start)
    sub_opts = SolverOptions(**{**options.__dict__})
    if deadline is not None:
        sub_opts.time_limit_s = max(0.1, deadline - time.perf_counter())
    with log.phase("mip"):
        res = model.solve(sub_opts)
    log.line(f"mip: {kept.size} sites x {group_weight.size} groups, {res.status}, objective {res.objective}, "
             f"bound {res.best_bound} ({log.seconds('mip'):.2f} s)")
    columns = result.columns
    incumbent_covered = coverable - result.cost
    if res.is_feasible and res.objective is not None and res.objective > incumbent_covered + 1e-9:
        columns = kept[res.values(y) > 0.5]
    # solutions the fixing excluded cover at most coverable - fixing_bound
    excluded = coverable - result.fixing_bound if math.isfinite(result.fixing_bound) else -math.inf
    mip_bound = res.best_bound if res.best_bound is not None else coverable
    bound = min(coverable - result.bound, max(mip_bound, excluded, incumbent_covered))
    status = {"optimal": "optimal", "gap_limit": "gap_limit"}.get(res.status, "time_limit")
    if res.status in ("infeasible",):  # no improving solution beyond the fixing: the incumbent is optimal
        status, bound = "optimal", min(coverable - result.bound, max(excluded, incumbent_covered))
    return columns, bound, status, res.message or status, res.solver


def _undominated(group_cover: np.ndarray, opened: np.ndarray, p: int) -> np.ndarray:
    """Mask of the sites to keep: drop a free site whose covered groups another site also covers.

    Of identical sites the first stays. At least ``p`` sites are kept (dropped ones come back in order).
    """
    k = group_cover.shape[1]
    keep = np.ones(k, dtype=bool)
    if k > DOMINANCE_MAX_SITES or k <= p:
        return keep
    a = sp.csc_matrix(group_cover.astype(np.float64))
    size = np.asarray(a.sum(axis=0)).reshape(-1)
    overlap = (a.T @ a).toarray()
    index = np.arange(k)
    # l dominates j: covers all of j, and is larger, or equal with a smaller index
    covers_all = overlap >= size[:, None] - 0.5
    larger = size[None, :] > size[:, None]
    stronger = larger | ((size[None, :] == size[:, None]) & (index[None, :] < index[:, None]))
    dominated = (covers_all & stronger).any(axis=1) & ~opened
    keep[dominated] = False
    if keep.sum() < p:
        back = np.flatnonzero(~keep)[: p - int(keep.sum())]
        keep[back] = True
    return keep
