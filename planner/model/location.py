"""Classic discrete location models on any cost / distance matrix, solved exactly as MILPs.

Every function takes a matrix indexed ``[customer, site]`` (``n`` customers x ``m`` candidate sites) and
returns a :class:`LocationSolution`. Conventions shared by all models:

* ``must_open``: sites that must be opened (their fixed cost is paid); ``forbidden``: sites that may not be
  opened; ``existing``: sites already open (counted as open, no fixed cost). Each is a sequence of site
  indices or a boolean mask of length ``m``.
* A ``+inf`` entry in the matrix means "this customer cannot be served from this site" (e.g. unreachable on
  the network); NaN is an error.
* ``p`` (p-median, p-center, maximal covering) counts ALL open sites, existing and must-open ones included.
* ``budget`` (facility location, set covering): a cap on the summed fixed / site cost of the opened sites
  (existing sites cost nothing); None = no cap.
* Invalid input raises :class:`~planner.errors.ModelError` before any solver starts; an instance that is
  infeasible by inspection (a customer no allowed site can serve, too little capacity) raises
  :class:`~planner.errors.InfeasibleError` with the reasons.

Units: costs in the caller's currency, distances in the caller's distance unit (km, minutes...), demand
and capacity in one common unit (pallets, tonnes...), times in seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.errors import InfeasibleError, ModelError
from planner.model.matrix import MatrixModel, SolveResult, SolverOptions, relative_gap

__all__ = [
    "LocationSolution",
    "capacitated_facility_location",
    "location_set_covering",
    "maximal_covering",
    "p_center",
    "p_median",
    "uncapacitated_facility_location",
]

_TOL = 1e-6


# ---------------------------------------------------------------------------------------------- result
@dataclass
class LocationSolution:
    """The solution of a location model.

    The :class:`~planner.model.matrix.SolveResult` fields (``status``, ``objective``, ``best_bound``,
    ``gap``, ``build_seconds``, ``solve_seconds``, ``solver``) plus:

    * ``open_sites``: indices (into the site axis of the input matrix) of the open sites, existing included;
    * ``assignment``: for single-assignment models a 1-D int array ``customer -> site`` (``-1`` = not
      served / not covered); for split-demand CFLP a dense ``n x m`` array of the fraction of each customer's
      demand served by each site;
    * ``cost_breakdown``: objective components (e.g. ``fixed`` and ``assignment`` costs, in currency);
    * ``iterations``: number of MILPs solved (p-median sparsification rounds, p-center search steps).
    """

    problem: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    solver: str
    open_sites: np.ndarray
    assignment: np.ndarray
    cost_breakdown: dict[str, float]
    cost: np.ndarray = field(repr=False)
    demand: np.ndarray = field(repr=False)
    capacity: np.ndarray | None = field(default=None, repr=False)
    fixed_cost: np.ndarray | None = field(default=None, repr=False)
    existing: np.ndarray | None = field(default=None, repr=False)
    iterations: int = 1
    message: str = ""

    @property
    def is_feasible(self) -> bool:
        """True when a feasible solution is available."""
        return self.status in ("optimal", "time_limit", "gap_limit") and self.objective is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary."""

        def num(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else float(v)

        return {
            "problem": self.problem,
            "status": self.status,
            "objective": num(self.objective),
            "best_bound": num(self.best_bound),
            "gap": num(self.gap),
            "build_seconds": round(self.build_seconds, 6),
            "solve_seconds": round(self.solve_seconds, 6),
            "solver": self.solver,
            "iterations": self.iterations,
            "open_sites": [int(j) for j in self.open_sites],
            "cost_breakdown": {k: num(v) for k, v in self.cost_breakdown.items()},
            "message": self.message,
        }

    def flows(self) -> np.ndarray:
        """``n x m`` array of the fraction of each customer's demand served by each site."""
        n, m = self.cost.shape
        if self.assignment.ndim == 2:
            return self.assignment
        out = np.zeros((n, m))
        served = self.assignment >= 0
        out[np.flatnonzero(served), self.assignment[served]] = 1.0
        return out

    def to_frames(
        self, site_ids: Any = None, customer_ids: Any = None
    ) -> dict[str, Any]:
        """pandas DataFrames ``{"sites": ..., "assignments": ...}``.

        ``sites``: one row per open site with its fixed cost, capacity, load (demand units served),
        utilisation (load / capacity) and number of customers. ``assignments``: one row per served
        (customer, site) pair with the fraction and amount of demand and the assignment cost share.
        ``site_ids`` / ``customer_ids`` optionally label the rows (default: indices).
        """
        import pandas as pd

        n, m = self.cost.shape
        sids = np.arange(m) if site_ids is None else np.asarray(site_ids)
        cids = np.arange(n) if customer_ids is None else np.asarray(customer_ids)
        if sids.size != m or cids.size != n:
            raise ModelError(f"to_frames: expected {m} site ids and {n} customer ids")
        flows = self.flows()
        ci, sj = np.nonzero(flows > _TOL)
        frac = flows[ci, sj]
        cost_share = np.where(np.isfinite(self.cost[ci, sj]), self.cost[ci, sj], np.nan) * frac
        assignments = pd.DataFrame(
            {
                "customer": cids[ci],
                "site": sids[sj],
                "fraction": frac,
                "demand": self.demand[ci] * frac,
                "cost": cost_share,
            }
        )
        load = np.zeros(m)
        np.add.at(load, sj, self.demand[ci] * frac)
        count = np.zeros(m, dtype=np.int64)
        np.add.at(count, sj, 1)
        open_idx = np.asarray(self.open_sites, dtype=np.int64)
        cap = self.capacity[open_idx] if self.capacity is not None else np.full(open_idx.size, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            util = np.where(cap > 0, load[open_idx] / cap, np.nan)
        sites = pd.DataFrame(
            {
                "site": sids[open_idx],
                "existing": self.existing[open_idx] if self.existing is not None else False,
                "fixed_cost": self.fixed_cost[open_idx] if self.fixed_cost is not None else 0.0,
                "capacity": cap,
                "load": load[open_idx],
                "utilisation": util,
                "customers": count[open_idx],
            }
        )
        return {"sites": sites, "assignments": assignments}


# ---------------------------------------------------------------------------------------------- input checks
def _matrix(cost: Any, name: str) -> np.ndarray:
    try:
        arr = np.array(cost, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{name} must be a numeric matrix [customer, site]: {exc}") from exc
    if arr.ndim != 2:
        raise ModelError(f"{name} must be a 2-D matrix [customer, site], got {arr.ndim} dimension(s)")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ModelError(f"{name} is empty (shape {arr.shape})")
    if np.isnan(arr).any():
        i, j = np.argwhere(np.isnan(arr))[0]
        raise ModelError(f"{name} has NaN at customer {i}, site {j}")
    if (arr == -np.inf).any():
        i, j = np.argwhere(arr == -np.inf)[0]
        raise ModelError(f"{name} has -inf at customer {i}, site {j}")
    return arr


def _vector(values: Any, length: int, name: str, axis: str, default: float | None = None,
            nonnegative: bool = True, finite: bool = True) -> np.ndarray:
    if values is None:
        if default is None:
            raise ModelError(f"{name} is required")
        return np.full(length, float(default))
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim == 0:
        arr = np.full(length, float(arr))
    if arr.ndim != 1 or arr.size != length:
        raise ModelError(f"{name} has shape {arr.shape} but the cost matrix has {length} {axis}")
    if np.isnan(arr).any() or (finite and not np.isfinite(arr).all()):
        k = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ModelError(f"{name} is NaN or infinite at {axis[:-1]} {k}")
    if nonnegative and (arr < 0).any():
        k = int(np.flatnonzero(arr < 0)[0])
        raise ModelError(f"{name} is negative ({arr[k]}) at {axis[:-1]} {k}")
    return arr


def _site_mask(values: Any, m: int, name: str) -> np.ndarray:
    if values is None:
        return np.zeros(m, dtype=bool)
    arr = np.asarray(values)
    if arr.dtype == bool:
        if arr.shape != (m,):
            raise ModelError(f"{name}: boolean mask has shape {arr.shape}, expected ({m},)")
        return arr.copy()
    arr = arr.reshape(-1)
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise ModelError(f"{name} must be site indices (integers) or a boolean mask")
    if arr.size and (arr.min() < 0 or arr.max() >= m):
        raise ModelError(f"{name} has site index {int(arr.max() if arr.max() >= m else arr.min())} "
                         f"outside 0..{m - 1}")
    mask = np.zeros(m, dtype=bool)
    mask[arr.astype(np.int64)] = True
    return mask


@dataclass
class _Sites:
    must: np.ndarray
    forbidden: np.ndarray
    existing: np.ndarray

    @property
    def forced(self) -> np.ndarray:
        return self.must | self.existing

    @property
    def allowed(self) -> np.ndarray:
        return ~self.forbidden


def _sites(m: int, must_open: Any, forbidden: Any, existing: Any) -> _Sites:
    must = _site_mask(must_open, m, "must_open")
    forb = _site_mask(forbidden, m, "forbidden")
    exist = _site_mask(existing, m, "existing")
    clash = np.flatnonzero((must | exist) & forb)
    if clash.size:
        raise ModelError(f"site(s) {clash.tolist()[:10]} are both forbidden and must-open/existing")
    if not (~forb).any():
        raise ModelError("every candidate site is forbidden")
    return _Sites(must, forb, exist)


def _check_p(p: int, sites: _Sites) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise ModelError(f"p must be an integer, got {p!r}")
    p = int(p)
    n_allowed = int(sites.allowed.sum())
    n_forced = int(sites.forced.sum())
    if p < 1:
        raise ModelError(f"p must be at least 1, got {p}")
    if p > n_allowed:
        raise ModelError(f"p = {p} exceeds the {n_allowed} candidate sites that are not forbidden")
    if n_forced > p:
        raise ModelError(f"p = {p} is less than the {n_forced} must-open/existing sites (p counts them)")
    return p


def _reachable(cost: np.ndarray, sites: _Sites, what: str) -> np.ndarray:
    """Mask of usable (customer, site) pairs; raises InfeasibleError for customers no site can serve."""
    ok = np.isfinite(cost) & sites.allowed[None, :]
    lonely = np.flatnonzero(~ok.any(axis=1))
    if lonely.size:
        raise InfeasibleError(
            f"{lonely.size} customer(s) cannot be {what} by any allowed site (first: customer {lonely[0]})",
            [f"customer {i}: every allowed site has infinite cost" for i in lonely[:20]],
        )
    return ok


def _opts(options: SolverOptions | None) -> SolverOptions:
    return options or SolverOptions()


def _base(problem: str, res: SolveResult) -> dict[str, Any]:
    return {
        "problem": problem,
        "status": res.status,
        "objective": res.objective,
        "best_bound": res.best_bound,
        "gap": res.gap,
        "build_seconds": res.build_seconds,
        "solve_seconds": res.solve_seconds,
        "solver": res.solver,
        "message": res.message,
    }


def _nearest_open(cost: np.ndarray, open_sites: np.ndarray) -> np.ndarray:
    if open_sites.size == 0:
        return np.full(cost.shape[0], -1, dtype=np.int64)
    sub = cost[:, open_sites]
    best = np.argmin(sub, axis=1)
    out = open_sites[best].astype(np.int64)
    out[~np.isfinite(sub[np.arange(cost.shape[0]), best])] = -1
    return out


def _no_solution(problem: str, res: SolveResult, cost: np.ndarray, demand: np.ndarray, **kw: Any) -> LocationSolution:
    return LocationSolution(
        **_base(problem, res),
        open_sites=np.zeros(0, dtype=np.int64),
        assignment=np.full(cost.shape[0], -1, dtype=np.int64),
        cost_breakdown={},
        cost=cost,
        demand=demand,
        **kw,
    )


# ---------------------------------------------------------------------------------------------- UFLP / CFLP
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
    c = _matrix(cost, "cost")
    n, m = c.shape
    f = _vector(fixed_cost, m, "fixed_cost", "sites")
    d = _vector(demand, n, "demand", "customers", default=1.0)
    sites = _sites(m, must_open, forbidden, existing)
    return _facility_location("uflp", c, f, d, None, sites, False, _opts(options), budget)


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
    c = _matrix(cost, "cost")
    n, m = c.shape
    f = _vector(fixed_cost, m, "fixed_cost", "sites")
    d = _vector(demand, n, "demand", "customers")
    q = _vector(capacity, m, "capacity", "sites", finite=False)
    sites = _sites(m, must_open, forbidden, existing)
    total = float(d.sum())
    avail = float(q[sites.allowed].sum())
    if avail + _TOL * max(1.0, total) < total:
        raise InfeasibleError(
            f"total demand {total:g} exceeds the total capacity {avail:g} of the allowed sites",
            [f"demand {total:g} > capacity {avail:g}"],
        )
    if single_sourcing:
        big = np.flatnonzero(d > q[sites.allowed].max() + _TOL)
        if big.size:
            raise InfeasibleError(
                f"customer {big[0]} demands {d[big[0]]:g}, more than any allowed site's capacity",
                [f"customer {i}: demand {d[i]:g}" for i in big[:20]],
            )
    return _facility_location("cflp", c, f, d, q, sites, single_sourcing, _opts(options), budget)


def _facility_location(
    problem: str,
    c: np.ndarray,
    f: np.ndarray,
    d: np.ndarray,
    q: np.ndarray | None,
    sites: _Sites,
    single: bool,
    options: SolverOptions,
    budget: float | None = None,
) -> LocationSolution:
    t0 = time.perf_counter()
    n, m = c.shape
    ok = _reachable(c, sites, "served")
    if q is not None and single:
        ok &= d[:, None] <= q[None, :] + _TOL
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
        return _no_solution(problem, res, c, d, **extra)
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
        **_base(problem, res),
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
    if float(np.sum(np.where(np.isfinite(caps), caps, d.sum()))) < d.sum() - _TOL:
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
        fits = (left >= d[i] - _TOL) & np.isfinite(sub[i])
        if not fits.any():
            return math.inf
        j = int(np.argmin(np.where(fits, sub[i], np.inf)))
        left[j] -= d[i]
        total += sub[i, j]
    return total


def _drop_heuristic(c: np.ndarray, f: np.ndarray, d: np.ndarray, q: np.ndarray | None, sites: _Sites,
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


# ---------------------------------------------------------------------------------------------- p-median
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
    weight x distance units.

    Formulation: the radius formulation of Elloumi (2010), in chained form, with exact sparsification
    (García, Labbé & Marín 2011). For customer ``i`` let ``D_i^1 < D_i^2 < ... < D_i^K`` be its distinct
    distances to the allowed sites and ``z_i^k = 1`` iff no open site lies within ``D_i^k``. Then
    ``dist_i = D_i^1 + sum_k (D_i^{k+1} - D_i^k) z_i^k`` with the rows ``z_i^1 + sum_{d_ij = D_i^1} y_j >= 1``
    and ``z_i^k - z_i^{k-1} + sum_{d_ij = D_i^k} y_j >= 0``; ``z`` can be continuous. Each ``y_j`` appears in
    one row per customer, and ties in the distances (road or graph distances) merge columns.

    Exactness of the sparsification. Keep only the first ``L_i`` radii of customer ``i`` (drop ``z_i^k`` for
    ``k >= L_i``): the restricted objective is ``sum_i w_i min(dist_i(S), D_i^{L_i})`` <= the true objective
    for EVERY site set ``S``, so the restricted optimum is a lower bound. If the restricted optimum ``S*``
    has ``dist_i(S*) <= D_i^{L_i}`` for every customer, its true cost equals the restricted optimum, hence
    it is optimal for the full problem. Otherwise the ``L_i`` of the violating customers grow (to at least
    their distance in ``S*``) and the model is solved again; ``L_i`` only grows, so this ends. ``L_i`` never
    needs to exceed the radius at which ``m_allowed - p + 1`` sites lie within reach (at least one of them
    is open when exactly ``p`` are) nor the distance to the nearest must-open/existing site; such customers
    are exact from the start. The first ``L_i`` come from a greedy-plus-interchange heuristic solution,
    which is also the MIP start. With a time limit or a MIP gap the reported bound is the restricted
    model's bound, which is valid for the full problem.
    """
    dist = _matrix(distance, "distance")
    n, m = dist.shape
    w = _vector(weights, n, "weights", "customers", default=1.0)
    sites = _sites(m, must_open, forbidden, existing)
    p = _check_p(p, sites)
    options = _opts(options)
    t_start = time.perf_counter()
    ok = _reachable(dist, sites, "served")
    if (dist[ok] < 0).any():
        raise ModelError("distance has negative entries")

    sel = np.flatnonzero(sites.allowed)
    ds = np.where(ok[:, sel], dist[:, sel], np.inf)  # n x ma
    ma = sel.size
    order = np.argsort(ds, axis=1, kind="stable")
    sorted_d = np.take_along_axis(ds, order, axis=1)
    # level (0-based) of each sorted entry: index of its distinct distance
    new_level = np.ones_like(sorted_d, dtype=bool)
    new_level[:, 1:] = sorted_d[:, 1:] > sorted_d[:, :-1]
    level_sorted = np.cumsum(new_level, axis=1) - 1
    n_levels = level_sorted[:, -1] + 1
    # distinct radii per customer (padded with inf)
    radii = np.full((n, ma), np.inf)
    rows_i = np.repeat(np.arange(n), ma)
    radii[rows_i, level_sorted.reshape(-1)] = sorted_d.reshape(-1)
    finite_levels = np.isfinite(radii).sum(axis=1)
    n_levels = np.minimum(n_levels, finite_levels)

    # caps: the (ma - p + 1)-th nearest allowed site, and the nearest forced-open site
    cap_level = level_sorted[:, ma - p]
    forced_cols = np.flatnonzero(sites.forced[sel])
    if forced_cols.size:
        nearest_forced = ds[:, forced_cols].min(axis=1)
        lvl_forced = np.array([np.searchsorted(radii[i, : n_levels[i]], nearest_forced[i]) for i in range(n)])
        cap_level = np.minimum(cap_level, lvl_forced)
    cap_level = np.minimum(cap_level, n_levels - 1)  # 0-based max level index

    def true_cost(open_cols: np.ndarray) -> tuple[float, np.ndarray]:
        dd = ds[:, open_cols].min(axis=1)
        return float(np.dot(w, dd)), dd

    heur = _pmedian_heuristic(ds, w, p, sites.forced[sel], time_budget=max(0.5, 0.05 * (options.time_limit_s or 20)))
    best_cost, best_d = true_cost(heur)
    best_open = heur
    # initial L (0-based level index of the kept top radius): level of the heuristic's distance
    level_of = _level_lookup(radii, n_levels)
    keep = np.minimum(np.maximum(level_of(best_d), 1), cap_level)

    rounds = 0
    total_build = time.perf_counter() - t_start
    total_solve = 0.0
    lower = -math.inf
    res: SolveResult | None = None
    status = "error"
    deadline = None if options.time_limit_s is None else t_start + options.time_limit_s
    while True:
        rounds += 1
        t_b = time.perf_counter()
        model, y = _radius_model(ds, w, p, sites.forced[sel], order, level_sorted, radii, keep)
        start = np.zeros(ma)
        start[best_open] = 1.0
        model.set_start(y, start)
        sub_opts = SolverOptions(**{**options.__dict__})
        if deadline is not None:
            sub_opts.time_limit_s = max(0.1, deadline - time.perf_counter())
        total_build += time.perf_counter() - t_b
        res = model.solve(sub_opts)
        total_build += res.build_seconds
        total_solve += res.solve_seconds
        if res.best_bound is not None:
            lower = max(lower, res.best_bound)
        if not res.is_feasible:
            status = res.status
            break
        open_cols = np.flatnonzero(res.values(y) > 0.5)
        cost_now, d_now = true_cost(open_cols)
        if cost_now < best_cost - 1e-9 * max(1.0, abs(cost_now)):
            best_cost, best_d, best_open = cost_now, d_now, open_cols
        kept_radius = radii[np.arange(n), keep]
        violated = d_now > kept_radius + 1e-9 * np.maximum(1.0, kept_radius)
        if not violated.any():
            status = res.status
            break
        if res.status == "time_limit" or rounds >= max_rounds or (
            deadline is not None and time.perf_counter() >= deadline
        ):
            status = "time_limit"
            break
        grow = np.maximum(level_of(d_now), np.ceil(keep * 1.5).astype(np.int64) + 1)
        keep = np.where(violated, np.minimum(grow, cap_level), keep)

    assert res is not None
    bound = lower if math.isfinite(lower) else None
    if bound is not None:
        bound = min(bound, best_cost)
    gap = relative_gap(best_cost, bound)
    if status == "optimal" and gap is not None and gap > max(options.mip_gap, 1e-6):
        status = "gap_limit"
    if status in ("infeasible", "unbounded", "error") and not res.is_feasible:
        return _no_solution("p_median", res, dist, w, existing=sites.existing)
    open_sites = np.sort(sel[best_open])
    assignment = _nearest_open(dist, open_sites)
    return LocationSolution(
        problem="p_median",
        status=status,
        objective=best_cost,
        best_bound=bound,
        gap=gap,
        build_seconds=total_build,
        solve_seconds=total_solve,
        solver=res.solver,
        open_sites=open_sites,
        assignment=assignment,
        cost_breakdown={"assignment": best_cost},
        cost=dist,
        demand=w,
        existing=sites.existing,
        iterations=rounds,
        message=res.message,
    )


def _level_lookup(radii: np.ndarray, n_levels: np.ndarray):  # type: ignore[no-untyped-def]
    """Function mapping per-customer distances to the (0-based) level index of that distance."""

    def lookup(values: np.ndarray) -> np.ndarray:
        # radii rows are sorted ascending with inf padding: count of radii strictly below the value
        with np.errstate(invalid="ignore"):
            lv = (radii < values[:, None] - 1e-12 * np.maximum(1.0, np.abs(values[:, None]))).sum(axis=1)
        return np.minimum(lv, n_levels - 1).astype(np.int64)

    return lookup


def _radius_model(
    ds: np.ndarray,
    w: np.ndarray,
    p: int,
    forced: np.ndarray,
    order: np.ndarray,
    level_sorted: np.ndarray,
    radii: np.ndarray,
    keep: np.ndarray,
) -> tuple[MatrixModel, Any]:
    """The restricted radius model with levels ``0..keep[i]`` for customer ``i`` (see :func:`p_median`)."""
    n, ma = ds.shape
    model = MatrixModel("p_median", "min")
    y = model.add_variables("y", ma, lb=forced.astype(float), ub=1.0, integer=True)
    # z variables: for customer i, z_i^k for k = 0..keep[i]-1 (z^k = 1: nothing open within radii[i, k])
    nz_per = keep.astype(np.int64)
    z_start = np.concatenate([[0], np.cumsum(nz_per)])
    total_z = int(z_start[-1])
    ci = np.repeat(np.arange(n), nz_per)
    kk = np.arange(total_z) - z_start[ci]
    z_cost = w[ci] * (radii[ci, kk + 1] - radii[ci, kk])
    z = model.add_variables("z", total_z, ub=1.0, cost=z_cost)
    model.add_objective_constant(float(np.dot(w, radii[:, 0])))
    # one row per (i, k) with k = 0..keep[i]-1 ; row index = z_start[i] + k
    # y entries: sites at level k (k < keep[i]) go in row (i, k)
    mask = level_sorted < keep[:, None]
    ii, pos = np.nonzero(mask)
    lev = level_sorted[ii, pos]
    y_rows = z_start[ii] + lev
    y_cols = y.cols(order[ii, pos])
    zc = z.cols()
    # + z_i^k in row (i, k); - z_i^{k-1} in row (i, k) for k >= 1
    has_prev = kk >= 1
    rows = np.concatenate([y_rows, np.arange(total_z), np.flatnonzero(has_prev)])
    cols = np.concatenate([y_cols, zc, zc[np.flatnonzero(has_prev) - 1]])
    vals = np.concatenate([np.ones(y_rows.size), np.ones(total_z), -np.ones(int(has_prev.sum()))])
    lower = np.where(kk == 0, 1.0, 0.0)
    model.add_constraints("radius", rows, cols, vals, lower, np.full(total_z, np.inf))
    # customers that cannot reach every site and keep all their finite radii: the chain must close, i.e.
    # some site at the last finite radius is open if none is nearer (row: sum_{level = keep} y - z^{keep-1} >= 0)
    close = np.flatnonzero(~np.isfinite(ds).all(axis=1) & (keep >= np.isfinite(radii).sum(axis=1) - 1))
    if close.size:
        r_rows, r_cols, r_vals, r_low = [], [], [], []
        for t, i in enumerate(close):
            at_last = order[i, level_sorted[i] == keep[i]]
            r_rows.append(np.full(at_last.size, t))
            r_cols.append(y.cols(at_last))
            r_vals.append(np.ones(at_last.size))
            if keep[i] >= 1:
                r_rows.append(np.array([t]))
                r_cols.append(zc[z_start[i] + keep[i] - 1 : z_start[i] + keep[i]])
                r_vals.append(np.array([-1.0]))
            r_low.append(1.0 if keep[i] == 0 else 0.0)
        model.add_constraints("reach", np.concatenate(r_rows), np.concatenate(r_cols), np.concatenate(r_vals),
                              np.array(r_low), np.full(close.size, np.inf))
    model.add_constraints("count", np.zeros(ma), y.cols(), 1.0, [float(p)], [float(p)])
    return model, y


def _pmedian_heuristic(ds: np.ndarray, w: np.ndarray, p: int, forced: np.ndarray,
                       time_budget: float = 2.0) -> np.ndarray:
    """Greedy ADD followed by first-improvement swaps (time-bounded); returns the open column indices."""
    n, ma = ds.shape
    big = np.where(np.isfinite(ds), ds, np.nanmax(np.where(np.isfinite(ds), ds, 0)) * 10 + 1.0)
    open_cols = list(np.flatnonzero(forced))
    cur = big[:, open_cols].min(axis=1) if open_cols else np.full(n, np.inf)
    while len(open_cols) < p:
        gain = np.where(np.isfinite(cur)[:, None], np.minimum(cur[:, None], big), big)
        total = w @ gain
        total[open_cols] = np.inf
        j = int(np.argmin(total))
        open_cols.append(j)
        cur = np.minimum(cur, big[:, j])
    open_arr = np.array(open_cols, dtype=np.int64)
    t0 = time.perf_counter()
    improved = True
    free = ~forced
    while improved and time.perf_counter() - t0 < time_budget:
        improved = False
        sub = big[:, open_arr]
        srt = np.argsort(sub, axis=1)
        first = sub[np.arange(n), srt[:, 0]]
        second = sub[np.arange(n), srt[:, 1]] if open_arr.size > 1 else np.full(n, big.max() * 2)
        base = float(w @ first)
        # cost after removing open position r and adding column j, evaluated for all j at once per r
        for r in range(open_arr.size):
            if not free[open_arr[r]]:
                continue
            lose = srt[:, 0] == r
            without = np.where(lose, second, first)
            cand = w @ np.minimum(without[:, None], big)
            cand[open_arr] = np.inf
            j = int(np.argmin(cand))
            if cand[j] < base - 1e-9 * max(1.0, base):
                open_arr[r] = j
                improved = True
                break
            if time.perf_counter() - t0 > time_budget:
                break
    return np.sort(open_arr)


# ---------------------------------------------------------------------------------------------- p-center
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

    Method: binary search over the sorted distinct values ``r`` of ``w_i d_ij`` (the optimum is one of
    them). Radius ``r`` is feasible iff a set-covering MILP (``sum_{j: w_i d_ij <= r} y_j >= 1`` for every
    customer, ``sum y <= p``, forced sites fixed open) has a solution. The search starts between the
    lower bound ``max_i min_j w_i d_ij`` and the radius of a farthest-first heuristic. The smallest feasible
    radius is optimal; ``best_bound`` is the smallest radius not proven infeasible. The covering solution
    is topped up to exactly ``p`` sites greedily (extra open sites never increase the radius).
    """
    dist = _matrix(distance, "distance")
    n, m = dist.shape
    w = _vector(weights, n, "weights", "customers", default=1.0)
    sites = _sites(m, must_open, forbidden, existing)
    p = _check_p(p, sites)
    options = _opts(options)
    t0 = time.perf_counter()
    ok = _reachable(dist, sites, "served")
    wd = np.where(ok, w[:, None] * dist, np.inf)
    lb = float(wd.min(axis=1).max())
    heur = _farthest_first(wd, p, sites)
    ub = float(wd[:, heur].min(axis=1).max())
    values = np.unique(wd[np.isfinite(wd)])
    values = values[(values >= lb - 1e-12) & (values <= ub + 1e-12)]
    lo, hi = 0, values.size - 1  # values[hi] is feasible (heuristic), answer in values[lo..hi]
    best_open = heur
    deadline = None if options.time_limit_s is None else t0 + options.time_limit_s
    build = time.perf_counter() - t0
    solve_s = 0.0
    steps = 0
    status = "optimal"
    solver_name = options.solver.lower()
    while lo < hi:
        mid = (lo + hi) // 2
        steps += 1
        sub = SolverOptions(**{**options.__dict__})
        sub.mip_gap = 1.0  # a feasibility question: any feasible cover answers it
        if deadline is not None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                status = "time_limit"
                break
            sub.time_limit_s = remaining
        cover = wd <= values[mid] * (1 + 1e-12)
        model, y = _cover_model("p_center_check", cover, np.zeros(m), sites, max_sites=p)
        res = model.solve(sub)
        build += res.build_seconds
        solve_s += res.solve_seconds
        solver_name = res.solver
        if res.is_feasible:
            hi = mid
            best_open = np.flatnonzero(res.values(y) > 0.5)
        elif res.status == "infeasible":
            lo = mid + 1
        else:
            status = "time_limit" if res.status == "time_limit" else "error"
            break
    open_sites = _top_up(wd, best_open, p, sites)
    radius = float(wd[:, open_sites].min(axis=1).max())
    bound = float(values[lo])
    gap = relative_gap(radius, bound)
    return LocationSolution(
        problem="p_center",
        status=status,
        objective=radius,
        best_bound=bound,
        gap=gap,
        build_seconds=build,
        solve_seconds=solve_s,
        solver=solver_name,
        open_sites=open_sites,
        assignment=_nearest_open(wd, open_sites),
        cost_breakdown={"max_weighted_distance": radius},
        cost=dist,
        demand=w,
        existing=sites.existing,
        iterations=steps,
    )


def _farthest_first(wd: np.ndarray, p: int, sites: _Sites) -> np.ndarray:
    allowed = sites.allowed
    open_cols = list(np.flatnonzero(sites.forced))
    finite_max = np.nanmax(np.where(np.isfinite(wd), wd, np.nan))
    big = np.where(np.isfinite(wd), wd, finite_max * 10 + 1)
    cur = big[:, open_cols].min(axis=1) if open_cols else np.full(wd.shape[0], np.inf)
    while len(open_cols) < p:
        if open_cols:
            i = int(np.argmax(cur))
            row = np.where(allowed, big[i], np.inf)
            row[open_cols] = np.inf
            j = int(np.argmin(row))
        else:
            # minimise the resulting radius for the first site
            score = np.where(allowed, big.max(axis=0), np.inf)
            j = int(np.argmin(score))
        open_cols.append(j)
        cur = np.minimum(cur, big[:, j])
    return np.array(sorted(open_cols), dtype=np.int64)


def _top_up(wd: np.ndarray, open_cols: np.ndarray, p: int, sites: _Sites) -> np.ndarray:
    chosen = set(int(j) for j in open_cols) | set(int(j) for j in np.flatnonzero(sites.forced))
    finite_max = np.nanmax(np.where(np.isfinite(wd), wd, np.nan))
    big = np.where(np.isfinite(wd), wd, finite_max * 10 + 1)
    cur = big[:, sorted(chosen)].min(axis=1)
    while len(chosen) < p:
        total = np.minimum(cur[:, None], big).sum(axis=0)
        total[~sites.allowed] = np.inf
        total[sorted(chosen)] = np.inf
        j = int(np.argmin(total))
        chosen.add(j)
        cur = np.minimum(cur, big[:, j])
    return np.array(sorted(chosen), dtype=np.int64)


# ---------------------------------------------------------------------------------------------- covering
def _cover_model(name: str, cover: np.ndarray, site_cost: np.ndarray, sites: _Sites,
                 max_sites: int | None = None, budget: float | None = None) -> tuple[MatrixModel, Any]:
    n, m = cover.shape
    model = MatrixModel(name, "min")
    y = model.add_variables("y", m, lb=sites.forced.astype(float), ub=sites.allowed.astype(float),
                            cost=site_cost, integer=True)
    ci, sj = np.nonzero(cover & sites.allowed[None, :])
    model.add_constraints("cover", ci, y.cols(sj), 1.0, np.ones(n), np.full(n, np.inf))
    if max_sites is not None:
        model.add_constraints("max_sites", np.zeros(m), y.cols(), 1.0, [-np.inf], [float(max_sites)])
    if budget is not None:
        model.add_constraints("budget", np.zeros(m), y.cols(), site_cost, [-np.inf], [float(budget)])
    return model, y


def location_set_covering(
    distance: Any,
    service_distance: float,
    *,
    site_cost: Any = None,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    options: SolverOptions | None = None,
    budget: float | None = None,
) -> LocationSolution:
    """Location set covering (LSCP): the cheapest set of sites putting every customer within reach.

    ``distance[i, j]`` in any unit; customer ``i`` is covered by site ``j`` when
    ``distance[i, j] <= service_distance`` (same unit). ``site_cost[j]`` (currency, default 1 = minimise
    the number of sites; existing sites cost nothing). Formulation: ``min sum c_j y_j`` s.t.
    ``sum_{j covers i} y_j >= 1``, ``y`` binary. A customer no allowed site covers raises InfeasibleError.
    """
    dist = _matrix(distance, "distance")
    n, m = dist.shape
    r = _service(service_distance)
    cst = _vector(site_cost, m, "site_cost", "sites", default=1.0)
    sites = _sites(m, must_open, forbidden, existing)
    cover = dist <= r
    _reachable(np.where(cover, 0.0, np.inf), sites, f"covered within {r:g}")
    cst_eff = np.where(sites.existing, 0.0, cst)
    t0 = time.perf_counter()
    model, y = _cover_model("lscp", cover, cst_eff, sites, budget=budget)
    build = time.perf_counter() - t0
    res = model.solve(_opts(options))
    res.build_seconds += build
    ones = np.ones(n)
    if not res.is_feasible:
        return _no_solution("lscp", res, dist, ones, fixed_cost=cst, existing=sites.existing)
    open_sites = np.flatnonzero(res.values(y) > 0.5)
    return LocationSolution(
        **_base("lscp", res),
        open_sites=open_sites,
        assignment=_nearest_open(np.where(cover, dist, np.inf), open_sites),
        cost_breakdown={"site_cost": float(cst_eff[open_sites].sum()), "sites": float(open_sites.size)},
        cost=dist,
        demand=ones,
        fixed_cost=cst,
        existing=sites.existing,
    )


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
    demand units; the objective is the covered demand. Formulation (Church & ReVelle 1974):
    ``max sum d_i z_i`` s.t. ``z_i <= sum_{j covers i} y_j``, ``sum y_j = p``, ``y`` binary,
    ``z in [0, 1]`` (integral at an optimum once ``y`` is). Customers no allowed site covers get no ``z``.
    """
    dist = _matrix(distance, "distance")
    n, m = dist.shape
    r = _service(service_distance)
    d = _vector(demand, n, "demand", "customers", default=1.0)
    sites = _sites(m, must_open, forbidden, existing)
    p = _check_p(p, sites)
    t0 = time.perf_counter()
    cover = (dist <= r) & sites.allowed[None, :]
    coverable = np.flatnonzero(cover.any(axis=1))
    model = MatrixModel("mclp", "max")
    y = model.add_variables("y", m, lb=sites.forced.astype(float), ub=sites.allowed.astype(float), integer=True)
    z = model.add_variables("z", coverable.size, ub=1.0, cost=d[coverable])
    pos = np.full(n, -1)
    pos[coverable] = np.arange(coverable.size)
    ci, sj = np.nonzero(cover)
    rows = np.concatenate([np.arange(coverable.size), pos[ci]])
    cols = np.concatenate([z.cols(), y.cols(sj)])
    vals = np.concatenate([np.ones(coverable.size), -np.ones(ci.size)])
    model.add_constraints("covered", rows, cols, vals, np.full(coverable.size, -np.inf), np.zeros(coverable.size))
    model.add_constraints("count", np.zeros(m), y.cols(), 1.0, [float(p)], [float(p)])
    build = time.perf_counter() - t0
    res = model.solve(_opts(options))
    res.build_seconds += build
    if not res.is_feasible:
        return _no_solution("mclp", res, dist, d, existing=sites.existing)
    open_sites = np.flatnonzero(res.values(y) > 0.5)
    assignment = _nearest_open(np.where(cover, dist, np.inf), open_sites)
    covered = float(d[assignment >= 0].sum())
    return LocationSolution(
        **_base("mclp", res),
        open_sites=open_sites,
        assignment=assignment,
        cost_breakdown={"covered_demand": covered, "uncovered_demand": float(d.sum()) - covered},
        cost=dist,
        demand=d,
        existing=sites.existing,
    )


def _service(value: Any) -> float:
    try:
        r = float(value)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"service_distance must be a number, got {value!r}") from exc
    if not math.isfinite(r) or r < 0:
        raise ModelError(f"service_distance must be finite and >= 0, got {value!r}")
    return r
