"""Benchmark: start-up of the command line, whole process, against the bare interpreter.

Times ``planner --help`` and ``planner validate FILE`` as a user's shell starts them (a new Python
process each, ``python -m planner`` of this checkout), together with named baselines run in turn with
them (A B A B ...): ``python -c pass`` (the interpreter alone) and the imports each command cannot avoid
(Typer for help; pandas, geopandas, pydantic, Typer and PyYAML for validate). Reports the median wall and
CPU (user + system) seconds and the median of the paired ratios. Targets: help under 0.3 s, validate
under 1 s on an idle machine; on a loaded one read the ratios. Not a unit test: run it by hand.

    python bench/bench_cli.py [--runs N] [--other CHECKOUT] [--append]

``--other`` also times the same commands in another checkout (e.g. the previous version); ``--append``
adds the table to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/gansu_emergency_reserves.yaml"


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall s, cpu s) of one run of ``command`` (output discarded; it must exit 0)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                          env={**os.environ, "COLUMNS": "100"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(commands: dict[str, tuple[list[str], Path]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """Each command ``runs`` times, interleaved (one warm-up each first, not counted)."""
    for command, cwd in commands.values():
        _timed(command, cwd)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, cwd) in commands.items():
            results[name].append(_timed(command, cwd))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--other", type=Path, help="another checkout to time the same commands in")
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args(argv)
    python = sys.executable
    commands: dict[str, tuple[list[str], Path]] = {
        "python -c pass (baseline)": ([python, "-c", "pass"], REPO),
        "import typer (help floor)": ([python, "-c", "import typer"], REPO),
        "planner --help": ([python, "-m", "planner", "--help"], REPO),
        "import pandas, geopandas, pydantic, typer, yaml (validate floor)":
            ([python, "-c", "import pandas, geopandas, pydantic, typer, yaml"], REPO),
        f"planner validate {SCENARIO}": ([python, "-m", "planner", "validate", SCENARIO], REPO),
    }
    if args.other is not None:
        commands["other checkout: planner --help"] = ([python, "-m", "planner", "--help"], args.other.resolve())
        commands[f"other checkout: planner validate {SCENARIO}"] = ([python, "-m", "planner", "validate", SCENARIO], args.other.resolve())
    results = measure(commands, args.runs)
    baseline = results["python -c pass (baseline)"]
    load = os.getloadavg()[0]
    lines = ["| command | wall s (median) | CPU s (median) | CPU / baseline (median of pairs) |", "|---|---|---|---|"]
    for name, samples in results.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        ratio = statistics.median(c / b[1] for (_, c), b in zip(samples, baseline, strict=True) if b[1] > 0)
        lines.append(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {ratio:.2f} |")
    table = "\n".join(lines)
    print(table)
    print(f"load average at the end: {load:.2f} ({os.cpu_count()} cores), {args.runs} runs each")
    if args.append:
        stamp = dt.date.today().isoformat()
        with (REPO / "bench" / "RESULTS.md").open("a", encoding="utf-8") as handle:
            handle.write(f"\n### {stamp}: `python bench/bench_cli.py --runs {args.runs}`, load average {load:.2f}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
