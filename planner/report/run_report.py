"""The report of one run: a single bilingual HTML page to send to a colleague.

Built from a run directory alone (``summary.json``, ``manifest.json``, ``sites.csv``, ``service.csv``,
``map.html``), so ``planner report RUN`` can redo it for any past run. Sections: headline figures,
every KPI, the cost breakdown as a chart, the sites of each tier with capacity and utilisation, unmet
demand by place, the map, solver status and notes, the clauses the scenario cites, the scenario's
settings and the inputs with their SHA-256. Keys of ``summary.json`` the page does not know are shown
too (under "other results"), by their names.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.atomic import write_text_atomic
from planner.documents import document_code, document_title
from planner.errors import PlannerError
from planner.labels import (
    column_label,
    cost_label,
    format_value,
    kpi_names,
    model_label,
    status_label,
    tier_names,
)
from planner.maps.html import Html, esc, join
from planner.report.chart import bar_chart
from planner.report.page import bi, el, embed_map, kv_table, more_note, page, render_value, section, table

__all__ = ["HEADLINE_KPIS", "read_run_files", "run_report_html", "write_report"]

#: KPIs shown as cards at the top, in this order, when the run has them.
HEADLINE_KPIS = ("total_cost_cny", "service_level", "unmet_t", "cost_per_t_delivered_cny", "max_path_time_h",
                 "max_time_h", "covered_weight_share", "co2_t", "spoilage_t", "open_sites")
_SUMMARY_KEYS = {"scenario", "title", "model", "solver", "cost_breakdown_cny", "sites_opened", "sites_opened_total",
                 "kpis", "notes"}
_SITE_COLUMNS_SHOWN_ELSEWHERE = {"tier", "name_zh", "name_en", "place_id", "lon", "lat", "utilisation"}
_TIER_ENTRY_KEYS = {"count", "sites", "mean_utilisation", "throughput_t"}


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def read_run_files(run_dir: Path) -> dict[str, Any]:
    """``summary``, ``manifest``, ``sites``, ``service`` and ``map_html`` of a run directory."""
    import pandas as pd

    if not (run_dir / "summary.json").is_file():
        raise PlannerError(f"{run_dir}: not a run directory (no summary.json); pass outputs/<scenario>/<run-id>")

    from planner.tables import read_csv

    def csv(name: str) -> pd.DataFrame:
        path = run_dir / f"{name}.csv"
        return read_csv(path) if path.is_file() else pd.DataFrame()

    map_path = run_dir / "map.html"
    return {
        "summary": _json(run_dir / "summary.json"),
        "manifest": _json(run_dir / "manifest.json"),
        "sites": csv("sites"),
        "service": csv("service"),
        "map_html": map_path.read_text(encoding="utf-8") if map_path.is_file() else None,
        "dir": run_dir,
    }


def is_money_model(summary: Mapping[str, Any]) -> bool:
    """Whether the run's model has a cost in CNY as its objective (the model registry says; it loads with
    the scenario stage, so only when a report is written)."""
    from planner.scenario.models import COST_MODELS

    return summary.get("model") in COST_MODELS


def _cost_text(summary: Mapping[str, Any], component: str, value: Any) -> str:
    if is_money_model(summary):
        return format_value("total_cost_cny", value)
    return format_value(component, value)


def cards(summary: Mapping[str, Any]) -> Html:
    """Headline figures of a run as cards (the keys of :data:`HEADLINE_KPIS` it has, and the sites)."""
    kpis = summary.get("kpis") or {}
    items = []
    for key in HEADLINE_KPIS:
        if isinstance(kpis.get(key), (int, float)) and not isinstance(kpis.get(key), bool):
            zh, en = kpi_names(key)
            items.append(el("div", join([el("div", bi(zh, en), cls="label"), el("div", format_value(key, kpis[key]), cls="value")]),
                            cls="card", data_key=key))
    if "sites_opened_total" in summary and "open_sites" not in kpis:
        items.append(el("div", join([el("div", bi("选址总数", "sites opened"), cls="label"),
                                     el("div", str(summary["sites_opened_total"]), cls="value")]), cls="card", data_key="sites_opened_total"))
    return el("div", join(items), cls="cards")


def _notes(notes: Any) -> Html:
    if not notes:
        return el("p", bi("无", "none"), cls="meta")
    items = notes if isinstance(notes, list) else [notes]
    return join(el("div", render_value("note", n), cls="note" + (" warn" if str(n).startswith("solver:") else "")) for n in items)


def cost_section(summary: Mapping[str, Any]) -> Html:
    """The cost breakdown as bars and as a table (M CNY and share of the total for the cost models)."""
    costs = summary.get("cost_breakdown_cny") or {}
    parts = [k for k, v in costs.items() if k != "total" and isinstance(v, (int, float))]
    if not parts:
        return el("p", bi("本模型没有成本分项", "this model has no cost breakdown"), cls="meta")
    total = costs.get("total")
    labels = [f"{cost_label(k, 'zh')} {cost_label(k, 'en')}" if cost_label(k, "zh") != k else k for k in parts]
    values = [float(costs[k]) for k in parts]
    texts = [_cost_text(summary, k, costs[k]) for k in parts]
    chart = bar_chart(labels, [values], [texts], title="cost breakdown")
    rows = []
    for key in [*parts, *(["total"] if total is not None else [])]:
        share = costs[key] / total if isinstance(total, (int, float)) and total else None
        rows.append((bi(cost_label(key, "zh"), cost_label(key, "en")), _cost_text(summary, key, costs[key]),
                     "-" if share is None else f"{share:.1%}"))
    return join([chart, table([bi("成本项", "component"), bi("成本", "cost"), bi("占比", "share")], rows)])


def _utilisation(value: Any) -> Html:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return esc("-")
    width = max(0.0, min(value, 1.0)) * 80
    bar = el("span", el("span", "", cls="bar" + (" over" if value > 0.999 else ""), style=f"width:{width:.0f}px"), cls="bar-track")
    return join([bar, f"{value:.0%}"])


def sites_section(summary: Mapping[str, Any], sites: Any) -> Html:
    """Per tier: the opened sites with capacity, throughput and utilisation, then any further facts."""
    per_tier = summary.get("sites_opened") or {}
    tiers = list(per_tier) or (list(dict.fromkeys(sites["tier"].astype(str))) if len(sites) else [])
    blocks = []
    for tier in tiers:
        entry = per_tier.get(tier, {})
        zh, en = tier_names(tier)
        count = entry.get("count") if isinstance(entry, Mapping) else None
        heading = join([bi(zh, en), f" · {count} " if count is not None else " ", bi("处", "sites" if count != 1 else "site")])
        blocks.append(el("h3", heading, data_tier=tier))
        rows_frame = sites[sites["tier"].astype(str) == str(tier)] if len(sites) else sites
        if len(rows_frame):
            extra = [c for c in rows_frame.columns if c not in _SITE_COLUMNS_SHOWN_ELSEWHERE]
            header = [bi("名称", "name"), bi("编号", "id"), *(bi(column_label(c, "zh"), column_label(c, "en")) for c in extra)]
            if "utilisation" in rows_frame.columns:
                header.append(bi("利用率", "utilisation"))
            rows = []
            for record in rows_frame.to_dict("records"):
                row: list[object] = [bi(record.get("name_zh", ""), record.get("name_en", "")), record.get("place_id", "")]
                row += [format_value(c, _plain(record.get(c)), unit=False) for c in extra]
                if "utilisation" in rows_frame.columns:
                    row.append(_utilisation(record.get("utilisation")))
                rows.append(row)
            blocks.append(table(header, rows, cls="sites"))
        elif isinstance(entry, Mapping) and entry.get("sites"):
            blocks.append(el("p", "、".join(map(str, entry["sites"]))))
        if isinstance(entry, Mapping):
            more = [(k, v) for k, v in entry.items() if k not in _TIER_ENTRY_KEYS]
            if more:
                blocks.append(kv_table(more))
    return join(blocks) if blocks else el("p", bi("没有选中的设施", "no site opened"), cls="meta")


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def unmet_section(service: Any, limit: int = 25) -> Html | None:
    """Places with unmet demand (tonnes, share of their demand), largest first; None when all is met."""
    if not len(service) or "unmet_t" not in service.columns:
        return None
    keys = [c for c in ("place_id", "name_zh", "name_en") if c in service.columns]
    grouped = service.groupby(keys, dropna=False)[["demand_t", "unmet_t"]].sum().reset_index()
    grouped = grouped[grouped["unmet_t"] > 1e-6].sort_values("unmet_t", ascending=False)
    if grouped.empty:
        return None
    rows = []
    for record in grouped.head(limit).to_dict("records"):
        share = record["unmet_t"] / record["demand_t"] if record["demand_t"] else None
        rows.append((bi(record.get("name_zh", ""), record.get("name_en", "")), record.get("place_id", ""),
                     format_value("demand_t", record["demand_t"]), format_value("unmet_t", record["unmet_t"]),
                     "-" if share is None else f"{share:.0%}"))
    tail = more_note(len(grouped), limit, "处", "places")
    return join([table([bi("地点", "place"), bi("编号", "id"), bi("需求", "demand"), bi("未满足", "unmet"), bi("比例", "share")], rows), tail])


def solver_section(summary: Mapping[str, Any]) -> Html:
    """Solver status in words, objective, bound, gap and times, then the run's notes."""
    solver = summary.get("solver") or {}
    status = str(solver.get("status", ""))
    rows = [(bi("状态", "status"), bi(status_label(status, "zh"), status_label(status, "en")))]
    names = {"solver": ("求解器", "solver"), "objective": ("目标函数值", "objective"), "best_bound": ("最优界", "best bound"),
             "gap": ("最优间隙", "gap"), "build_seconds": ("建模时间（秒）", "build seconds"),
             "solve_seconds": ("求解时间（秒）", "solve seconds"), "run_seconds": ("总运行时间（秒）", "run seconds"),
             "message": ("求解器信息", "solver message")}
    for key, value in solver.items():
        if key == "status" or value in (None, ""):
            continue
        zh, en = names.get(key, (key, key))
        shown = format_value("gap" if key == "gap" else key, value)
        if key.endswith("seconds") and isinstance(value, (int, float)):
            shown = f"{value:,.1f}"
        rows.append((bi(zh, en), shown))
    return join([table([bi("项目", "item"), bi("值", "value")], rows), el("h3", bi("说明", "Notes")), _notes(summary.get("notes"))])


