"""Maps of scenario results (the comparison of two runs is :mod:`planner.maps.compare_maps`).

Built from a run directory (``outputs/<scenario>/<run-id>/``: its ``results.gpkg`` layers and
``summary.json``) so that ``planner map run RUN_DIR`` can redraw any past run. Layers:

* regions shaded by a KPI (unmet demand share for cost models, longest service time for coverage models);
* opened sites by tier (colour by tier, size by throughput), candidates not opened (small grey);
* flows along their network routes with width by volume, aggregated per route and tier pair so large
  results stay light (one layer per tier pair);
* assignments (demand point -> serving site) and unserved demand points.

Popups give each site's numbers; every name is escaped (see :mod:`planner.maps.html`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd
import pyogrio

from planner.errors import PlannerError
from planner.labels import mode_label, tier_label, tier_names
from planner.maps.base import LegendItem, MapState, new_map, planner_state
from planner.maps.boundaries import add_boundaries
from planner.maps.closures import add_closures, closures_of
from planner.maps.html import bilingual, join, table, tag
from planner.maps.results import add_flows
from planner.tables import read_csv

if TYPE_CHECKING:
    from planner.scenario.result import RunResult

__all__ = ["add_place_labels", "read_layers", "read_summary", "result_map", "result_map_of", "run_disruptions", "run_map"]

_TIER_COLOURS = ["#2e7d32", "#c62828", "#1565c0", "#6a1b9a", "#ef6c00", "#00838f"]
_CANDIDATE_STYLE = {"color": "#ffffff", "weight": 1, "fillColor": "#9e9e9e", "fillOpacity": 0.9}
_ASSIGNMENT_STYLE = {"color": "#546e7a", "opacity": 0.6, "dashArray": "4 4"}
_UNMET_STYLE = {"color": "#b71c1c", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1}
#: An invisible anchor for a place's label (the markers themselves carry no label).
_LABEL_ANCHOR = {"color": "#000000", "weight": 0, "opacity": 0, "fillOpacity": 0, "interactive": False}
_SHADES = ["#f1f8e9", "#dcedc8", "#fff59d", "#ffcc80", "#ef9a9a"]


def read_layers(run_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    gpkg = run_dir / "results.gpkg"
    if not gpkg.is_file():
        raise PlannerError(f"{run_dir}: no results.gpkg; pass a run directory written by `planner run`")
    names = [row[0] for row in pyogrio.list_layers(gpkg)]
    return {name: gpd.read_file(gpkg, layer=name) for name in names}


def read_summary(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "summary.json"
    if not path.is_file():
        raise PlannerError(f"{run_dir}: not a run directory (no summary.json); pass outputs/<scenario>/<run-id>")
    return json.loads(path.read_text(encoding="utf-8"))


def _number(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{float(value):,.{digits}f}"


def _add_regions(m: folium.Map, regions: gpd.GeoDataFrame, model: str) -> None:
    state = planner_state(m)
    if regions is None or regions.empty:
        return
    if {"demand_t", "unmet_t"} <= set(regions.columns):
        demand = regions["demand_t"].fillna(0.0)
        value = (regions["unmet_t"].fillna(0.0) / demand.where(demand > 0)).fillna(0.0)
        label_zh, label_en, fmt = "未满足需求比例", "unmet demand share", lambda v: f"{v:.1%}"
    elif "max_time_h" in regions.columns:
        value = regions["max_time_h"].fillna(0.0)
        label_zh, label_en, fmt = "最长服务时间（小时）", "longest service time (h)", lambda v: f"{v:.1f} h"
    else:
        return
    layer = state.add_layer("region_kpi", f"地区指标：{label_zh}", f"Regions: {label_en}", pane="area", fit=False)
    top = float(value.max()) if len(value) else 0.0
    edges = [top * k / len(_SHADES) for k in range(1, len(_SHADES) + 1)]
    for row, v in zip(regions.itertuples(), value, strict=True):
        shade = _SHADES[next((i for i, e in enumerate(edges) if v <= e), len(_SHADES) - 1)] if top > 0 else _SHADES[0]
        rows = [(label_zh, fmt(float(v)))]
        for column, name in (("demand_t", "需求 t"), ("delivered_t", "送达 t"), ("weight", "权重")):
            if column in regions.columns:
                rows.append((name, _number(getattr(row, column))))
        popup = tag("div", join([tag("div", bilingual(row.name_zh, getattr(row, "name_en", "")), "pl-pop-title"), table(["", ""], rows)]), "pl-pop")
        layer.add_geometry(row.geometry, style={"color": "#8d6e63", "weight": 0.6, "fillColor": shade, "fillOpacity": 0.55}, popup=popup, tooltip=f"{row.name_zh}: {fmt(float(v))}")
    state.add_legend(label_zh, label_en, [
        LegendItem("ar", {"color": "#8d6e63", "weight": 0.6, "fillColor": s, "fillOpacity": 0.55}, f"≤ {fmt(e)}", "", layer="region_kpi")
        for s, e in zip(_SHADES, edges, strict=True)
    ] if top > 0 else [])


def _add_sites(m: folium.Map, sites: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame | None) -> None:
    state = planner_state(m)
    if candidates is not None and len(candidates) and "open" in candidates.columns:
        closed = candidates[~candidates["open"].astype(bool)]
        if len(closed):
            layer = state.add_layer("candidates", "未选中的候选点", "Candidates not opened", show=False, fit=False)
            for row in closed.itertuples():
                layer.add_point(row.lon, row.lat, style=_CANDIDATE_STYLE, radius=3.5, tooltip=f"{row.name_zh} ({tier_label(row.tier, 'zh')} {row.tier})")
            state.add_legend("候选点", "Candidates", [LegendItem("pt", _CANDIDATE_STYLE, "未选中的候选点", "candidate not opened", radius=3.5, layer="candidates")])
    if sites is None or sites.empty:
        return
    tiers = list(dict.fromkeys(sites["tier"]))
    size_column = "throughput_t" if "throughput_t" in sites.columns else ("assigned_weight" if "assigned_weight" in sites.columns else None)
    largest = float(sites[size_column].max()) if size_column and len(sites) else 0.0
    legend = []
    places: dict[str, dict[str, Any]] = {}
    for index, tier in enumerate(tiers):
        colour = _TIER_COLOURS[index % len(_TIER_COLOURS)]
        tier_zh, tier_en = tier_names(tier)
        layer = state.add_layer(f"sites_{index}", f"选址：{tier_zh}", f"Sites opened: {tier_en}" + (f" ({tier})" if tier_en != tier else ""))
        for row in sites[sites["tier"] == tier].itertuples():
            size = float(getattr(row, size_column)) if size_column else 0.0
            radius = 5 + 9 * math.sqrt(size / largest) if largest > 0 else 7
            place = places.setdefault(str(row.place_id), {"row": row, "tiers": [], "radius": 0.0})
            place["tiers"].append(tier_zh)
            place["radius"] = max(place["radius"], radius)
            rows = [("层级 tier", f"{tier_zh} {tier}" if tier_zh != tier else tier)]
            for column, name in (("zones", "温区 zones"), ("capacity_t", "能力 capacity t"), ("volume_m3", "库容 volume m3"),
                                 ("capex_cny", "投资 capital investment CNY"), ("throughput_t", "吞吐 throughput t"),
                                 ("utilisation", "利用率 utilisation"), ("fixed_cost_cny", "固定成本 fixed cost CNY"),
                                 ("assigned_weight", "服务人口/权重 weight served"), ("customers", "服务点数 points served"),
                                 ("catchment", "服务范围 catchment"), ("why", "为何选此 why here")):
                if column in sites.columns:
                    value = getattr(row, column)
                    if column in ("zones", "catchment", "why"):
                        if isinstance(value, str) and value:
                            rows.append((name, value))
                    elif value == value:  # NaN: not known for this site
                        rows.append((name, f"{float(value):.0%}" if column == "utilisation" else _number(value)))
            popup = tag("div", join([tag("div", bilingual(row.name_zh, row.name_en), "pl-pop-title"), tag("div", str(row.place_id), "pl-pop-sub"), table(["", ""], rows)]), "pl-pop")
            layer.add_point(row.lon, row.lat, style={"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}, radius=radius,
                            popup=popup, tooltip=f"{row.name_zh} · {tier_zh}", search=(str(row.name_zh), str(row.name_en), str(row.place_id)))
        legend.append(LegendItem("pt", {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}, tier_zh,
                                 tier_en if tier_en != tier_zh else "", radius=6, layer=layer.id))
    state.add_legend("选址（大小=吞吐量）", "Sites (size = throughput)", legend)
    add_place_labels(state, [(p["row"].lon, p["row"].lat, p["radius"], p["row"].name_zh, p["tiers"] if len(tiers) > 1 else [])
                             for p in places.values()])


def add_place_labels(state: MapState, places: list[tuple[float, float, float, str, list[str]]], *,
                     layer_id: str = "site_labels", minor: Callable[[int], bool] | None = None) -> None:
    """One permanent label per place, ``name（tier、tier）`` when it holds several, in the layer ``layer_id``.

    ``places`` are ``(lon, lat, marker radius, name, tier names)``; the label sits beside the largest
    marker. ``minor(i)`` marks labels shown only from the minor-label zoom on.
    """
    if not places:
        return
    layer = state.add_layer(layer_id, "地名", "Place names", fit=False)
    for index, (lon, lat, radius, name, tiers) in enumerate(places):
        text = f"{name}（{'、'.join(tiers)}）" if tiers else str(name)
        layer.add_point(lon, lat, style=_LABEL_ANCHOR, radius=radius, label=text, minor_label=bool(minor and minor(index)))
    state.add_legend("标注", "Labels", [LegendItem("tx", {}, "地名（所在层级）", "place name (its tiers)", layer=layer_id)])


def _add_flows(m: folium.Map, flows: gpd.GeoDataFrame) -> None:
    if flows is None or flows.empty:
        return
    frame = flows.copy()
    frame["tier_pair"] = frame["from_tier"].astype(str) + "→" + frame["to_tier"].astype(str)
    frame["route_key"] = frame.geometry.to_wkb()
    grouped = frame.groupby(["tier_pair", "from_id", "to_id", "mode", "route_key"], sort=True)
    rows = []
    names: dict[str, tuple[str, str]] = {}
    for (pair, _a, _b, mode, _key), group in grouped:
        first = group.iloc[0]
        start, end = pair.split("→", 1)
        names[f"{pair} ({mode})"] = (f"{tier_label(start, 'zh')}→{tier_label(end, 'zh')}（{mode_label(mode, 'zh')}）", f"{pair} ({mode})")
        rows.append({
            "origin": first["from_name_zh"], "destination": first["to_name_zh"],
            "origin_lon": first["from_lon"], "origin_lat": first["from_lat"],
            "dest_lon": first["to_lon"], "dest_lat": first["to_lat"],
            "value": float(group["tonnes"].sum()), "tier_pair": f"{pair} ({mode})", "geometry": first.geometry,
            "via": str(first["via"]) if "via" in first and isinstance(first["via"], str) else "",
        })
    aggregated = pd.DataFrame(rows)
    aggregated = aggregated[aggregated["value"] > 1e-6]
    add_flows(m, aggregated, layer_id="flows", name_zh="流量", name_en="Flows", unit="t", by="tier_pair", group_names=names)


def _add_assignments(m: folium.Map, assignments: gpd.GeoDataFrame) -> None:
    if assignments is None or assignments.empty or "site_id" not in assignments.columns:
        return
    state = planner_state(m)
    served = assignments[assignments["site_id"].fillna("") != ""]
    unserved = assignments[assignments["site_id"].fillna("") == ""]
    if len(served) and served.geometry.notna().any():
        layer = state.add_layer("assignments", "分配（需求点→设施）", "Assignments (demand point -> site)", pane="line", fit=False)
        for row in served.itertuples():
            if row.geometry is None or row.geometry.is_empty or row.geometry.length == 0:
                continue
            time_text = f"{row.time_h:.1f} h" if hasattr(row, "time_h") and row.time_h is not None and math.isfinite(row.time_h) else ""
            layer.add_geometry(row.geometry, style=_ASSIGNMENT_STYLE, weight=1.2,
                               tooltip=f"{row.name_zh} → {row.site_name_zh} {time_text}".strip())
        state.add_legend("分配", "Assignments", [LegendItem("ln", {**_ASSIGNMENT_STYLE, "weight": 1.5}, "需求点→服务设施", "demand point -> serving site", layer="assignments")])
    if len(unserved):
        layer = state.add_layer("unserved", "未服务的需求点", "Unserved demand points")
        for row in unserved.itertuples():
            lon, lat = (row.lon, row.lat) if hasattr(row, "lon") else (row.geometry.centroid.x, row.geometry.centroid.y)
            layer.add_point(lon, lat, style=_UNMET_STYLE, radius=5,
                            tooltip=f"{row.name_zh}: 未服务 / unserved", search=(str(row.name_zh), "", str(row.place_id)))
        state.add_legend("未服务", "Not served", [LegendItem("pt", _UNMET_STYLE, "未服务的需求点", "demand point not served", radius=5, layer="unserved")])


def _unmet_points(m: folium.Map, service: pd.DataFrame, places: gpd.GeoDataFrame | None) -> None:
    if service is None or service.empty or "unmet_t" not in service.columns or places is None:
        return
    unmet = service.groupby("place_id")[["unmet_t", "demand_t"]].sum()
    unmet = unmet[unmet["unmet_t"] > 1e-6]
    if unmet.empty:
        return
    state = planner_state(m)
    layer = state.add_layer("unmet", "未满足需求", "Unmet demand")
    located = places.drop_duplicates("place_id").set_index("place_id")
    for place, row in unmet.iterrows():
        if place not in located.index:
            continue
        info = located.loc[place]
        share = row["unmet_t"] / row["demand_t"] if row["demand_t"] > 0 else 1.0
        layer.add_point(float(info["lon"]), float(info["lat"]), style={**_UNMET_STYLE, "weight": 2.5}, radius=5 + 7 * math.sqrt(share),
                        tooltip=f"{info['name_zh']}: 未满足 unmet {row['unmet_t']:,.0f} t / {row['demand_t']:,.0f} t ({share:.0%})",
                        search=(str(info["name_zh"]), "", str(place)))
    state.add_legend("未满足需求", "Unmet demand", [LegendItem("pt", {**_UNMET_STYLE, "weight": 2.5}, "未满足需求（大小=比例）", "unmet demand (size = share)", radius=6, layer="unmet")])


def result_map(layers: dict[str, gpd.GeoDataFrame], summary: dict[str, Any], *, basemap: str = "none", service: pd.DataFrame | None = None,
               disruptions: Mapping[str, Any] | None = None) -> folium.Map:
    """A folium map of a result from its GeoPackage ``layers`` and ``summary`` (see the module docstring);
    ``disruptions`` (the scenario's closed nodes, routes, corridors, border ports) are drawn as closed."""
    solver = summary.get("solver", {})
    gap = solver.get("gap")
    subtitle = f"{summary.get('model', '')} · {solver.get('status', '')}" + (f" · gap {gap:.2%}" if isinstance(gap, (int, float)) else "")
    m = new_map(str(summary.get("title", summary.get("scenario", ""))), str(summary.get("scenario", "")), subtitle_zh=subtitle, basemap=basemap)
    state = planner_state(m)
    add_boundaries(state)
    _add_regions(m, layers.get("regions"), str(summary.get("model", "")))
    _add_flows(m, layers.get("flows"))
    _add_assignments(m, layers.get("assignments"))
    add_closures(state, *closures_of(disruptions))
    _add_sites(m, layers.get("sites"), layers.get("candidates"))
    if service is not None:
        _unmet_points(m, service, layers.get("candidates"))
    total = summary.get("cost_breakdown_cny", {}).get("total")
    if total is not None and summary.get("model") in ("cold_chain", "facility_location"):
        state.add_note(f"总成本 total cost: {total / 1e6:,.1f} M CNY")
    if solver.get("status") == "time_limit":
        proven = f"gap {gap:.2%}" if isinstance(gap, (int, float)) else "no bound"
        state.add_note(f"求解达到时间上限，未证明最优 stopped at the time limit, not proven optimal ({proven})")
    return m


def result_map_of(result: RunResult, *, basemap: str = "none", layers: dict[str, gpd.GeoDataFrame] | None = None) -> folium.Map:
    """The result map of a solved scenario (a :class:`~planner.scenario.run.RunResult`), straight from memory.

    The map ``planner run`` writes to ``map.html``: regions shaded by unmet demand share (cost models)
    or longest service time (coverage models), opened sites by tier (size by throughput in tonnes),
    flows along their network routes, assignments and unmet demand. ``layers`` are the result's
    GeoPackage layers when already computed (:func:`planner.outputs.result_frames`). Returns a
    :class:`folium.Map`: it shows inline in a notebook; :func:`planner.maps.save_map` writes it.
    """
    from planner.outputs import result_frames, summary

    frames = layers if layers is not None else result_frames(result)
    return result_map(frames, summary(result), basemap=basemap, service=result.service,
                      disruptions=result.scenario.disruptions.model_dump())


def run_map(run_dir: str | Path, *, basemap: str = "none") -> folium.Map:
    """The result map of a run directory."""
    run_dir = Path(run_dir)
    summary = read_summary(run_dir)
    service_path = run_dir / "service.csv"
    service = read_csv(service_path) if service_path.is_file() else None
    service = service if service is not None and len(service.columns) else None
    return result_map(read_layers(run_dir), summary, basemap=basemap, service=service, disruptions=run_disruptions(run_dir))


def run_disruptions(run_dir: Path) -> dict[str, Any]:
    """The disruptions of a run's scenario (from its ``manifest.json``; none when it has no manifest)."""
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        return {}
    scenario = json.loads(path.read_text(encoding="utf-8")).get("scenario") or {}
    return dict(scenario.get("disruptions") or {})
