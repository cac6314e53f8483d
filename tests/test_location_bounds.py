"""The machinery behind the exact location models: Lagrangian bounds, reduced-cost fixing, time limits,
the phase report, p-center customer subsets and maximal covering's reduced MILP.

Every property is checked against enumeration of all site sets on instances small enough for it.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from planner.model.location import maximal_covering, p_center, p_median
from planner.model.location.lagrangian import Pruning, fixing, lagrangian_bound, subgradient
from planner.model.matrix import SolverOptions


def _instance(seed: int, n: int = 12, m: int = 9, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    d = np.linalg.norm(rng.uniform(0, 100, (n, 2))[:, None] - rng.uniform(0, 100, (m, 2))[None], axis=2)
    d = np.round(d / 10) if ties else np.round(d, 1)
    return d, rng.integers(1, 6, n).astype(float)


def _all_costs(c: np.ndarray, p: int) -> dict[tuple[int, ...], float]:
    """Cost of every set of p columns."""
    return {s: float(c[:, list(s)].min(axis=1).sum()) for s in itertools.combinations(range(c.shape[1]), p)}


@pytest.mark.parametrize("seed", range(6))
def test_lagrangian_bound_never_exceeds_the_optimum(seed: int) -> None:
    d, w = _instance(seed, ties=seed % 2 == 1)
    c = w[:, None] * d
    rng = np.random.default_rng(100 + seed)
    for p in (1, 2, 3, 5):
        costs = _all_costs(c, p)
        best = min(costs.values())
        none = np.zeros(c.shape[1], dtype=bool)
        # any multipliers at all give a lower bound, also wild ones
        for scale in (0.1, 1.0, 3.0, 30.0):
            for _ in range(10):
                lam = rng.normal(scale * c.mean(), scale * c.std() + 1.0, c.shape[0])
                assert lagrangian_bound(c, p, none, lam) <= best + 1e-9
        # the optimised bound, raw and rounded up for integral costs, stays below the optimum
        pruning = Pruning.for_costs(c, 1e-6)
        relax = subgradient(c, p, none, c.min(axis=1), best * 1.05 + 1.0, pruning, max_iter=2000)
        assert relax.raw <= best + 1e-9 and relax.bound <= best + 1e-9
        assert relax.raw == pytest.approx(lagrangian_bound(c, p, none, relax.lam))
        # with a column forced open the bound is one for the sets containing it
        j = int(np.argmax(c.sum(axis=0)))
        forced = none.copy()
        forced[j] = True
        best_with_j = min(v for s, v in costs.items() if j in s)
        for _ in range(10):
            lam = rng.normal(c.mean(), c.std() + 1.0, c.shape[0])
            assert lagrangian_bound(c, p, forced, lam) <= best_with_j + 1e-9
        relax = subgradient(c, p, forced, c.min(axis=1), best_with_j * 1.05 + 1.0, pruning, max_iter=2000)
        assert relax.raw <= best_with_j + 1e-9


def test_moving_multipliers_into_the_service_range_never_lowers_the_bound() -> None:
    # the subgradient clips lam_i to [cheapest column, cheapest open column]: L must not drop
    d, w = _instance(11)
    c = w[:, None] * d
    rng = np.random.default_rng(5)
    opened = np.zeros(c.shape[1], dtype=bool)
    opened[[2, 6]] = True
    low, high = c.min(axis=1), c[:, opened].min(axis=1)
    for _ in range(200):
        lam = rng.normal(c.mean(), 2 * c.std(), c.shape[0])
        clipped = np.clip(lam, low, high)
        assert lagrangian_bound(c, 4, opened, clipped) >= lagrangian_bound(c, 4, opened, lam) - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_fixing_keeps_every_improving_solution(seed: int) -> None:
    d, w = _instance(20 + seed, n=14, m=10, ties=seed % 2 == 0)
    c = w[:, None] * d
    for p in (2, 3, 4):
        costs = _all_costs(c, p)
        best = min(costs.values())
        pruning = Pruning.for_costs(c, 0.0)
        for upper in (best, best + 5.0):
            none = np.zeros(c.shape[1], dtype=bool)
            relax = subgradient(c, p, none, c.min(axis=1), upper, pruning, max_iter=3000)
            close, force, weakest = fixing(relax, p, none, upper, pruning)
            for s, value in costs.items():
                cut_off = bool(close[list(s)].any()) or not set(np.flatnonzero(force)) <= set(s)
                if cut_off:
                    # only solutions that cannot beat `upper` (integral costs: by at least 1) are cut off
                    assert value >= weakest - 1e-9
                    assert value > upper - 1 + 1e-9 if pruning.integral else value >= upper - 1e-9


def test_time_limit_returns_the_best_solution_and_a_valid_bound() -> None:
    rng = np.random.default_rng(3)
    pts = rng.uniform(0, 100, (400, 2))
    dist = np.round(np.linalg.norm(pts[:, None] - pts[None], axis=2))
    full = p_median(dist, 12)
    assert full.status == "optimal"
    cut = p_median(dist, 12, options=SolverOptions(time_limit_s=0.3))
    assert cut.status in ("time_limit", "optimal")
    assert cut.best_bound <= full.objective + 1e-9 <= cut.objective + 1e-9
    assert len(cut.open_sites) == 12
    if cut.status == "time_limit":
        assert cut.message == "time limit reached" and cut.gap > 0


def test_phases_go_to_the_solver_log(tmp_path: Path) -> None:
    d, w = _instance(4, n=30, m=20)
    log = tmp_path / "solver.log"
    sol = p_median(d, 3, weights=w, options=SolverOptions(log_path=str(log)))
    text = log.read_text(encoding="utf-8")
    for phase in ("heuristic:", "bound:", "fixing:", "result: optimal"):
        assert phase in text
    assert f"{sol.phases['sites_fixed_closed']} sites closed" in text
    again = p_center(d, 3, options=SolverOptions(log_path=str(log)))
    text = log.read_text(encoding="utf-8")  # appended, the p-median lines are still there
    assert "[p_median" in text and "[p_center" in text and "covering MILPs" in text
    assert again.to_dict()["phases"]["radii_tested"] == again.phases["radii_tested"]


def test_pmedian_reports_infeasible_when_no_p_sites_serve_everyone() -> None:
    d = np.array([[0.0, np.inf, np.inf], [np.inf, 0.0, np.inf], [np.inf, np.inf, 0.0]])
    sol = p_median(d, 2)
    assert sol.status == "infeasible" and sol.objective is None and not sol.is_feasible
    assert p_median(d, 3).objective == 0.0


def test_pcenter_decides_radii_on_a_subset_of_customers() -> None:
    rng = np.random.default_rng(8)
    pts = rng.uniform(0, 100, (300, 2))
    sites = rng.uniform(0, 100, (16, 2))
    d = np.round(np.linalg.norm(pts[:, None] - sites[None], axis=2), 1)
    sol = p_center(d, 4)
    best = min(float(d[:, list(s)].min(axis=1).max()) for s in itertools.combinations(range(16), 4))
    assert sol.status == "optimal" and sol.objective == pytest.approx(best)
    assert sol.best_bound == pytest.approx(best)
    # a handful of customers decides every radius: the covering MILPs stay small
    assert sol.phases["subset_customers"] < 100
    assert sol.iterations == sol.phases["cover_solves"] >= sol.phases["radii_tested"]


def test_pcenter_infeasible_and_time_limit() -> None:
    d = np.array([[0.0, np.inf], [np.inf, 0.0], [1.0, 1.0]])
    sol = p_center(d, 1)
    assert sol.status == "infeasible" and sol.objective is None and sol.open_sites.size == 0
    assert p_center(d, 2).objective == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [2, 33])
def test_mclp_finishes_with_a_reduced_milp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 100, (60, 2))
    st = rng.uniform(0, 100, (14, 2))
    d = np.round(np.linalg.norm(pts[:, None] - st[None], axis=2))
    dem = rng.integers(1, 6, 60).astype(float)
    sol = maximal_covering(d, 22.0, 4, demand=dem)
    cover = d <= 22.0
    best = max(float(dem[cover[:, list(s)].any(axis=1)].sum()) for s in itertools.combinations(range(14), 4))
    assert sol.status == "optimal" and sol.objective == pytest.approx(best)
    assert sol.best_bound >= best - 1e-9 and sol.best_bound == pytest.approx(best)
    # the bound phase could not prove it: the reduction and the MILP did, on fewer customers than given
    assert {"bound_seconds", "fixing_seconds", "reduction_seconds", "mip_seconds"} <= set(sol.phases)
    assert sol.phases["customer_groups"] < 60
    breakdown = sol.cost_breakdown
    assert breakdown["covered_demand"] + breakdown["uncovered_demand"] == pytest.approx(dem.sum())


def test_pruning_rounds_up_integral_bounds_only() -> None:
    integral = Pruning.for_costs(np.array([[1.0, 2.0], [3.0, 4.0]]), 0.0)
    fractional = Pruning.for_costs(np.array([[1.5, 2.0], [3.0, 4.0]]), 0.0)
    assert integral.integral and not fractional.integral
    assert integral.lift(9.2, 10.0) == 10.0 and fractional.lift(9.2, 10.0) == 9.2
    assert integral.closes(integral.lift(9.2, 10.0), 10.0) and not fractional.closes(9.2, 10.0)
    assert math.isinf(float(integral.lift(math.inf, 1.0)))
