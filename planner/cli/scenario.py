"""``planner run``, ``validate``, ``compare`` and ``scenarios``: siting scenarios end to end."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from planner.cli._common import STATE, console, err_console, info, print_json, styled
from planner.cli._i18n import current, h, say
from planner.cli._tables import table
from planner.errors import PlannerError

if TYPE_CHECKING:
    from planner.scenario.run import RunResult


def _is_money(model: str) -> bool:
    """Whether a model's objective and cost components are money (CNY); the others count hours, sites or
    weight. The registry loads with the scenario stage, not for ``planner --help``."""
    from planner.scenario.models import COST_MODELS

    return model in COST_MODELS

scenarios_app = typer.Typer(help=h("The shipped scenarios.", "随附的场景。"), no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the root app."""
    app.command("run", short_help=h("Solve a scenario and write its run directory.", "求解场景并写出运行目录。"), help=h("Build the network and the model of a scenario, solve it and write outputs/<scenario>/<run-id>/ "
                              "(tables, results.xlsx, map.html, report.html).",
                              "构建场景的网络和模型，求解并写出 outputs/<场景>/<运行编号>/（表格、results.xlsx、map.html、report.html）。"))(run)
    app.command("validate", short_help=h("Check scenario files: every problem with file and line.", "检查场景文件：列出每个问题的文件和行号。"), help=h("Check scenario files and report every problem at once (file, line, field, suggestion).",
                                   "检查场景文件，一次列出全部问题（文件、行、字段、建议）。"))(validate)
    app.command("compare", short_help=h("Compare two runs: KPIs, sites per tier, unmet demand, routes.", "比较两次运行：指标、各层级设施、未满足需求、流向。"), help=h("Compare two runs: KPIs with absolute and % differences, site changes per tier, unmet "
                                  "demand by place, flows that changed route.",
                                  "比较两次运行：指标的绝对差与百分比差、各层级选址变化、各地未满足需求、改变路径的流向。"))(compare)
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
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from planner.run_dir import run_directory, write_run_files
    from planner.scenario.run import check_for_run, solve_checked

    checked = check_for_run(path)
    with run_directory(out, checked.scenario.name) as run_dir, _scratch_in(run_dir.scratch):
        for stale in run_dir.removed:
            info(say(f"removed {stale}, the temporary folder of a run that was stopped", f"已删除 {stale}（一次中断运行留下的临时目录）"))
        log = run_dir.temporary / "solver.log"
        if show_progress and err_console.is_terminal:
            columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), TimeElapsedColumn())
            with Progress(*columns, console=err_console, transient=True) as progress:
                task = progress.add_task("starting", total=None)

                def step(stage: str) -> None:
                    progress.update(task, description=stage)
                    progress.console.print(f"  {stage}", markup=False, highlight=False)

                result = solve_checked(checked, step=step, log_path=log)
                progress.update(task, description="writing the outputs")
                write_run_files(result, run_dir.temporary, run_dir.run_id, solver_log=log)
        else:  # no spinner where it cannot redraw (a pipe, a log file): the stages as plain lines
            result = solve_checked(checked, step=(lambda stage: info(f"  {stage}")) if show_progress else None, log_path=log)
            write_run_files(result, run_dir.temporary, run_dir.run_id, solver_log=log)
    return result, run_dir.target


def run(
    scenario_file: Path = typer.Argument(..., help=h("Scenario YAML file, or the name of a shipped scenario (planner scenarios list).",
                                                     "场景 YAML 文件，或随附场景的名称（见 planner scenarios list）。")),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help=h("Root directory of the run directories.", "运行目录的上级目录。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print the summary as JSON.", "以 JSON 输出摘要。")),
) -> None:
    from planner.api import scenario_path
    from planner.outputs import summary

    result, run_dir = run_file(scenario_path(scenario_file), out, show_progress=not (STATE.quiet or as_json))
    data = summary(result)
    if as_json:
        print_json({"run_dir": str(run_dir), **data})
        return
    print_summary(data)
    console.print(f"{say('run directory', '运行目录')}: {run_dir}", soft_wrap=True, markup=False, highlight=False)
    for name, en, zh in (("report.html", "report", "报告"), ("map.html", "map", "地图"), ("results.xlsx", "workbook", "工作簿")):
        if (run_dir / name).is_file() and not STATE.quiet:
            console.print(f"{say(en, zh)}: {(run_dir / name).resolve()}", soft_wrap=True, markup=False, highlight=False)


def _lang() -> Any:
    return current()


def kpi_rows(kpis: dict[str, Any]) -> list[tuple[str, str]]:
    """``(name (key), value)`` rows of a KPI mapping, a nested mapping as one row per entry."""
    from planner.labels import flatten, format_value, kpi_label

    rows = []
    for key, value in flatten(kpis):
        label = kpi_label(key, _lang())
        rows.append((f"{label} ({key})" if label != key else key, format_value(key, value, _lang())))
    return rows


