"""Writing a solved scenario's run directory: tables, workbook, GeoPackage, map, report, manifest.

A run directory ``outputs/<scenario>/<run-id>/`` holds:

* ``summary.json`` — KPIs: total cost by component, sites opened per tier with utilisation, service
  times, spoilage, tonne-km by mode, CO2, solver status / message / gap / times, notes (a solve the time
  limit stopped before the requested gap, then data assumptions) (:func:`planner.outputs.summary`);
* ``sites.csv`` — the opened sites (one row each); ``candidates.csv`` — every candidate with its status
  (CSV files are rounded by unit and written UTF-8 with a byte-order mark, see :mod:`planner.tables`);
* ``flows.csv`` — product flows between places (cold-chain model); ``assignments.csv`` — demand point ->
  serving site; ``service.csv`` — demand, delivery and path times per demand point;
* ``results.xlsx`` — the summary, costs and tables in one workbook (Chinese and English headers, units);
* ``results.gpkg`` — layers ``sites``, ``candidates``, ``flows`` (along their network routes),
  ``assignments`` and ``regions`` (prefectures with KPIs);
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
import platform
import secrets
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd

from planner.atomic import atomic_dir
from planner.outputs import jsonable, result_frames, summary, workbook_sheets
from planner.paths import geodata_dir
from planner.tables import write_csv, write_workbook

__all__ = ["new_run_id", "write_run"]


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC timestamp and a random suffix (``20261122T081500Z-3fa2``)."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"


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
        (tmp / "manifest.json").write_text(json.dumps(jsonable(manifest), ensure_ascii=False, indent=2), encoding="utf-8")
        from planner.report import write_report

        write_report(tmp, tmp / "report.html", run_id=run_id)
