"""The per-consignment relaxation of bench/bench_coldchain_bound.py: a valid lower bound that sees the limits."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from test_coldchain import mixing_problem, random_problem

from planner.model.coldchain import ColdChainModel
from planner.model.matrix import SolverOptions

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_coldchain_bound.py"


def bench_module():
    spec = importlib.util.spec_from_file_location("bench_coldchain_bound", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def relaxation_optimum(problem, resolution_h: float, relax: bool = False) -> float:
    bound = bench_module()
    model = ColdChainModel(problem)
    out = bound.highs_solve(bound.consignment_relaxation(model, resolution_h), relax=relax, time_limit_s=60,
                            gap=1e-9)
    assert out["status"] == "Optimal"
    return out["objective"] / model.cost_scale


def test_relaxation_by_hand_on_the_mixing_instance():
    # Melons: A1 costs 100 CNY/t to P (1 h), A2 10 CNY/t (20 h); P -> B 10 h; B -> d1 5 h, B -> d2 25 h; 500 t
    # to each demand point within 40 h. Without limits A2 serves both (10 000 CNY). With mixing at B, the
    # 55 h route A2 -> d2 forbids A2 altogether: 100 000 CNY. Per consignment, A2's tonnes may go to d1
    # (35 h) and A1's to d2 (36 h): 500 x 10 + 500 x 100 = 55 000 CNY, in the LP as well.
    for resolution_h in (1.0, 4.0, 16.0):
        assert relaxation_optimum(mixing_problem(), resolution_h) == pytest.approx(55_000.0)
        assert relaxation_optimum(mixing_problem(), resolution_h, relax=True) == pytest.approx(55_000.0)
    # classes of 30 h round A2's 20 h first mile down to nothing: the bound falls back to the one without limits
    assert relaxation_optimum(mixing_problem(), 30.0) == pytest.approx(10_000.0)


@pytest.mark.parametrize("seed", [3, 6, 12])
def test_relaxation_never_exceeds_the_exact_optimum(seed):
    problem = random_problem(seed, timed=True)
    exact = ColdChainModel(problem).solve(SolverOptions(mip_gap=1e-9)).objective
    for resolution_h in (0.5, 8.0):
        assert relaxation_optimum(problem, resolution_h) <= exact * (1 + 1e-7)
