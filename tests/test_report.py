"""What a planner hands on, made by the command line on real runs and read back as a colleague would:
``results.xlsx`` in openpyxl, the CSV files as Excel reads them, ``report.html`` and the comparison report in
Chromium (no request outside the file, no page error, screenshots kept), ``--pdf`` with the same Chromium.

The two runs (``cold_chain_runs`` in conftest.py) are the small apple cold chain with two distribution
centres (A) and with one and the G22 expressway closed (B, whose title carries markup that must stay text).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser import Opened
from cli_runner import run_planner

from planner.labels import CODES, format_value, kpi_label


def _planner(*args: str | Path) -> Any:
    done = run_planner(*args, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


# ------------------------------------------------------------------------------------------ files


def test_csv_files_open_in_excel_and_are_rounded(cold_chain_runs: tuple[Path, Path]) -> None:
    run_a, _ = cold_chain_runs
    for name in ("sites.csv", "candidates.csv", "flows.csv", "service.csv", "assignments.csv"):
        raw = (run_a / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no byte-order mark: Excel would show mojibake"
        text = raw.decode("utf-8-sig")
        assert "平凉" in text or name == "service.csv"
        # no float noise such as 0.9999999999999998: at most 5 decimals anywhere (coordinates)
        for cell in (c for line in text.splitlines()[1:] for c in line.split(",")):
            if cell.replace(".", "", 1).replace("-", "", 1).isdigit() and "." in cell:
                assert len(cell.split(".")[1]) <= 5, (name, cell)
    sites = pd.read_csv(run_a / "sites.csv", encoding="utf-8-sig")
    assert list(sites.columns)[:3] == ["tier", "place_id", "name_zh"]
    assert set(sites["utilisation"].round(4)) == set(sites["utilisation"])
    assert (sites["fixed_cost_cny"] == sites["fixed_cost_cny"].round(0)).all()


def test_workbook_reads_back(cold_chain_runs: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    run_a, _ = cold_chain_runs
    summary = json.loads((run_a / "summary.json").read_text(encoding="utf-8"))
    book = load_workbook(run_a / "results.xlsx")
    assert book.sheetnames == ["摘要 Summary", "成本 Costs", "选址 Sites", "候选点 Candidates", "流量 Flows", "服务 Service", "说明 Codes"]

    sites_sheet = book["选址 Sites"]
    assert sites_sheet.freeze_panes == "A3"
    zh = [c.value for c in sites_sheet[1]]
    en = [c.value for c in sites_sheet[2]]
    assert "吞吐量（吨）" in zh and "throughput (t)" in en and "固定成本（元）" in zh and "capacity level" in en
    sites = pd.read_csv(run_a / "sites.csv", encoding="utf-8-sig")
    rows = [[c.value for c in row] for row in sites_sheet.iter_rows(min_row=3)]
    assert len(rows) == len(sites)
    throughput = en.index("throughput (t)")
    assert [r[throughput] for r in rows] == pytest.approx(list(sites["throughput_t"]))
    utilisation = en.index("utilisation")
    assert sites_sheet.cell(row=3, column=utilisation + 1).number_format == "0.0%"

    summary_sheet = book["摘要 Summary"]
    assert summary_sheet.freeze_panes == "A3"
    values = {row[3].value: row[1].value for row in summary_sheet.iter_rows(min_row=3) if len(row) > 3 and row[3].value}
    assert values["total_cost_cny"] == pytest.approx(summary["kpis"]["total_cost_cny"])
    assert values["tonne_km_by_mode.road"] == pytest.approx(summary["kpis"]["tonne_km_by_mode"]["road"])  # a mapping as rows
    items = [row[0].value for row in summary_sheet.iter_rows(min_row=3)]
    assert "总成本 total cost" in items and any(str(i).startswith("求解状态 solver status") for i in items)

    costs = book["成本 Costs"]
    parts = {row[3].value: row[1].value for row in costs.iter_rows(min_row=3)}
    assert parts["total"] == pytest.approx(summary["cost_breakdown_cny"]["total"], rel=1e-9)
    assert sum(v for k, v in parts.items() if k != "total") == pytest.approx(parts["total"], rel=1e-6)

    codes = book["说明 Codes"]
    explained: dict[str, str] = {}
    for row in codes.iter_rows(min_row=3):
        if row[0].value:
            explained.setdefault(row[0].value, row[3].value)  # the codes come first, then the column names
    assert "-1 = not built" in explained["level"] and "time_limit" in explained["status"]
    assert {column for column, *_ in CODES} <= set(explained)
    column_names = [row[0].value for row in codes.iter_rows(min_row=3)]
    for column in sites.columns:
        assert column in column_names  # every column of the tables has its Chinese and English name


def test_readme_explains_the_coded_columns() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for column, _values, _zh, _en in CODES:
        assert f"`{column}`" in readme, column
    assert "-1" in readme and "capacity_levels_t_cny" in readme


# ------------------------------------------------------------------------------------------ report


@pytest.mark.browser
def test_run_report_in_chromium(opened: Opened, cold_chain_runs: tuple[Path, Path], tmp_path: Path, screenshots: Path) -> None:
    run_a, _ = cold_chain_runs
    summary = json.loads((run_a / "summary.json").read_text(encoding="utf-8"))
    assert (run_a / "report.html").is_file()  # `planner run` wrote it
    page = opened.open_page(run_a / "report.html").page
    assert opened.errors == [] and opened.outside() == []
    text = page.locator("body").inner_text()
    # every KPI under its name, with planner run's units
    for key, value in summary["kpis"].items():
        if isinstance(value, dict):
            continue
        assert kpi_label(key, "zh") in text and format_value(key, value) in text, key
    assert "分方式周转量" in text and "{" not in page.locator("#kpis").inner_text()  # a mapping is a small table
    # the cost chart has a bar per component
    components = [k for k in summary["cost_breakdown_cny"] if k != "total"]
    assert page.locator("#costs svg .bar-rect").count() == len(components)
    # sites per tier, with capacity and utilisation
    sites = pd.read_csv(run_a / "sites.csv", encoding="utf-8-sig")
    assert page.locator("#sites table.sites tbody tr").count() == len(sites)
    assert page.locator("#sites h3").first.inner_text().startswith("配送中心")
    assert "400,000" in page.locator("#sites").inner_text()
    # unmet demand by place, solver status, inputs with their hashes
    assert "兰州" in page.locator("#unmet").inner_text()
    assert "最优" in page.locator("#solver").inner_text()
    manifest = json.loads((run_a / "manifest.json").read_text(encoding="utf-8"))
    scenario_input = next(i for i in manifest["inputs"] if i["path"].endswith("user_supply.yaml"))
    assert scenario_input["sha256"] in page.locator("#inputs").inner_text()
    # the map, drawn inside the page
    frame = page.frame_locator("iframe.map")
    frame.locator(".leaflet-container").wait_for()
    drawn = page.frames[1].evaluate("plannerMap.drawn('sites_0')")
    assert drawn == len(sites)
    page.screenshot(path=str(screenshots / "report_a.png"), full_page=True)


@pytest.mark.browser
def test_report_shows_whatever_summary_json_holds(opened: Opened, cold_chain_runs: tuple[Path, Path], tmp_path: Path) -> None:
    """A KPI, a mapping, a note and a per-site justification the report does not know appear by name."""
    run_a, _ = cold_chain_runs
    copy = tmp_path / "run"
    shutil.copytree(run_a, copy)
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    summary["kpis"]["spoilage_by_product_t"] = {"apple": 12.5, "pear": 3.25}
    summary["kpis"]["new_indicator_share"] = 0.125
    summary["notes"].append("why these sites: 平凉 is nearest to the orchards")
    summary["sites_opened"]["dc"]["why"] = {"平凉": "largest supply within 100 km"}
    summary["future_section"] = {"emissions": {"road_t": 10.0}}
    (copy / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    _planner("report", copy)
    page = opened.open_page(copy / "report.html").page
    assert opened.errors == []
    kpis = page.locator("#kpis").inner_text()
    assert "spoilage_by_product_t" in kpis and "apple\t12.5 t" in kpis and "pear\t3.25 t" in kpis and "12.5%" in kpis
    assert "{" not in kpis and "'" not in kpis
    assert "why these sites" in page.locator("#solver").inner_text()
    assert "largest supply within 100 km" in page.locator("#sites").inner_text()
    other = page.locator("#other").inner_text()
    assert "future_section" in other and "road_t" in other and "{" not in other


@pytest.mark.browser
def test_compare_report_and_pdf(opened: Opened, cold_chain_runs: tuple[Path, Path], tmp_path: Path, screenshots: Path,
                                monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from planner.cli import main

    run_a, run_b = cold_chain_runs
    monkeypatch.chdir(tmp_path)  # the comparison report goes to the current directory by default
    assert main(["report", str(run_a), str(run_b), "--pdf"]) == 0
    html = tmp_path / "report_user_supply_apples_vs_apples_one_dc.html"
    assert str(html) in capsys.readouterr().out and html.is_file()
    pdf = html.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000

    page = opened.open_page(html).page
    assert opened.errors == [] and opened.outside() == [] and opened.dialogs == []
    heading = page.locator("h1").inner_text()
    assert "user_supply_apples → apples_one_dc" in heading
    kpis = page.locator("#kpis").inner_text()
    comparison = json.loads(_planner("compare", run_a, run_b, "--json").stdout)
    total = comparison["kpis"]["total_cost_cny"]
    assert format_value("total_cost_cny", total["a"]) in kpis and format_value("total_cost_cny", total["b"]) in kpis
    assert f"{total['delta_pct']:+.1%}" in kpis
    changes = page.locator("#sites").inner_text()
    assert "配送中心" in changes and "庆阳" in changes and "关闭" in changes
    assert "兰州" in page.locator("#unmet").inner_text()
    assert "西安" in page.locator("#routes").inner_text()
    assert page.locator("#costs svg .bar-rect").count() == 2 * len([c for c in comparison["cost_components"] if c != "total"])
    # the hostile title of B is text: shown, not run
    assert "<img src=x onerror=alert(1)>" in page.locator("header").inner_text()
    page.locator("iframe.map").scroll_into_view_if_needed()
    page.frames[1].wait_for_function("window.plannerMap !== undefined")
    assert page.frames[1].evaluate("plannerMap.drawn('cmp_closed')") == 1
    page.screenshot(path=str(screenshots / "report_compare.png"), full_page=True)


def test_report_errors(cold_chain_runs: tuple[Path, Path], tmp_path: Path) -> None:
    done = run_planner("report", tmp_path)
    assert done.returncode == 2 and "not a run directory" in done.stderr and "Traceback" not in done.stderr
    run_a, _ = cold_chain_runs
    done = run_planner("report", run_a, "--out", tmp_path)
    assert done.returncode == 2 and "is a directory" in done.stderr


def test_report_numbers_match_the_summary(cold_chain_runs: tuple[Path, Path]) -> None:
    """The headline cards repeat summary.json exactly (to the unit shown)."""
    import re

    run_a, _ = cold_chain_runs
    summary = json.loads((run_a / "summary.json").read_text(encoding="utf-8"))
    html = (run_a / "report.html").read_text(encoding="utf-8")
    cards = dict(re.findall(r'data-key="([a-z_]+)"><div class="label">.*?</div><div class="value">([^<]+)</div>', html))
    assert cards["total_cost_cny"] == format_value("total_cost_cny", summary["kpis"]["total_cost_cny"])
    assert cards["service_level"] == format_value("service_level", summary["kpis"]["service_level"])
    assert math.isclose(float(cards["unmet_t"].split()[0].replace(",", "")), summary["kpis"]["unmet_t"], abs_tol=0.5)
