"""Writing a solved scenario to disk: tables, GeoPackage, map, summary and manifest.

A run directory ``outputs/<scenario>/<run-id>/`` holds:

* ``summary.json`` — KPIs: total cost by component, sites opened per tier with utilisation, service
  times, spoilage, tonne-km by mode, CO2, solver status / message / gap / times, notes (a solve the time
  limit stopped before the requested gap, then data assumptions);
* ``sites.csv`` — the opened sites (one row each); ``candidates.csv`` — every candidate with its status
  (CSV files are rounded by unit and written UTF-8 with a byte-order mark, see :mod:`planner.tables`);
* ``flows.csv`` — product flows between places (cold-chain model); ``assignments.csv`` — demand point ->
  serving site; ``service.csv`` — demand, delivery and path times per demand point;
* ``results.gpkg`` — layers ``sites``, ``candidates``, ``flows`` (along their network routes),
  ``assignments`` and ``regions`` (prefectures with KPIs);
* ``results.xlsx`` — the same tables in one workbook (Chinese and English headers with units);
* ``map.html`` — an offline map of the result; ``solver.log``; ``manifest.json`` — inputs with their
  SHA-256, package and solver versions, and the full resolved scenario;
* ``report.html`` — the one-page bilingual report (:mod:`planner.report`), the map inside.

The directory is written under a temporary name and renamed when complete, so an interrupted or failed
run leaves no partial run directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import platform
import secrets
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from planner.atomic import atomic_dir
from planner.network import route
from planner.paths import geodata_dir
from planner.regions import load_regions
from planner.tables import write_csv, write_workbook

__all__ = ["new_run_id", "read_run", "result_frames", "workbook_sheets", "write_run"]

_MODE_SETS = {"road": ("road",), "rail": ("road", "rail"), "air": ("road", "air")}


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC timestamp and a random suffix (``20261122T081500Z-3fa2``)."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("planner", "pulp", "highspy", "networkx", "geopandas", "shapely", "pandas", "numpy", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def summary(result: Any) -> dict[str, Any]:
    """The ``summary.json`` content of a run result."""
    scenario = result.scenario
    sites_per_tier = {}
    for tier, group in result.sites.groupby("tier", sort=False):
        entry: dict[str, Any] = {"count": int(len(group)), "sites": list(group["name_zh"])}
        if "utilisation" in group:
            entry["mean_utilisation"] = float(group["utilisation"].mean())
            entry["throughput_t"] = float(group["throughput_t"].sum())
        sites_per_tier[str(tier)] = entry
    return _jsonable({
        "scenario": scenario.name,
        "title": scenario.title,
        "model": scenario.model,
        "solver": {k: result.report.get(k) for k in ("solver", "status", "message", "objective", "best_bound", "gap", "build_seconds", "solve_seconds", "run_seconds")},
        "cost_breakdown_cny": dict(zip(result.cost_breakdown["component"], result.cost_breakdown["cost_cny"], strict=True)),
        "sites_opened": sites_per_tier,
        "sites_opened_total": int(len(result.sites)),
        "kpis": result.kpis,
        "notes": result.notes,
    })


def _route_geometries(result: Any) -> list[LineString]:
    """Network route geometry for every flow (straight segment where no route is found)."""
    graph = result.built.graph if result.built is not None else None
    cache: dict[tuple[str, str, str, bool], LineString] = {}
    lines = []
    for row in result.flows.itertuples():
        key = (row.from_id, row.to_id, row.mode, bool(row.refrigerated))
        if key not in cache:
            straight = LineString([(row.from_lon, row.from_lat), (row.to_lon, row.to_lat)])
            geometry = straight
            if graph is not None and row.from_id != row.to_id:
                try:
                    found = route(graph, row.from_id, row.to_id, modes=_MODE_SETS.get(row.mode, ("road",)), refrigerated=bool(row.refrigerated))
                    geometry = found.geometry or straight
                except Exception:  # noqa: BLE001 - a drawing fallback; the flow itself is solved
                    geometry = straight
            cache[key] = geometry
        lines.append(cache[key])
    return lines


def _region_kpis(result: Any) -> gpd.GeoDataFrame:
    prefectures = load_regions("prefecture")
    regions_of = {"xinjiang": "65", "gansu": "62"}
    codes = {regions_of[r] for r in result.scenario.region}
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


def result_frames(result: Any) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers of a result: sites, candidates, flows, assignments, regions."""
    crs = "EPSG:4326"
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in (("sites", result.sites), ("candidates", result.candidates)):
        layers[name] = gpd.GeoDataFrame(frame.copy(), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=crs)
    if len(result.flows):
        layers["flows"] = gpd.GeoDataFrame(result.flows.copy(), geometry=_route_geometries(result), crs=crs)
    if len(result.assignments) and "site_id" in result.assignments:
        places = result.built.places if result.built is not None else None
        if places is not None:
            lines = []
            for row in result.assignments.itertuples():
                if row.site_id and row.site_id in places.index and row.place_id in places.index:
                    a, b = places.loc[row.place_id], places.loc[row.site_id]
                    lines.append(LineString([(a.lon, a.lat), (b.lon, b.lat)]))
                else:
                    lines.append(None)
            layers["assignments"] = gpd.GeoDataFrame(result.assignments.copy(), geometry=lines, crs=crs)
    layers["regions"] = _region_kpis(result)
    return layers


