"""The p-center: open exactly ``p`` sites minimising the largest weighted distance to the nearest open site.

Exact method in two phases, timed in :attr:`LocationSolution.phases` and the solver log:

1. ``heuristic``: farthest-first sites give the upper bound, the lower bound is the largest distance from
   a customer to its nearest allowed site;
2. ``search``: binary search over the distinct weighted distances between the two bounds (the optimum is
   one of them). Radius ``r`` is feasible iff ``p`` sites cover every customer within ``r``. That is
   decided on a small subset of customers first (a set-covering MILP with ``sum y <= p``): if the subset
   cannot be covered neither can all customers; if it can, the cover is checked on every customer and the
   uncovered ones join the subset, until the cover holds for all. The subset carries over between radii
   and stays a small share of the customers (the optimum is fixed by few of them), so every MILP is small.

Distances in any unit, weights dimensionless, times in seconds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

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
from planner.model.location.covering import cover_model
from planner.model.location.heuristics import farthest_first, top_up
from planner.model.matrix import SolverOptions, relative_gap

#: most customers added to the subset after one cover fails on the full set
ADD_PER_ROUND = 25


def p_center(
    distance: Any,
    p: int,
    *,
    weights: Any = None,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    options: SolverOptions | None = None,
) -> LocationSolution:
    """p-center: open exactly ``p`` sites minimising the largest ``w_i * distance(i, nearest open site)``.

    ``distance`` in any unit, ``weights`` (default 1) dimensionless multipliers; the objective is the
    optimal radius in weight x distance units.

    Method (see the module docstring): binary search over the candidate radii, each one decided by
    set-covering MILPs on a growing subset of the customers. The smallest feasible radius is optimal;
    ``best_bound`` is the smallest radius not proven infeasible. The covering solution is topped up to
    exactly ``p`` sites greedily (extra open sites never increase the radius). ``iterations`` counts the
    covering MILPs; ``phases`` has ``heuristic_seconds``, ``search_seconds``, ``radii_tested``,
    ``subset_customers`` and the radius bounds after the heuristic.
    """
    dist = as_matrix(distance, "distance")
    n, m = dist.shape
    w = as_vector(weights, n, "weights", "customers", default=1.0)
    sites = site_sets(m, must_open, forbidden, existing)
    p = check_p(p, sites)
    options = default_options(options)
    t0 = time.perf_counter()
    deadline = None if options.time_limit_s is None else t0 + options.time_limit_s
    ok = reachable(dist, sites, "served")
    with np.errstate(invalid="ignore"):
        wd = np.where(ok, w[:, None] * dist, np.inf)
    log = PhaseLog("p_center", options)
    build = time.perf_counter() - t0

    with log.phase("heuristic"):
        lb = float(wd.min(axis=1).max())
        heur, witnesses = farthest_first(wd, p, sites.forced, sites.allowed)
        ub = _radius(wd, heur)
        values = np.unique(wd[np.isfinite(wd)])
        values = values[(values >= lb - 1e-12) & (values <= ub + 1e-12)]
    log.set("heuristic_radius", ub)
    log.set("lower_radius", lb)
    log.line(f"heuristic: radius {ub:.10g}, lower bound {lb:.10g}, {values.size} candidate radii "
             f"({log.seconds('heuristic'):.2f} s)")

    search = _RadiusSearch(wd, p, sites, options, deadline, log, witnesses)
    # the optimum is in values[lo..hi]; values[hi] is the heuristic's radius, or, when the heuristic leaves a
    # customer unserved, hi = values.size stands for "no finite radius found yet"
    lo, hi = 0, values.size - 1 if np.isfinite(ub) else values.size
    best_open = heur
    status = "optimal"
    with log.phase("search"):
        while lo < hi:
            mid = (lo + hi) // 2
            verdict, cover_open = search.decide(float(values[mid]))
            if verdict is None:
                status = search.stop_status
                break
            if verdict:
                best_open = cover_open
                hi = min(mid, int(np.searchsorted(values, _radius(wd, cover_open) - 1e-12)))
            else:
                lo = mid + 1
    log.set("radii_tested", search.radii)
    log.set("subset_customers", int(search.subset.size))
    log.set("cover_solves", search.solves)
    log.line(f"search: {search.radii} radii, {search.solves} covering MILPs on at most "
             f"{search.subset.size} of {n} customers ({log.seconds('search'):.2f} s)")

    open_sites = top_up(wd, best_open, p, sites.forced, sites.allowed)
    radius = _radius(wd, open_sites)
    bound: float | None = float(values[lo]) if lo < values.size else None
    if not np.isfinite(radius):  # no set of p sites found that serves every customer
        status = "infeasible" if status == "optimal" else status
        unserved = f"no set of {p} allowed sites serves every customer"
        search.message = search.message or (unserved if status == "infeasible" else "no cover found in time")
        open_sites = np.zeros(0, dtype=np.int64)
    objective = radius if open_sites.size else None
    log.line(f"result: {status}, radius {objective}, bound {bound}")
    log.flush()
    return LocationSolution(
        problem="p_center",
        status=status,
        objective=objective,
        best_bound=bound,
        gap=relative_gap(objective, bound),
        build_seconds=build + search.build_seconds,
        solve_seconds=time.perf_counter() - t0 - build - search.build_seconds,
        solver=search.solver_name,
        open_sites=open_sites,
        assignment=nearest_open(wd, open_sites),
        cost_breakdown={"max_weighted_distance": radius} if objective is not None else {},
        cost=dist,
        demand=w,
        existing=sites.existing,
        iterations=search.solves,
        message=search.message,
        phases=log.report(),
    )


def _radius(wd: np.ndarray, open_cols: np.ndarray) -> float:
    return float(wd[:, open_cols].min(axis=1).max())


class _RadiusSearch:
    """Decides "can ``p`` sites cover every customer within ``r``?" on a growing subset of customers."""

    def __init__(self, wd: np.ndarray, p: int, sites: SiteSets, options: SolverOptions, deadline: float | None,
                 log: PhaseLog, start: np.ndarray) -> None:
        self.wd, self.p, self.sites = wd, p, sites
        self.options, self.deadline, self.log = options, deadline, log
        self.subset = np.unique(start)
        self.radii = 0
        self.solves = 0
        self.build_seconds = 0.0
        self.solver_name = options.solver.lower()
        self.stop_status = "time_limit"
        self.message = ""

    def decide(self, r: float) -> tuple[bool | None, np.ndarray]:
        """True with a cover's open sites, False, or None when stopped (time limit or solver failure)."""
        self.radii += 1
        cover = (self.wd <= r * (1 + 1e-12)) & self.sites.allowed[None, :]
        while True:
            sub = SolverOptions(**{**self.options.__dict__})
            sub.mip_gap = 1.0  # a feasibility question: any feasible cover answers it
            if self.deadline is not None:
                remaining = self.deadline - time.perf_counter()
                if remaining <= 0:
                    return None, np.zeros(0, dtype=np.int64)
                sub.time_limit_s = remaining
            model, y = cover_model("p_center_check", cover[self.subset], np.zeros(cover.shape[1]), self.sites,
                                   max_sites=self.p)
            res = model.solve(sub)
            self.solves += 1
            self.build_seconds += res.build_seconds
            self.solver_name = res.solver
            if res.status == "infeasible":
                return False, np.zeros(0, dtype=np.int64)
            if not res.is_feasible:
                self.stop_status = "time_limit" if res.status == "time_limit" else "error"
                self.message = res.message
                return None, np.zeros(0, dtype=np.int64)
            open_cols = np.flatnonzero(res.values(y) > 0.5)
            covered = cover[:, open_cols].any(axis=1)
            if covered.all():
                return True, open_cols
            missing = np.flatnonzero(~covered)
            # the customers farthest from the cover first: they are the hardest to cover together
            far = self.wd[missing][:, open_cols].min(axis=1)
            add = missing[np.argsort(-far, kind="stable")[:ADD_PER_ROUND]]
            self.subset = np.union1d(self.subset, add)
