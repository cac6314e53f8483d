"""A solved scenario as tables: its summary, its GeoPackage layers, and a run directory read back.

:func:`summary` is the content of ``summary.json`` (KPIs, cost by component, sites opened per tier with
utilisation, solver status / message / gap / times, notes); :func:`result_frames` the layers of
``results.gpkg`` (sites, candidates, flows along the network routes the model priced, those routes,
assignments, prefectures with KPIs); :func:`read_run` reads a run directory's summary and tables (the CSV files' formula escapes
undone, :func:`planner.tables.read_csv`). Writing the directory is :mod:`planner.run_dir`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from planner import domain
from planner.errors import PlannerError
from planner.regions import load_regions
from planner.tables import read_csv

if TYPE_CHECKING:
    from planner.scenario.result import RunResult

__all__ = ["jsonable", "read_run", "result_frames", "summary", "workbook_sheets"]


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars, tuples and paths made plain JSON (non-finite numbers become null)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    return value


def summary(result: RunResult) -> dict[str, Any]:
    """The ``summary.json`` content of a run result."""
    scenario = result.scenario
    sites_per_tier = {}
    for tier, group in result.sites.groupby("tier", sort=False):
        entry: dict[str, Any] = {"count": int(len(group)), "sites": list(group["name_zh"])}
        if "utilisation" in group:
            entry["mean_utilisation"] = float(group["utilisation"].mean())
            entry["throughput_t"] = float(group["throughput_t"].sum())
        sites_per_tier[str(tier)] = entry
    return jsonable({
        "scenario": scenario.name,
        "title": scenario.title,
        "model": scenario.model,
        "solver": {k: result.report.get(k) for k in ("solver", "status", "message", "objective", "best_bound", "gap", "build_seconds", "solve_seconds", "run_seconds")},
        "cost_breakdown_cny": dict(zip(result.cost_breakdown["component"], result.cost_breakdown["cost_cny"], strict=True)),
        "sites_opened": sites_per_tier,
        "sites_opened_total": int(len(result.sites)),
        "kpis": result.kpis,
        "why_sites": result.why_sites,
        "notes": result.notes,
    })


def _flow_geometries(result: RunResult) -> list[LineString]:
    """Each flow's line: the network route the model priced it on (:attr:`RunResult.routes`), a straight
    segment between its ends where it has none (a flow that stays in one place)."""
    lines = []
    for row in result.flows.itertuples():
        found = result.routes.get(getattr(row, "route_id", "") or "")
        if found is not None and found.geometry is not None:
            lines.append(found.geometry)
        else:
            lines.append(LineString([(row.from_lon, row.from_lat), (row.to_lon, row.to_lat)]))
    return lines


def _route_layer(result: RunResult) -> gpd.GeoDataFrame:
    """One row per network route the flows use: its id (the flows' ``route_id``), names, length and time."""
    rows = [{"route_id": key, "via": r.via, "via_zh": " ".join(r.route_names_zh),
             "modes": "+".join(r.modes_used), "distance_km": r.distance_km, "time_h": r.time_h, "geometry": r.geometry}
            for key, r in result.routes.items()]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _region_kpis(result: RunResult) -> gpd.GeoDataFrame:
    prefectures = load_regions("prefecture")
    codes = {domain.province(r).prefix for r in result.scenario.region}
    prefectures = prefectures[prefectures["adcode"].astype(str).str[:2].isin(codes)].copy()
    points = result.service if len(result.service) else result.assignments
    if "place_id" not in points or points.empty:
        return prefectures
    places = result.built.places if result.built is not None else None
    if places is None:
        return prefectures
    located = places.reindex(points["place_id"].unique())[["lon", "lat"]].dropna()
    gdf = gpd.GeoDataFrame(located, geometry=gpd.points_from_xy(located["lon"], located["lat"]), crs="EPSG:4326")
    joined = gpd.sjoin(gdf, prefectures[["adcode", "geometry"]], how="left", predicate="within")
    prefecture_of = joined["adcode"].to_dict()
    frame = points.copy()
    frame["prefecture_adcode"] = frame["place_id"].map(prefecture_of)
    numeric = [c for c in ("demand_t", "delivered_t", "unmet_t", "weight") if c in frame]
    agg = frame.groupby("prefecture_adcode")[numeric].sum() if numeric else pd.DataFrame()
    if "time_h" in frame:
        agg["max_time_h"] = frame.groupby("prefecture_adcode")["time_h"].max()
    if "max_path_time_h" in frame:
        agg["max_time_h"] = frame.groupby("prefecture_adcode")["max_path_time_h"].max()
    merged = prefectures.merge(agg, left_on="adcode", right_index=True, how="left")
    return merged


def result_frames(result: RunResult) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers of a result: sites, candidates, flows, assignments, regions."""
    crs = "EPSG:4326"
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in (("sites", result.sites), ("candidates", result.candidates)):
        layers[name] = gpd.GeoDataFrame(frame.copy(), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=crs)
    if len(result.flows):
        layers["flows"] = gpd.GeoDataFrame(result.flows.copy(), geometry=_flow_geometries(result), crs=crs)
    if result.routes:
        layers["routes"] = _route_layer(result)
    if len(result.assignments) and "site_id" in result.assignments:
        places = result.built.places if result.built is not None else None
        if places is not None:
            lines = []
            for row in result.assignments.itertuples():
                found = result.routes.get(getattr(row, "route_id", "") or "")
                if found is not None and found.geometry is not None:  # along the path the matrix priced
                    lines.append(found.geometry)
                elif row.site_id and row.site_id in places.index and row.place_id in places.index:
                    a, b = places.loc[row.place_id], places.loc[row.site_id]
                    lines.append(LineString([(a.lon, a.lat), (b.lon, b.lat)]))
                else:
                    lines.append(None)
            layers["assignments"] = gpd.GeoDataFrame(result.assignments.copy(), geometry=lines, crs=crs)
    layers["regions"] = _region_kpis(result)
    return layers


def read_run(run_dir: str | Path) -> dict[str, Any]:
    """Read a run directory's summary and tables (``summary``, ``sites``, ``flows``, ...)."""
    run_dir = Path(run_dir)
    path = run_dir / "summary.json"
    if not path.is_file():
        raise PlannerError(f"{run_dir}: not a run directory (no summary.json); pass outputs/<scenario>/<run-id>")
    data: dict[str, Any] = {"summary": json.loads(path.read_text(encoding="utf-8")), "dir": run_dir}
    for name in ("sites", "candidates", "flows", "assignments", "service", "site_zones", "catchment"):
        table = run_dir / f"{name}.csv"
        data[name] = read_csv(table) if table.is_file() else pd.DataFrame()
    return data


def workbook_sheets(sites: pd.DataFrame, candidates: pd.DataFrame, flows: pd.DataFrame,
                    service: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The table sheets of ``results.xlsx`` by title (sites, candidates, flows when any, service)."""
    sheets = {"选址 Sites": sites, "候选点 Candidates": candidates}
    if len(flows):
        sheets["流量 Flows"] = flows
    sheets["服务 Service"] = service
    return sheets
