"""``planner sweep``: run a scenario sweep (grid, Monte Carlo demand, disruption sets) on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from planner.cli._common import STATE, console, err_console, print_json
from planner.cli._i18n import h, say
from planner.cli._tables import table
from planner.errors import PlannerError

if TYPE_CHECKING:
    from planner.sweep.execute import SweepOutcome
    from planner.sweep.expand import Member

__all__ = ["MEMBERS_FAILED_EXIT_CODE", "register", "sweep"]

#: Exit code of a sweep that ran to the end with at least one failed member (its results are written).
MEMBERS_FAILED_EXIT_CODE = 3


def register(app: typer.Typer) -> None:
    """Add ``planner sweep`` to the root app."""
    app.command("sweep", short_help=h("Many runs of one scenario on Dask: grid, demand draws, disruptions.", "在 Dask 上多次运行同一场景：参数网格、需求抽样、中断。"), help=h(
        "Expand a sweep file into scenario runs, solve them on Dask and write outputs/sweeps/<name>/.\n\n"
        "Members already finished (members/<id>.json) are skipped, so an interrupted sweep resumes. A failed "
        "member is recorded with its error; the others go on, and the command exits with code 3 once every "
        "member has finished and the results are written (0 when all succeeded).",
        "把扫描文件展开为多次场景运行，在 Dask 上求解并写出 outputs/sweeps/<名称>/。\n\n"
        "已完成的成员（members/<编号>.json）会跳过，中断的扫描可以续跑。失败的成员连同错误一起记录，其余继续；"
        "全部成员完成并写出结果后，若有失败则以代码 3 退出（全部成功为 0）。"))(sweep)


def sweep(
    sweep_file: Path = typer.Argument(..., help=h("Sweep YAML file (see sweeps/ and the README).", "扫描 YAML 文件（见 sweeps/ 和 README）。")),
    scheduler: str | None = typer.Option(None, "--scheduler", help=h("Address of a running Dask scheduler, e.g. tcp://HOST:8786 (default: a LocalCluster).",
                                                                   "运行中的 Dask 调度器地址，如 tcp://HOST:8786（默认使用本机 LocalCluster）。")),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, help=h("LocalCluster worker processes (default: one per core).",
                                                                            "LocalCluster 的工作进程数（默认每核一个）。")),
    out: Path = typer.Option(Path("outputs") / "sweeps", "--out", "-o", help=h("Root directory; results go to OUT/<sweep name>/.",
                                                                             "上级目录；结果写到 OUT/<扫描名称>/。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print the outcome as JSON.", "以 JSON 输出结果。")),
    serial: bool = typer.Option(False, "--serial", help=h("Run in this process, one member after the other (no Dask).", "在本进程中逐个运行（不用 Dask）。")),
    retry_failed: bool = typer.Option(False, "--retry-failed", help=h("Run again the members recorded as failed.", "重新运行记录为失败的成员。")),
    dry_run: bool = typer.Option(False, "--dry-run", help=h("Validate and list the members without running them.", "只检查并列出成员，不运行。")),
) -> None:
    from planner.sweep.execute import run_sweep
    from planner.sweep.expand import expand_sweep
    from planner.sweep.spec import load_sweep
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
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from planner.sweep.execute import run_sweep
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
        from planner.tables import read_csv

        frequency = read_csv(outcome.files["site_frequency.csv"])
        top = frequency[frequency["runs_opened"] > 0].head(15)
        if len(top):
            rows = [(str(row.tier), f"{row.name_zh} ({row.place_id})", f"{row.runs_opened}/{row.runs_candidate}", f"{row.frequency:.0%}")
                    for row in top.itertuples()]
            console.print(table([say("tier", "层级"), say("site", "设施"), say("opened", "选中次数"), say("frequency", "频率")], rows,
                                title=say("sites opened most often", "最常选中的设施"), numeric=(2, 3)))
    for name, path in report["files"].items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


def _print_members(members: list[Member], as_json: bool) -> None:
    if as_json:
        print_json([{"id": m.id, "index": m.index, "varied": m.varied} for m in members])
        return
    rows = [(str(member.index), member.id, member.label) for member in members]
    console.print(table(["#", "id", say("varied inputs", "变化的输入")], rows, title=say(f"{len(members)} member(s)", f"{len(members)} 个成员")))
