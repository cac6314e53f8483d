"""Solving a built scenario and describing the solution as tables.

:func:`solve_scenario` runs the scenario's model (the cold-chain network design model or a classic
location model) and returns a :class:`RunResult`: the solver report, KPIs and the tables later stages
write and draw — ``sites`` (opened sites with throughput and utilisation), ``flows`` (product flows
between places), ``assignments`` (demand point -> serving site), ``service`` and ``cost_breakdown``.
Places are named by id with their Chinese and English names and coordinates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.model.coldchain import REPAIRED_INCUMBENT, ColdChainModel  # noqa: F401 - the class the run solves, patched by tests
from planner.model.matrix import SolverOptions
from planner.scenario.build import BuiltScenario, build_scenario
from planner.scenario.inputs import uses_demand_table
from planner.scenario.load import Problem, ScenarioError, field_path
from planner.scenario.models import adapter
from planner.scenario.result import RunResult
from planner.scenario.schema import Scenario, SolverSpec
from planner.scenario.semantics import check_semantics, solver_threads

__all__ = ["CheckedScenario", "RunResult", "check_for_run", "solve_built", "solve_checked", "solve_scenario", "solver_notes"]

Step = Callable[[str], None]


def _options(scenario: Scenario, log_path: Path | None) -> SolverOptions:
    solver = scenario.solver
    return SolverOptions(
        solver=solver.name,
        time_limit_s=solver.time_limit_s,
        mip_gap=solver.mip_gap,
        threads=solver_threads(solver.threads),
        log_path=str(log_path) if log_path else None,
    )


def solve_built(built: BuiltScenario, log_path: Path | None = None) -> RunResult:
    """Solve a built scenario with its solver options; the solver log goes to ``log_path``."""
    started = time.perf_counter()
    model = adapter(built.scenario.model)
    result = model.tables(built, model.solve(built, _options(built.scenario, log_path)))
    result.report["run_seconds"] = time.perf_counter() - started
    result.notes = solver_notes(result.report, built.scenario.solver) + result.notes
    return result


def solver_notes(report: dict[str, Any], solver: SolverSpec) -> list[str]:
    """What a user must know about a solve that did not prove the gap asked for, in plain sentences.

    ``report``: the solver report of a run (``status``, ``gap``, ``best_bound``, ``message``); ``solver``:
    the scenario's solver options (``time_limit_s`` in seconds, ``mip_gap`` relative). Empty when the
    solve proved optimality or the requested gap. A time limit that stopped the door-to-door rounds of the
    cold-chain model (message ``repaired incumbent``) adds a note on where the plan comes from.
    """
    if report.get("status") != "time_limit":
        return []
    limit = f" ({solver.time_limit_s:g} s)" if solver.time_limit_s is not None else ""
    gap = report.get("gap")
    if isinstance(gap, (int, float)):
        bound = report.get("best_bound")
        bound_text = ""
        if isinstance(bound, (int, float)):  # CNY in the cost models; hours or counts in p-center and covering
            bound_text = f", best bound {bound:,.0f}" if abs(bound) >= 1000 else f", best bound {bound:.4g}"
        notes = [f"solver: the time limit{limit} stopped the solve at a proven gap of {gap:.2%}{bound_text} "
                 f"(asked for {solver.mip_gap:.2%}); the plan is feasible but may not be optimal: raise "
                 f"solver.time_limit_s to narrow the gap"]
    else:
        notes = [f"solver: the time limit{limit} stopped the solve before any bound was proven; the plan is "
                 f"feasible but its distance to the optimum is unknown: raise solver.time_limit_s"]
    if report.get("message") == REPAIRED_INCUMBENT:
        notes.append("solver: the time limit cut off the exact rounds of the door-to-door limits, so the plan "
                     "comes from the time-window heuristic; every route keeps its limit (service.csv, "
                     "column within_limit)")
    return notes


@dataclass
class CheckedScenario:
    """A scenario that passed every check ``planner validate`` makes, ready to build and solve.

    ``base_dir``: where its relative table paths are read; ``files``: the scenario file and its
    ``extends`` ancestors (empty for a :class:`Scenario` object); ``notes``: the checks' notes.
    """

    scenario: Scenario
    base_dir: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_for_run(scenario: Scenario | str | Path, base_dir: Path | None = None) -> CheckedScenario:
    """Load (if a path) and check a scenario as ``planner validate`` does; raise :class:`ScenarioError`
    naming the first problem (file, line and field for a file; the field for a :class:`Scenario`)."""
    notes: list[str] = []
    if not isinstance(scenario, Scenario):
        path = Path(scenario)
        from planner.scenario.load import check_scenario, read_scenario_dict

        _, chain = read_scenario_dict(path)
        loaded, problems = check_scenario(path, notes)
        if problems:
            raise ScenarioError(problems)
        assert loaded is not None
        return CheckedScenario(loaded, path.parent, [source.path for source in chain], notes)
    base = Path(base_dir) if base_dir is not None else Path(".")
    issues, notes = check_semantics(scenario, base)
    if issues:
        where = f"scenario {scenario.name}"
        raise ScenarioError([
            Problem(i.table.file, i.table.line, i.table.column, i.table.message) if i.table is not None
            else Problem(where, None, field_path(i.loc), i.message)
            for i in issues
        ])
    return CheckedScenario(scenario, base, [], notes)


def solve_checked(checked: CheckedScenario, *, step: Step | None = None, log_path: Path | None = None) -> RunResult:
    """Build and solve a checked scenario (:func:`check_for_run`); the solver log goes to ``log_path``."""
    step = step or (lambda _stage: None)
    scenario, base_dir = checked.scenario, checked.base_dir
    step("building the network and cost matrices")
    built = build_scenario(scenario, base_dir)
    built.notes = [*checked.notes, *built.notes]
    step("building and solving the model")
    result = solve_built(built, log_path)
    # the user's own tables are inputs too (the manifest hashes them)
    files = list(checked.files)
    if scenario.supply is not None and scenario.supply.table != "shipped":
        files.append((base_dir / scenario.supply.table).resolve())
    if uses_demand_table(scenario):
        files.append((base_dir / scenario.demand.weights).resolve())
    result.source_files = files
    return result


def solve_scenario(
    scenario: Scenario | str | Path,
    *,
    step: Step | None = None,
    log_path: Path | None = None,
    base_dir: Path | None = None,
) -> RunResult:
    """Load (if a path), check, build and solve a scenario; ``step`` is told each stage as it starts.

    Relative table paths inside the scenario (a user supply or demand file) are resolved against the
    scenario file's directory, or for a :class:`Scenario` object against ``base_dir`` (default: the
    current directory). The solver log goes to ``log_path``. A scenario that ``planner validate`` would
    reject raises :class:`ScenarioError` before anything is built.
    """
    step = step or (lambda _stage: None)
    if not isinstance(scenario, Scenario):
        step("reading the scenario")
    return solve_checked(check_for_run(scenario, base_dir), step=step, log_path=log_path)