def cites_section(scenario: Mapping[str, Any]) -> Html:
    """The clauses the scenario rests on, with the document's code and title."""
    cites = scenario.get("cites") or []
    if not cites:
        return el("p", bi("场景未引用条款", "the scenario cites no clause"), cls="meta")
    rows = [(f"{document_code(c.get('document', ''))}:L{c.get('lines', '')}", document_title(c.get("document", "")) or c.get("document", ""),
             c.get("clause", "")) for c in cites]
    return table([bi("出处", "citation"), bi("文件", "document"), bi("条款", "clause")], rows)


def settings_section(scenario: Mapping[str, Any]) -> Html:
    """The scenario's own settings (description, region, modes, tiers, policy, disruptions, solver)."""
    parts: list[Html] = []
    if scenario.get("description"):
        parts.append(el("p", scenario["description"]))
    rows = []
    for key in ("region", "modes", "metric", "p", "service_time_h", "policy", "disruptions", "solver"):
        value = scenario.get(key)
        if value in (None, [], {}) or (isinstance(value, Mapping) and not any(v not in (None, [], {}) for v in value.values())):
            continue
        rows.append((el("span", key, cls="key-only"), render_value(key, _compact(value))))
    if rows:
        parts.append(table([bi("设置", "setting"), bi("值", "value")], rows))
    tiers = scenario.get("tiers") or []
    if tiers:
        tier_rows = []
        for tier in tiers:
            zh, en = tier_names(tier.get("name", ""))
            levels = "; ".join(f"{format_value('capacity_t', lv[0])} / {format_value('fixed_cost_cny', lv[1])}"
                               for lv in tier.get("capacity_levels_t_cny") or [] if isinstance(lv, (list, tuple)) and len(lv) == 2)
            for zone, spec in (tier.get("zones") or {}).items():  # zones: capacities, costs from facility_costs.csv
                given = spec.get("levels_t_cny") or [[t, None] for t in spec.get("levels_t") or []]
                levels += ("; " if levels else "") + f"{zone}: " + ", ".join(
                    format_value("capacity_t", lv[0]) + (f" / {format_value('fixed_cost_cny', lv[1])}" if lv[1] is not None else "")
                    for lv in given)
            tier_rows.append((bi(zh, en), levels, format_value("handling_cny_per_t", tier.get("handling_cny_per_t")),
                              str(tier.get("min_open", "-")), str(tier.get("max_open") if tier.get("max_open") is not None else "-")))
        parts.append(el("h3", bi("层级与规模档次", "Tiers and capacity levels (level 0, 1, ...)")))
        parts.append(table([bi("层级", "tier"), bi("能力（吨）/ 固定成本（元）", "capacity (t) / fixed cost (CNY)"),
                            bi("作业费", "handling"), bi("最少", "min open"), bi("最多", "max open")], tier_rows))
    return join(parts)


