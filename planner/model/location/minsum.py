"""Exact solver for "open exactly p columns, each customer pays its cheapest open column" on a cost matrix.

The p-median is this problem with ``c_ij = w_i d_ij``; maximal covering is it too, with ``c_ij = 0`` when
site ``j`` covers customer ``i`` and ``c_ij = d_i`` (the customer's demand, lost) otherwise. The solve runs
in phases, each timed in the :class:`~planner.model.location.common.PhaseLog`:

1. ``heuristic``: greedy construction and best-improvement vertex substitution (the incumbent);
2. ``bound``: Lagrangian relaxation of the assignment rows maximised by subgradient steps; every new relaxed
   solution is priced and polished (a Lagrangian heuristic);
3. ``fixing``: reduced-cost fixing closes (or forces open) the columns that no improving solution can use,
   and the bound is re-optimised on the columns that remain, until nothing more is fixed;
4. ``search``: depth-first branch and bound with Lagrangian bounds and fixing at every node, when the bound
   has not yet met the incumbent.

Costs in the caller's units, times in seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from planner.model.location.common import PhaseLog
from planner.model.location.heuristics import greedy_add, swap_local_search
from planner.model.location.lagrangian import Pruning, Relaxation, fixing, subgradient
from planner.model.location.search import Incumbent, branch_and_bound

#: subgradient steps at the root (each one pass over the entries that can have a negative reduced cost)
ROOT_ITERATIONS = 3000
#: rounds of "fix, then re-optimise the bound on the remaining columns" at the root
FIXING_ROUNDS = 6


@dataclass
class MinSumResult:
    """The best open columns, their cost, a proven lower bound and whether the search was complete."""

    columns: np.ndarray
    cost: float
    bound: float
    complete: bool
    nodes: int
    candidates: np.ndarray | None = None  # without search: the columns left after fixing
    opened: np.ndarray | None = None  # without search: which of them are fixed open
    fixing_bound: float = math.inf  # lower bound on every solution the fixing excluded


def solve_min_sum(c: np.ndarray, p: int, forced: np.ndarray, pruning: Pruning, deadline: float | None,
                  log: PhaseLog, unit: str = "columns", search: bool = True) -> MinSumResult:
    """Solve ``min_{|S| = p, forced in S} sum_i min_{j in S} c_ij`` exactly (``c`` finite, ``c >= 0``).

    ``unit`` names the columns in the log lines ("sites"). Stops at ``deadline`` with the best solution
    and the bound proven so far (``complete=False``). With ``search=False`` the phases stop after fixing:
    unless the bound already proves the incumbent, the result is not complete and carries the columns left
    and those fixed open, for another method to finish.
    """
    if c.shape[0] == 0:  # no customer to serve: every choice costs nothing
        cols = np.concatenate([np.flatnonzero(forced), np.flatnonzero(~forced)])[:p]
        log.line("no customer changes the objective: any p columns are optimal")
        return MinSumResult(np.sort(cols), 0.0, 0.0, True, 0)
    with log.phase("heuristic"):
        start = greedy_add(c, p, forced)
        cols, cost = swap_local_search(c, start, forced, deadline)
        incumbent = Incumbent(cols, cost, forced)
    log.set("heuristic_cost", cost)
    log.line(f"heuristic: cost {cost:.10g} (greedy + vertex substitution, {log.seconds('heuristic'):.2f} s)")

    columns = np.arange(c.shape[1])
    opened = forced.copy()
    with log.phase("bound"):
        relax = _root_bound(c, p, opened, incumbent, pruning, deadline)
    log.set("root_bound", relax.bound)
    log.set("bound_iterations", relax.iterations)
    log.line(f"bound: {relax.bound:.10g} after {relax.iterations} subgradient steps, "
             f"incumbent {incumbent.cost:.10g} ({log.seconds('bound'):.2f} s)")

    with log.phase("fixing"):
        columns, opened, relax, proven, n_closed, n_open = _fix_root(
            c, p, columns, opened, relax, incumbent, pruning, deadline, log, unit)
    log.set(f"{unit}_fixed_closed", n_closed)
    log.set(f"{unit}_fixed_open", n_open)
    log.set(f"{unit}_left", int(columns.size))
    log.line(f"fixing: {n_closed} {unit} closed, {n_open} opened, {columns.size} left, "
             f"bound {relax.bound:.10g} ({log.seconds('fixing'):.2f} s)")

    complete = True
    bound = min(proven, relax.bound)
    nodes = 0
    log.set("search_seconds", 0.0)
    settled = pruning.closes(relax.bound, incumbent.cost) or columns.size <= p
    if not search:
        return MinSumResult(incumbent.columns, incumbent.cost, min(bound, incumbent.cost), settled, 0,
                            candidates=columns, opened=opened, fixing_bound=proven)
    if not settled:
        with log.phase("search"):
            result = branch_and_bound(c, p, columns, opened, relax, incumbent, pruning, deadline=deadline)
        complete = result.complete
        bound = min(proven, result.bound)
        nodes = result.nodes
        log.set("search_iterations", result.iterations)
        log.set("max_depth", result.max_depth)
        ending = "complete" if complete else "stopped by the time limit"
        log.line(f"search: {result.nodes} nodes, depth {result.max_depth}, {result.iterations} subgradient "
                 f"steps, {ending} ({log.seconds('search'):.2f} s)")
    log.set("nodes", nodes)
    return MinSumResult(incumbent.columns, incumbent.cost, min(bound, incumbent.cost), complete, nodes)


def _root_bound(c: np.ndarray, p: int, opened: np.ndarray, incumbent: Incumbent, pruning: Pruning,
                deadline: float | None) -> Relaxation:
    """Subgradient optimisation at the root, started from each customer's cost in the incumbent."""
    lam0 = c[:, incumbent.columns].min(axis=1)

    def polish(chosen: np.ndarray) -> float:
        return incumbent.offer(c, chosen, deadline, margin=0.02)

    return subgradient(c, p, opened, lam0, incumbent.cost, pruning, max_iter=ROOT_ITERATIONS, theta=2.0,
                       patience=20, theta_min=1e-4, deadline=deadline, on_chosen=polish, offer_every=10)


