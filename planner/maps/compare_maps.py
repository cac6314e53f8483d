"""The map of two runs: what changed from plan A to plan B.

Drawn from two run directories with :func:`planner.compare.compare_runs`, so the map shows what
``planner compare`` prints:

* both plans' flows (A dashed, B solid; assignments for the location models), width by volume;
* the links and ports closed in either scenario;
* unmet demand where either plan leaves some: red when B leaves more, green when less;
* the site changes per tier: opened, closed, moved (a line from the old to the new place), resized,
  kept; one label per place naming each tier's change.

The map opens on the extent of everything that changed (not on the whole study area).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

from planner.labels import tier_names
from planner.maps.base import LegendItem, MapState, new_map, planner_state
from planner.maps.boundaries import add_boundaries
from planner.maps.closures import add_closures, closures_of
from planner.maps.html import bilingual, join, tag
from planner.maps.results import add_flows
from planner.maps.run_maps import add_place_labels, read_layers, read_summary, run_disruptions
from planner.tables import read_csv

__all__ = ["CHANGE_STYLES", "compare_map"]

#: Site change -> (layer name zh, en, fill colour, radius).
CHANGE_STYLES = {
    "opened": ("B 新增", "opened in B", "#2e7d32", 8),
    "closed": ("B 关闭", "closed in B", "#c62828", 8),
    "moved": ("迁移（A→B）", "moved (A -> B)", "#ef6c00", 8),
    "resized": ("调整规模", "resized", "#6a1b9a", 8),
    "kept": ("保留", "kept", "#3949ab", 5),
}
_CHANGE_ZH = {"opened": "新增", "closed": "关闭", "moved": "迁移", "resized": "调整规模", "kept": "保留"}
_FLOW_STYLE_A = {"color": "#8d8d8d", "dashArray": "6 5", "opacity": 0.7}
_FLOW_STYLE_B = {"color": "#1e88e5", "opacity": 0.8}


def _point_style(colour: str) -> dict[str, Any]:
    return {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}


def _coordinates(run_dir: Path) -> dict[str, tuple[float, float]]:
    """Place id -> (lon, lat) for every place the run's tables name."""
    out: dict[str, tuple[float, float]] = {}
    for name, id_column, lon, lat in (("candidates", "place_id", "lon", "lat"), ("service", "place_id", None, None),
                                      ("assignments", "place_id", "lon", "lat")):
        path = run_dir / f"{name}.csv"
        if lon is None or not path.is_file() or path.stat().st_size <= 3:
            continue
        frame = read_csv(path)
        if {id_column, lon, lat} <= set(frame.columns):
            for record in frame[[id_column, lon, lat]].dropna().itertuples(index=False):
                out.setdefault(str(record[0]), (float(record[1]), float(record[2])))
    flows = run_dir / "flows.csv"
    if flows.is_file() and flows.stat().st_size > 3:
        frame = read_csv(flows)
        for end in ("from", "to"):
            if {f"{end}_id", f"{end}_lon", f"{end}_lat"} <= set(frame.columns):
                for record in frame[[f"{end}_id", f"{end}_lon", f"{end}_lat"]].dropna().itertuples(index=False):
                    out.setdefault(str(record[0]), (float(record[1]), float(record[2])))
    return out