def _compact(value: Any) -> Any:
    """A mapping without its empty entries (the scenario dump lists every default)."""
    if isinstance(value, Mapping):
        return {k: _compact(v) for k, v in value.items() if v not in (None, [], {}, "")}
    return value


def inputs_section(manifest: Mapping[str, Any]) -> Html:
    """Input files with their SHA-256 (scenario files shown, the shipped data folded) and versions."""
    inputs = manifest.get("inputs") or []
    if not inputs:
        return el("p", bi("没有 manifest.json", "no manifest.json"), cls="meta")
    scenario_files = set(manifest.get("scenario_files") or [])

    def rows(items: list[dict[str, Any]]) -> Html:
        return table([bi("文件", "file"), "SHA-256"], [(i.get("path", ""), el("span", i.get("sha256", ""), cls="hash")) for i in items])

    first = [i for i in inputs if i.get("path") in scenario_files or "geodata" not in str(i.get("path"))]
    rest = [i for i in inputs if i not in first]
    parts = [rows(first)] if first else []
    if rest:
        parts.append(el("details", join([el("summary", bi(f"共享数据 {len(rest)} 个文件", f"shipped data: {len(rest)} files")), rows(rest)])))
    versions = manifest.get("versions") or {}
    if versions:
        parts.append(el("p", "; ".join(f"{k} {v}" for k, v in versions.items()), cls="meta"))
    return join(parts)


