"""``planner orlib FILE``: solve an OR-Library benchmark instance (cap -> split CFLP, pmed -> p-median).

The report (text or ``--json``) includes where the time went: for the p-median the heuristic, bound,
fixing and search phases with the root bound, the sites fixed closed / open and the branch-and-bound nodes.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import typer

from planner.cli._common import console, info, print_json
from planner.cli._i18n import h
from planner.errors import DataError, ModelError


def orlib(
    file: Path = typer.Argument(..., help=h("OR-Library cap*.txt or pmed*.txt file.", "OR-Library 的 cap*.txt 或 pmed*.txt 文件。")),
    solver: str = typer.Option("highs", "--solver", help=h("highs (direct highspy) or cbc (PuLP's CBC).", "highs（直接调用 highspy）或 cbc（PuLP 的 CBC）。")),
    time_limit: float | None = typer.Option(None, "--time-limit", help=h("Solver time limit in seconds.", "求解时间上限（秒）。")),
    gap: float = typer.Option(1e-6, "--gap", help=h("Relative MIP gap at which to stop.", "达到该相对最优间隙即停止。")),
    threads: int | None = typer.Option(None, "--threads", help=h("Solver threads.", "求解线程数。")),
    capacity: float | None = typer.Option(
        None, "--capacity", help=h("Capacity of every site (required for capa/capb/capc files).", "每个设施的能力（capa/capb/capc 文件必填）。")
    ),
    as_json: bool = typer.Option(False, "--json", help=h("Print one JSON object instead of text.", "输出一个 JSON 对象而非文本。")),
) -> None:
    from planner.model.location import capacitated_facility_location, p_median
    from planner.model.matrix import SolverOptions
    from planner.orlib import CapInstance, bounds_key, find_bounds, read_bounds, read_orlib

    if not file.is_file():
        raise DataError(f"{file}: file not found")
    if solver.lower() not in ("highs", "cbc"):
        raise ModelError(f"--solver must be 'highs' or 'cbc', got {solver!r}")
    if time_limit is not None and time_limit <= 0:
        raise ModelError(f"--time-limit must be positive, got {time_limit}")
    if capacity is not None and (not math.isfinite(capacity) or capacity <= 0):
        raise ModelError(f"--capacity must be a positive number, got {capacity}")
    options = SolverOptions(solver=solver.lower(), time_limit_s=time_limit, mip_gap=gap, threads=threads)
    t0 = time.perf_counter()
    inst = read_orlib(file, capacity)
    read_s = time.perf_counter() - t0
    if isinstance(inst, CapInstance):
        info(f"{file.name}: capacitated facility location, {inst.num_sites} sites x {inst.num_customers} customers")
        sol = capacitated_facility_location(inst.cost, inst.fixed_cost, inst.demand, inst.capacity, options=options)
        problem = "cflp_split"
    else:
        n = inst.distance.shape[0]
        info(f"{file.name}: p-median, n = {n}, p = {inst.p}")
        sol = p_median(inst.distance, inst.p, options=options)
        problem = "p_median"
    total_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "file": str(file),
        "problem": problem,
        "status": sol.status,
        "objective": sol.objective,
        "best_bound": sol.best_bound,
        "gap": sol.gap,
        "read_seconds": round(read_s, 4),
        "build_seconds": round(sol.build_seconds, 4),
        "solve_seconds": round(sol.solve_seconds, 4),
        "total_seconds": round(total_s, 4),
        "solver": sol.solver,
        "iterations": sol.iterations,
        "open_sites": [int(j) + 1 for j in sol.open_sites],  # 1-based like the files
        "phases": sol.to_dict()["phases"],
        "published_optimum": None,
        "relative_difference": None,
    }
    bounds_path = find_bounds(file)
    if bounds_path is not None:
        key = bounds_key(file, capacity if capacity is not None else _common_capacity(inst))
        known = read_bounds(bounds_path).get(key)
        if known is not None:
            out["bounds_key"] = key
            out["published_optimum"] = known[1] if known[0] == known[1] else None
            out["published_bounds"] = list(known)
            if sol.objective is not None:
                ref = known[1]
                out["relative_difference"] = (sol.objective - ref) / max(abs(ref), 1e-9)
    if as_json:
        print_json(out)
        return
    _print_text(out)


def _common_capacity(inst: Any) -> float | None:
    caps = getattr(inst, "capacity", None)
    if caps is None or caps.size == 0 or not (caps == caps[0]).all():
        return None
    return float(caps[0])


def _fmt(value: Any, spec: str = ".6f") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def _print_text(out: dict[str, Any]) -> None:
    console.print(f"problem       {out['problem']}  ({out['file']})")
    console.print(f"status        {out['status']}")
    console.print(f"objective     {_fmt(out['objective'], '.4f')}")
    console.print(f"best bound    {_fmt(out['best_bound'], '.4f')}")
    console.print(f"gap           {_fmt(out['gap'], '.3e')}")
    console.print(
        f"seconds       read {out['read_seconds']:.3f}  build {out['build_seconds']:.3f}  "
        f"solve {out['solve_seconds']:.3f}  total {out['total_seconds']:.3f}  ({out['solver']})"
    )
    for k, line in enumerate(_phase_lines(out["phases"])):
        console.print(f"{'phases' if k == 0 else '':<14}{line}")
    console.print(f"open sites    {len(out['open_sites'])}: {' '.join(str(j) for j in out['open_sites'])}")
    if out.get("published_bounds") is not None:
        lo, hi = out["published_bounds"]
        label = f"{hi:.4f}" if lo == hi else f"[{lo:.4f}, {hi:.4f}]"
        console.print(f"published     {label}  ({out['bounds_key']})")
        console.print(f"rel. diff     {_fmt(out['relative_difference'], '.3e')}")


def _phase_lines(phases: dict[str, Any]) -> list[str]:
    """Seconds per phase, with what the bound, the fixing and the search achieved (one line each)."""
    lines = []
    for name in ("heuristic", "bound", "fixing", "reduction", "search", "mip"):
        seconds = phases.get(f"{name}_seconds")
        if seconds is None:
            continue
        detail = ""
        if name == "heuristic" and phases.get("heuristic_cost") is not None:
            detail = f"  cost {phases['heuristic_cost']:g}"
        elif name == "bound" and phases.get("root_bound") is not None:
            detail = f"  bound {phases['root_bound']:g}, {phases.get('bound_iterations', 0)} steps"
        elif name == "fixing" and "sites_fixed_closed" in phases:
            detail = (f"  {phases['sites_fixed_closed']} sites closed, {phases['sites_fixed_open']} opened, "
                      f"{phases['sites_left']} left")
        elif name == "search" and phases.get("nodes"):
            detail = f"  {phases['nodes']} nodes"
        lines.append(f"{name:<10}{seconds:8.3f} s{detail}")
    return lines


def register(app: typer.Typer) -> None:
    """Add the ``orlib`` command."""
    app.command("orlib", short_help=h("Solve an OR-Library instance and compare with its optimum.", "求解 OR-Library 算例并与最优值比较。"), help=h("Solve an OR-Library instance exactly and compare with the published optimum (bounds.txt).",
                                "精确求解 OR-Library 算例并与公布的最优值（bounds.txt）比较。"))(orlib)
