"""The report of two runs side by side: what changed from plan A to plan B, on one page.

Built from two run directories: the KPIs of both with absolute and relative differences, the costs as
paired bars, the site changes per tier (opened, closed, moved, resized, kept), unmet demand by place,
the destinations supplied by another route, the comparison map, and both runs' notes and clauses.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.atomic import write_text_atomic
from planner.labels import cost_label, format_value, kpi_names, status_label, tier_names
from planner.maps.html import Html, join
from planner.report.chart import bar_chart
from planner.report.page import bi, el, embed_map, more_note, page, section, table
from planner.report.run_report import cites_section, is_money_model, read_run_files

__all__ = ["CHANGE_NAMES", "compare_report_html", "write_compare_report"]

#: Kinds of site change, in the order the report lists them: (Chinese, English).
CHANGE_NAMES = {
    "opened": ("新增", "opened in B"),
    "closed": ("关闭", "closed in B"),
    "moved": ("迁移", "moved"),
    "resized": ("调整规模", "resized"),
    "kept": ("保留", "kept"),
}


def _delta_text(key: str, row: Mapping[str, Any]) -> tuple[Html, str]:
    delta, pct = row.get("delta"), row.get("delta_pct")
    if delta is None:
        return join(["-"]), "-"
    text = ("+" if delta > 0 else "") + format_value(key, delta)
    cls = "up" if delta > 0 else ("down" if delta < 0 else None)
    pct_text = "-" if pct is None else f"{'+' if pct > 0 else ''}{pct:.1%}"
    return el("span", text, cls=cls), pct_text


def kpi_rows(comparison: Mapping[str, Any]) -> list[tuple[object, ...]]:
    """Rows of the KPI table: name, A, B, B - A, (B - A) / A."""
    rows = []
    for key, row in comparison["kpis"].items():
        zh, en = kpi_names(key)
        delta, pct = _delta_text(key, row)
        rows.append((join([bi(zh, en), el("div", key, cls="key")]) if zh != key else el("span", key, cls="key-only"),
                     format_value(key, row["a"]), format_value(key, row["b"]), delta, pct))
    return rows


def _site_names(sites: list[Mapping[str, Any]]) -> str:
    return "、".join(f"{s['name_zh']}" for s in sites)


def tier_change_section(comparison: Mapping[str, Any]) -> Html:
    """One table per tier: each kind of change with the sites it concerns."""
    blocks = []
    for tier, changes in comparison["sites_by_tier"].items():
        zh, en = tier_names(tier)
        rows = []
        for kind, (kind_zh, kind_en) in CHANGE_NAMES.items():
            items = changes.get(kind) or []
            if not items:
                continue
            if kind == "moved":
                detail = "；".join(f"{m['from']['name_zh']} → {m['to']['name_zh']}"
                                  + (f"（{m['distance_km']:,.0f} km）" if m.get("distance_km") is not None else "") for m in items)
            elif kind == "resized":
                detail = "；".join(f"{r['name_zh']}: {format_value('capacity_t', r['capacity_a_t'])} → "
                                  f"{format_value('capacity_t', r['capacity_b_t'])}" for r in items)
            else:
                detail = _site_names(items)
            rows.append((el("span", bi(kind_zh, kind_en), cls=f"change-{kind}"), str(len(items)), detail))
        blocks.append(el("h3", bi(zh, en), data_tier=tier))
        blocks.append(table([bi("变化", "change"), bi("数量", "count"), bi("设施", "sites")], rows, cls="changes"))
    return join(blocks) if blocks else el("p", bi("两个方案都没有选中设施", "neither plan opens a site"), cls="meta")


def unmet_section(comparison: Mapping[str, Any], limit: int = 30) -> Html:
    """Demand points with unmet demand in either plan, largest first."""
    rows_in = comparison["unmet"]
    if not rows_in:
        return el("p", bi("两个方案都满足全部需求", "both plans meet all demand"), cls="meta")
    key = "unmet_t" if comparison["unmet_unit"] == "t" else "total_weight"
    rows = []
    for row in rows_in[:limit]:
        delta = row["delta"]
        rows.append((row["name_zh"], row["place_id"], format_value(key, row["unmet_a"]), format_value(key, row["unmet_b"]),
                     el("span", f"{'+' if delta > 0 else ''}{format_value(key, delta)}", cls="up" if delta > 0 else ("down" if delta < 0 else None)),
                     "、".join(row.get("products_b", {})) or "-"))
    tail = more_note(len(rows_in), limit, "处", "places")
    unit = bi("吨", "t") if comparison["unmet_unit"] == "t" else bi("权重", "weight")
    return join([el("p", join([bi("单位", "unit"), ": ", unit]), cls="meta"),
                 table([bi("地点", "place"), bi("编号", "id"), f"A {comparison['name_a']}", f"B {comparison['name_b']}",
                        "B - A", bi("B 未满足的产品", "products unmet in B")], rows), tail])


def _sources_text(sources: list[Mapping[str, Any]], unit_key: str) -> str:
    if not sources:
        return "-"
    return "；".join(f"{s['name_zh'] or s['place_id']}{(' (' + s['mode'] + ')') if s['mode'] else ''} {format_value(unit_key, s['amount'])}"
                    for s in sources[:4]) + ("…" if len(sources) > 4 else "")


def routes_section(comparison: Mapping[str, Any], limit: int = 30) -> Html:
    """Destinations supplied from other places (or by another mode) in B, largest first."""
    rows_in = comparison["routes_changed"]
    if not rows_in:
        return el("p", bi("流向没有变化", "no flow changed route"), cls="meta")
    unit_key = "tonnes" if comparison["unmet_unit"] == "t" else "weight"
    rows = []
    for row in rows_in[:limit]:
        zh, en = tier_names(row["to_tier"])
        rows.append((row["product"] or "-", join([row["to_name_zh"] or row["to_id"], " ", el("span", f"{zh}", cls="en")]),
                     _sources_text(row["from_a"], unit_key), _sources_text(row["from_b"], unit_key)))
    tail = more_note(len(rows_in), limit, "条", "destinations")
    return join([el("p", bi(f"共 {len(rows_in)} 个目的地的来源发生变化", f"{len(rows_in)} destinations are supplied from other places"), cls="meta"),
                 table([bi("产品", "product"), bi("目的地", "destination"), bi("A 的来源", "sources in A"), bi("B 的来源", "sources in B")], rows), tail])


def _cost_chart(comparison: Mapping[str, Any], money: bool) -> Html:
    components = [c for c in comparison.get("cost_components", []) if c != "total"]
    if not components:
        return el("p", bi("本模型没有成本分项", "this model has no cost breakdown"), cls="meta")
    rows = [comparison["kpis"][f"cost_{c}"] for c in components]
    series = [[float(r["a"] or 0.0) for r in rows], [float(r["b"] or 0.0) for r in rows]]
    texts = [[format_value("total_cost_cny" if money else c, v) for c, v in zip(components, values, strict=True)] for values in series]
    labels = [f"{cost_label(c, 'zh')} {cost_label(c, 'en')}" if cost_label(c, "zh") != c else c for c in components]
    return bar_chart(labels, series, texts, names=[f"A {comparison['name_a']}", f"B {comparison['name_b']}"], title="costs A and B")


def compare_report_html(run_a: str | Path, run_b: str | Path) -> str:
    """The comparison page of two run directories (see the module docstring)."""
    from planner.compare import compare_runs
    from planner.maps import compare_map, render_html

    run_a, run_b = Path(run_a), Path(run_b)
    files_a, files_b = read_run_files(run_a), read_run_files(run_b)
    comparison = compare_runs(run_a, run_b)
    name_a, name_b = comparison["name_a"], comparison["name_b"]
    money = is_money_model({"model": comparison["model_a"]})
    status = [str((f["summary"].get("solver") or {}).get("status", "")) for f in (files_a, files_b)]
    meta = el("div", join([
        el("span", join(["A: ", el("code", name_a), " ", comparison["title_a"], " · ", bi(status_label(status[0], "zh"), status[0])])),
        el("br", ""),
        el("span", join(["B: ", el("code", name_b), " ", comparison["title_b"], " · ", bi(status_label(status[1], "zh"), status[1])])),
    ]), cls="meta")
    header = el("header", join([el("h1", bi(f"方案比较：{name_a} → {name_b}", "comparison of two plans")), meta]), cls="top")
    cards = []
    for key in ("total_cost_cny", "service_level", "unmet_t", "max_path_time_h", "max_time_h", "open_sites", "co2_t"):
        row = comparison["kpis"].get(key)
        if not row or row["a"] is None and row["b"] is None:
            continue
        zh, en = kpi_names(key)
        delta, pct = _delta_text(key, row)
        cards.append(el("div", join([el("div", bi(zh, en), cls="label"),
                                     el("div", f"{format_value(key, row['a'])} → {format_value(key, row['b'])}", cls="value pair"),
                                     el("div", join([delta, f" ({pct})" if pct != "-" else ""]), cls="delta")]), cls="card", data_key=key))
    body: list[Html] = [header, el("div", join(cards), cls="cards")]
    body.append(section("kpis", "指标对比", "KPIs", table([bi("指标", "indicator"), f"A {name_a}", f"B {name_b}", "B - A", "(B - A) / A"],
                                                          kpi_rows(comparison), cls="kpis")))
    body.append(section("costs", "成本构成", "Costs", _cost_chart(comparison, money)))
    body.append(section("sites", "各层级选址变化", "Site changes per tier", tier_change_section(comparison)))
    body.append(section("unmet", "未满足需求（按地点）", "Unmet demand by place", unmet_section(comparison)))
    body.append(section("routes", "流向变化", "Flows that changed route", routes_section(comparison)))
    map_page = render_html(compare_map(run_a, run_b))
    frame, policy = embed_map(map_page, "comparison map")
    body.append(section("map", "比较地图", "Comparison map", frame))
    notes = []
    for label, files in (("A", files_a), ("B", files_b)):
        for note in files["summary"].get("notes") or []:
            notes.append(el("div", f"{label}: {note}", cls="note"))
    body.append(section("notes", "说明", "Notes", join(notes) if notes else el("p", bi("无", "none"), cls="meta")))
    cites = [el("h3", f"A {name_a}"), cites_section(files_a["manifest"].get("scenario") or {}),
             el("h3", f"B {name_b}"), cites_section(files_b["manifest"].get("scenario") or {})]
    body.append(section("cites", "依据条款", "Clauses cited", join(cites)))
    return page(f"{name_a} → {name_b} — planner comparison", body, policy)


def write_compare_report(run_a: str | Path, run_b: str | Path, out: str | Path) -> Path:
    """Write the comparison report of two run directories to ``out`` atomically."""
    return write_text_atomic(Path(out), compare_report_html(run_a, run_b))
