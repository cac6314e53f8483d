"""Benchmark: our exact p-median (Lagrangian bound, reduced-cost fixing, branch and bound) vs PySAL spopt.

For each instance both codes start from the same OR-Library-format file: the read time (all-pairs
shortest paths) is counted for both. spopt builds the textbook model in PuLP (``PMedian.from_cost_matrix``)
and solves it with ``pulp.HiGHS``. OR-Library results are checked against bounds.txt, random instances
against each other (both are exact). Not a unit test: run it by hand (spopt: ``pip install -e .[bench]``).

Instances: OR-Library names (``pmed34``, ``pmed40``: many sites; ``pmed35``, ``pmed36``: few sites) and
random graphs ``randN_P`` written in OR-Library format the way the OR-Library ones are built: a path through
all ``N`` nodes plus random edges up to ``N^2 / 50`` edges, integer lengths uniform in 1..100, a seed fixed
per instance (``--seed`` shifts all of them).

    python bench/bench_pmedian.py [NAME ...] [--orlib DIR] [--workdir DIR] [--time-limit S]
                                   [--spopt-time-limit S] [--skip-spopt]
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

from planner.model.location import p_median
from planner.model.matrix import SolverOptions
from planner.orlib import read_bounds, read_pmed, write_pmed

DEFAULT_ORLIB = Path(__file__).resolve().parents[1].parent / "shared" / "orlib"
LARGE_P = ["pmed34", "pmed40"]
SMALL_P = ["pmed35", "pmed36", "rand500_5", "rand600_8", "rand700_10", "rand800_12", "rand900_15"]
PHASES = ("heuristic", "bound", "fixing", "search")


def random_instance(name: str, workdir: Path, seed_shift: int = 0) -> Path:
    """Write ``randN_P`` (see the module docstring) into ``workdir``; the same name gives the same file."""
    match = re.fullmatch(r"rand(\d+)_(\d+)", name)
    if not match:
        raise SystemExit(f"{name}: not an OR-Library name nor randN_P")
    n, p = int(match.group(1)), int(match.group(2))
    rng = np.random.default_rng(1000 * n + p + seed_shift)
    count = n * n // 50
    path_edges = np.column_stack([np.arange(1, n), np.arange(2, n + 1)])
    extra = count - path_edges.shape[0]
    a = rng.integers(1, n + 1, extra)
    b = rng.integers(1, n + 1, extra)
    b = np.where(a == b, b % n + 1, b)  # no self-loops
    nodes = np.vstack([path_edges, np.column_stack([a, b])])
    lengths = rng.integers(1, 101, nodes.shape[0])
    return write_pmed(workdir / f"{name}.txt", n, np.column_stack([nodes, lengths]), p)


def run_ours(path: Path, time_limit: float) -> dict:
    t0 = time.perf_counter()
    inst = read_pmed(path)
    t_read = time.perf_counter() - t0
    sol = p_median(inst.distance, inst.p, options=SolverOptions(time_limit_s=time_limit))
    total = time.perf_counter() - t0
    return {"n": inst.distance.shape[0], "p": inst.p, "objective": sol.objective, "bound": sol.best_bound,
            "status": sol.status, "read": t_read, "total": total, "phases": sol.phases}


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
    # PuLP reports status "Optimal" also when HiGHS stops at the time limit with an incumbent; the solution
    # status tells a proven optimum from a feasible solution
    solution = model.problem.sol_status
    status = "Optimal" if solution == pulp.LpSolutionOptimal else pulp.LpSolution[solution]
    return {"objective": objective, "status": status,
            "read": t_read, "build": t_build, "solve": t_solve, "total": total}


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _verdict(objective: float | None, known: float | None) -> str:
    if known is None:
        return ""
    return f" optimum {known:g} {'OK' if _same(objective, known) else 'MISMATCH'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instances", nargs="*", default=LARGE_P + SMALL_P)
    ap.add_argument("--orlib", type=Path, default=DEFAULT_ORLIB)
    ap.add_argument("--workdir", type=Path, default=None, help="where random instances are written")
    ap.add_argument("--seed", type=int, default=0, help="shift of the random instances' seeds")
    ap.add_argument("--time-limit", type=float, default=1800.0, help="per solve, seconds")
    ap.add_argument("--spopt-time-limit", type=float, default=None,
                    help="spopt's solve, seconds (default: --time-limit); a stopped run counts as a lower bound")
    ap.add_argument("--skip-spopt", action="store_true")
    args = ap.parse_args()
    bounds = read_bounds(args.orlib / "bounds.txt")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_pmedian_"))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start")
    rows = []
    for name in args.instances:
        if name.startswith("pmed"):
            path = args.orlib / f"{name}.txt"
        else:
            path = random_instance(name, workdir, args.seed)
        ours = run_ours(path, args.time_limit)
        known = bounds.get(name, (None, None))[1] if name.startswith("pmed") else None
        ph = ours["phases"]
        split = " / ".join(f"{k} {ph.get(f'{k}_seconds', 0.0):.2f}" for k in PHASES)
        print(f"{name} ours : total {ours['total']:8.2f} s (read {ours['read']:.2f}, {split}; "
              f"{ph.get('sites_fixed_closed', 0)} sites closed, {ph.get('sites_fixed_open', 0)} opened, "
              f"{ph.get('nodes', 0)} nodes) objective {ours['objective']:.1f} bound {ours['bound']:.1f} "
              f"[{ours['status']}]" + _verdict(ours["objective"], known), flush=True)
        row = {"name": name, "n": ours["n"], "p": ours["p"], "ours": ours["total"], "spopt": None,
               "phases": split, "nodes": ph.get("nodes", 0), "closed": ph.get("sites_fixed_closed", 0)}
        if not args.skip_spopt:
            sp = run_spopt(path, args.spopt_time_limit or args.time_limit)
            reference = known if known is not None else ours["objective"]
            print(f"{name} spopt: total {sp['total']:8.2f} s (read {sp['read']:.2f}, build {sp['build']:.2f}, "
                  f"solve {sp['solve']:.2f}) objective {sp['objective']} [{sp['status']}] "
                  f"{'OK' if _same(sp['objective'], reference) else 'MISMATCH'}", flush=True)
            print(f"{name} speed-up (spopt total / ours total): {sp['total'] / ours['total']:.1f}x", flush=True)
            row["spopt"] = sp["total"]
            row["spopt_done"] = sp["status"] == "Optimal"
        rows.append(row)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print("\n| instance | n | p | planner s | spopt s | ratio | planner phases s (heuristic / bound / fixing / "
          "search) | sites fixed closed | nodes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        more = "" if r.get("spopt_done", True) else "> "  # spopt stopped by the time limit: a lower bound
        sp_text = f"{more}{r['spopt']:.1f}" if r["spopt"] is not None else "-"
        ratio = f"{more}{r['spopt'] / r['ours']:.1f}x" if r["spopt"] is not None else "-"
        phases = re.sub(r"[a-z]+ ", "", r["phases"])
        print(f"| {r['name']} | {r['n']} | {r['p']} | {r['ours']:.2f} | {sp_text} | {ratio} | {phases} | "
              f"{r['closed']} | {r['nodes']} |")


if __name__ == "__main__":
    main()