def _write_map(result: Any, layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    from planner.maps import result_map_of, save_map

    save_map(result_map_of(result, layers=layers), path)


def write_run(result: Any, out_root: str | Path = "outputs", run_id: str | None = None, *, solver_log: Path | None = None) -> Path:
    """Write ``result`` to ``<out_root>/<scenario>/<run-id>/`` atomically and return the directory."""
    run_id = run_id or new_run_id()
    target = Path(out_root) / result.scenario.name / run_id
    layers = result_frames(result)
    created = [d for d in (target.parent, target.parent.parent) if not d.exists()]
    try:
        _write_run_dir(result, layers, target, run_id, solver_log)
    except BaseException:
        for directory in created:  # innermost first: leave no empty scenario or output folder behind
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        raise
    return target


def _write_run_dir(result: Any, layers: dict[str, gpd.GeoDataFrame], target: Path, run_id: str, solver_log: Path | None) -> None:
    with atomic_dir(target) as tmp:
        data = summary(result)
        (tmp / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        write_csv(result.sites, tmp / "sites.csv")
        write_csv(result.candidates, tmp / "candidates.csv")
        if len(result.flows):
            write_csv(result.flows, tmp / "flows.csv")
        write_csv(result.assignments, tmp / "assignments.csv")
        write_csv(result.service, tmp / "service.csv")
        write_workbook(tmp / "results.xlsx", data, workbook_sheets(result.sites, result.candidates, result.flows, result.service))
        gpkg = tmp / "results.gpkg"
        for name, frame in layers.items():
            if len(frame):
                frame.to_file(gpkg, layer=name, driver="GPKG")
        _write_map(result, layers, tmp / "map.html")
        if solver_log is not None and solver_log.is_file():
            (tmp / "solver.log").write_bytes(solver_log.read_bytes())
        elif solver_log is not None:  # e.g. a p-center settled by its search without a MILP call
            status = result.report.get("status")
            (tmp / "solver.log").write_text(f"the solver wrote no log for this run (status {status})\n", encoding="utf-8")
        inputs = [*result.source_files, *(p for p in sorted(geodata_dir().rglob("*")) if p.is_file() and p.suffix in (".csv", ".yaml", ".gpkg"))]
        manifest = {
            "run_id": run_id,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scenario_files": [str(p) for p in result.source_files],
            "inputs": [{"path": str(p), "sha256": _sha256(p)} for p in inputs],
            "versions": _versions(),
            "scenario": result.scenario.model_dump(mode="json"),
        }
        (tmp / "manifest.json").write_text(json.dumps(_jsonable(manifest), ensure_ascii=False, indent=2), encoding="utf-8")
        from planner.report import write_report

        write_report(tmp, tmp / "report.html", run_id=run_id)


def read_run(run_dir: str | Path) -> dict[str, Any]:
    """Read a run directory's summary and tables (``summary``, ``sites``, ``flows``, ...)."""
    run_dir = Path(run_dir)
    path = run_dir / "summary.json"
    if not path.is_file():
        from planner.errors import PlannerError

        raise PlannerError(f"{run_dir}: not a run directory (no summary.json); pass outputs/<scenario>/<run-id>")
    data: dict[str, Any] = {"summary": json.loads(path.read_text(encoding="utf-8")), "dir": run_dir}
    for name in ("sites", "candidates", "flows", "assignments", "service"):
        table = run_dir / f"{name}.csv"
        data[name] = pd.read_csv(table, encoding="utf-8-sig") if table.is_file() else pd.DataFrame()
    return data


def workbook_sheets(sites: pd.DataFrame, candidates: pd.DataFrame, flows: pd.DataFrame,
                    service: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The table sheets of ``results.xlsx`` by title (sites, candidates, flows when any, service)."""
    sheets = {"选址 Sites": sites, "候选点 Candidates": candidates}
    if len(flows):
        sheets["流量 Flows"] = flows
    sheets["服务 Service"] = service
    return sheets