def run_report_html(run_dir: str | Path, *, run_id: str | None = None) -> str:
    """The report page of a run directory (see the module docstring)."""
    files = read_run_files(Path(run_dir))
    summary, manifest = files["summary"], files["manifest"]
    scenario = manifest.get("scenario") or {}
    title = str(summary.get("title") or summary.get("scenario", ""))
    run_id = run_id or manifest.get("run_id") or Path(run_dir).name
    solver = summary.get("solver") or {}
    status = str(solver.get("status", ""))
    meta = el("div", join([
        el("span", join([bi("场景", "scenario"), ": ", el("code", summary.get("scenario", ""))])),
        el("span", join([bi("模型", "model"), ": ", bi(model_label(summary.get("model", ""), "zh"), model_label(summary.get("model", ""), "en"))])),
        el("span", join([bi("运行", "run"), ": ", el("code", run_id)])),
        el("span", join([bi("时间", "created"), ": ", manifest.get("created_utc", "-")])),
        el("span", join([bi("求解", "solver"), ": ", bi(status_label(status, "zh"), status)])),
    ]), cls="meta")
    toc = el("nav", join(el("a", bi(zh, en), href=f"#{anchor}") for anchor, zh, en in (
        ("kpis", "指标", "KPIs"), ("costs", "成本", "costs"), ("sites", "选址", "sites"), ("map", "地图", "map"),
        ("solver", "求解", "solver"), ("cites", "依据", "clauses"), ("inputs", "输入", "inputs"))), cls="toc")
    header = el("header", join([el("h1", title), meta, toc]), cls="top")
    body: list[Html] = [header, cards(summary)]
    if status == "time_limit":
        body.append(el("div", bi("求解达到时间上限，方案可行但未证明最优", "the solver stopped at the time limit: the plan is feasible but not proven optimal"), cls="note warn"))
    body.append(section("kpis", "关键指标", "KPIs", kv_table((summary.get("kpis") or {}).items())))
    body.append(section("costs", "成本构成", "Cost breakdown", cost_section(summary)))
    body.append(section("sites", "各层级选址", "Sites per tier", sites_section(summary, files["sites"])))
    unmet = unmet_section(files["service"])
    if unmet is not None:
        body.append(section("unmet", "未满足需求（按地点）", "Unmet demand by place", unmet))
    policy = None
    if files["map_html"]:
        frame, policy = embed_map(files["map_html"], f"{title} map")
        body.append(section("map", "地图", "Map", frame))
    body.append(section("solver", "求解状态与说明", "Solver status and notes", solver_section(summary)))
    body.append(section("cites", "依据条款", "Clauses cited", cites_section(scenario)))
    body.append(section("settings", "场景设置", "Scenario settings", settings_section(scenario)))
    body.append(section("inputs", "输入文件与哈希", "Inputs and their SHA-256", inputs_section(manifest)))
    other = [(k, v) for k, v in summary.items() if k not in _SUMMARY_KEYS]
    if other:
        body.append(section("other", "其他结果", "Other results", kv_table(other)))
    return page(f"{title} — planner report", body, policy)


def write_report(run_dir: str | Path, out: str | Path | None = None, *, run_id: str | None = None) -> Path:
    """Write the report of ``run_dir`` to ``out`` (default ``RUN_DIR/report.html``) atomically."""
    target = Path(out) if out is not None else Path(run_dir) / "report.html"
    return write_text_atomic(target, run_report_html(run_dir, run_id=run_id))
