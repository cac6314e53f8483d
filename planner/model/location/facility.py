"""Uncapacitated and capacitated facility location (UFLP, CFLP) as MILPs with a drop-heuristic start.

Costs in the caller's currency, demand and capacity in one common unit, times in seconds.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from planner.errors import InfeasibleError
from planner.model.location.common import (
    TOL,
    LocationSolution,
    SiteSets,
    as_matrix,
    as_vector,
    default_options,
    no_solution,
    reachable,
    result_fields,
    site_sets,
)
from planner.model.matrix import MatrixModel, SolverOptions


def uncapacitated_facility_location(
    cost: Any,
    fixed_cost: Any,
    *,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    demand: Any = None,
    options: SolverOptions | None = None,
    budget: float | None = None,
) -> LocationSolution:
    """Uncapacitated facility location (UFLP): open sites and assign every customer to one open site.

    ``cost[i, j]``: cost (currency) of serving ALL of customer ``i``'s demand from site ``j``;
    ``fixed_cost[j]``: cost (currency) of opening site ``j`` (ignored for ``existing`` sites);
    ``demand``: only used for reporting loads (default 1 per customer).

    Formulation (strong, disaggregated): ``min sum f_j y_j + sum c_ij x_ij`` s.t. ``sum_j x_ij = 1``,
    ``x_ij <= y_j``, ``y`` binary, ``x in [0, 1]``. With ``y`` integral an optimal ``x`` is integral
    (each customer takes its cheapest open site), so the assignment is single-sourced.
    """
    c = as_matrix(cost, "cost")
    n, m = c.shape
    f = as_vector(fixed_cost, m, "fixed_cost", "sites")
    d = as_vector(demand, n, "demand", "customers", default=1.0)
    sites = site_sets(m, must_open, forbidden, existing)
    return _facility_location("uflp", c, f, d, None, sites, False, default_options(options), budget)


def capacitated_facility_location(
    cost: Any,
    fixed_cost: Any,
    demand: Any,
    capacity: Any,
    *,
    single_sourcing: bool = False,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    options: SolverOptions | None = None,
    budget: float | None = None,
) -> LocationSolution:
    """Capacitated facility location (CFLP).

    ``cost[i, j]``: cost (currency) of serving ALL of customer ``i``'s demand from site ``j`` (a fraction
    ``x`` of it costs ``x * cost[i, j]``); ``fixed_cost[j]``: opening cost (currency, ignored for ``existing``
    sites); ``demand[i]`` and ``capacity[j]`` in one unit (pallets, tonnes...). ``single_sourcing=False``
    (default) lets a customer's demand be split between open sites (the OR-Library convention);
    ``True`` makes every customer use exactly one site.

    Strong formulation: ``min sum f_j y_j + sum c_ij x_ij`` s.t. ``sum_j x_ij = 1`` (demand met),
    ``sum_i d_i x_ij <= cap_j y_j`` (aggregate capacity), ``x_ij <= y_j`` (disaggregated variable upper
    bounds, which make the LP bound far stronger than the aggregate rows alone), and the valid inequality
    ``sum_j cap_j y_j >= sum_i d_i``. Single sourcing makes ``x`` binary and drops pairs with
    ``d_i > cap_j``. A greedy drop heuristic provides the MIP start.
    """
    c = as_matrix(cost, "cost")
    n, m = c.shape
    f = as_vector(fixed_cost, m, "fixed_cost", "sites")
    d = as_vector(demand, n, "demand", "customers")
    q = as_vector(capacity, m, "capacity", "sites", finite=False)
    sites = site_sets(m, must_open, forbidden, existing)
    total = float(d.sum())
    avail = float(q[sites.allowed].sum())
    if avail + TOL * max(1.0, total) < total:
        raise InfeasibleError(
            f"total demand {total:g} exceeds the total capacity {avail:g} of the allowed sites",
            [f"demand {total:g} > capacity {avail:g}"],
        )
    if single_sourcing:
        big = np.flatnonzero(d > q[sites.allowed].max() + TOL)
        if big.size:
            raise InfeasibleError(
                f"customer {big[0]} demands {d[big[0]]:g}, more than any allowed site's capacity",
                [f"customer {i}: demand {d[i]:g}" for i in big[:20]],
            )
    return _facility_location("cflp", c, f, d, q, sites, single_sourcing, default_options(options), budget)


def _facility_location(
    problem: str,
    c: np.ndarray,
    f: np.ndarray,
    d: np.ndarray,
    q: np.ndarray | None,
    sites: SiteSets,
    single: bool,
    options: SolverOptions,
    budget: float | None = None,
) -> LocationSolution:
    t0 = time.perf_counter()
    n, m = c.shape
    ok = reachable(c, sites, "served")
    if q is not None and single:
        ok &= d[:, None] <= q[None, :] + TOL
        lonely = np.flatnonzero(~ok.any(axis=1))
        if lonely.size:
            raise InfeasibleError(f"customer {lonely[0]} fits in no reachable site's capacity")
    f_eff = np.where(sites.existing, 0.0, f)
    sel = np.flatnonzero(sites.allowed)  # model site k <-> input site sel[k]
    pos = np.full(m, -1, dtype=np.int64)
    pos[sel] = np.arange(sel.size)
    pi, pj = np.nonzero(ok)
    npairs = pi.size

    model = MatrixModel(problem, "min")
    y = model.add_variables("y", sel.size, lb=sites.forced[sel].astype(float), ub=1.0, cost=f_eff[sel], integer=True)
    x = model.add_variables("x", npairs, ub=1.0, cost=c[pi, pj], integer=single)
    xc = x.cols()
    model.add_constraints("assign", pi, xc, 1.0, np.ones(n), np.ones(n))
    k = np.arange(npairs)
    model.add_constraints(
        "vub",
        np.concatenate([k, k]),
        np.concatenate([xc, y.cols(pos[pj])]),
        np.concatenate([np.ones(npairs), -np.ones(npairs)]),
        np.full(npairs, -np.inf),
        np.zeros(npairs),
    )
    if q is not None:
        cap_rows = pos[pj]
        qs = q[sel]
        finite_cap = np.isfinite(qs)
        use = finite_cap[cap_rows]
        kk = np.flatnonzero(finite_cap)
        model.add_constraints(
            "capacity",
            np.concatenate([_renumber(cap_rows[use], kk, sel.size), np.arange(kk.size)]),
            np.concatenate([xc[use], y.cols(kk)]),
            np.concatenate([d[pi[use]], -qs[kk]]),
            np.full(kk.size, -np.inf),
            np.zeros(kk.size),
        )
        total = float(d.sum())
        cap_for_cover = np.where(np.isfinite(qs), qs, total)
        model.add_constraints(
            "total_capacity", np.zeros(sel.size), y.cols(), cap_for_cover, [total], [np.inf]
        )
    if budget is not None:
        model.add_constraints("budget", np.zeros(sel.size), y.cols(), f_eff[sel], [-np.inf], [float(budget)])
    start = _drop_heuristic(c, f_eff, d, q, sites, single, ok)
    if start is not None and (budget is None or float(f_eff[start].sum()) <= budget):
        model.set_start(y, start[sel].astype(float))
    build = time.perf_counter() - t0
    res = model.solve(options)
    res.build_seconds += build
    extra = {"capacity": q, "fixed_cost": f, "existing": sites.existing}
    if not res.is_feasible:
        return no_solution(problem, res, c, d, **extra)
    yv = res.values(y)
    open_sites = np.sort(sel[yv > 0.5])
    xv = np.clip(res.values(x), 0.0, 1.0)
    flows = np.zeros((n, m))
    flows[pi, pj] = xv
    flows[flows < 1e-9] = 0.0
    if problem == "uflp" or single:
        assignment: np.ndarray = sel[np.argmax(flows[:, sel], axis=1)]
    else:
        assignment = flows
    fixed = float(f_eff[open_sites].sum())
    assign_cost = float(np.sum(flows[pi, pj] * c[pi, pj]))
    return LocationSolution(
        **result_fields(problem, res),
        open_sites=open_sites,
        assignment=assignment,
        cost_breakdown={"fixed": fixed, "assignment": assign_cost},
        cost=c,
        demand=d,
        **extra,
    )


def _renumber(rows: np.ndarray, keep: np.ndarray, size: int) -> np.ndarray:
    """Map model-site numbers in ``rows`` to their position among ``keep``."""
    new = np.full(size, -1, dtype=np.int64)
    new[keep] = np.arange(keep.size)
    return new[rows]


def _assignment_cost(c: np.ndarray, d: np.ndarray, q: np.ndarray | None, open_mask: np.ndarray,
                     ok: np.ndarray, single: bool) -> float:
    """Cost of serving every customer from the open sites (inf when impossible).

    Uncapacitated: cheapest open site per customer. Capacitated (split): a transportation LP solved by
    HiGHS through scipy. Single sourcing with capacities: greedy regret assignment (an upper bound).
    """
    cols = np.flatnonzero(open_mask)
    if cols.size == 0:
        return math.inf
    sub = np.where(ok[:, cols], c[:, cols], np.inf)
    if q is None:
        best = sub.min(axis=1)
        return float(best.sum()) if np.isfinite(best).all() else math.inf
    caps = q[cols]
    if float(np.sum(np.where(np.isfinite(caps), caps, d.sum()))) < d.sum() - TOL:
        return math.inf
    if single:
        return _greedy_single(sub, d, caps)
    return _transport_lp(sub, d, caps)


def _transport_lp(sub: np.ndarray, d: np.ndarray, caps: np.ndarray) -> float:
    import scipy.sparse as sp
    from scipy.optimize import linprog

    n, k = sub.shape
    ii, jj = np.nonzero(np.isfinite(sub))
    npairs = ii.size
    a_eq = sp.csr_matrix((np.ones(npairs), (ii, np.arange(npairs))), shape=(n, npairs))
    fin = np.flatnonzero(np.isfinite(caps))
    rowmap = np.full(k, -1)
    rowmap[fin] = np.arange(fin.size)
    use = rowmap[jj] >= 0
    a_ub = sp.csr_matrix((d[ii[use]], (rowmap[jj[use]], np.arange(npairs)[use])), shape=(fin.size, npairs))
    res = linprog(sub[ii, jj], A_ub=a_ub if fin.size else None, b_ub=caps[fin] if fin.size else None,
                  A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs")
    return float(res.fun) if res.status == 0 else math.inf


def _greedy_single(sub: np.ndarray, d: np.ndarray, caps: np.ndarray) -> float:
    n, _ = sub.shape
    left = np.where(np.isfinite(caps), caps, np.inf).astype(float)
    srt = np.sort(sub, axis=1)
    regret = (srt[:, 1] - srt[:, 0]) if sub.shape[1] > 1 else srt[:, 0]
    total = 0.0
    for i in np.argsort(-np.where(np.isfinite(regret), regret, 1e300)):
        fits = (left >= d[i] - TOL) & np.isfinite(sub[i])
        if not fits.any():
            return math.inf
        j = int(np.argmin(np.where(fits, sub[i], np.inf)))
        left[j] -= d[i]
        total += sub[i, j]
    return total


def _drop_heuristic(c: np.ndarray, f: np.ndarray, d: np.ndarray, q: np.ndarray | None, sites: SiteSets,
                    single: bool, ok: np.ndarray, max_evals: int = 400,
                    time_budget: float = 2.0) -> np.ndarray | None:
    """A MIP start: open every allowed site, then greedily close the site whose closure saves most.

    Each candidate closure is priced with :func:`_assignment_cost`; for capacitated models only the
    ``16`` most promising sites (largest fixed cost per unit of capacity) are priced per round. The
    heuristic stops after ``max_evals`` evaluations or ``time_budget`` seconds. Sites whose capacity covers
    the whole demand are treated as uncapacitated. Returns a boolean open mask, or None.
    """
    m = c.shape[1]
    t0 = time.perf_counter()
    if q is not None and not single and bool(np.all(q[sites.allowed] >= d.sum())):
        q = None
    open_mask = sites.allowed.copy()
    current = _assignment_cost(c, d, q, open_mask, ok, single) + float(f[open_mask].sum())
    if not math.isfinite(current):
        return None
    evals = 0
    while evals < max_evals and time.perf_counter() - t0 < time_budget:
        cand = np.flatnonzero(open_mask & ~sites.forced)
        if cand.size == 0:
            break
        if q is not None and cand.size > 16:
            ratio = f[cand] / np.where(np.isfinite(q[cand]) & (q[cand] > 0), q[cand], 1.0)
            cand = cand[np.argsort(-ratio)[:16]]
        best_j, best_val = -1, current
        for j in cand:
            open_mask[j] = False
            val = _assignment_cost(c, d, q, open_mask, ok, single) + float(f[open_mask].sum())
            open_mask[j] = True
            evals += 1
            if time.perf_counter() - t0 > time_budget:
                break
            if val < best_val - 1e-9 * max(1.0, abs(best_val)):
                best_j, best_val = int(j), val
        if best_j < 0:
            break
        open_mask[best_j] = False
        current = best_val
    return open_mask if open_mask.size == m else None
