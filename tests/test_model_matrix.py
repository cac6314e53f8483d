"""Tests of the array-based MILP core (planner.model.matrix)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from planner.errors import ModelError
from planner.model.matrix import MatrixModel, SolverOptions, VarBlock

SOLVERS = ["highs", "cbc"]


def _knapsack_model(values, weights, capacity, sense="max") -> tuple[MatrixModel, VarBlock]:
    m = MatrixModel("knapsack", sense)
    sign = 1.0 if sense == "max" else -1.0
    x = m.add_variables("x", len(values), ub=1, cost=sign * np.asarray(values, float), integer=True)
    m.add_constraints("cap", np.zeros(len(values)), x.cols(), weights, [-np.inf], [capacity])
    return m, x


def _brute_knapsack(values, weights, capacity) -> float:
    best = 0.0
    for pick in itertools.product([0, 1], repeat=len(values)):
        if np.dot(pick, weights) <= capacity:
            best = max(best, float(np.dot(pick, values)))
    return best


def test_varblock_cols_indexing() -> None:
    m = MatrixModel("idx")
    m.add_variables("a", 3)
    b = m.add_variables("b", (4, 5))
    assert b.start == 3 and b.size == 20 and b.shape == (4, 5)
    assert b.cols(0, 0).item() == 3
    assert b.cols(2, 3).item() == 3 + 2 * 5 + 3
    np.testing.assert_array_equal(b.cols(1), 3 + 5 + np.arange(5))
    np.testing.assert_array_equal(b.cols(slice(None), 4), 3 + np.arange(4) * 5 + 4)
    np.testing.assert_array_equal(b.cols(np.array([0, 3]), np.array([1, 2])), [3 + 1, 3 + 17])
    np.testing.assert_array_equal(b.cols(-1, -1), [22])
    assert b.cols().size == 20
    with pytest.raises(ModelError, match="out of range"):
        b.cols(4, 0)
    assert m.num_vars == 23 and m.num_rows == 0


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_knapsack_matches_brute_force(solver: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 30, size=10).astype(float)
    weights = rng.integers(1, 20, size=10).astype(float)
    capacity = float(weights.sum() // 2)
    best = _brute_knapsack(values, weights, capacity)
    for sense in ("max", "min"):
        m, x = _knapsack_model(values, weights, capacity, sense)
        res = m.solve(SolverOptions(solver=solver))
        assert res.status == "optimal"
        expected = best if sense == "max" else -best
        assert res.objective == pytest.approx(expected, abs=1e-6)
        chosen = np.round(res.values(x))
        assert float(np.dot(chosen, weights)) <= capacity + 1e-9
        assert float(np.dot(chosen, values)) == pytest.approx(best)
        assert res.best_bound == pytest.approx(expected, rel=1e-6)
        assert res.gap is not None and res.gap <= 1e-6
        assert res.is_feasible


@pytest.mark.parametrize("solver", SOLVERS)
def test_lp_with_ranged_and_equality_rows_and_constant(solver: str) -> None:
    # min x + 2y + 10  s.t. 1 <= x + y <= 3 (ranged), x - y == 0.5, x, y >= 0  -> x = 0.75, y = 0.25
    m = MatrixModel("lp")
    v = m.add_variables("v", 2, cost=[1.0, 2.0])
    rows = m.add_constraints("range", [0, 0], v.cols(), [1, 1], [1.0], [3.0])
    assert list(rows) == [0]
    m.add_constraints("eq", [0, 0], v.cols(), [1, -1], [0.5], [0.5])
    m.add_objective_constant(10.0)
    res = m.solve(SolverOptions(solver=solver))
    assert res.status == "optimal"
    assert res.objective == pytest.approx(11.25)
    np.testing.assert_allclose(res.values(v), [0.75, 0.25], atol=1e-7)


def test_duplicate_triplets_are_summed() -> None:
    m = MatrixModel("dup", "max")
    x = m.add_variables("x", 1, cost=1.0)
    # 0.5 x + 0.5 x <= 4  -> x <= 4
    m.add_constraints("c", [0, 0], [x.cols(0)[()], x.cols(0)[()]], [0.5, 0.5], -np.inf, 4.0)
    res = m.solve()
    assert res.objective == pytest.approx(4.0)


def test_rows_named_lists_every_block_of_that_name() -> None:
    m = MatrixModel("rows", "min")
    x = m.add_variables("x", 3)
    m.add_constraints("a", [0, 1], x.cols([0, 1]), 1.0, 0.0, 1.0)
    m.add_constraints("b", [0], x.cols([2]), 1.0, 0.0, 1.0)
    m.add_constraints("a", [0], x.cols([2]), 1.0, 0.0, 1.0)
    assert m.rows_named("a").tolist() == [0, 1, 3]
    assert m.rows_named("b").tolist() == [2]
    with pytest.raises(ModelError, match="no constraint block named 'c'"):
        m.rows_named("c")


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible_and_unbounded(solver: str) -> None:
    m = MatrixModel("inf")
    x = m.add_variables("x", 2, ub=1, integer=True)
    m.add_constraints("too_much", [0, 0], x.cols(), [1, 1], [3.0], [np.inf])
    res = m.solve(SolverOptions(solver=solver))
    assert res.status == "infeasible"
    assert res.objective is None and not res.is_feasible
    with pytest.raises(ModelError, match="no solution"):
        res.values(x)

    u = MatrixModel("unb", "max")
    y = u.add_variables("y", 1, cost=1.0)
    u.add_constraints("lower", [0], y.cols(), [1.0], [1.0], [np.inf])
    res = u.solve(SolverOptions(solver=solver))
    assert res.status in ("unbounded", "infeasible") if solver == "cbc" else res.status == "unbounded"


def test_bad_inputs_name_the_block() -> None:
    m = MatrixModel("bad")
    with pytest.raises(ModelError, match="'cost_block'.*NaN"):
        m.add_variables("cost_block", 3, cost=[1.0, np.nan, 2.0])
    with pytest.raises(ModelError, match="'inf_cost'"):
        m.add_variables("inf_cost", 2, cost=np.inf)
    with pytest.raises(ModelError, match="does not broadcast"):
        m.add_variables("shape", (2, 3), cost=np.ones(4))
    with pytest.raises(ModelError, match="lower bound above upper"):
        m.add_variables("bounds", 2, lb=3, ub=1)
    x = m.add_variables("x", 3)
    with pytest.raises(ModelError, match="already exists"):
        m.add_variables("x", 3)
    with pytest.raises(ModelError, match="'coef'.*NaN"):
        m.add_constraints("coef", [0, 0], x.cols(slice(0, 2)), [1.0, np.nan], [0.0], [1.0])
    with pytest.raises(ModelError, match="'colrange'"):
        m.add_constraints("colrange", [0], [7], [1.0], [0.0], [1.0])
    with pytest.raises(ModelError, match="'rowrange'"):
        m.add_constraints("rowrange", [0, 1], x.cols(slice(0, 2)), [1.0, 1.0], [0.0], [1.0])
    with pytest.raises(ModelError, match="'lohi'"):
        m.add_constraints("lohi", [0], [0], [1.0], [2.0], [1.0])
    with pytest.raises(ModelError, match="differ in length"):
        m.add_constraints("len", [0, 0], [0], [1.0, 1.0], [0.0], [1.0])
    with pytest.raises(ModelError, match="sense"):
        MatrixModel("s", sense="maximise")
    assert m.num_rows == 0
    with pytest.raises(ModelError, match="mip_gap"):
        m.solve(SolverOptions(mip_gap=-1))


def test_to_pulp_names_and_structure() -> None:
    m = MatrixModel("named model")
    y = m.add_variables("y", 2, ub=1, cost=[3.0, 4.0], integer=True)
    z = m.add_variables("z", (2, 2), cost=1.0)
    m.add_constraints("link", [0, 0], [z.cols(1, 0)[()], y.cols(0)[()]], [1.0, -1.0], [-np.inf], [0.0])
    m.add_constraints("pair", [0, 0], [z.cols(0, 1)[()], z.cols(1, 1)[()]], [1.0, 1.0], [1.0], [2.0])
    prob = m.to_pulp()
    names = [v.name for v in prob._matrix_vars]
    assert names == ["y_0_", "y_1_", "z_0_0_", "z_0_1_", "z_1_0_", "z_1_1_"]
    assert prob._matrix_vars[0].cat == "Integer" and prob._matrix_vars[0].upBound == 1
    # the ranged row becomes two constraints
    for name in ("link_0", "pair_0_lo", "pair_0_hi"):
        assert prob.get_constraint_by_name(name) is not None
    assert prob.get_constraint_by_name("pair_0") is None


@pytest.mark.parametrize("solver", SOLVERS)
def test_mip_start_is_accepted_and_optimum_unchanged(solver: str) -> None:
    values = [10, 13, 7, 8, 9, 4]
    weights = [5, 6, 3, 4, 4, 2]
    m, x = _knapsack_model(values, weights, 12)
    m.set_start(x, [1, 0, 1, 0, 0, 1])  # feasible, value 21
    res = m.solve(SolverOptions(solver=solver))
    assert res.objective == pytest.approx(_brute_knapsack(values, weights, 12))
    with pytest.raises(ModelError):
        m.set_start(x, [np.nan] * 6)


def test_result_to_dict_is_json_safe() -> None:
    m, _ = _knapsack_model([3, 4], [1, 1], 1)
    res = m.solve()
    d = res.to_dict()
    json.dumps(d)
    assert d["status"] == "optimal" and d["objective"] == pytest.approx(4.0) and d["solver"] == "highs"


def test_unknown_solver_is_a_model_error() -> None:
    m, _ = _knapsack_model([3, 4], [1, 1], 1)
    with pytest.raises(ModelError, match="unknown solver"):
        m.solve(SolverOptions(solver="no-such-solver"))


def test_time_limited_solve_reports_status() -> None:
    # a random set-covering-like MIP with a tiny time limit: the status must be a documented one and
    # the reported objective must be consistent with the bound
    rng = np.random.default_rng(5)
    n, k = 60, 80
    m = MatrixModel("cover")
    x = m.add_variables("x", k, ub=1, cost=rng.integers(1, 9, k).astype(float), integer=True)
    cover = rng.random((n, k)) < 0.08
    cover[np.arange(n), rng.integers(0, k, n)] = True
    r, c = np.nonzero(cover)
    m.add_constraints("cover", r, x.cols(c), 1.0, np.ones(n), np.inf)
    res = m.solve(SolverOptions(time_limit_s=0.05))
    assert res.status in ("optimal", "time_limit", "gap_limit")
    if res.objective is not None and res.best_bound is not None:
        assert res.best_bound <= res.objective + 1e-6


def test_thread_count_can_change_between_solves() -> None:
    """A solve with an explicit thread count after a default solve in the same process must work."""
    from planner.model.matrix import MatrixModel, SolverOptions

    def tiny() -> MatrixModel:
        model = MatrixModel("tiny")
        x = model.add_variables("x", 2, ub=1, cost=[1.0, 2.0], integer=True)
        model.add_constraints("cover", [0, 0], x.cols(slice(None)), [1.0, 1.0], [1.0], [np.inf])
        return model

    assert tiny().solve().objective == pytest.approx(1.0)
    for threads in (2, 1):
        result = tiny().solve(SolverOptions(threads=threads))
        assert result.status == "optimal" and result.objective == pytest.approx(1.0)


def test_highs_answer_whose_columns_disagree_with_its_objective_is_solved_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # a HiGHS whose presolved solve reports an objective the returned columns do not give (seen with
    # highspy 1.16.0): the model is solved again without presolve and the consistent answer is returned
    import highspy

    values, weights = [10.0, 7.0, 4.0, 3.0], [5.0, 4.0, 3.0, 1.0]
    m, x = _knapsack_model(values, weights, 8.0)
    real_get_info, real_set_option = highspy.Highs.getInfo, highspy.Highs.setOptionValue
    presolve_off: set[int] = set()

    class ShiftedInfo:
        def __init__(self, info: object) -> None:
            self._info = info

        def __getattr__(self, name: str) -> object:
            value = getattr(self._info, name)
            return value + 5.0 if name == "objective_function_value" else value

    def set_option(self: object, name: str, value: object) -> object:
        if name == "presolve" and value == "off":
            presolve_off.add(id(self))
        return real_set_option(self, name, value)

    def get_info(self: object) -> object:
        info = real_get_info(self)
        return info if id(self) in presolve_off else ShiftedInfo(info)

    monkeypatch.setattr(highspy.Highs, "setOptionValue", set_option)
    monkeypatch.setattr(highspy.Highs, "getInfo", get_info)
    res = m.solve(SolverOptions())
    assert presolve_off, "the model was not solved again without presolve"
    assert res.status == "optimal" and res.objective == pytest.approx(_brute_knapsack(values, weights, 8.0))
    assert float(np.dot(np.round(res.values(x)), values)) == pytest.approx(res.objective)
    assert "solved again without presolve" in res.message
