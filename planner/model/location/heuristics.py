"""Primal heuristics for the p-median and the p-center: greedy construction and swap local search.

All functions work on a cost matrix ``c[customer, column]`` over the candidate columns (allowed sites) with
finite entries only: callers replace "cannot serve" by a large penalty (see
:func:`planner.model.location.lagrangian.penalised_costs`). ``forced`` marks columns that must stay open.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp


def greedy_add(c: np.ndarray, p: int, forced: np.ndarray) -> np.ndarray:
    """Open the forced columns, then add the column that lowers the total cost most until ``p`` are open."""
    n = c.shape[0]
    open_cols = list(np.flatnonzero(forced))
    current = c[:, open_cols].min(axis=1) if open_cols else np.full(n, np.inf)
    while len(open_cols) < p:
        total = np.minimum(current[:, None], c).sum(axis=0)
        total[open_cols] = np.inf
        j = int(np.argmin(total))
        open_cols.append(j)
        current = np.minimum(current, c[:, j])
    return np.sort(np.array(open_cols, dtype=np.int64))


def nearest_two(c: np.ndarray, open_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: position (in ``open_cols``) of its cheapest open column, that cost, the second cheapest."""
    n = c.shape[0]
    sub = c[:, open_cols]
    rows = np.arange(n)
    if open_cols.size == 1:
        return np.zeros(n, dtype=np.int64), sub[:, 0].copy(), np.full(n, np.inf)
    two = np.argpartition(sub, 1, axis=1)[:, :2]
    a, b = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
    first = np.where(b < a, two[:, 1], two[:, 0])
    return first.astype(np.int64), np.minimum(a, b), np.maximum(a, b)


def solution_cost(c: np.ndarray, open_cols: np.ndarray) -> float:
    """Total cost of serving every customer from its cheapest open column."""
    return float(c[:, open_cols].min(axis=1).sum())


def swap_local_search(
    c: np.ndarray, open_cols: np.ndarray, forced: np.ndarray, deadline: float | None = None,
    max_swaps: int = 10_000,
) -> tuple[np.ndarray, float]:
    """Best-improvement vertex substitution (Teitz and Bart) with every swap priced at once.

    Swapping open column ``r`` for closed column ``j`` changes the cost by ``-(gain_j - loss_r + extra_rj)``:
    ``gain_j = sum_i max(0, d1_i - c_ij)`` (customers that move to ``j``), ``loss_r = sum_{i: r first}
    (d2_i - d1_i)`` (customers of ``r`` falling back to their second choice) and ``extra_rj = sum_{i: r first}
    max(0, d2_i - max(c_ij, d1_i))`` (those of them that ``j`` serves better than their second choice), the
    decomposition of Whitaker's fast interchange. ``extra`` for all pairs is one sparse-dense product. Stops
    at a local optimum, after ``max_swaps`` swaps or at ``deadline`` (``time.perf_counter()`` value).
    Returns the sorted open columns and their cost.
    """
    n, k = c.shape
    cols = np.array(open_cols, dtype=np.int64)
    p = cols.size
    if p == 0 or p >= k:
        return np.sort(cols), solution_cost(c, cols) if p else float("inf")
    rows = np.arange(n)
    for _ in range(max_swaps):
        if deadline is not None and time.perf_counter() > deadline:
            break
        first, d1, d2 = nearest_two(c, cols)
        if p == 1:
            d2 = np.full(n, float(c.max()) * 2 + 1.0)
        gain = np.maximum(d1[:, None] - c, 0.0).sum(axis=0)
        members = sp.csr_matrix((np.ones(n), (first, rows)), shape=(p, n))
        loss = members @ (d2 - d1)
        better = d2[:, None] - np.maximum(c, d1[:, None])
        np.maximum(better, 0.0, out=better)
        profit = members @ better
        profit += gain[None, :] - loss[:, None]
        profit[:, cols] = -np.inf
        profit[forced[cols], :] = -np.inf
        r, j = np.unravel_index(int(np.argmax(profit)), profit.shape)
        if not profit[r, j] > 1e-9 * max(1.0, float(d1.sum())):
            break
        cols[r] = j
    cols.sort()
    return cols, solution_cost(c, cols)