def _fix_root(c: np.ndarray, p: int, columns: np.ndarray, opened: np.ndarray, relax: Relaxation,
              incumbent: Incumbent, pruning: Pruning, deadline: float | None, log: PhaseLog, unit: str
              ) -> tuple[np.ndarray, np.ndarray, Relaxation, float, int, int]:
    """Fix, drop the closed columns and re-optimise the bound on the rest, until nothing changes."""
    proven = math.inf
    n_closed = n_open = 0
    for _ in range(FIXING_ROUNDS):
        if pruning.closes(relax.bound, incumbent.cost):
            break
        close, force, weakest = fixing(relax, p, opened, incumbent.cost, pruning)
        force &= ~opened
        if not close.any() and not force.any():
            break
        # another round pays only when this one shrank the instance noticeably
        worth_another = close.sum() + force.sum() >= 0.05 * columns.size
        proven = min(proven, weakest)
        n_closed += int(close.sum())
        n_open += int(force.sum())
        keep = ~close
        columns, opened = columns[keep], (opened | force)[keep]
        relax = _restrict(relax, keep, relax.iterations)
        if int(opened.sum()) >= p or columns.size <= p or not worth_another:
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        again = subgradient(c[:, columns], p, opened, relax.lam, incumbent.cost, pruning, max_iter=500,
                            theta=0.5, patience=15, theta_min=1e-4, deadline=deadline)
        if again.raw >= relax.raw:
            relax = again
        log.line(f"fixing round: {columns.size} {unit} left, bound {relax.bound:.10g}")
    return columns, opened, relax, proven, n_closed, n_open


def _restrict(relax: Relaxation, keep: np.ndarray, iterations: int) -> Relaxation:
    """The relaxation of the full column set seen on the kept columns (same multipliers, same bound)."""
    position = np.full(keep.size, -1, dtype=np.int64)
    position[keep] = np.arange(int(keep.sum()))
    usage = relax.usage[keep] if relax.usage is not None else None
    return Relaxation(relax.bound, relax.raw, relax.lam, relax.rho[keep], position[relax.chosen],
                      iterations, relax.scale, usage)
