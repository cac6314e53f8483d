"""Benchmark: our p-median (radius formulation + exact sparsification, direct HiGHS) vs PySAL spopt.

For each OR-Library instance, both codes start from the same distance matrix read from the file; the
read time (shortest paths) is counted for both. spopt builds the textbook model in PuLP
(``PMedian.from_cost_matrix``) and solves it with ``pulp.HiGHS``. Both results are checked against the
published optimum in bounds.txt. Not a unit test: run it by hand.

    python bench/bench_pmedian.py [pmed34 pmed40 ...] [--orlib DIR] [--time-limit S] [--skip-spopt]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from planner.model.location import p_median
from planner.model.matrix import SolverOptions
from planner.model.orlib import read_bounds, read_pmed

DEFAULT_ORLIB = Path(__file__).resolve().parents[1].parent / "shared" / "orlib"


def run_ours(path: Path, time_limit: float) -> dict:
    t0 = time.perf_counter()
    inst = read_pmed(path)
    t_read = time.perf_counter() - t0
    sol = p_median(inst.distance, inst.p, options=SolverOptions(time_limit_s=time_limit))
    total = time.perf_counter() - t0
    return {"objective": sol.objective, "status": sol.status, "read": t_read, "build": sol.build_seconds,
            "solve": sol.solve_seconds, "total": total, "rounds": sol.iterations}


def run_spopt(path: Path, time_limit: float) -> dict:
    import pulp
    from spopt.locate import PMedian

    t0 = time.perf_counter()
    inst = read_pmed(path)
    t_read = time.perf_counter() - t0
    n = inst.distance.shape[0]
    t1 = time.perf_counter()
    model = PMedian.from_cost_matrix(inst.distance, np.ones(n), p_facilities=inst.p)
    t_build = time.perf_counter() - t1
    t2 = time.perf_counter()
    model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit), results=False)
    t_solve = time.perf_counter() - t2
    total = time.perf_counter() - t0
    objective = pulp.value(model.problem.objective)
    return {"objective": objective, "status": pulp.LpStatus[model.problem.status], "read": t_read,
            "build": t_build, "solve": t_solve, "total": total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instances", nargs="*", default=["pmed34", "pmed40"])
    ap.add_argument("--orlib", type=Path, default=DEFAULT_ORLIB)
    ap.add_argument("--time-limit", type=float, default=1800.0, help="per solve, seconds")
    ap.add_argument("--skip-spopt", action="store_true")
    args = ap.parse_args()
    bounds = read_bounds(args.orlib / "bounds.txt")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    for name in args.instances:
        path = args.orlib / f"{name}.txt"
        opt = bounds[name][1]
        ours = run_ours(path, args.time_limit)
        ok = abs(ours["objective"] - opt) <= 1e-6 * abs(opt)
        print(f"{name} ours : total {ours['total']:8.2f} s (read {ours['read']:.2f}, build {ours['build']:.2f}, "
              f"solve {ours['solve']:.2f}, rounds {ours['rounds']}) objective {ours['objective']:.1f} "
              f"[{ours['status']}] optimum {opt:g} {'OK' if ok else 'MISMATCH'}")
        if args.skip_spopt:
            continue
        sp = run_spopt(path, args.time_limit)
        ok_sp = sp["objective"] is not None and abs(sp["objective"] - opt) <= 1e-6 * abs(opt)
        print(f"{name} spopt: total {sp['total']:8.2f} s (read {sp['read']:.2f}, build {sp['build']:.2f}, "
              f"solve {sp['solve']:.2f}) objective {sp['objective']} [{sp['status']}] "
              f"{'OK' if ok_sp else 'MISMATCH'}")
        print(f"{name} speed-up (spopt total / ours total): {sp['total'] / ours['total']:.1f}x")


if __name__ == "__main__":
    main()
