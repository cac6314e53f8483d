"""Benchmark: OR-Library capa with every capacity 10000 (split demand), optimum 18438046.543.

Runs, each bounded by ``--time-limit``:

* ``strong``: :func:`planner.model.location.capacitated_facility_location` (disaggregated ``x_ij <= y_j``,
  aggregate capacity, ``sum cap_j y_j >= D``, drop-heuristic start) with ``--gap 1e-3`` (time to a proven
  0.1% gap) and with the default gap 1e-6 (time to proven optimum);
* ``textbook``: the aggregate-capacity model without the ``x_ij <= y_j`` rows nor the total-capacity cut,
  straight to HiGHS, for comparison.

The HiGHS log of each run is parsed for the first time the reported gap fell to 0.1% or below.
Not a unit test: run it by hand.

    python bench/bench_capa.py [--runs strong_gap,strong,textbook] [--time-limit S] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from planner.model.location import capacitated_facility_location
from planner.model.matrix import MatrixModel, SolverOptions
from planner.orlib import read_bounds, read_cap

DEFAULT_ORLIB = Path(__file__).resolve().parents[1].parent / "shared" / "orlib"
CAPACITY = 10000.0


def first_time_gap_below(log_path: str, target: float) -> float | None:
    """Seconds (HiGHS clock) of the first B&B log line whose gap is <= ``target`` (a fraction)."""
    pattern = re.compile(r"\s(\d+(?:\.\d+)?)%\s.*\s(\d+(?:\.\d+)?)s\s*$")
    try:
        lines = Path(log_path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        match = pattern.search(line)
        if not match:
            continue
        # the line has "... BestBound BestSol Gap% ..." ; take the last percentage before the time
        pcts = re.findall(r"(\d+(?:\.\d+)?)%", line)
        if len(pcts) >= 2 and float(pcts[-1]) / 100.0 <= target:
            return float(match.group(2))
    return None


def textbook(inst, options: SolverOptions):  # type: ignore[no-untyped-def]
    n, m = inst.cost.shape
    model = MatrixModel("capa_textbook")
    y = model.add_variables("y", m, ub=1, cost=inst.fixed_cost, integer=True)
    x = model.add_variables("x", (n, m), ub=1, cost=inst.cost)
    ii, jj = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    xc = x.cols(ii.ravel(), jj.ravel())
    model.add_constraints("assign", ii.ravel(), xc, 1.0, np.ones(n), np.ones(n))
    model.add_constraints("cap", np.r_[jj.ravel(), np.arange(m)], np.r_[xc, y.cols()],
                          np.r_[inst.demand[ii.ravel()], -inst.capacity], np.full(m, -np.inf), np.zeros(m))
    return model.solve(options)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orlib", type=Path, default=DEFAULT_ORLIB)
    ap.add_argument("--runs", default="strong_gap,strong,textbook")
    ap.add_argument("--time-limit", type=float, default=900.0)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    opt = read_bounds(args.orlib / "bounds.txt")["capa_10000"][1]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}; "
          f"optimum {opt}")
    for run in args.runs.split(","):
        fd, log = tempfile.mkstemp(prefix=f"capa_{run}_", suffix=".log")
        os.close(fd)
        gap = 1e-3 if run == "strong_gap" else 1e-6
        options = SolverOptions(time_limit_s=args.time_limit, mip_gap=gap, threads=args.threads, log_path=log)
        t0 = time.perf_counter()
        inst = read_cap(args.orlib / "capa.txt", capacity=CAPACITY)
        t_read = time.perf_counter() - t0
        if run == "textbook":
            res = textbook(inst, options)
            status, obj, bound, build, solve = res.status, res.objective, res.best_bound, res.build_seconds, res.solve_seconds
        else:
            sol = capacitated_facility_location(inst.cost, inst.fixed_cost, inst.demand, inst.capacity, options=options)
            status, obj, bound, build, solve = sol.status, sol.objective, sol.best_bound, sol.build_seconds, sol.solve_seconds
        total = time.perf_counter() - t0
        rel = None if obj is None else (obj - opt) / opt
        proven = None if obj is None or bound is None else abs(obj - bound) / abs(obj)
        t_gap = first_time_gap_below(log, 1e-3)
        print(f"{run:10s}: status {status}, objective {obj}, bound {bound}, proven gap "
              f"{'-' if proven is None else f'{proven:.2e}'}, vs optimum {'-' if rel is None else f'{rel:.2e}'}; "
              f"total {total:.1f} s (read {t_read:.1f}, build {build:.1f}, solve {solve:.1f}); "
              f"HiGHS clock at first gap <= 0.1%: {'-' if t_gap is None else f'{t_gap:.1f} s'}; log {log}")


if __name__ == "__main__":
    main()
