"""Running a sweep's members on Dask (a LocalCluster by default, or an existing cluster) or in-process.

Each task receives the member's scenario *mapping* (plain data) and builds the network and the model
inside the worker, so nothing large or unpicklable crosses the wire and a worker on another machine only
needs the project installed with the same geodata. Results come back as JSON-able records; the client
writes one ``members/<id>.json`` per finished member (atomically), and re-running a sweep skips every
member whose file exists for the same scenario (resumable). A member that fails (invalid override,
infeasible model, solver error) is recorded with its error and does not stop the sweep; a task lost to
the cluster itself (worker died) is reported but not written, so the next run retries it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from planner.atomic import write_text_atomic
from planner.errors import PlannerError
from planner.scenario.build import build_scenario
from planner.scenario.run import check_for_run, solve_built
from planner.scenario.schema import Scenario
from planner.sweep.expand import Member, expand_sweep
from planner.sweep.spec import LoadedSweep

if TYPE_CHECKING:
    from planner.scenario.result import RunResult

__all__ = ["MEMBERS_DIR", "SweepOutcome", "member_payload", "read_member_file", "run_member", "run_sweep"]

MEMBERS_DIR = "members"

#: called with each finished member, its record and whether it was skipped (already finished)
OnResult = Callable[[Member, dict[str, Any], bool], None]


def _scalar(value: Any) -> Any:
    """A JSON-able scalar (numpy numbers to Python, non-finite floats to None), or None for other types."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = ".".join(str(k) for k in error["loc"] if not (isinstance(k, str) and k.startswith(("function-", "tuple["))))
        parts.append(f"{loc}: {error['msg'].removeprefix('Value error, ')}" if loc else error["msg"])
    return "invalid scenario after the overrides: " + "; ".join(parts)


def _service_level(result: RunResult) -> float | None:
    kpis = result.kpis
    for key in ("covered_weight_share", "service_level"):
        if kpis.get(key) is not None:
            return float(kpis[key])
    assignments = result.assignments
    if "weight" in assignments and "site_id" in assignments and len(assignments):
        total = float(assignments["weight"].sum())
        served = float(assignments.loc[assignments["site_id"] != "", "weight"].sum())
        return served / total if total > 0 else None
    return None


def _places(frame: Any, with_open: bool) -> list[dict[str, Any]]:
    columns = ["tier", "place_id", "name_zh", "name_en", "lon", "lat"] + (["open"] if with_open else [])
    rows = []
    for row in frame[columns].itertuples(index=False):
        rows.append({c: _scalar(v) if c != "open" else bool(v) for c, v in zip(columns, row, strict=True)})
    return rows


def member_payload(member: Member, loaded: LoadedSweep) -> dict[str, Any]:
    """What a worker receives for ``member``: plain data only (id, scenario mapping, base directory)."""
    return {"id": member.id, "scenario": member.scenario, "base_dir": str(loaded.base_path.parent)}


def run_member(payload: dict[str, Any]) -> dict[str, Any]:
    """Validate, build and solve one member's scenario mapping; return its record (never raises).

    The record holds ``ok``, ``error``, the solver report (status, objective, gap, times), cost,
    service level, scalar KPIs, the opened sites and every candidate with its status.
    """
    started = time.perf_counter()
    record: dict[str, Any] = {
        "id": payload["id"],
        "ok": False,
        "error": None,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    try:
        scenario = Scenario.model_validate(payload["scenario"])
        checked = check_for_run(scenario, Path(payload["base_dir"]))  # what planner validate checks
        built = build_scenario(scenario, checked.base_dir)
        built.notes = [*checked.notes, *built.notes]
        result = solve_built(built)
    except ValidationError as exc:
        record["error"] = _validation_message(exc)
        record["error_type"] = "ValidationError"
    except PlannerError as exc:
        record["error"] = str(exc)
        record["error_type"] = type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a failing member must not stop the sweep; keep the reason
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["error_type"] = type(exc).__name__
        record["traceback"] = traceback.format_exc(limit=8)
    else:
        report = result.report
        kpis = {k: _scalar(v) for k, v in result.kpis.items() if _scalar(v) is not None or v is None}
        cost = kpis.get("total_cost_cny", _scalar(report.get("objective")))
        record.update({
            "ok": True,
            "model": scenario.model,
            "solver_status": str(report.get("status")),
            "objective": _scalar(report.get("objective")),
            "best_bound": _scalar(report.get("best_bound")),
            "gap": _scalar(report.get("gap")),
            "build_seconds": _scalar(report.get("build_seconds")),
            "solve_seconds": _scalar(report.get("solve_seconds")),
            "cost": cost,
            "service_level": _service_level(result),
            "kpis": kpis,
            "sites": _places(result.sites, with_open=False),
            "candidates": _places(result.candidates, with_open=True),
            "tiers": list(dict.fromkeys(str(t) for t in result.candidates["tier"])),
        })
    record["run_seconds"] = time.perf_counter() - started
    return record


# ------------------------------------------------------------------------------------------ member files


def _member_path(out_dir: Path, member_id: str) -> Path:
    return out_dir / MEMBERS_DIR / f"{member_id}.json"


def read_member_file(out_dir: Path, member: Member) -> dict[str, Any] | None:
    """The stored record of ``member`` if it was finished for the same scenario, else None."""
    path = _member_path(out_dir, member.id)
    if not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # unreadable: run it again
    if stored.get("scenario_sha") != member.scenario_sha:
        return None
    return stored.get("record")


def _write_member_file(out_dir: Path, member: Member, record: dict[str, Any]) -> None:
    data = {
        "id": member.id,
        "index": member.index,
        "varied": member.varied,
        "scenario_sha": member.scenario_sha,
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "record": record,
    }
    write_text_atomic(_member_path(out_dir, member.id), json.dumps(data, ensure_ascii=False, indent=1, default=str))


# ------------------------------------------------------------------------------------------ running


@dataclass
class SweepOutcome:
    """What a sweep run did: its directory, members, records by member id and counts."""

    out_dir: Path
    members: list[Member]
    records: dict[str, dict[str, Any]]
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    scheduler: str = ""

    @property
    def failed(self) -> list[str]:
        """Ids of the members that failed."""
        return [m.id for m in self.members if not self.records.get(m.id, {}).get("ok")]


def _lost(member: Member, exc: BaseException) -> dict[str, Any]:
    return {
        "id": member.id,
        "ok": False,
        "error": f"lost on the cluster: {type(exc).__name__}: {exc}",
        "error_type": "ClusterError",
        "cluster_error": True,
    }


def _run_dask(
    pending: list[Member],
    loaded: LoadedSweep,
    finish: Callable[[Member, dict[str, Any]], None],
    *,
    scheduler: str | None,
    workers: int | None,
    client: Any,
) -> str:
    """Run ``pending`` on Dask; ``finish`` is called in this process as each task completes."""
    from distributed import Client, LocalCluster, as_completed

    owned: list[Any] = []
    try:
        if client is None:
            if scheduler:
                client = Client(scheduler, timeout="30s")
            else:
                count = workers or min(os.cpu_count() or 1, len(pending))
                cluster = LocalCluster(
                    n_workers=max(1, count),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,
                )
                owned.append(cluster)
                client = Client(cluster)
            owned.insert(0, client)
        address = str(client.scheduler.address)
        token = uuid.uuid4().hex[:8]
        by_key: dict[str, Member] = {}
        futures = []
        for member in pending:
            key = f"sweep-{loaded.sweep.name}-{member.id}-{token}"
            futures.append(client.submit(run_member, member_payload(member, loaded), key=key, pure=False))
            by_key[key] = member
        for future in as_completed(futures):
            member = by_key[future.key]
            try:
                record = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost task is recorded, the sweep goes on
                record = _lost(member, exc)
            future.release()
            finish(member, record)
        return address
    finally:
        for resource in owned:
            resource.close()


def run_sweep(
    loaded: LoadedSweep,
    out_root: str | Path = Path("outputs") / "sweeps",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    serial: bool = False,
    retry_failed: bool = False,
    members: Iterable[Member] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_result: OnResult | None = None,
    write_outputs: bool = True,
) -> SweepOutcome:
    """Run every member of ``loaded`` not finished yet and write ``<out_root>/<sweep name>/``.

    ``serial`` runs in this process, one member after the other; otherwise on ``client`` if given, else
    on the cluster at ``scheduler``, else on a new LocalCluster of ``workers`` processes (default: one
    per core, at most one per member) with one thread each. ``retry_failed`` re-runs members recorded
    as failed. ``on_start(total, already_finished)`` and ``on_result(member, record, skipped)`` report
    progress. The result tables, map and plot are rebuilt from the member files at the end.
    """
    out_dir = Path(out_root) / loaded.sweep.name
    members = list(members) if members is not None else expand_sweep(loaded)
    records: dict[str, dict[str, Any]] = {}
    pending: list[Member] = []
    outcome = SweepOutcome(out_dir, members, records)
    for member in members:
        stored = read_member_file(out_dir, member)
        if stored is not None and (stored.get("ok") or not retry_failed):
            records[member.id] = stored
            outcome.skipped.append(member.id)
        else:
            pending.append(member)
    if on_start is not None:
        on_start(len(members), len(outcome.skipped))
    if on_result is not None:
        for member in members:
            if member.id in records:
                on_result(member, records[member.id], True)

    def finish(member: Member, record: dict[str, Any]) -> None:
        records[member.id] = record
        outcome.executed.append(member.id)
        if not record.get("cluster_error"):
            _write_member_file(out_dir, member, record)
        if on_result is not None:
            on_result(member, record, False)

    if pending:
        if serial:
            outcome.scheduler = "in-process"
            for member in pending:
                finish(member, run_member(member_payload(member, loaded)))
        else:
            outcome.scheduler = _run_dask(pending, loaded, finish, scheduler=scheduler, workers=workers, client=client)
    if write_outputs:
        from planner.sweep.results import write_outputs as write

        outcome.files = write(out_dir, loaded, members, records)
    return outcome
