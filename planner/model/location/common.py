"""What every location model shares: the solution type, input checks and the phase report.

Conventions (see :mod:`planner.model.location`): matrices are indexed ``[customer, site]``; ``+inf`` means
"cannot serve"; site sets are index sequences or boolean masks. Times are in seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from planner.errors import InfeasibleError, ModelError
from planner.model.matrix import SolveResult, SolverOptions

TOL = 1e-6


# ---------------------------------------------------------------------------------------------- result
@dataclass(kw_only=True)
class LocationSolution(SolveResult):
    """The solution of a location model: a :class:`~planner.model.matrix.SolveResult` (status, objective,
    bound, gap, seconds, solver, message) plus:

    * ``problem``: which model (``p_median``, ``p_center``, ``mclp``, ``lscp``, ``ufl``, ``cfl``...);
    * ``open_sites``: indices (into the site axis of the input matrix) of the open sites, existing included;
    * ``assignment``: for single-assignment models a 1-D int array ``customer -> site`` (``-1`` = not
      served / not covered); for split-demand CFLP a dense ``n x m`` array of the fraction of each customer's
      demand served by each site;
    * ``cost_breakdown``: objective components (e.g. ``fixed`` and ``assignment`` costs, in currency);
    * ``iterations``: search steps: the covering MILPs of the p-center, the branch-and-bound nodes of the
      p-median (at least 1), 1 for the models solved as one MILP;
    * ``phases``: where the time went and what each phase achieved (seconds per phase, bounds, sites fixed
      open or closed, nodes); see :class:`PhaseLog`.

    ``x`` (the MILP's column values) is not kept.
    """

    problem: str
    open_sites: np.ndarray
    assignment: np.ndarray
    cost_breakdown: dict[str, float]
    cost: np.ndarray = field(repr=False)
    demand: np.ndarray = field(repr=False)
    capacity: np.ndarray | None = field(default=None, repr=False)
    fixed_cost: np.ndarray | None = field(default=None, repr=False)
    existing: np.ndarray | None = field(default=None, repr=False)
    iterations: int = 1
    phases: dict[str, Any] = field(default_factory=dict)

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
            "phases": {k: (num(v) if isinstance(v, float) else v) for k, v in self.phases.items()},
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
        ci, sj = np.nonzero(flows > TOL)
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
def as_matrix(cost: Any, name: str) -> np.ndarray:
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


def as_vector(values: Any, length: int, name: str, axis: str, default: float | None = None,
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
class SiteSets:
    must: np.ndarray
    forbidden: np.ndarray
    existing: np.ndarray

    @property
    def forced(self) -> np.ndarray:
        return self.must | self.existing

    @property
    def allowed(self) -> np.ndarray:
        return ~self.forbidden


def site_sets(m: int, must_open: Any, forbidden: Any, existing: Any) -> SiteSets:
    must = _site_mask(must_open, m, "must_open")
    forb = _site_mask(forbidden, m, "forbidden")
    exist = _site_mask(existing, m, "existing")
    clash = np.flatnonzero((must | exist) & forb)
    if clash.size:
        raise ModelError(f"site(s) {clash.tolist()[:10]} are both forbidden and must-open/existing")
    if not (~forb).any():
        raise ModelError("every candidate site is forbidden")
    return SiteSets(must, forb, exist)


def check_p(p: int, sites: SiteSets) -> int:
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


def reachable(cost: np.ndarray, sites: SiteSets, what: str) -> np.ndarray:
    """Mask of usable (customer, site) pairs; raises InfeasibleError for customers no site can serve."""
    ok = np.isfinite(cost) & sites.allowed[None, :]
    lonely = np.flatnonzero(~ok.any(axis=1))
    if lonely.size:
        raise InfeasibleError(
            f"{lonely.size} customer(s) cannot be {what} by any allowed site (first: customer {lonely[0]})",
            [f"customer {i}: every allowed site has infinite cost" for i in lonely[:20]],
        )
    return ok


def default_options(options: SolverOptions | None) -> SolverOptions:
    return options or SolverOptions()


def result_fields(problem: str, res: SolveResult) -> dict[str, Any]:
    """The :class:`LocationSolution` arguments that come from the MILP's ``res`` (all but its columns)."""
    return {"problem": problem, **{f.name: getattr(res, f.name) for f in fields(SolveResult) if f.name != "x"}}


def nearest_open(cost: np.ndarray, open_sites: np.ndarray) -> np.ndarray:
    if open_sites.size == 0:
        return np.full(cost.shape[0], -1, dtype=np.int64)
    sub = cost[:, open_sites]
    best = np.argmin(sub, axis=1)
    out = open_sites[best].astype(np.int64)
    out[~np.isfinite(sub[np.arange(cost.shape[0]), best])] = -1
    return out


def no_solution(problem: str, res: SolveResult, cost: np.ndarray, demand: np.ndarray, **kw: Any) -> LocationSolution:
    return LocationSolution(
        **result_fields(problem, res),
        open_sites=np.zeros(0, dtype=np.int64),
        assignment=np.full(cost.shape[0], -1, dtype=np.int64),
        cost_breakdown={},
        cost=cost,
        demand=demand,
        **kw,
    )


# ---------------------------------------------------------------------------------------------- phase report
class PhaseLog:
    """Seconds spent per phase of a solve, with counters, echoed to the solver log.

    ``with log.phase("bound"):`` adds the block's wall-clock time to ``bound_seconds``; :meth:`count` and
    :meth:`set` record numbers (sites fixed, nodes...); :meth:`line` writes one human-readable line. Lines go
    to the console when ``options.verbose`` and are appended to ``options.log_path`` by :meth:`flush` (after
    any solver has closed the file: HiGHS truncates its log file when it opens it).
    """

    def __init__(self, problem: str, options: SolverOptions) -> None:
        self.problem = problem
        self.options = options
        self.values: dict[str, Any] = {}
        self.lines: list[str] = []
        self.started = time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            key = f"{name}_seconds"
            self.values[key] = self.values.get(key, 0.0) + time.perf_counter() - t0

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value

    def count(self, key: str, amount: int = 1) -> None:
        self.values[key] = int(self.values.get(key, 0)) + int(amount)

    def seconds(self, name: str) -> float:
        return float(self.values.get(f"{name}_seconds", 0.0))

    def line(self, text: str) -> None:
        stamped = f"[{self.problem} {time.perf_counter() - self.started:8.2f}s] {text}"
        self.lines.append(stamped)
        if self.options.verbose:
            print(stamped, flush=True)

    def flush(self) -> None:
        if self.options.log_path and self.lines:
            with open(self.options.log_path, "a", encoding="utf-8") as fh:
                fh.write("\n".join(self.lines) + "\n")
        self.lines = []

    def report(self) -> dict[str, Any]:
        """The recorded values, seconds rounded to the microsecond."""
        return {k: round(v, 6) if k.endswith("_seconds") else v for k, v in self.values.items()}
