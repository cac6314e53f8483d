"""Exact p-median search: Lagrangian bounds, reduced-cost fixing and depth-first branch and bound.

The search works on a cost matrix ``c[customer, column]`` (finite, see
:func:`~planner.model.location.lagrangian.penalised_costs`) and keeps the incumbent (best known open
columns). A node is a set of candidate columns with some of them forced open. At every node the
Lagrangian bound is re-optimised from the parent's multipliers; the node is discarded when the bound
reaches the incumbent, otherwise reduced-cost fixing removes columns (or forces them open) and the node
branches on the free column that the smoothed relaxed solutions use closest to half the time (the most
fractional one of the LP): first forced open, then removed. The relaxed solution of every node is priced
and, when it beats the incumbent, improved by local search.

The result is exact: a node is only discarded by a valid bound, so when the search ends the incumbent is
optimal within the pruning tolerance (:class:`~planner.model.location.lagrangian.Pruning`). With a time
limit the smallest bound of the discarded and unexplored nodes is a valid lower bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from planner.model.location.heuristics import alternate, solution_cost, swap_local_search
from planner.model.location.lagrangian import Pruning, Relaxation, fixing, subgradient

#: subgradient steps per node (warm-started from the parent's multipliers)
NODE_ITERATIONS = 80


@dataclass
class Incumbent:
    """Best known solution: open columns and cost (``inf`` before the first one)."""

    columns: np.ndarray
    cost: float
    forced: np.ndarray  # columns that every solution opens (local search never closes them)
    seen: set[bytes] = field(default_factory=set)
    improvements: int = 0

    def offer(self, c: np.ndarray, columns: np.ndarray, deadline: float | None, margin: float = 0.0) -> float:
        """Price ``columns`` (a full set of open columns) and polish it when it looks promising.

        Within ``4 * margin`` of the incumbent (relative) it gets location-allocation rounds, within
        ``margin`` also swap local search; ``margin < 0`` never polishes. Returns the (possibly improved)
        incumbent cost. Each distinct set is priced once.
        """
        cols = np.sort(np.asarray(columns, dtype=np.int64))
        key = cols.tobytes()
        if key in self.seen:
            return self.cost
        self.seen.add(key)
        value = solution_cost(c, cols)
        if margin >= 0 and value < self.cost * (1.0 + 4 * margin) + 1e-9 * max(1.0, abs(value)):
            cols, value = alternate(c, cols, self.forced)
        if margin >= 0 and value < self.cost * (1.0 + margin) - 1e-9 * max(1.0, abs(value)):
            cols, value = swap_local_search(c, cols, self.forced, deadline)
            self.seen.add(cols.tobytes())
        if value < self.cost - 1e-9 * max(1.0, abs(value)):
            self.columns, self.cost = cols, value
            self.improvements += 1
        return self.cost


@dataclass
class SearchResult:
    """Outcome of :func:`branch_and_bound`."""

    complete: bool  # the tree was exhausted (the incumbent is proven optimal)
    bound: float  # valid lower bound on the optimum (lifted; <= incumbent cost)
    nodes: int
    iterations: int  # subgradient steps over all nodes
    max_depth: int


@dataclass
class _Node:
    columns: np.ndarray  # candidate columns (indices into c)
    opened: np.ndarray  # bool over columns: forced open
    lam: np.ndarray
    bound: float  # parent's bound: valid for this node until it is processed
    depth: int


def branch_and_bound(
    c: np.ndarray,
    p: int,
    columns: np.ndarray,
    opened: np.ndarray,
    root: Relaxation,
    incumbent: Incumbent,
    pruning: Pruning,
    *,
    deadline: float | None = None,
    node_iterations: int = NODE_ITERATIONS,
) -> SearchResult:
    """Depth-first branch and bound over the candidate ``columns`` (``opened`` forced open).

    ``root`` is the relaxation already optimised for this column set (its multipliers start the children).
    """
    stack: list[_Node] = [_Node(columns, opened, root.lam, root.bound, 0)]
    nodes = 0
    iterations = 0
    max_depth = 0
    proven = math.inf  # smallest bound among the discarded parts of the tree
    first = True
    while stack:
        if deadline is not None and time.perf_counter() > deadline:
            proven = min(proven, min(node.bound for node in stack))
            return SearchResult(False, min(proven, incumbent.cost), nodes, iterations, max_depth)
        node = stack.pop()
        nodes += 1
        max_depth = max(max_depth, node.depth)
        if pruning.closes(node.bound, incumbent.cost):
            proven = min(proven, node.bound)
            continue
        sub = c[:, node.columns]
        if first:
            relax = root
            first = False
        else:
            relax = subgradient(
                sub, p, node.opened, node.lam, incumbent.cost, pruning, max_iter=node_iterations,
                theta=2.0, patience=8, theta_min=1e-3, deadline=deadline,
            )
            iterations += relax.iterations
        bound = max(relax.bound, node.bound)
        if pruning.closes(bound, incumbent.cost):
            proven = min(proven, bound)
            continue
        incumbent.offer(c, node.columns[relax.chosen], deadline)
        if pruning.closes(bound, incumbent.cost):
            proven = min(proven, bound)
            continue
        close, force, weakest = fixing(relax, p, node.opened, incumbent.cost, pruning)
        proven = min(proven, weakest)
        keep = ~close
        cols, opened_now = node.columns[keep], (node.opened | force)[keep]
        n_open = int(opened_now.sum())
        if n_open > p or cols.size < p:
            continue  # fixing left no room for an improving solution (its bound is in `weakest`)
        if n_open == p or cols.size == p:
            leaf = cols[opened_now] if n_open == p else cols
            incumbent.offer(c, leaf, deadline, margin=-1.0)
            proven = min(proven, max(bound, solution_cost(c, leaf)))
            continue
        j = _branching_column(relax, keep, opened_now)
        without = np.ones(cols.size, dtype=bool)
        without[j] = False
        stack.append(_Node(cols[without], opened_now[without], relax.lam, bound, node.depth + 1))
        with_j = opened_now.copy()
        with_j[j] = True
        stack.append(_Node(cols, with_j, relax.lam, bound, node.depth + 1))
    return SearchResult(True, min(proven, incumbent.cost), nodes, iterations, max_depth)


def _branching_column(relax: Relaxation, keep: np.ndarray, opened: np.ndarray) -> int:
    """The free column whose smoothed usage is nearest one half (ties: the most negative reduced cost)."""
    candidates = np.flatnonzero(~opened)
    rho = relax.rho[keep][candidates]
    if relax.usage is None:
        return int(candidates[np.argmin(rho)])
    usage = relax.usage[keep][candidates]
    score = usage * (1.0 - usage)
    best = np.flatnonzero(score >= score.max() - 1e-12)
    return int(candidates[best[np.argmin(rho[best])]])

