"""Benchmark: loading 100,000-row user demand and supply tables (target: under 5 s each).

Writes a demand table (name, product, tonnes) over the Gansu county seats and a supply table (adcode,
product, tonnes) of ``--rows`` rows each, then times in one process:

* ``read_demand_table`` / ``read_supply_table`` (what ``planner validate`` and ``planner run`` call):
  the file read as text with the csv module, each distinct key resolved once, numbers checked as arrays;
* ``check_scenario`` of a scenario using the demand table (the whole of ``planner validate`` in-process);
* the baseline: one ``resolve_place`` call per row, as the loader did before, on the first
  ``--baseline-rows`` rows, extrapolated to the full table.

Each timing reads a fresh copy of the file (reads of an unchanged file are cached). Run:
``python bench/bench_tables.py`` (``--rows 100000 --baseline-rows 2000`` by default).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from planner.network.places import resolve_place
from planner.regions import load_county_seats
from planner.scenario.load import check_scenario
from planner.scenario.tables import read_demand_table, read_supply_table

PRODUCTS = ["apple", "potato"]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _best(runs: int, action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    seats = load_county_seats()
    gansu = seats[seats["adcode"].astype(str).str.startswith("62")]
    names = [str(n) for n in gansu["name_zh"]]
    codes = [str(c) for c in gansu["adcode"]]
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(names), args.rows)
    product = rng.integers(0, len(PRODUCTS), args.rows)
    tonnes = np.round(rng.uniform(0, 50, args.rows), 3)
    points = list(dict.fromkeys(resolve_place(n) for n in names))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        demand = root / "demand.csv"
        supply = root / "supply.csv"
        _write(demand, ["name", "product", "tonnes"], [[names[k], PRODUCTS[p], t] for k, p, t in zip(pick, product, tonnes, strict=True)])
        _write(supply, ["adcode", "product", "tonnes"], [[codes[k], PRODUCTS[p], t] for k, p, t in zip(pick, product, tonnes, strict=True)])
        copies = iter(range(10**6))

        def fresh(path: Path) -> Path:
            copy = root / f"{path.stem}_{next(copies)}.csv"
            shutil.copyfile(path, copy)
            return copy

        resolve_place(names[0])  # warm the place tables
        notes: list[str] = []
        demand_s = _best(args.runs, lambda: read_demand_table(fresh(demand), None, "name", PRODUCTS, points, notes))
        supply_s = _best(args.runs, lambda: read_supply_table(fresh(supply), None, "adcode", PRODUCTS))
        scenario = root / "scenario.yaml"

        def validate() -> None:
            table = fresh(demand)
            scenario.write_text(
                "name: bench_tables\ntitle: 100k-row demand table\nmodel: p_median\nregion: [gansu]\n"
                "metric: time_h\ncandidates: {roles: [emergency_reserve_centre]}\np: 2\n"
                f"demand:\n  points: {{county_seats_of: [gansu]}}\n  key: name\n  weights: {table.name}\n",
                encoding="utf-8",
            )
            _, problems = check_scenario(scenario)
            assert not problems, problems[0]

        validate_s = _best(args.runs, validate)
        with demand.open(encoding="utf-8", newline="") as handle:
            sample = [row for _, row in zip(range(args.baseline_rows + 1), csv.reader(handle), strict=False)][1:]
        start = time.perf_counter()
        for row in sample:
            resolve_place(row[0])
        per_row = (time.perf_counter() - start) / len(sample)
    baseline = per_row * args.rows
    print(f"rows: {args.rows:,} ({len(set(names))} distinct places, {len(PRODUCTS)} products); best of {args.runs}")
    print(f"read_demand_table (name key):  {demand_s:.3f} s")
    print(f"read_supply_table (adcode key): {supply_s:.3f} s")
    print(f"check_scenario (validate) with the demand table: {validate_s:.3f} s")
    print(f"baseline, resolve_place per row: {per_row * 1000:.3f} ms/row over {len(sample):,} rows -> "
          f"{baseline:.1f} s for {args.rows:,} rows ({baseline / demand_s:.0f}x the demand table read)")
    print(f"note: {notes[0] if notes else 'no repeated rows'}")


if __name__ == "__main__":
    main()