def alternate(c: np.ndarray, open_cols: np.ndarray, forced: np.ndarray, max_rounds: int = 20
              ) -> tuple[np.ndarray, float]:
    """Location-allocation rounds (Maranzana): move each open column to the 1-median of its customers.

    One round assigns customers to their cheapest open column and, per cluster, picks the column with the
    least total cost for that cluster (all clusters at once: one sparse-dense product). Forced columns stay;
    the rounds stop when two clusters want the same column or nothing improves. Cheap, and turns a relaxed
    Lagrangian solution into a good start for :func:`swap_local_search`. Returns the sorted columns and
    their cost.
    """
    n, k = c.shape
    cols = np.array(open_cols, dtype=np.int64)
    p = cols.size
    rows = np.arange(n)
    cost = solution_cost(c, cols)
    for _ in range(max_rounds):
        first = np.argmin(c[:, cols], axis=1)
        members = sp.csr_matrix((np.ones(n), (first, rows)), shape=(p, n))
        cluster_cost = np.asarray(members @ c)  # [cluster, column]: cost of serving the cluster from it
        best = np.argmin(cluster_cost, axis=1)
        new = np.where(forced[cols], cols, best)
        if np.unique(new).size < p:  # two clusters want the same column: stop here
            break
        value = solution_cost(c, new)
        if not value < cost - 1e-9 * max(1.0, abs(cost)):
            break
        cols, cost = new, value
    cols.sort()
    return cols, cost


def farthest_first(wd: np.ndarray, p: int, forced: np.ndarray, allowed: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """p-center start: open the forced sites, then repeatedly the site nearest to the worst-served customer.

    ``wd`` is the weighted distance matrix over all sites (``inf`` = cannot serve). Returns the site indices
    and the worst-served customers met on the way (each one far from the sites open before it: together
    they make a small set of customers that already needs many sites, a good start for customer subsets).
    """
    open_cols = list(np.flatnonzero(forced))
    finite_max = np.nanmax(np.where(np.isfinite(wd), wd, np.nan))
    big = np.where(np.isfinite(wd), wd, finite_max * 10 + 1)
    cur = big[:, open_cols].min(axis=1) if open_cols else np.full(wd.shape[0], np.inf)
    witnesses: list[int] = []
    while len(open_cols) < p:
        if open_cols:
            i = int(np.argmax(cur))
            witnesses.append(i)
            row = np.where(allowed, big[i], np.inf)
            row[open_cols] = np.inf
            j = int(np.argmin(row))
        else:
            # the first site: the one with the smallest radius on its own
            score = np.where(allowed, big.max(axis=0), np.inf)
            j = int(np.argmin(score))
        open_cols.append(j)
        cur = np.minimum(cur, big[:, j])
    witnesses.append(int(np.argmax(cur)))
    return np.array(sorted(open_cols), dtype=np.int64), np.unique(np.array(witnesses, dtype=np.int64))


def top_up(wd: np.ndarray, open_cols: np.ndarray, p: int, forced: np.ndarray, allowed: np.ndarray
           ) -> np.ndarray:
    """Add sites (greedy on the total weighted distance) until ``p`` are open: more never hurt a radius."""
    chosen = set(int(j) for j in open_cols) | set(int(j) for j in np.flatnonzero(forced))
    finite_max = np.nanmax(np.where(np.isfinite(wd), wd, np.nan))
    big = np.where(np.isfinite(wd), wd, finite_max * 10 + 1)
    cur = big[:, sorted(chosen)].min(axis=1) if chosen else np.full(wd.shape[0], np.inf)
    while len(chosen) < p:
        total = np.minimum(cur[:, None], big).sum(axis=0)
        total[~allowed] = np.inf
        total[sorted(chosen)] = np.inf
        j = int(np.argmin(total))
        chosen.add(j)
        cur = np.minimum(cur, big[:, j])
    return np.array(sorted(chosen), dtype=np.int64)