def print_summary(data: dict[str, Any]) -> None:
    """What ``planner run`` prints: status line, sites per tier, costs and KPIs (units of :mod:`planner.labels`)."""
    from planner.labels import cost_label, format_value, status_label, tier_label

    solver = data["solver"]
    gap = solver.get("gap")
    gap_text = f", gap {gap:.2%}" if isinstance(gap, (int, float)) else ""
    status = solver["status"] if _lang() == "en" else status_label(solver["status"], "zh")
    console.print(styled(str(data["title"]), "bold"), f"({data['scenario']}, {data['model']}): {status}{gap_text}, "
                  f"{say('solved in', '求解用时')} {solver.get('solve_seconds') or 0:.1f} s", soft_wrap=True)
    if STATE.quiet:
        return
    rows = []
    for tier, entry in data["sites_opened"].items():
        utilisation = entry.get("mean_utilisation")
        name = tier_label(tier, _lang())
        rows.append((f"{name} ({tier})" if name != tier else tier, str(entry["count"]), "、".join(map(str, entry["sites"])),
                     "-" if utilisation is None else f"{utilisation:.0%}"))
    console.print(table([say("tier", "层级"), say("opened", "数量"), say("sites", "设施"), say("mean utilisation", "平均利用率")],
                        rows, title=say("sites opened", "选址结果"), numeric=(1, 3)))
    money = _is_money(data["model"])
    cost_rows = [(cost_label(component, _lang()), format_value("total_cost_cny", value, _lang()) if money else format_value(component, value, _lang()))
                 for component, value in data["cost_breakdown_cny"].items()]
    console.print(table([say("cost component", "成本项"), say("value", "数值")], cost_rows, title=say("cost", "成本"), numeric=(1,)))
    console.print(table([say("KPI", "指标"), say("value", "数值")], kpi_rows(data["kpis"]), title=say("KPIs", "关键指标"), numeric=(1,)))
    for note in data.get("notes", []):
        console.print(f"{say('note', '说明')}: {note}", soft_wrap=True, highlight=False, markup=False)


def validate(
    scenario_files: list[Path] = typer.Argument(..., help=h("Scenario YAML file(s).", "场景 YAML 文件（可多个）。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print the problems as JSON.", "以 JSON 输出问题。")),
) -> None:
    from planner.scenario.load import check_scenario

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
                    info(f"  {say('note', '说明')}: {note}")
    if as_json:
        print_json(report)
    if failed:
        count = sum(len(p) for p in report.values())
        files = sum(1 for p in report.values() if p)
        # A PlannerError (not typer.Exit, whose code the root's non-standalone call drops) -> exit code 2.
        raise PlannerError(say(f"{count} problem{'s' if count != 1 else ''} in {files} scenario file{'s' if files != 1 else ''}",
                               f"{files} 个场景文件中有 {count} 个问题"))


def compare(
    run_a: Path = typer.Argument(..., help=h("Run directory A (outputs/<scenario>/<run-id>).", "运行目录 A（outputs/<场景>/<运行编号>）。")),
    run_b: Path = typer.Argument(..., help=h("Run directory B.", "运行目录 B。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print the comparison as JSON.", "以 JSON 输出比较结果。")),
    limit: int = typer.Option(15, "--limit", min=1, help=h("Rows shown per table of places and routes.", "地点和流向表各显示的行数。")),
) -> None:
    from planner.compare import compare_runs

    comparison = compare_runs(run_a, run_b)
    if as_json:
        print_json(comparison)
        return
    print_comparison(comparison, limit)


def _signed(key: str, value: Any) -> str:
    from planner.labels import format_value

    if value is None:
        return "-"
    return ("+" if value > 0 else "") + format_value(key, value, _lang())