def _flow_frame(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """A run's flows (or assignments) aggregated per route, in the columns of :func:`add_flows`."""
    flows = layers.get("flows")
    if flows is not None and len(flows):
        frame = flows.copy()
        frame["route_key"] = frame.geometry.to_wkb()
        rows = []
        for (_a, _b, _mode, _key), group in frame.groupby(["from_id", "to_id", "mode", "route_key"], sort=True):
            first = group.iloc[0]
            rows.append({"origin": first["from_name_zh"], "destination": first["to_name_zh"], "origin_lon": first["from_lon"],
                         "origin_lat": first["from_lat"], "dest_lon": first["to_lon"], "dest_lat": first["to_lat"],
                         "value": float(group["tonnes"].sum()), "geometry": first.geometry})
        return pd.DataFrame(rows)
    assignments = layers.get("assignments")
    if assignments is not None and len(assignments) and "site_id" in assignments.columns:
        served = assignments[assignments["site_id"].fillna("") != ""]
        rows = []
        for record in served.itertuples():
            if record.geometry is None or record.geometry.is_empty:
                continue
            coords = list(record.geometry.coords)
            rows.append({"origin": record.site_name_zh, "destination": record.name_zh, "origin_lon": coords[-1][0],
                         "origin_lat": coords[-1][1], "dest_lon": coords[0][0], "dest_lat": coords[0][1],
                         "value": float(getattr(record, "weight", 1.0) or 1.0), "geometry": record.geometry})
        return pd.DataFrame(rows)
    return pd.DataFrame()


class _Extent:
    """The box of everything that changed (WGS84)."""

    def __init__(self) -> None:
        self.box = [math.inf, math.inf, -math.inf, -math.inf]

    def add(self, lon: float, lat: float) -> None:
        if math.isfinite(lon) and math.isfinite(lat):
            self.box = [min(self.box[0], lon), min(self.box[1], lat), max(self.box[2], lon), max(self.box[3], lat)]

    def fit(self, state: MapState, margin_deg: float = 0.6) -> bool:
        west, south, east, north = self.box
        if not math.isfinite(west):
            return False
        state.fit_to(west - margin_deg, south - margin_deg, east + margin_deg, north + margin_deg)
        return True


def _site_changes(state: MapState, comparison: dict[str, Any], where: dict[str, tuple[float, float]], extent: _Extent) -> None:
    present = {kind for changes in comparison["sites_by_tier"].values() for kind, items in changes.items() if items}
    layers = {kind: state.add_layer(f"cmp_{kind}", zh, en, fit=kind != "kept")
              for kind, (zh, en, _c, _r) in CHANGE_STYLES.items() if kind in present}
    labels: dict[str, dict[str, Any]] = {}

    def mark(kind: str, site: dict[str, Any], tier: str, detail: str = "") -> None:
        place = site["place_id"]
        if place not in where:
            return
        lon, lat = where[place]
        zh, en, colour, radius = CHANGE_STYLES[kind]
        tier_zh, tier_en = tier_names(tier)
        popup = tag("div", join([tag("div", bilingual(site["name_zh"], site.get("name_en", "")), "pl-pop-title"),
                                 tag("div", f"{tier_zh} {tier_en} · {zh} {en}", "pl-pop-sub"), tag("div", detail)]), "pl-pop")
        layers[kind].add_point(lon, lat, style=_point_style(colour), radius=radius, popup=popup,
                               tooltip=f"{site['name_zh']} · {tier_zh}: {_CHANGE_ZH[kind]} {detail}".strip(),
                               search=(site["name_zh"], site.get("name_en", ""), place))
        entry = labels.setdefault(place, {"lon": lon, "lat": lat, "name": site["name_zh"], "parts": [], "radius": 0, "changed": False})
        entry["parts"].append(f"{tier_zh}{_CHANGE_ZH[kind]}")
        entry["radius"] = max(entry["radius"], radius)
        entry["changed"] |= kind != "kept"
        if kind != "kept":
            extent.add(lon, lat)

    for tier, changes in comparison["sites_by_tier"].items():
        for kind in ("opened", "closed", "kept"):
            for site in changes[kind]:
                mark(kind, site, tier)
        for site in changes["resized"]:
            mark("resized", site, tier, f"{site['capacity_a_t']:,.0f} t → {site['capacity_b_t']:,.0f} t")
        for move in changes["moved"]:
            old, new = move["from"], move["to"]
            if old["place_id"] in where and new["place_id"] in where:
                line = LineString([where[old["place_id"]], where[new["place_id"]]])
                layers["moved"].add_geometry(line, style={"color": CHANGE_STYLES["moved"][2], "opacity": 0.9, "dashArray": "2 6"}, weight=3,
                                             tooltip=f"{old['name_zh']} → {new['name_zh']}")
            km = f"（{move['distance_km']:,.0f} km）" if move.get("distance_km") is not None else ""
            mark("moved", new, tier, f"{old['name_zh']} → {new['name_zh']}{km}")
            if old["place_id"] in where:
                extent.add(*where[old["place_id"]])
    legend = [LegendItem("pt", _point_style(colour), zh, en, radius=min(radius, 6), layer=f"cmp_{kind}")
              for kind, (zh, en, colour, radius) in CHANGE_STYLES.items() if kind in present]
    if "moved" in present:
        legend.append(LegendItem("ln", {"color": CHANGE_STYLES["moved"][2], "weight": 3, "dashArray": "2 6"}, "迁移方向", "move", layer="cmp_moved"))
    if legend:
        state.add_legend("各层级选址变化", "Site changes per tier", legend)
    entries = list(labels.values())
    add_place_labels(state, [(e["lon"], e["lat"], e["radius"], e["name"], e["parts"]) for e in entries],
                     layer_id="cmp_labels", minor=lambda i: not entries[i]["changed"])


def _unmet(state: MapState, comparison: dict[str, Any], where: dict[str, tuple[float, float]], extent: _Extent) -> None:
    rows = [r for r in comparison["unmet"] if r["place_id"] in where]
    if not rows:
        return
    unit = "t" if comparison["unmet_unit"] == "t" else ""
    layer = state.add_layer("cmp_unmet", "未满足需求", "Unmet demand")
    largest = max(max(r["unmet_a"], r["unmet_b"]) for r in rows) or 1.0
    colours = {"worse": "#c62828", "better": "#2e7d32", "same": "#757575"}
    seen = set()
    for row in rows:
        change = "worse" if row["delta"] > 1e-3 else ("better" if row["delta"] < -1e-3 else "same")
        seen.add(change)
        lon, lat = where[row["place_id"]]
        demand = row.get("demand_b") or row.get("demand_a") or 0.0
        share = f" ({row['unmet_b'] / demand:.0%})" if demand else ""
        layer.add_point(lon, lat, style={"color": colours[change], "weight": 3, "fillColor": "#ffffff", "fillOpacity": 0.6},
                        radius=6 + 10 * math.sqrt(max(row["unmet_a"], row["unmet_b"]) / largest),
                        tooltip=f"{row['name_zh']}: 未满足 unmet A {row['unmet_a']:,.0f} {unit} → B {row['unmet_b']:,.0f} {unit}{share}",
                        search=(str(row["name_zh"]), "", row["place_id"]))
        if change != "same" or row["unmet_b"] > 1e-3:
            extent.add(lon, lat)
    names = {"worse": ("B 更多", "more in B"), "better": ("B 更少", "less in B"), "same": ("不变", "unchanged")}
    state.add_legend("未满足需求（大小=数量）", "Unmet demand (size = amount)", [
        LegendItem("pt", {"color": colours[kind], "weight": 3, "fillColor": "#ffffff", "fillOpacity": 0.6}, *names[kind], radius=6, layer="cmp_unmet")
        for kind in ("worse", "better", "same") if kind in seen
    ])


def compare_map(run_a: str | Path, run_b: str | Path, *, basemap: str = "none") -> folium.Map:
    """The map of run B against run A (two run directories; see the module docstring)."""
    from planner.compare import compare_runs

    run_a, run_b = Path(run_a), Path(run_b)
    summary_a, summary_b = read_summary(run_a), read_summary(run_b)
    comparison = compare_runs(run_a, run_b)
    m = new_map(f"方案比较：{comparison['name_a']} → {comparison['name_b']}",
                f"{summary_a.get('title', '')} → {summary_b.get('title', '')}", basemap=basemap)
    state = planner_state(m)
    add_boundaries(state)
    extent = _Extent()
    unit = "t" if comparison["unmet_unit"] == "t" else ""
    for label, run_dir, layer_id, style in (("A", run_a, "cmp_flows_a", _FLOW_STYLE_A), ("B", run_b, "cmp_flows_b", _FLOW_STYLE_B)):
        frame = _flow_frame(read_layers(run_dir))
        if len(frame):
            frame = frame[frame["value"] > 1e-6]
            add_flows(m, frame, layer_id=layer_id, name_zh=f"{label} 的流量", name_en=f"flows of {label}", unit=unit, by=None, style=style)
    disruptions_a, disruptions_b = run_disruptions(run_a), run_disruptions(run_b)
    links_a, places_a = closures_of(disruptions_a)
    links_b, places_b = closures_of(disruptions_b)
    both = disruptions_a == disruptions_b
    add_closures(state, links_b, places_b, layer_id="cmp_closures", note="(A, B)" if both else "(B)")
    if not both and (links_a or places_a):
        add_closures(state, links_a, places_a, layer_id="cmp_closures_a", note="(A)")
    for link in [*links_a, *links_b]:
        for lon, lat in link.geometry.coords:
            extent.add(lon, lat)
    for place in [*places_a, *places_b]:
        extent.add(place.lon, place.lat)
    where = {**_coordinates(run_a), **_coordinates(run_b)}
    for row in comparison["routes_changed"]:
        for place in (row["to_id"], *(s["place_id"] for s in row["from_a"] + row["from_b"])):
            if place in where:
                extent.add(*where[place])
    _unmet(state, comparison, where, extent)
    _site_changes(state, comparison, where, extent)
    extent.fit(state)
    for label, summary in (("A", summary_a), ("B", summary_b)):
        total = summary.get("cost_breakdown_cny", {}).get("total")
        if total is not None and summary.get("model") in ("cold_chain", "facility_location"):
            state.add_note(f"{label}: {summary.get('scenario')} 总成本 total {total / 1e6:,.1f} M CNY")
    changed = sum(len(c[k]) for c in comparison["sites_by_tier"].values() for k in ("opened", "closed", "moved", "resized"))
    state.add_note(f"选址变化 site changes: {changed} · 流向变化 routes changed: {len(comparison['routes_changed'])}")
    return m
