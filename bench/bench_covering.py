"""Benchmark: p-center and maximal covering with few sites, ours vs the plain MILPs on HiGHS, same run.

Distances: all-pairs shortest paths of OR-Library p-median graphs (every node a customer and a candidate).

* p-center. Ours: :func:`planner.model.location.p_center` (binary search over the candidate radii, each
  radius decided by covering MILPs on a growing subset of customers). Baseline: the same binary search
  deciding every radius with one covering MILP over all customers (``sum_{j: d_ij <= r} y_j >= 1``,
  ``sum y <= p``), built with :class:`planner.model.matrix.MatrixModel`.
* MCLP. Ours: :func:`planner.model.location.maximal_covering` (Lagrangian bound, reduced-cost fixing,
  customer aggregation, dominated sites, reduced MILP). Baseline: Church and ReVelle's MILP over all
  customers and sites, HiGHS, same gap.

Service radii for the MCLP are quantiles of the distance matrix. Not a unit test: run it by hand.

    python bench/bench_covering.py [pmed35 ...] [--p 5,10,15] [--quantiles 0.02,0.05,0.1] [--time-limit S]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from planner.model.location import maximal_covering, p_center
from planner.model.matrix import MatrixModel, SolverOptions
from planner.orlib import read_pmed

DEFAULT_ORLIB = Path(__file__).resolve().parents[1].parent / "shared" / "orlib"


def pcenter_baseline(d: np.ndarray, p: int, time_limit: float) -> tuple[float | None, float]:
    """Binary search over the distinct distances above ``max_i min_j d_ij``, one covering MILP per radius."""
    t0 = time.perf_counter()
    values = np.unique(d)
    values = values[values >= d.min(axis=1).max()]
    lo, hi = 0, values.size - 1
    while lo < hi:
        mid = (lo + hi) // 2
        cover = d <= values[mid]
        model = MatrixModel("cover", "min")
        y = model.add_variables("y", d.shape[1], ub=1.0, integer=True)
        ci, sj = np.nonzero(cover)
        model.add_constraints("cover", ci, y.cols(sj), 1.0, np.ones(d.shape[0]), np.full(d.shape[0], np.inf))
        model.add_constraints("count", np.zeros(d.shape[1]), y.cols(), 1.0, [-np.inf], [float(p)])
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0:
            return None, time.perf_counter() - t0
        res = model.solve(SolverOptions(mip_gap=1.0, time_limit_s=left))
        if res.is_feasible:
            hi = mid
        elif res.status == "infeasible":
            lo = mid + 1
        else:
            return None, time.perf_counter() - t0
    return float(values[lo]), time.perf_counter() - t0


def mclp_baseline(d: np.ndarray, r: float, p: int, time_limit: float) -> tuple[float | None, str, float]:
    """Church and ReVelle's MILP over all customers and sites (unit demand)."""
    t0 = time.perf_counter()
    n, m = d.shape
    cover = d <= r
    model = MatrixModel("mclp", "max")
    y = model.add_variables("y", m, ub=1.0, integer=True)
    z = model.add_variables("z", n, ub=1.0, cost=1.0)
    ci, sj = np.nonzero(cover)
    model.add_constraints("covered", np.concatenate([np.arange(n), ci]), np.concatenate([z.cols(), y.cols(sj)]),
                          np.concatenate([np.ones(n), -np.ones(ci.size)]), np.full(n, -np.inf), np.zeros(n))
    model.add_constraints("count", np.zeros(m), y.cols(), 1.0, [float(p)], [float(p)])
    res = model.solve(SolverOptions(time_limit_s=time_limit))
    return res.objective, res.status, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instances", nargs="*", default=["pmed35"])
    ap.add_argument("--orlib", type=Path, default=DEFAULT_ORLIB)
    ap.add_argument("--p", default="5,10,15")
    ap.add_argument("--quantiles", default="0.02,0.05,0.1")
    ap.add_argument("--time-limit", type=float, default=600.0, help="per solve, seconds")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    ps = [int(v) for v in args.p.split(",")]
    quantiles = [float(v) for v in args.quantiles.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f} at start")
    rows = []
    for name in args.instances:
        d = read_pmed(args.orlib / f"{name}.txt").distance
        for p in ps:
            t0 = time.perf_counter()
            sol = p_center(d, p, options=SolverOptions(time_limit_s=args.time_limit))
            ours = time.perf_counter() - t0
            base, base_s = (None, None) if args.skip_baseline else pcenter_baseline(d, p, args.time_limit)
            rows.append((name, "p-center", p, "-", sol.status, sol.objective, ours, base, base_s,
                         f"{sol.phases['radii_tested']} radii, {sol.iterations} MILPs, "
                         f"{sol.phases['subset_customers']} customers"))
            print(rows[-1], flush=True)
            for q in quantiles:
                r = float(np.quantile(d, q))
                t0 = time.perf_counter()
                sol = maximal_covering(d, r, p, options=SolverOptions(time_limit_s=args.time_limit))
                ours = time.perf_counter() - t0
                ph = sol.phases
                how = ("bound" if "mip_seconds" not in ph else
                       f"MILP {ph['mip_seconds']:.1f} s on {ph['sites_left'] - ph['sites_dominated']} sites x "
                       f"{ph['customer_groups']} groups")
                base, base_status, base_s = (None, "-", None) if args.skip_baseline else mclp_baseline(
                    d, r, p, args.time_limit)
                rows.append((name, f"MCLP r={r:g}", p, base_status, sol.status, sol.objective, ours, base, base_s,
                             f"{ph.get('sites_fixed_closed', 0)} sites closed; {how}"))
                print(rows[-1], flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print("\n| instance | model | p | ours status | ours objective | ours s | baseline objective | baseline s | "
          "ratio | ours: how |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, model, p, base_status, status, obj, ours, base, base_s, how in rows:
        base_text = "-" if base is None else f"{base:g}"
        if base_status not in ("-", "optimal"):
            base_text += f" ({base_status})"
        secs = "-" if base_s is None else f"{base_s:.1f}"
        ratio = "-" if base_s is None else f"{base_s / ours:.1f}x"
        print(f"| {name} | {model} | {p} | {status} | {obj:g} | {ours:.1f} | {base_text} | {secs} | {ratio} | {how} |")


if __name__ == "__main__":
    main()