def print_comparison(comparison: dict[str, Any], limit: int = 15) -> None:
    """What ``planner compare`` prints: KPIs, site changes per tier, unmet demand, changed routes."""
    from planner.labels import format_value, kpi_label, tier_label

    name_a, name_b = comparison["name_a"], comparison["name_b"]
    for label, name, title in (("A", name_a, comparison["title_a"]), ("B", name_b, comparison["title_b"])):
        console.print(f"{label}: {name}  {title}", markup=False, highlight=False, soft_wrap=True)
    rows = []
    money = _is_money(comparison["model_a"])
    for key, row in comparison["kpis"].items():
        label = kpi_label(key, _lang())
        pct = row.get("delta_pct")
        unit_key = key.removeprefix("cost_") if key.startswith("cost_") and not money else key  # hours, counts
        rows.append((f"{label} ({key})" if label != key else key, format_value(unit_key, row["a"], _lang()),
                     format_value(unit_key, row["b"], _lang()), _signed(unit_key, row["delta"]), "-" if pct is None else f"{pct:+.1%}"))
    console.print(table([say("KPI", "指标"), name_a, name_b, "B - A", "(B - A) / A"], rows, title=say("KPIs", "关键指标"), numeric=(1, 2, 3, 4)))
    change_rows = []
    names = {"opened": say("opened in B", "B 新增"), "closed": say("closed in B", "B 关闭"), "moved": say("moved", "迁移"),
             "resized": say("resized", "调整规模"), "kept": say("kept", "保留")}
    for tier, changes in comparison["sites_by_tier"].items():
        tier_name = tier_label(tier, _lang())
        for kind, items in changes.items():
            if not items:
                continue
            if kind == "moved":
                text = "；".join(f"{m['from']['name_zh']} → {m['to']['name_zh']}" + (f" ({m['distance_km']:,.0f} km)" if m["distance_km"] is not None else "") for m in items)
            elif kind == "resized":
                text = "；".join(f"{r['name_zh']} {r['capacity_a_t']:,.0f} t → {r['capacity_b_t']:,.0f} t" for r in items)
            else:
                text = "、".join(s["name_zh"] for s in items)
            change_rows.append((f"{tier_name} ({tier})" if tier_name != tier else tier, f"{names[kind]} ({len(items)})", text))
    console.print(table([say("tier", "层级"), say("change", "变化"), say("sites", "设施")], change_rows, title=say("site changes per tier", "各层级选址变化")))
    unit_key = "unmet_t" if comparison["unmet_unit"] == "t" else "total_weight"
    unmet = comparison["unmet"]
    if unmet:
        unmet_rows = [(f"{r['name_zh']} ({r['place_id']})", format_value(unit_key, r["unmet_a"], _lang()), format_value(unit_key, r["unmet_b"], _lang()),
                       _signed(unit_key, r["delta"])) for r in unmet[:limit]]
        more = f" ({say('largest', '最大的')} {limit} / {len(unmet)})" if len(unmet) > limit else ""
        console.print(table([say("place", "地点"), name_a, name_b, "B - A"], unmet_rows, title=say("unmet demand by place", "各地未满足需求") + more,
                            numeric=(1, 2, 3)))
    else:
        console.print(say("unmet demand: none in either run", "未满足需求：两次运行均无"))
    routes = comparison["routes_changed"]
    if routes:
        amount_key = "tonnes" if comparison["unmet_unit"] == "t" else "weight"

        def sources(items: list[dict[str, Any]]) -> str:
            return "；".join(f"{s['name_zh'] or s['place_id']}{' ' + s['mode'] if s['mode'] else ''} {format_value(amount_key, s['amount'], _lang())}"
                            for s in items[:3]) + (" …" if len(items) > 3 else "") or "-"

        products = any(r["product"] for r in routes)
        route_rows = [((r["product"],) if products else ()) + (f"{r['to_name_zh'] or r['to_id']} ({tier_label(r['to_tier'], _lang())})",
                                                                sources(r["from_a"]), sources(r["from_b"])) for r in routes[:limit]]
        more = f" ({say('largest', '最大的')} {limit} / {len(routes)})" if len(routes) > limit else ""
        headers = [say("destination", "目的地"), say("from, in A", "A 的来源"), say("from, in B", "B 的来源")]
        console.print(table(([say("product", "产品")] if products else []) + headers, route_rows,
                            title=say("flows that changed route", "改变路径的流向") + more))
    else:
        console.print(say("flows that changed route: none", "改变路径的流向：无"))
    for label, heading in (("opened", say("sites opened in B", "B 新增的设施")), ("closed", say("sites closed in B", "B 关闭的设施"))):
        listed = "、".join(f"{s['name_zh']} ({tier_label(s['tier'], _lang())})" for s in comparison["sites"][label]) or say("none", "无")
        console.print(f"{heading}: {listed}", markup=False, highlight=False, soft_wrap=True)


@scenarios_app.command("list", help=h("List the shipped scenarios with their model and the clauses they cite.",
                                      "列出随附的场景及其模型和所依据的条款。"))
def list_scenarios(as_json: bool = typer.Option(False, "--json", help=h("Print JSON.", "输出 JSON。"))) -> None:
    from planner.documents import short_cite
    from planner.paths import repo_root, scenarios_dir
    from planner.scenario.load import ScenarioError, check_scenario

    rows = []
    for path in sorted(scenarios_dir().glob("*.yaml")):
        scenario, problems = check_scenario(path)
        if scenario is None:
            raise ScenarioError(problems)
        cites = ", ".join(short_cite({"document": c.document, "lines": c.lines}) for c in scenario.cites)
        rows.append({"file": str(path.relative_to(repo_root())), "name": scenario.name, "title": scenario.title,
                     "model": scenario.model, "cites": cites})
    if as_json:
        print_json(rows)
        return
    console.print(table([say("file", "文件"), say("title · model", "标题 · 模型"), say("cites", "依据")],
                        [(r["file"], f"{r['title']}\n· {r['model']}", r["cites"]) for r in rows]))
    info(say(f"run one with: planner run {rows[0]['file']}", f"运行示例：planner run {rows[0]['file']}") if rows else say("no scenarios shipped", "没有随附场景"))


__all__ = ["print_comparison", "print_summary", "register", "run_file"]
