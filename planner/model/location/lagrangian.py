"""Lagrangian relaxation of the p-median: bounds by subgradient optimisation and reduced-cost fixing.

Relaxing the assignment rows ``sum_j x_ij = 1`` of the textbook model ``min sum c_ij x_ij``, ``x_ij <= y_j``,
``sum_j y_j = p`` with multipliers ``lam_i`` leaves

    L(lam) = sum_i lam_i + min { sum_j rho_j y_j : sum_j y_j = p, forced columns open },
    rho_j  = sum_i min(0, c_ij - lam_i),

solved by taking the forced columns and the ``p - |forced|`` smallest ``rho_j``. For every ``lam`` this is a
lower bound on the optimum; its maximum equals the LP bound of the textbook model (Geoffrion's integrality
property). The subgradient ``g_i = 1 - #{chosen j : c_ij < lam_i}`` drives Polyak steps towards a target
(the best known cost).

Reduced-cost fixing (valid for every solution that improves on the incumbent): opening a column that the
relaxation leaves closed raises the bound by at least ``rho_j - rho_q`` (``rho_q``: the largest chosen free
``rho``), closing a chosen one by ``rho_{q+1} - rho_j``. When the raised bound reaches the incumbent the
column is fixed closed (open).

Costs are in the caller's units; ``c`` must be finite (see :func:`penalised_costs`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def penalised_costs(wd: np.ndarray) -> tuple[np.ndarray, float]:
    """Replace ``inf`` ("cannot serve") by a penalty ``M`` larger than the cost of any feasible solution.

    ``M = 4 (sum_i max_j finite(wd_ij) + 1)``: one customer served at ``M`` costs more than every customer
    served at its worst finite cost, so a solution that costs less than ``M`` serves everyone, and the margin
    keeps a relative pruning gap below 3/4 from discarding a feasible solution while the incumbent is still
    infeasible. Integral data keep an integral ``M``. Returns the matrix and ``M``.
    """
    finite = np.isfinite(wd)
    worst = np.where(finite, wd, 0.0).max(axis=1)
    penalty = 4.0 * float(math.floor(worst.sum()) + 1.0)
    return np.where(finite, wd, penalty), penalty


#: weight of the newest relaxed solution in the smoothed column usage
USAGE_SMOOTHING = 0.1
#: subgradient steps a gathering of reduced-cost entries is sized for (see ReducedCosts)
GATHER_STEPS = 20.0


@dataclass
class Pruning:
    """When a lower bound proves that a set of solutions cannot improve on the incumbent.

    ``integral``: every cost is an integer, so a bound ``b`` rounds up to ``ceil(b)``. ``rel_gap``: relative
    gap accepted as proof (the MIP gap of the solver options); ``abs_gap``: absolute gap accepted (for
    objectives whose gap is measured on another quantity, as maximal covering's covered demand).
    """

    integral: bool
    rel_gap: float
    abs_gap: float = 0.0

    def lift(self, bound: float | np.ndarray, scale: float) -> float | np.ndarray:
        """``bound`` rounded up to the next integer for integral data, after a float-error allowance."""
        slack = 1e-9 * max(1.0, scale)
        if not self.integral or slack >= 0.5:
            return bound
        return np.ceil(np.asarray(bound, dtype=np.float64) - slack)

    def closes(self, bound: float | np.ndarray, upper: float) -> bool | np.ndarray:
        """True when ``bound`` (already lifted) leaves no room below ``upper`` (elementwise for arrays)."""
        slack = max(self.rel_gap * abs(upper), self.abs_gap)
        return bound >= upper - slack - 1e-12 * max(1.0, abs(upper))

    @staticmethod
    def for_costs(c: np.ndarray, rel_gap: float, abs_gap: float = 0.0) -> Pruning:
        integral = bool(np.all(np.abs(c) < 2.0**50) and np.array_equal(c, np.round(c)))
        return Pruning(integral, max(0.0, float(rel_gap)), max(0.0, float(abs_gap)))


@dataclass
class Relaxation:
    """The best Lagrangian bound found and what it was made of."""

    bound: float  # lifted L(lam) (see Pruning.lift)
    raw: float  # L(lam) as computed
    lam: np.ndarray  # multipliers
    rho: np.ndarray  # column reduced costs at lam
    chosen: np.ndarray  # columns the relaxation opens (forced first)
    iterations: int
    scale: float  # magnitude of the terms summed, for float-error allowances
    usage: np.ndarray | None = None  # smoothed share of the steps in which each column was chosen


class ReducedCosts:
    """``rho_j = sum_i min(0, c_ij - lam_i)`` computed from the entries that can be negative.

    Only entries with ``c_ij < lam_i`` contribute: a few percent of the matrix once the multipliers are near
    the customers' service costs. The entries below a per-customer ceiling ``lam_i + rise`` are gathered
    once and reused while every ``lam_i`` stays below its ceiling. A subgradient step raises ``lam_i`` by at
    most the step length (``g_i <= 1``), so ``rise`` = a few step lengths keeps the gathering valid for as
    many steps (capped at a quarter of the mean ``|lam_i|`` while steps are long); it is redone when a
    multiplier gets through.
    """

    def __init__(self, c: np.ndarray, high: np.ndarray) -> None:
        self.c = c
        self.high = high  # lam_i never exceeds high_i, so neither must a ceiling
        self.ceiling = np.full(c.shape[0], -np.inf)
        self.rows = self.cols = np.zeros(0, dtype=np.int64)
        self.vals = np.zeros(0)
        self.gathered = 0

    def rho(self, lam: np.ndarray, rise: float) -> np.ndarray:
        if (lam > self.ceiling).any():
            self.ceiling = np.minimum(lam + min(rise, 0.25 * float(np.abs(lam).mean())) + 1e-9, self.high)
            rows, cols = np.nonzero(self.c < self.ceiling[:, None])
            self.rows, self.cols, self.vals = rows, cols, self.c[rows, cols]
            self.gathered += 1
        v = self.vals - lam[self.rows]
        np.minimum(v, 0.0, out=v)
        return np.bincount(self.cols, weights=v, minlength=self.c.shape[1])


class _Chooser:
    """The relaxed solution: forced columns plus the ``p - |forced|`` free ones with the smallest ``rho``."""

    def __init__(self, p: int, opened: np.ndarray) -> None:
        self.fixed = np.flatnonzero(opened)
        self.free = np.flatnonzero(~opened)
        self.q = p - self.fixed.size

    def __call__(self, rho: np.ndarray) -> np.ndarray:
        if self.q <= 0:
            return self.fixed
        free = self.free
        if self.q < free.size:
            free = free[np.argpartition(rho[free], self.q - 1)[: self.q]]
        return np.concatenate([self.fixed, free]) if self.fixed.size else free


def lagrangian_bound(c: np.ndarray, p: int, opened: np.ndarray, lam: np.ndarray) -> float:
    """``L(lam)`` for any multipliers: a lower bound on every solution that opens the ``opened`` columns."""
    lam = np.asarray(lam, dtype=np.float64)
    rho = np.minimum(c - lam[:, None], 0.0).sum(axis=0)
    return float(lam.sum() + rho[_Chooser(p, opened)(rho)].sum())


def subgradient(
    c: np.ndarray,
    p: int,
    opened: np.ndarray,
    lam: np.ndarray,
    upper: float,
    pruning: Pruning,
    *,
    max_iter: int,
    theta: float = 2.0,
    patience: int = 20,
    theta_min: float = 1e-4,
    deadline: float | None = None,
    on_chosen: Callable[[np.ndarray], float] | None = None,
    offer_every: int = 0,
) -> Relaxation:
    """Maximise ``L(lam)`` by subgradient steps ``lam += theta (upper - L) / |g|^2 g``.

    ``theta`` halves after ``patience`` steps without a better bound; the search stops when the bound closes
    the gap to ``upper`` (see :class:`Pruning`), when ``theta < theta_min``, after ``max_iter`` steps or at
    ``deadline``. ``on_chosen(columns)`` is called with each new best relaxed solution (and every
    ``offer_every`` steps when positive) and may return a better ``upper`` (a Lagrangian heuristic); at the
    end it is also offered the ``p`` columns the smoothed relaxed solutions use most.
    """
    # L only grows when lam_i is moved into [cheapest column, cheapest open column]: below the first the
    # customer adds lam_i and nothing else, above the second an open column's rho absorbs the excess
    # (and beyond the dearest column every chosen column absorbs it: p >= 1 of them)
    low = c.min(axis=1)
    high = c[:, opened].min(axis=1) if opened.any() else c.max(axis=1)
    lam = np.clip(np.asarray(lam, dtype=np.float64), low, high)
    costs = ReducedCosts(c, high)
    choose = _Chooser(p, opened)
    usage = np.zeros(c.shape[1])
    best: Relaxation | None = None
    stall = 0
    it = 0
    rise = np.inf
    for it in range(1, max_iter + 1):
        rho = costs.rho(lam, rise)
        chosen = choose(rho)
        value = float(lam.sum() + rho[chosen].sum())
        # exponential smoothing of the relaxed solutions approximates the LP's fractional y (volume algorithm)
        if it > 1:
            usage *= 1.0 - USAGE_SMOOTHING
            usage[chosen] += USAGE_SMOOTHING
        else:
            usage[chosen] = 1.0
        if best is None or value > best.raw + 1e-12 * max(1.0, abs(value)):
            scale = float(np.abs(lam).sum() + np.abs(rho[chosen]).sum())
            best = Relaxation(float(pruning.lift(value, scale)), value, lam.copy(), rho, chosen, it, scale)
            stall = 0
            if on_chosen is not None:
                upper = min(upper, on_chosen(chosen))
        else:
            stall += 1
            if stall >= patience:
                theta /= 2.0
                stall = 0
            if on_chosen is not None and offer_every and it % offer_every == 0:
                upper = min(upper, on_chosen(chosen))
        if pruning.closes(best.bound, upper) or theta < theta_min:
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        # subgradient of the relaxed assignment rows: 1 - (number of chosen columns serving i)
        served = (c[:, chosen] < lam[:, None]).sum(axis=1)
        g = 1.0 - served
        if float(g @ g) == 0.0:
            break  # the relaxed solution is feasible: L(lam) is its cost, nothing better below
        norm = float(g @ g)
        step = theta * (upper - value) / norm
        lam += step * g
        np.clip(lam, low, high, out=lam)
        rise = GATHER_STEPS * abs(step)
    assert best is not None
    best.iterations = it
    best.usage = usage
    if on_chosen is not None and not pruning.closes(best.bound, upper):
        on_chosen(choose(-usage))
    return best


def fixing(relax: Relaxation, p: int, opened: np.ndarray, upper: float, pruning: Pruning
           ) -> tuple[np.ndarray, np.ndarray, float]:
    """Columns that every improving solution keeps closed / open, by reduced costs at ``relax.lam``.

    Returns ``(close, force_open, weakest)``: boolean masks over the columns and the smallest lifted bound
    among the fixing tests that succeeded (``inf`` if none), a valid bound for the solutions they exclude.
    """
    rho = relax.rho
    k = rho.size
    close = np.zeros(k, dtype=bool)
    force = np.zeros(k, dtype=bool)
    chosen = np.zeros(k, dtype=bool)
    chosen[relax.chosen] = True
    inside = np.flatnonzero(chosen & ~opened)
    outside = np.flatnonzero(~chosen & ~opened)
    if inside.size == 0 or outside.size == 0:
        return close, force, math.inf
    rho_q, rho_next = rho[inside].max(), rho[outside].min()
    weakest = math.inf
    for columns, raised, mask in (
        (outside, relax.raw + (rho[outside] - rho_q), close),  # opening a column left out
        (inside, relax.raw + (rho_next - rho[inside]), force),  # closing a chosen column
    ):
        lifted = np.asarray(pruning.lift(raised, relax.scale))
        hit = np.asarray(pruning.closes(lifted, upper), dtype=bool)
        mask[columns[hit]] = True
        if hit.any():
            weakest = min(weakest, float(lifted[hit].min()))
    return close, force, weakest
