"""``planner run``, ``validate``, ``compare`` and ``scenarios``: siting scenarios end to end."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.cli._common import STATE, console, err_console, info, print_json, styled
from planner.compare import compare_runs
from planner.errors import PlannerError
from planner.outputs import run_directory, summary, write_run_files
from planner.paths import repo_root, scenarios_dir
from planner.scenario.load import ScenarioError, check_scenario
from planner.scenario.run import RunResult, check_for_run, solve_checked

scenarios_app = typer.Typer(help="The shipped scenarios.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the root app."""
    app.command("run")(run)
    app.command("validate")(validate)
    app.command("compare")(compare)
    app.add_typer(scenarios_app, name="scenarios")


@contextmanager
def _scratch_in(folder: Path) -> Iterator[None]:
    """Send every library's temporary files (solver scratch, CBC's model files) to ``folder``."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = previous


def run_file(path: Path, out: Path, *, show_progress: bool) -> tuple[RunResult, Path]:
    """Solve a scenario file and write its run directory; returns the result and the directory.

    The scenario is checked first (as ``planner validate`` does), then its run folder is opened (so an
    output folder that cannot be written fails before the solve); the solver's log and scratch files go
    inside that temporary folder, and an error or interrupt leaves nothing behind.
    """
    checked = check_for_run(path)
    with run_directory(out, checked.scenario.name) as run_dir, _scratch_in(run_dir.scratch):
        for stale in run_dir.removed:
            info(f"removed {stale}, the temporary folder of a run that was stopped")
        log = run_dir.temporary / "solver.log"
        if show_progress and err_console.is_terminal:
            columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), TimeElapsedColumn())
            with Progress(*columns, console=err_console, transient=True) as progress:
                task = progress.add_task("starting", total=None)

                def step(stage: str) -> None:
                    progress.update(task, description=stage)
                    progress.console.print(f"  {stage}")

                result = solve_checked(checked, step=step, log_path=log)
                progress.update(task, description="writing the outputs")
                write_run_files(result, run_dir.temporary, run_dir.run_id, solver_log=log)
        else:  # no spinner where it cannot redraw (a pipe, a log file): the stages as plain lines
            result = solve_checked(checked, step=(lambda stage: info(f"  {stage}")) if show_progress else None, log_path=log)
            write_run_files(result, run_dir.temporary, run_dir.run_id, solver_log=log)
    return result, run_dir.target


def run(
    scenario_file: Path = typer.Argument(..., help="Scenario YAML file, or the name of a shipped scenario (planner scenarios list)."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Root directory of the run directories."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build the network and the model of a scenario, solve it and write outputs/<scenario>/<run-id>/."""
    from planner.api import scenario_path

    result, run_dir = run_file(scenario_path(scenario_file), out, show_progress=not (STATE.quiet or as_json))
    data = summary(result)
    if as_json:
        print_json({"run_dir": str(run_dir), **data})
        return
    _print_summary(data)
    console.print(f"run directory: {run_dir}", soft_wrap=True)
    if (run_dir / "map.html").is_file():
        console.print(f"map: {(run_dir / 'map.html').resolve()}", soft_wrap=True)


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:,.1f} M CNY"


def _print_summary(data: dict) -> None:
    solver = data["solver"]
    gap = solver.get("gap")
    gap_text = f", gap {gap:.2%}" if isinstance(gap, (int, float)) else ""
    console.print(styled(data["title"], "bold"), f"({data['scenario']}, {data['model']}): {solver['status']}{gap_text}, "
                  f"solved in {solver.get('solve_seconds') or 0:.1f} s", soft_wrap=True)
    if STATE.quiet:
        return
    table = Table("tier", "opened", "sites", "mean utilisation", title="sites opened")
    for tier, entry in data["sites_opened"].items():
        utilisation = entry.get("mean_utilisation")
        table.add_row(tier, str(entry["count"]), "、".join(entry["sites"]), "-" if utilisation is None else f"{utilisation:.0%}")
    console.print(table)
    costs = Table("cost component", "value", title="cost")
    for component, value in data["cost_breakdown_cny"].items():
        costs.add_row(component, _money(value) if data["model"] in ("cold_chain", "facility_location") else f"{value:,.3f}")
    console.print(costs)
    kpis = Table("KPI", "value", title="KPIs")
    for key, value in data["kpis"].items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,.0f}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:,.4g}"
        kpis.add_row(key, str(value))
    console.print(kpis)
    for note in data.get("notes", []):
        console.print(f"note: {note}", soft_wrap=True, highlight=False, markup=False)


def validate(
    scenario_files: list[Path] = typer.Argument(..., help="Scenario YAML file(s)."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Check scenario files and report every problem at once (file, line, field, suggestion)."""
    report = {}
    failed = False
    for path in scenario_files:
        notes: list[str] = []
        _, problems = check_scenario(path, notes)
        report[str(path)] = [str(p) for p in problems]
        failed |= bool(problems)
        if not as_json:
            if problems:
                for problem in problems:
                    err_console.print(str(problem), soft_wrap=True)
            else:
                console.print(f"{path}: ok", soft_wrap=True)
                for note in notes:
                    info(f"  note: {note}")
    if as_json:
        print_json(report)
    if failed:
        count = sum(len(p) for p in report.values())
        files = sum(1 for p in report.values() if p)
        # A PlannerError (not typer.Exit, whose code the root's non-standalone call drops) -> exit code 2.
        raise PlannerError(f"{count} problem{'s' if count != 1 else ''} in {files} scenario file{'s' if files != 1 else ''}")


def compare(
    run_a: Path = typer.Argument(..., help="Run directory A (outputs/<scenario>/<run-id>)."),
    run_b: Path = typer.Argument(..., help="Run directory B."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Print the KPI differences between two runs and the sites opened and closed."""
    comparison = compare_runs(run_a, run_b)
    if as_json:
        print_json(comparison)
        return
    table = Table("KPI", "A", "B", "B - A", title=f"{run_a.name} -> {run_b.name}")
    for key, row in comparison["kpis"].items():
        table.add_row(key, _fmt(row["a"]), _fmt(row["b"]), _fmt(row["delta"]))
    console.print(table)
    for label in ("opened", "closed"):
        sites = comparison["sites"][label]
        console.print(f"sites {label} in B: {'、'.join(s['name_zh'] + ' (' + s['tier'] + ')' for s in sites) or 'none'}")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return "-" if value is None else str(value)


@scenarios_app.command("list")
def list_scenarios(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the shipped scenarios with their model and the clauses they cite."""
    rows = []
    for path in sorted(scenarios_dir().glob("*.yaml")):
        scenario, problems = check_scenario(path)
        if scenario is None:
            raise ScenarioError(problems)
        cites = ", ".join(f"{c.document}:L{c.lines}" for c in scenario.cites)
        rows.append({"file": str(path.relative_to(repo_root())), "name": scenario.name, "title": scenario.title,
                     "model": scenario.model, "cites": cites})
    if as_json:
        print_json(rows)
        return
    table = Table("file", "title", "model", "cites")
    for row in rows:
        table.add_row(row["file"], row["title"], row["model"], row["cites"])
    console.print(table)
    info(f"run one with: planner run {rows[0]['file']}" if rows else "no scenarios shipped")


__all__ = ["register", "run_file"]
