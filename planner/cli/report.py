"""``planner report``: the one-page bilingual report of a run, or of two runs compared, as HTML or PDF."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from planner.cli._common import console, info
from planner.cli._i18n import h, say
from planner.errors import PlannerError


def register(app: typer.Typer) -> None:
    """Add ``planner report`` to the root app."""
    app.command("report", short_help=h("One-page HTML (or PDF) report of a run or of two runs compared.", "一次运行或两次运行比较的单页 HTML（或 PDF）报告。"), help=h(
        "Write the report of a run (RUN/report.html: KPIs, cost chart, sites per tier, map, solver notes, cited "
        "clauses, inputs with hashes), or of two runs compared (RUN_A RUN_B: what changed). One self-contained "
        "HTML file that opens offline; --pdf also prints it to PDF with Chromium.",
        "写出一次运行的报告（RUN/report.html：指标、成本图、各层级设施、地图、求解说明、依据条款、输入文件及哈希），"
        "或两次运行的比较报告（RUN_A RUN_B：变化了什么）。单个自包含的 HTML 文件，可离线打开；--pdf 另用 Chromium 打印为 PDF。"))(report)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "run"


def report(
    run_dir: Path = typer.Argument(..., help=h("Run directory (outputs/<scenario>/<run-id>).", "运行目录（outputs/<场景>/<运行编号>）。")),
    run_b: Path = typer.Argument(None, help=h("A second run directory: report the comparison of RUN_DIR (A) and this (B).",
                                              "第二个运行目录：写出 RUN_DIR（A）与它（B）的比较报告。")),
    out: Path = typer.Option(None, "--out", "-o", help=h("HTML file to write (default: RUN_DIR/report.html; for two runs "
                                                          "report_<A>_vs_<B>.html in the current directory).",
                                                          "输出的 HTML 文件（默认 RUN_DIR/report.html；两次运行时为当前目录下的 report_<A>_vs_<B>.html）。")),
    pdf: bool = typer.Option(False, "--pdf", help=h("Also print the report to PDF (same name, .pdf) with Chromium.",
                                                     "同时用 Chromium 打印为 PDF（同名 .pdf）。")),
) -> None:
    from planner.report import print_pdf, write_compare_report, write_report

    for directory in (run_dir, run_b):
        if directory is not None and not (directory / "summary.json").is_file():
            raise PlannerError(f"{directory}: not a run directory (no summary.json); pass outputs/<scenario>/<run-id>")
    if out is not None and out.is_dir():
        raise PlannerError(f"--out {out} is a directory; give an .html file name")
    if run_b is None:
        path = write_report(run_dir, out)
    else:
        target = out if out is not None else Path(f"report_{_slug(run_dir.parent.name)}_vs_{_slug(run_b.parent.name)}.html")
        path = write_compare_report(run_dir, run_b, target)
    info(f"{say('wrote', '已写出')} {path} ({path.stat().st_size / 1024:.0f} KiB)")
    console.print(str(path.resolve()), markup=False, highlight=False, soft_wrap=True)
    if pdf:
        printed = print_pdf(path, path.with_suffix(".pdf"))
        info(f"{say('wrote', '已写出')} {printed} ({printed.stat().st_size / 1024:.0f} KiB)")
        console.print(str(printed.resolve()), markup=False, highlight=False, soft_wrap=True)
