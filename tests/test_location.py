"""Location models against brute-force enumeration on small instances, plus input validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from planner.errors import InfeasibleError, ModelError
from planner.model.location import (
    capacitated_facility_location,
    location_set_covering,
    maximal_covering,
    p_center,
    p_median,
    uncapacitated_facility_location,
)
from planner.model.matrix import SolverOptions


def _points(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cust = rng.uniform(0, 100, (n, 2))
    site = rng.uniform(0, 100, (m, 2))
    dist = np.round(np.linalg.norm(cust[:, None, :] - site[None, :, :], axis=2), 1)
    return dist, rng.integers(1, 10, n).astype(float)


def _subsets(m: int, allowed: set[int], forced: set[int], size: int | None = None):
    free = sorted(allowed - forced)
    sizes = range(0, len(free) + 1) if size is None else [size - len(forced)]
    for k in sizes:
        if k < 0:
            continue
        for extra in itertools.combinations(free, k):
            yield sorted(forced | set(extra))


# ------------------------------------------------------------------ UFLP
def _brute_uflp(cost, fixed, must=(), forbidden=(), existing=()):
    m = cost.shape[1]
    allowed = set(range(m)) - set(forbidden)
    forced = set(must) | set(existing)
    best = np.inf
    for s in _subsets(m, allowed, forced):
        if not s:
            continue
        val = sum(fixed[j] for j in s if j not in existing) + cost[:, s].min(axis=1).sum()
        best = min(best, val)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uflp_matches_enumeration(seed: int) -> None:
    dist, demand = _points(seed, 12, 7)
    cost = dist * demand[:, None]
    fixed = np.random.default_rng(seed + 10).uniform(50, 400, 7)
    sol = uncapacitated_facility_location(cost, fixed)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(_brute_uflp(cost, fixed), rel=1e-9)
    # the assignment is to the cheapest open site and the breakdown adds up
    assert set(sol.assignment) <= set(sol.open_sites)
    np.testing.assert_allclose(cost[np.arange(12), sol.assignment], cost[:, sol.open_sites].min(axis=1))
    assert sol.cost_breakdown["fixed"] + sol.cost_breakdown["assignment"] == pytest.approx(sol.objective)


def test_uflp_must_open_forbidden_existing() -> None:
    dist, demand = _points(3, 10, 6)
    cost = dist * demand[:, None]
    fixed = np.array([100.0, 80.0, 300.0, 50.0, 200.0, 150.0])
    free = uncapacitated_facility_location(cost, fixed)
    closed = [j for j in range(6) if j not in free.open_sites][0]
    opened = int(free.open_sites[0])
    sol = uncapacitated_facility_location(cost, fixed, must_open=[closed], forbidden=[opened], existing=[5])
    assert closed in sol.open_sites and opened not in sol.open_sites and 5 in sol.open_sites
    expected = _brute_uflp(cost, fixed, must=[closed], forbidden=[opened], existing=[5])
    assert sol.objective == pytest.approx(expected, rel=1e-9)
    # existing site: no fixed cost in the breakdown
    assert sol.cost_breakdown["fixed"] == pytest.approx(sum(fixed[j] for j in sol.open_sites if j != 5))
    # boolean masks work as well as index lists
    mask = np.zeros(6, dtype=bool)
    mask[5] = True
    again = uncapacitated_facility_location(cost, fixed, must_open=[closed], forbidden=[opened], existing=mask)
    assert again.objective == pytest.approx(sol.objective)


def test_uflp_hand_checked() -> None:
    # two towns far apart: opening both (2 x 10) beats serving across (100) -> 20 + 0 assignment cost
    cost = np.array([[0.0, 100.0], [100.0, 0.0]])
    sol = uncapacitated_facility_location(cost, [10.0, 10.0])
    assert sol.objective == pytest.approx(20.0)
    np.testing.assert_array_equal(sol.open_sites, [0, 1])
    # expensive sites: one site, serve the other town across
    sol = uncapacitated_facility_location(cost, [10.0, 500.0])
    assert sol.objective == pytest.approx(110.0)
    np.testing.assert_array_equal(sol.assignment, [0, 0])
    # unreachable pair (+inf) is never used; forbidding the only reachable site is infeasible
    cost_inf = np.array([[1.0, np.inf], [2.0, 3.0]])
    sol = uncapacitated_facility_location(cost_inf, [0.0, 0.0])
    assert sol.assignment[0] == 0
    with pytest.raises(InfeasibleError, match="customer 0"):
        uncapacitated_facility_location(cost_inf, [0.0, 0.0], forbidden=[0])


# ------------------------------------------------------------------ CFLP
def _transport(cost, demand, cap, s):
    n, k = cost.shape[0], len(s)
    c = cost[:, s].reshape(-1)
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.zeros((k, n * k))
    for j in range(k):
        a_ub[j, j::k] = demand
    res = linprog(c, A_ub=a_ub, b_ub=cap[s], A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs")
    return res.fun if res.status == 0 else np.inf


def _brute_cflp_split(cost, fixed, demand, cap, must=(), forbidden=(), existing=()):
    m = cost.shape[1]
    best = np.inf
    for s in _subsets(m, set(range(m)) - set(forbidden), set(must) | set(existing)):
        if not s or cap[s].sum() < demand.sum():
            continue
        best = min(best, sum(fixed[j] for j in s if j not in existing) + _transport(cost, demand, cap, s))
    return best


def _brute_cflp_single(cost, fixed, demand, cap, must=()):
    n, m = cost.shape
    best = np.inf
    for assign in itertools.product(range(m), repeat=n):
        load = np.bincount(assign, weights=demand, minlength=m)
        if (load > cap + 1e-9).any():
            continue
        used = set(assign) | set(must)
        best = min(best, sum(fixed[j] for j in used) + cost[np.arange(n), list(assign)].sum())
    return best


def _cflp_instance(seed: int, n: int, m: int):
    dist, demand = _points(seed, n, m)
    cost = dist * demand[:, None]
    rng = np.random.default_rng(seed + 20)
    fixed = rng.uniform(100, 300, m)
    cap = np.full(m, np.ceil(demand.sum() / (m - 1.5)))
    return cost, fixed, demand, cap


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_cflp_split_matches_enumeration(seed: int, solver: str) -> None:
    cost, fixed, demand, cap = _cflp_instance(seed, 10, 5)
    sol = capacitated_facility_location(cost, fixed, demand, cap, options=SolverOptions(solver=solver))
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(_brute_cflp_split(cost, fixed, demand, cap), rel=1e-7)
    flows = sol.assignment
    assert flows.shape == (10, 5)
    np.testing.assert_allclose(flows.sum(axis=1), 1.0, atol=1e-7)
    assert ((flows * demand[:, None]).sum(axis=0) <= cap + 1e-6).all()
    frames = sol.to_frames()
    assert set(frames["sites"]["site"]) == set(sol.open_sites)
    assert (frames["sites"]["utilisation"] <= 1 + 1e-6).all()
    assert frames["assignments"]["demand"].sum() == pytest.approx(demand.sum())
    assert frames["assignments"]["cost"].sum() == pytest.approx(sol.cost_breakdown["assignment"])


@pytest.mark.parametrize("seed", [0, 1])
def test_cflp_single_sourcing_matches_enumeration(seed: int) -> None:
    cost, fixed, demand, cap = _cflp_instance(seed, 7, 4)
    single = capacitated_facility_location(cost, fixed, demand, cap, single_sourcing=True)
    split = capacitated_facility_location(cost, fixed, demand, cap)
    assert single.objective == pytest.approx(_brute_cflp_single(cost, fixed, demand, cap), rel=1e-9)
    assert single.assignment.ndim == 1
    load = np.bincount(single.assignment, weights=demand, minlength=4)
    assert (load <= cap + 1e-9).all()
    assert split.objective <= single.objective + 1e-6


def test_cflp_split_hand_checked_and_options() -> None:
    # two customers of 6 units, capacity 10 each: one site cannot serve all, split is needed
    cost = np.array([[0.0, 60.0], [60.0, 0.0]])
    sol = capacitated_facility_location(cost, [100.0, 100.0], [6.0, 6.0], [10.0, 10.0])
    assert sol.objective == pytest.approx(200.0)
    # must_open + existing + forbidden
    cost, fixed, demand, cap = _cflp_instance(4, 8, 5)
    sol = capacitated_facility_location(cost, fixed, demand, cap, must_open=[1], forbidden=[0], existing=[4])
    expected = _brute_cflp_split(cost, fixed, demand, cap, must=[1], forbidden=[0], existing=[4])
    assert sol.objective == pytest.approx(expected, rel=1e-7)
    assert {1, 4} <= set(sol.open_sites) and 0 not in sol.open_sites


def test_cflp_infeasible_capacity() -> None:
    with pytest.raises(InfeasibleError, match="exceeds the total capacity"):
        capacitated_facility_location(np.ones((2, 2)), [1, 1], [5, 5], [4, 4])
    with pytest.raises(InfeasibleError, match="more than any allowed site"):
        capacitated_facility_location(np.ones((2, 2)), [1, 1], [5, 1], [4, 4], single_sourcing=True)


# ------------------------------------------------------------------ p-median / p-center
def _brute_pmedian(dist, w, p, must=(), forbidden=(), existing=()):
    m = dist.shape[1]
    allowed = set(range(m)) - set(forbidden)
    return min(
        float(w @ dist[:, s].min(axis=1))
        for s in _subsets(m, allowed, set(must) | set(existing), size=p)
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_pmedian_matches_enumeration(seed: int, solver: str) -> None:
    dist, w = _points(seed, 15, 9)
    dist = np.round(dist / 10)  # many ties, as in graph distances
    for p in (1, 3, 5):
        sol = p_median(dist, p, weights=w, options=SolverOptions(solver=solver))
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(_brute_pmedian(dist, w, p), abs=1e-9)
        assert len(sol.open_sites) == p
        assert float(w @ dist[np.arange(15), sol.assignment]) == pytest.approx(sol.objective)


def _textbook_pmedian(dist: np.ndarray, p: int) -> float:
    """Optimum of the textbook model (x_ij <= y_j) solved by HiGHS: an independent reference."""
    from planner.model.matrix import MatrixModel

    n, m = dist.shape
    ii, jj = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    mm = MatrixModel("textbook")
    y = mm.add_variables("y", m, ub=1, integer=True)
    x = mm.add_variables("x", (n, m), ub=1, cost=dist)
    cols = x.cols(ii.ravel(), jj.ravel())
    mm.add_constraints("assign", ii.ravel(), cols, 1.0, np.ones(n), np.ones(n))
    k = np.arange(n * m)
    mm.add_constraints("vub", np.r_[k, k], np.r_[cols, y.cols(jj.ravel())],
                       np.r_[np.ones(n * m), -np.ones(n * m)], np.full(n * m, -np.inf), np.zeros(n * m))
    mm.add_constraints("p", np.zeros(m), y.cols(), 1.0, [float(p)], [float(p)])
    ref = mm.solve()
    assert ref.status == "optimal"
    return float(ref.objective)


def test_pmedian_clustered_matches_textbook_model() -> None:
    # clustered customers: six towns, four sites to place; 72C4 ~ 1M subsets is too many to enumerate here
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 100, (6, 2))
    pts = np.concatenate([c + rng.normal(0, 4, (12, 2)) for c in centres])
    dist = np.round(np.linalg.norm(pts[:, None] - pts[None, :], axis=2))
    sol = p_median(dist, 4)
    ref = _textbook_pmedian(dist, 4)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(ref)
    assert sol.best_bound == pytest.approx(ref)
    # where the time went, and what the bound and the fixing did
    for key in ("heuristic_seconds", "bound_seconds", "fixing_seconds", "search_seconds", "root_bound",
                "sites_fixed_closed", "sites_fixed_open", "sites_left", "nodes"):
        assert key in sol.phases
    assert sol.phases["root_bound"] <= ref + 1e-9
    assert sol.phases["sites_fixed_closed"] + sol.phases["sites_left"] == 72


def test_pmedian_branch_and_bound_is_exact() -> None:
    # an instance whose Lagrangian bound stays below the optimum at the root: the search has to branch
    rng = np.random.default_rng(17)
    pts = rng.uniform(0, 100, (70, 2))
    dist = np.round(np.linalg.norm(pts[:, None] - pts[None], axis=2))
    sol = p_median(dist, 6)
    assert sol.phases["root_bound"] < sol.objective
    assert sol.phases["nodes"] >= 3 and sol.iterations == sol.phases["nodes"]  # it branched
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(_textbook_pmedian(dist, 6))
    # a gap of 5 % is accepted as proof: fewer nodes, and the bound still holds
    loose = p_median(dist, 6, options=SolverOptions(mip_gap=0.05))
    assert loose.status in ("optimal", "gap_limit") and loose.gap <= 0.05 + 1e-12
    assert loose.best_bound <= sol.objective + 1e-9 <= loose.objective + 1e-9
    assert loose.phases["nodes"] <= sol.phases["nodes"]


def test_pmedian_with_unreachable_pairs() -> None:
    # +inf = unreachable: the optimum must still serve every customer from a reachable open site
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(12):
        d = np.round(rng.uniform(1, 20, (10, 10)))
        d[rng.random((10, 10)) < 0.4] = np.inf
        np.fill_diagonal(d, 0)
        best = min(float(d[:, list(s)].min(axis=1).sum()) for s in itertools.combinations(range(10), 3))
        if not np.isfinite(best):
            continue
        sol = p_median(d, 3)
        assert sol.status == "optimal" and sol.objective == pytest.approx(best)
        checked += 1
    assert checked >= 3


def test_pmedian_must_open_forbidden_existing() -> None:
    dist, w = _points(5, 12, 8)
    free = p_median(dist, 3, weights=w)
    banned = int(free.open_sites[0])
    forced = [j for j in range(8) if j not in free.open_sites][:2]
    sol = p_median(dist, 3, weights=w, must_open=[forced[0]], existing=[forced[1]], forbidden=[banned])
    expected = _brute_pmedian(dist, w, 3, must=[forced[0]], existing=[forced[1]], forbidden=[banned])
    assert sol.objective == pytest.approx(expected)
    assert set(forced) <= set(sol.open_sites) and banned not in sol.open_sites


def test_pmedian_bad_input() -> None:
    dist = np.ones((4, 3))
    with pytest.raises(ModelError, match="exceeds the 3 candidate"):
        p_median(dist, 4)
    with pytest.raises(ModelError, match="exceeds the 2 candidate"):
        p_median(dist, 3, forbidden=[0])
    with pytest.raises(ModelError, match="both forbidden and must-open"):
        p_median(dist, 2, must_open=[1], forbidden=[1])
    with pytest.raises(ModelError, match="less than the 2 must-open"):
        p_median(dist, 1, must_open=[0], existing=[2])
    with pytest.raises(ModelError, match="NaN at customer 1, site 2"):
        p_median(np.where(np.eye(4, 3) > 2, 0, np.array([[1, 2, 3]] * 4)).astype(float) + np.array(
            [[0, 0, 0], [0, 0, np.nan], [0, 0, 0], [0, 0, 0]]), 1)
    with pytest.raises(ModelError, match="weights is negative"):
        p_median(dist, 1, weights=[1, -1, 1, 1])
    with pytest.raises(ModelError, match="weights has shape"):
        p_median(dist, 1, weights=[1, 1])
    with pytest.raises(ModelError, match="outside 0..2"):
        p_median(dist, 1, must_open=[3])
    with pytest.raises(ModelError, match="p must be an integer"):
        p_median(dist, 1.5)  # type: ignore[arg-type]


def _brute_pcenter(dist, p, forbidden=()):
    m = dist.shape[1]
    return min(float(dist[:, s].min(axis=1).max()) for s in _subsets(m, set(range(m)) - set(forbidden), set(), p))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pcenter_matches_enumeration(seed: int) -> None:
    dist, _ = _points(seed, 14, 8)
    for p in (1, 2, 4):
        sol = p_center(dist, p)
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(_brute_pcenter(dist, p))
        assert sol.best_bound == pytest.approx(sol.objective)
        assert len(sol.open_sites) == p
    sol = p_center(dist, 2, forbidden=[0, 1])
    assert sol.objective == pytest.approx(_brute_pcenter(dist, 2, forbidden=[0, 1]))


def test_pcenter_hand_checked() -> None:
    # customers on a line at 0, 1, 10, 11; sites at the same points; p = 2 -> radius 1
    x = np.array([0.0, 1.0, 10.0, 11.0])
    dist = np.abs(x[:, None] - x[None, :])
    sol = p_center(dist, 2)
    assert sol.objective == pytest.approx(1.0)
    sol = p_center(dist, 2, must_open=[0])  # site 0 forced: best other site 2 or 3 -> radius 1
    assert sol.objective == pytest.approx(1.0) and 0 in sol.open_sites
    sol = p_center(dist, 2, must_open=[0, 1])
    assert sol.objective == pytest.approx(10.0)


# ------------------------------------------------------------------ covering
@pytest.mark.parametrize("seed", [0, 1])
def test_lscp_and_mclp_match_enumeration(seed: int) -> None:
    dist, w = _points(seed, 15, 8)
    r = float(dist.min(axis=1).max()) + 5.0  # every customer coverable
    cover = dist <= r
    m = 8
    best_count = min(len(s) for s in _subsets(m, set(range(m)), set()) if s and cover[:, s].any(axis=1).all())
    sol = location_set_covering(dist, r)
    assert sol.objective == pytest.approx(best_count)
    assert cover[:, sol.open_sites].any(axis=1).all()
    costs = np.arange(1, 9, dtype=float)
    best_cost = min(costs[s].sum() for s in _subsets(m, set(range(m)), set()) if s and cover[:, s].any(axis=1).all())
    assert location_set_covering(dist, r, site_cost=costs).objective == pytest.approx(best_cost)
    for p in (1, 2, 3):
        best = max(float(w[cover[:, s].any(axis=1)].sum()) for s in _subsets(m, set(range(m)), set(), p))
        mc = maximal_covering(dist, r, p, demand=w)
        assert mc.objective == pytest.approx(best)
        assert mc.cost_breakdown["covered_demand"] == pytest.approx(best)
        assert len(mc.open_sites) == p


def test_covering_options_and_errors() -> None:
    x = np.array([0.0, 5.0, 10.0])
    dist = np.abs(x[:, None] - x[None, :])
    # r = 5 covers neighbours: the middle site alone covers all
    assert location_set_covering(dist, 5.0).open_sites.tolist() == [1]
    # forbidding it needs the two ends
    assert location_set_covering(dist, 5.0, forbidden=[1]).open_sites.tolist() == [0, 2]
    # existing sites cost nothing
    sol = location_set_covering(dist, 5.0, existing=[0], site_cost=[3.0, 3.0, 1.0])
    assert sol.objective == pytest.approx(1.0) and set(sol.open_sites) == {0, 2}
    with pytest.raises(InfeasibleError):
        location_set_covering(dist, 1.0, forbidden=[0])
    with pytest.raises(ModelError, match="service_distance"):
        location_set_covering(dist, -1.0)
    mc = maximal_covering(dist, 4.0, 1, demand=[1.0, 5.0, 2.0], must_open=[2])
    assert mc.objective == pytest.approx(2.0) and mc.open_sites.tolist() == [2]
    with pytest.raises(ModelError, match="demand is negative"):
        maximal_covering(dist, 4.0, 1, demand=[1.0, -5.0, 2.0])


def test_shape_and_value_errors() -> None:
    with pytest.raises(ModelError, match="fixed_cost has shape"):
        uncapacitated_facility_location(np.ones((3, 2)), [1.0, 2.0, 3.0])
    with pytest.raises(ModelError, match="demand is negative"):
        capacitated_facility_location(np.ones((2, 2)), [1, 1], [1, -1], [5, 5])
    with pytest.raises(ModelError, match="2-D"):
        uncapacitated_facility_location(np.ones(3), [1.0])
    with pytest.raises(ModelError, match="every candidate site is forbidden"):
        uncapacitated_facility_location(np.ones((2, 2)), [1, 1], forbidden=[0, 1])
    with pytest.raises(ModelError, match="capacity is NaN"):
        capacitated_facility_location(np.ones((2, 2)), [1, 1], [1, 1], [np.nan, 5])


def test_budget_caps_the_fixed_cost_of_facility_location_and_set_covering() -> None:
    # three customers, each next to its own site; sites cost 10, serving from elsewhere costs 100
    cost = np.full((3, 3), 100.0)
    np.fill_diagonal(cost, 0.0)
    fixed = np.array([10.0, 10.0, 10.0])
    free = uncapacitated_facility_location(cost, fixed)
    assert len(free.open_sites) == 3 and free.objective == pytest.approx(30.0)
    capped = uncapacitated_facility_location(cost, fixed, budget=15.0)
    assert len(capped.open_sites) == 1 and capped.objective == pytest.approx(210.0)
    split = capacitated_facility_location(cost, fixed, np.ones(3), np.full(3, 3.0), budget=25.0)
    assert len(split.open_sites) == 2 and split.cost_breakdown["fixed"] <= 25.0
    distance = np.where(cost > 0, 5.0, 0.0)
    assert location_set_covering(distance, 1.0, site_cost=fixed, budget=25.0).status == "infeasible"
    assert len(location_set_covering(distance, 1.0, site_cost=fixed, budget=30.0).open_sites) == 3
