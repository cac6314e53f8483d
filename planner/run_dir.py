"""Writing a solved scenario's run directory: tables, workbook, GeoPackage, map, report, manifest.

A run directory ``outputs/<scenario>/<run-id>/`` holds:

* ``summary.json`` — KPIs: total cost by component, sites opened per tier with utilisation, service
  times, spoilage, tonne-km by mode, CO2, solver status / message / gap / times, notes (a solve the time
  limit stopped before the requested gap, then data assumptions) (:func:`planner.outputs.summary`);
* ``sites.csv`` — the opened sites (one row each); ``candidates.csv`` — every candidate with its status
  (CSV files are rounded by unit and written UTF-8 with a byte-order mark, see :mod:`planner.tables`);
* ``flows.csv`` — product flows between places (cold-chain model); ``assignments.csv`` — demand point ->
  serving site; ``service.csv`` — demand, delivery and path times per demand point; cold chain:
  ``site_zones.csv`` — each open site's temperature zones, ``catchment.csv`` — where each site's goods come
  from and go to;
* ``results.xlsx`` — the summary, costs and tables in one workbook (Chinese and English headers, units);
* ``results.gpkg`` — layers ``sites``, ``candidates``, ``flows`` and ``assignments`` (along the network
  routes the model priced), ``routes`` (those routes by the tables' ``route_id``) and ``regions``
  (prefectures with KPIs);
* ``map.html`` — an offline map of the result; ``solver.log``; ``manifest.json`` — inputs with their
  SHA-256, package and solver versions, and the full resolved scenario;
* ``report.html`` — the one-page bilingual report (:mod:`planner.report`), the map inside.

The directory is written under a temporary name and renamed when complete, so an interrupted or failed
run leaves no partial run directory; ``planner run`` opens it before solving (:func:`run_directory`, so
an output folder that cannot be written fails at once) and lets the solver write its log and scratch
files there. A temporary folder left by a killed run is removed by the next run in the same output
folder. CSV text that a spreadsheet would read as a formula is escaped (:func:`planner.tables.write_csv`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import platform
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from planner.atomic import atomic_dir, remove_stale_temporaries
from planner.errors import PlannerError
from planner.outputs import jsonable, result_frames, summary, workbook_sheets
from planner.paths import geodata_dir
from planner.tables import write_csv, write_workbook

if TYPE_CHECKING:
    from planner.scenario.result import RunResult

__all__ = ["RunDirectory", "new_run_id", "run_directory", "write_run", "write_run_files"]


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


def _write_map(result: RunResult, layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    from planner.maps import result_map_of, save_map

    save_map(result_map_of(result, layers=layers), path)


@dataclass
class RunDirectory:
    """A run directory being written: files go to ``temporary``, renamed to ``target`` when complete.

    ``scratch``: a folder inside ``temporary`` for the solver's scratch files (removed before the rename);
    ``removed``: temporary folders of killed runs found and removed when this one was opened.
    """

    temporary: Path
    target: Path
    run_id: str
    scratch: Path
    removed: list[Path] = field(default_factory=list)


@contextlib.contextmanager
def run_directory(out_root: str | Path, scenario_name: str, run_id: str | None = None) -> Iterator[RunDirectory]:
    """Open ``<out_root>/<scenario_name>/<run-id>/`` for writing (see :class:`RunDirectory`).

    Raises :class:`PlannerError` at once when the folder cannot be created or written. On any exception
    (an interrupt included) nothing is left: not the run folder, nor a scenario or output folder that
    this call created.
    """
    run_id = run_id or new_run_id()
    root = Path(out_root)
    target = root / scenario_name / run_id
    created = [d for d in (target.parent, root) if not d.exists()]
    try:
        stack = contextlib.ExitStack()
        try:
            removed: list[Path] = []
            for folder in (target.parent, *(p for p in root.glob("*") if p.is_dir() and p != target.parent)):
                removed += remove_stale_temporaries(folder)
            temporary = stack.enter_context(atomic_dir(target))
            scratch = temporary / ".scratch"
            scratch.mkdir()
        except OSError as exc:
            stack.close()
            reason = exc.strerror or type(exc).__name__
            raise PlannerError(f"{root}: cannot write a run folder there ({reason}); give --out a writable folder") from None
        with stack:
            yield RunDirectory(temporary, target, run_id, scratch, removed)
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(created: list[Path]) -> None:
    for directory in created:  # innermost first: leave no empty scenario or output folder behind
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def write_run(result: RunResult, out_root: str | Path = "outputs", run_id: str | None = None, *, solver_log: Path | None = None) -> Path:
    """Write ``result`` to ``<out_root>/<scenario>/<run-id>/`` atomically and return the directory."""
    with run_directory(out_root, result.scenario.name, run_id) as run_dir:
        write_run_files(result, run_dir.temporary, run_dir.run_id, solver_log=solver_log)
    return run_dir.target


def write_run_files(result: RunResult, directory: Path, run_id: str, *, solver_log: Path | None = None) -> None:
    """Write every file of a run directory into ``directory`` (the temporary folder of :func:`run_directory`).

    ``solver_log``: the solver's log (copied unless it is already ``directory/solver.log``); when given but
    never written (a p-center settled without a MILP call), ``solver.log`` says so.
    """
    layers = result_frames(result)
    data = summary(result)
    (directory / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    write_csv(result.sites, directory / "sites.csv")
    write_csv(result.candidates, directory / "candidates.csv")
    if len(result.flows):
        write_csv(result.flows, directory / "flows.csv")
    write_csv(result.assignments, directory / "assignments.csv")
    write_csv(result.service, directory / "service.csv")
    for name, frame in getattr(result, "tables", {}).items():
        if len(frame):
            write_csv(frame, directory / f"{name}.csv")
    write_workbook(directory / "results.xlsx", data, workbook_sheets(result.sites, result.candidates, result.flows, result.service))
    gpkg = directory / "results.gpkg"
    for name, frame in layers.items():
        if len(frame):
            frame.to_file(gpkg, layer=name, driver="GPKG")
    _write_map(result, layers, directory / "map.html")
    log = directory / "solver.log"
    if solver_log is not None and solver_log.is_file() and solver_log.resolve() != log.resolve():
        log.write_bytes(solver_log.read_bytes())
    elif solver_log is not None and not log.is_file():  # e.g. a p-center settled by its search without a MILP call
        status = result.report.get("status")
        log.write_text(f"the solver wrote no log for this run (status {status})\n", encoding="utf-8")
    inputs = [*result.source_files, *(p for p in sorted(geodata_dir().rglob("*")) if p.is_file() and p.suffix in (".csv", ".yaml", ".gpkg"))]
    manifest = {
        "run_id": run_id,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario_files": [str(p) for p in result.source_files],
        "inputs": [{"path": str(p), "sha256": _sha256(p)} for p in inputs],
        "versions": _versions(),
        "scenario": result.scenario.model_dump(mode="json"),
    }
    (directory / "manifest.json").write_text(json.dumps(jsonable(manifest), ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    from planner.report import write_report

    write_report(directory, directory / "report.html", run_id=run_id)
