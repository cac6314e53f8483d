"""Benchmark: a 20-run sweep, serial in-process against a 2-worker Dask LocalCluster.

Usage (from the repository root)::

    python bench/bench_sweep.py [SWEEP_FILE] [--workers 2]

Default sweep: ``sweeps/gansu_backbone_bases.yaml`` (the Gansu backbone cold chain, 4 base counts x 5
demand draws = 20 runs of about 4 s). Both sides run the same members through :func:`planner.sweep.run_sweep`
into fresh temporary directories (so nothing is skipped) and write the same result files; the Dask time
includes starting the cluster and the workers' imports. The two runs must agree on every member's status,
objective and opened sites. Prints the wall-clock times and the speed-up.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from planner.sweep import load_sweep, run_sweep

REPO = Path(__file__).resolve().parents[1]


def _sites(record: dict) -> list[str]:
    return sorted(f"{s['tier']}:{s['place_id']}" for s in record.get("sites", []))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit code (1 when the two runs disagree)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", nargs="?", default=str(REPO / "sweeps" / "gansu_backbone_bases.yaml"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    loaded = load_sweep(args.sweep)
    print(f"sweep {loaded.sweep.name}: base {loaded.base_path.name}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as serial_dir, tempfile.TemporaryDirectory() as dask_dir:
        started = time.perf_counter()
        serial = run_sweep(loaded, serial_dir, serial=True)
        serial_s = time.perf_counter() - started
        print(f"serial in-process: {len(serial.executed)} runs in {serial_s:.1f} s")
        started = time.perf_counter()
        parallel = run_sweep(loaded, dask_dir, workers=args.workers)
        dask_s = time.perf_counter() - started
        print(f"Dask LocalCluster, {args.workers} workers x 1 thread: {len(parallel.executed)} runs in {dask_s:.1f} s")
    mismatches = []
    for member in serial.members:
        a, b = serial.records[member.id], parallel.records[member.id]
        same = a["ok"] == b["ok"] and _sites(a) == _sites(b)
        if a["ok"] and b["ok"]:
            same &= math.isclose(a["objective"], b["objective"], rel_tol=1e-6)
        if not same:
            mismatches.append(member.id)
    ok = sum(1 for r in serial.records.values() if r["ok"])
    solve = sum(r.get("run_seconds") or 0.0 for r in serial.records.values())
    print(f"members: {len(serial.members)} ({ok} ok); serial sum of per-run build+solve seconds {solve:.1f} s")
    print(f"speed-up: {serial_s / dask_s:.2f}x; results identical: {not mismatches}")
    if mismatches:
        print(f"members that differ: {', '.join(mismatches)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
