"""``planner sweep``: run a scenario sweep (grid, Monte Carlo demand, disruption sets) on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from planner.cli._common import STATE, console, err_console, print_json
from planner.errors import PlannerError
from planner.sweep.execute import SweepOutcome, run_sweep
from planner.sweep.expand import Member, expand_sweep
from planner.sweep.spec import load_sweep

__all__ = ["MEMBERS_FAILED_EXIT_CODE", "register", "sweep"]

#: Exit code of a sweep that ran to the end with at least one failed member (its results are written).
MEMBERS_FAILED_EXIT_CODE = 3


def register(app: typer.Typer) -> None:
    """Add ``planner sweep`` to the root app."""
    app.command("sweep")(sweep)


def sweep(
    sweep_file: Path = typer.Argument(..., help="Sweep YAML file (see sweeps/ and the README)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler, e.g. tcp://HOST:8786 (default: a LocalCluster)."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, help="LocalCluster worker processes (default: one per core)."),
    out: Path = typer.Option(Path("outputs") / "sweeps", "--out", "-o", help="Root directory; results go to OUT/<sweep name>/."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
    serial: bool = typer.Option(False, "--serial", help="Run in this process, one member after the other (no Dask)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Run again the members recorded as failed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and list the members without running them."),
) -> None:
    """Expand a sweep file into scenario runs, solve them on Dask and write outputs/sweeps/<name>/.

    Members already finished (members/<id>.json) are skipped, so an interrupted sweep resumes. A failed
    member is recorded with its error; the others go on, and the command exits with code 3 once every
    member has finished and the results are written (0 when all succeeded).
    """
    if scheduler and (serial or workers):
        raise PlannerError("--scheduler runs on an existing cluster: leave out --serial and --workers")
    loaded = load_sweep(sweep_file)
    members = expand_sweep(loaded)
    if dry_run:
        _print_members(members, as_json)
        return
    show = not (STATE.quiet or as_json)
    if show:
        where = "in-process" if serial else (scheduler or f"a LocalCluster of {workers or 'one per core'} worker(s)")
        err_console.print(f"sweep {loaded.sweep.name}: {len(members)} run(s) of {loaded.base_path.name} on {where}", highlight=False)
        outcome = _run_with_progress(loaded, members, out, scheduler, workers, serial, retry_failed)
    else:
        outcome = run_sweep(loaded, out, scheduler=scheduler, workers=workers, serial=serial, retry_failed=retry_failed, members=members)
    report = _report(outcome)
    if as_json:
        print_json(report)
    else:
        _print_report(outcome, report)
    if report["failed"]:
        # the results are written; the exit code still tells scripts that some members failed
        raise typer.Exit(MEMBERS_FAILED_EXIT_CODE)


def _run_with_progress(loaded: Any, members: list[Member], out: Path, scheduler: str | None, workers: int | None,
                       serial: bool, retry_failed: bool) -> SweepOutcome:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task("runs", total=len(members), failed=0)
        failed = 0

        def on_start(total: int, done: int) -> None:
            progress.update(task, description="runs" if not done else f"runs ({done} already finished)")

        def on_result(member: Member, record: dict[str, Any], skipped: bool) -> None:
            nonlocal failed
            if not record.get("ok"):
                failed += 1
                if not skipped:
                    progress.console.print(f"  failed {member.id} ({member.label}): {record.get('error')}", highlight=False, markup=False, soft_wrap=True)
            progress.update(task, advance=1, failed=failed)

        return run_sweep(loaded, out, scheduler=scheduler, workers=workers, serial=serial, retry_failed=retry_failed,
                         members=members, on_start=on_start, on_result=on_result)


def _report(outcome: SweepOutcome) -> dict[str, Any]:
    failed = [{"id": m.id, "varied": m.varied, "error": outcome.records[m.id].get("error")} for m in outcome.members if m.id in outcome.failed]
    return {
        "sweep_dir": str(outcome.out_dir),
        "scheduler": outcome.scheduler or "none (all finished before)",
        "members": len(outcome.members),
        "executed": len(outcome.executed),
        "skipped": len(outcome.skipped),
        "ok": len(outcome.members) - len(failed),
        "failed": failed,
        "files": {name: str(path) for name, path in outcome.files.items()},
    }


def _print_report(outcome: SweepOutcome, report: dict[str, Any]) -> None:
    console.print(f"{report['members']} run(s): {report['ok']} ok, {len(report['failed'])} failed; "
                  f"{report['executed']} executed, {report['skipped']} already finished", highlight=False)
    if not STATE.quiet and outcome.files:
        import pandas as pd

        frequency = pd.read_csv(outcome.files["site_frequency.csv"])
        top = frequency[frequency["runs_opened"] > 0].head(15)
        if len(top):
            table = Table("tier", "site", "opened", "frequency", title="sites opened most often")
            for row in top.itertuples():
                table.add_row(str(row.tier), f"{row.name_zh} ({row.place_id})", f"{row.runs_opened}/{row.runs_candidate}", f"{row.frequency:.0%}")
            console.print(table)
    for name, path in report["files"].items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


def _print_members(members: list[Member], as_json: bool) -> None:
    if as_json:
        print_json([{"id": m.id, "index": m.index, "varied": m.varied} for m in members])
        return
    table = Table("#", "id", "varied inputs", title=f"{len(members)} member(s)")
    for member in members:
        table.add_row(str(member.index), member.id, member.label)
    console.print(table)
