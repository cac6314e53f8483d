"""Comparing two scenario runs: what changed between plan A and plan B.

:func:`compare_runs` is what ``planner compare RUN_A RUN_B`` prints, what the comparison report and map
show, and what :func:`planner.compare_runs` returns in Python. A run is either a run directory written by
``planner run`` / :func:`planner.run_dir.write_run`, or an in-memory
:class:`~planner.scenario.run.RunResult`; both are reduced to their ``summary.json`` content and their
tables (sites, flows, service, assignments), so the two kinds can be mixed.

What changed is read per tier, as a planner reads a network plan: a site of a tier is *opened* or
*closed*, *moved* (one closed and one opened in the same tier, paired nearest first), *resized* (same
place and tier, another capacity) or *kept*; demand points with unmet demand in either plan; and the
destinations whose supply comes from other places or by another mode (*flows that changed route*).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.labels import flatten

if TYPE_CHECKING:
    import pandas as pd

    from planner.scenario.run import RunResult

__all__ = ["compare_runs", "pct_delta"]

#: Tonnes (or weight) below which a flow or an unmet amount counts as zero.
_TOLERANCE = 1e-3


def _reduce(run: RunResult | str | os.PathLike[str]) -> dict[str, Any]:
    """The label, summary and tables of a run directory or of a :class:`RunResult`."""
    import pandas as pd

    from planner.outputs import read_run, summary
    from planner.scenario.run import RunResult

    if isinstance(run, RunResult):
        return {"label": run.scenario.name, "run_id": None, "summary": summary(run), "sites": run.sites,
                "flows": run.flows, "service": run.service, "assignments": run.assignments}
    data = read_run(Path(run))
    return {"label": str(run), "run_id": Path(run).name, "summary": data["summary"], "sites": data["sites"],
            "flows": data.get("flows", pd.DataFrame()), "service": data.get("service", pd.DataFrame()),
            "assignments": data.get("assignments", pd.DataFrame())}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _delta(a: Any, b: Any) -> Any:
    """``b - a`` for two numbers (not booleans), else ``None``."""
    return b - a if _number(a) and _number(b) else None


def pct_delta(a: Any, b: Any) -> float | None:
    """``(b - a) / |a|`` (a fraction: 0.1 is +10 %); ``None`` when ``a`` is zero or either is not a number."""
    if not (_number(a) and _number(b)) or a == 0:
        return None
    return (b - a) / abs(a)


def _row(a: Any, b: Any) -> dict[str, Any]:
    return {"a": a, "b": b, "delta": _delta(a, b), "delta_pct": pct_delta(a, b)}


def _text(value: Any) -> str:
    """A table cell as text ('' for a missing value: None or NaN)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _site(record: dict[str, Any]) -> dict[str, str]:
    return {"tier": _text(record["tier"]), "place_id": _text(record["place_id"]), "name_zh": _text(record.get("name_zh")),
            "name_en": _text(record.get("name_en"))}


def _records(sites: pd.DataFrame) -> list[dict[str, Any]]:
    return sites.to_dict("records") if len(sites) else []


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance between two site records (km; nan without coordinates)."""
    try:
        lon1, lat1, lon2, lat2 = (math.radians(float(v)) for v in (a["lon"], a["lat"], b["lon"], b["lat"]))
    except (KeyError, TypeError, ValueError):
        return math.nan
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _capacity(record: dict[str, Any]) -> float | None:
    value = record.get("capacity_t")
    return round(float(value), 2) if _number(value) else None


def _tier_changes(sites_a: pd.DataFrame, sites_b: pd.DataFrame) -> dict[str, dict[str, list[Any]]]:
    """Per tier: opened, closed, moved (nearest pairs of a closed and an opened site), resized, kept."""
    records_a, records_b = _records(sites_a), _records(sites_b)
    tiers = list(dict.fromkeys(str(r["tier"]) for r in [*records_a, *records_b]))
    out: dict[str, dict[str, list[Any]]] = {}
    for tier in tiers:
        in_a = {str(r["place_id"]): r for r in records_a if str(r["tier"]) == tier}
        in_b = {str(r["place_id"]): r for r in records_b if str(r["tier"]) == tier}
        closed = [in_a[p] for p in in_a if p not in in_b]
        opened = [in_b[p] for p in in_b if p not in in_a]
        pairs = sorted(((_km(c, o), i, j) for i, c in enumerate(closed) for j, o in enumerate(opened)),
                       key=lambda t: (math.isnan(t[0]), t[0], t[1], t[2]))
        used_closed: set[int] = set()
        used_opened: set[int] = set()
        moved = []
        for distance, i, j in pairs:
            if i in used_closed or j in used_opened:
                continue
            used_closed.add(i)
            used_opened.add(j)
            moved.append({"from": _site(closed[i]), "to": _site(opened[j]),
                          "distance_km": None if math.isnan(distance) else round(distance, 1)})
        resized, kept = [], []
        for place in (p for p in in_a if p in in_b):
            cap_a, cap_b = _capacity(in_a[place]), _capacity(in_b[place])
            if cap_a is not None and cap_b is not None and abs(cap_a - cap_b) > 1e-6 * max(abs(cap_a), 1.0):
                resized.append({**_site(in_b[place]), "capacity_a_t": cap_a, "capacity_b_t": cap_b})
            else:
                kept.append(_site(in_b[place]))
        out[tier] = {
            "opened": [_site(o) for j, o in enumerate(opened) if j not in used_opened],
            "closed": [_site(c) for i, c in enumerate(closed) if i not in used_closed],
            "moved": moved,
            "resized": resized,
            "kept": kept,
        }
    return out


def _demand_by_place(run: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], str]:
    """Demand and unmet amount per demand point: tonnes (cold chain) or weight of unserved points."""
    service, assignments = run["service"], run["assignments"]
    places: dict[str, dict[str, Any]] = {}
    if len(service) and {"unmet_t", "demand_t", "place_id"} <= set(service.columns):
        for record in service.to_dict("records"):
            entry = places.setdefault(str(record["place_id"]), {"name_zh": record.get("name_zh", ""), "demand": 0.0, "unmet": 0.0, "products": {}})
            entry["demand"] += float(record["demand_t"] or 0.0)
            entry["unmet"] += float(record["unmet_t"] or 0.0)
            if float(record["unmet_t"] or 0.0) > _TOLERANCE and "product" in record:
                entry["products"][str(record["product"])] = float(record["unmet_t"])
        return places, "t"
    if len(assignments) and {"site_id", "place_id"} <= set(assignments.columns):
        for record in assignments.to_dict("records"):
            weight = float(record.get("weight", 1.0) or 0.0)
            site = record.get("site_id")
            unserved = not isinstance(site, str) or site == ""
            places[str(record["place_id"])] = {"name_zh": record.get("name_zh", ""), "demand": weight,
                                               "unmet": weight if unserved else 0.0, "products": {}}
        return places, "weight"
    return places, "t"


def _unmet_changes(run_a: dict[str, Any], run_b: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    places_a, unit = _demand_by_place(run_a)
    places_b, _ = _demand_by_place(run_b)
    rows = []
    for place in dict.fromkeys([*places_a, *places_b]):
        a, b = places_a.get(place), places_b.get(place)
        unmet_a = a["unmet"] if a else 0.0
        unmet_b = b["unmet"] if b else 0.0
        if max(unmet_a, unmet_b) <= _TOLERANCE:
            continue
        rows.append({"place_id": place, "name_zh": (b or a)["name_zh"],
                     "demand_a": round(a["demand"], 3) if a else None, "demand_b": round(b["demand"], 3) if b else None,
                     "unmet_a": round(unmet_a, 3), "unmet_b": round(unmet_b, 3), "delta": round(unmet_b - unmet_a, 3),
                     "products_b": {k: round(v, 3) for k, v in (b["products"] if b else {}).items()}})
    rows.sort(key=lambda r: (-max(r["unmet_a"], r["unmet_b"]), r["place_id"]))
    return rows, unit


def _sources(run: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Per destination (product, tier, place): its sources (tier, place, mode) with tonnes."""
    flows, assignments = run["flows"], run["assignments"]
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    if len(flows) and {"from_id", "to_id", "tonnes"} <= set(flows.columns):
        for record in flows.to_dict("records"):
            tonnes = float(record["tonnes"] or 0.0)
            if tonnes <= _TOLERANCE:
                continue
            key = (str(record.get("product", "")), str(record.get("to_tier", "")), str(record["to_id"]))
            entry = out.setdefault(key, {"name_zh": record.get("to_name_zh", ""), "sources": {}})
            source = (str(record.get("from_tier", "")), str(record["from_id"]), str(record.get("mode", "")))
            names = entry.setdefault("names", {})
            names[source] = record.get("from_name_zh", "")
            entry["sources"][source] = entry["sources"].get(source, 0.0) + tonnes
        return out
    if len(assignments) and {"site_id", "place_id"} <= set(assignments.columns):
        for record in assignments.to_dict("records"):
            site = record.get("site_id")
            if not isinstance(site, str) or not site:
                continue
            weight = float(record.get("weight", 1.0) or 0.0)
            source = ("site", site, "")
            out[("", "demand", str(record["place_id"]))] = {"name_zh": record.get("name_zh", ""), "sources": {source: weight},
                                                            "names": {source: record.get("site_name_zh", "")}}
    return out


def _route_changes(run_a: dict[str, Any], run_b: dict[str, Any]) -> list[dict[str, Any]]:
    sources_a, sources_b = _sources(run_a), _sources(run_b)
    rows = []
    for key in dict.fromkeys([*sources_a, *sources_b]):
        a, b = sources_a.get(key), sources_b.get(key)
        set_a = set(a["sources"]) if a else set()
        set_b = set(b["sources"]) if b else set()
        if set_a == set_b:
            continue

        def listed(entry: dict[str, Any] | None) -> list[dict[str, Any]]:
            if not entry:
                return []
            return [{"tier": t, "place_id": p, "name_zh": str(entry["names"].get((t, p, m), "")), "mode": m, "amount": round(v, 3)}
                    for (t, p, m), v in sorted(entry["sources"].items(), key=lambda kv: -kv[1])]

        total_a = sum(a["sources"].values()) if a else 0.0
        total_b = sum(b["sources"].values()) if b else 0.0
        rows.append({"product": key[0], "to_tier": key[1], "to_id": key[2], "to_name_zh": (b or a)["name_zh"],
                     "from_a": listed(a), "from_b": listed(b), "amount_a": round(total_a, 3), "amount_b": round(total_b, 3)})
    rows.sort(key=lambda r: (-max(r["amount_a"], r["amount_b"]), r["to_id"], r["product"]))
    return rows


def _display_names(run_a: dict[str, Any], run_b: dict[str, Any]) -> tuple[str, str]:
    """Column heads: the scenario names, with the run ids when both runs are of the same scenario."""
    name_a, name_b = str(run_a["summary"].get("scenario", "A")), str(run_b["summary"].get("scenario", "B"))
    if name_a == name_b:
        name_a = f"{name_a} ({run_a['run_id'] or 'A'})"
        name_b = f"{name_b} ({run_b['run_id'] or 'B'})"
    return name_a, name_b


def compare_runs(
    run_a: RunResult | str | os.PathLike[str], run_b: RunResult | str | os.PathLike[str]
) -> dict[str, Any]:
    """Compare run B with run A: KPI differences (B - A), sites per tier, unmet demand, changed routes.

    Each run is a run directory (``outputs/<scenario>/<run-id>``) or a :class:`RunResult`. Returns:

    * ``a``, ``b``: the directories as given, or the scenario names of results; ``name_a``, ``name_b``:
      the scenario names (with the run ids when both runs are of one scenario); ``title_a``, ``title_b``;
    * ``kpis``: ``{name: {"a", "b", "delta", "delta_pct"}}`` for every KPI of the two summaries (units in
      their names: ``total_cost_cny`` in CNY, ``unmet_t`` in tonnes, ``max_path_time_h`` in hours,
      ``service_level`` 0-1...; a mapping such as ``tonne_km_by_mode`` as ``tonne_km_by_mode.road``...)
      followed by ``cost_<component>`` (CNY) for each of ``cost_components``; ``delta`` is ``None`` where
      a value is missing or not a number, ``delta_pct`` (a fraction) also where A is zero;
    * ``sites``: ``opened``, ``closed`` and ``kept`` sites ``{"tier", "place_id", "name_zh", "name_en"}``
      over all tiers (``opened``: open in B and not in A, in that tier);
    * ``sites_by_tier``: per tier ``opened``, ``closed`` (those not paired as moved), ``moved``
      (``{"from", "to", "distance_km"}``), ``resized`` (with ``capacity_a_t``, ``capacity_b_t``), ``kept``;
    * ``unmet``: demand points with unmet demand in A or B (``unmet_a``, ``unmet_b``, ``delta``, the
      demand, B's unmet products), in ``unmet_unit`` (``t``, or ``weight`` of unserved points);
    * ``routes_changed``: destinations (``product``, ``to_tier``, ``to_id``) whose sources (place and
      mode) differ, with ``from_a``, ``from_b`` and the amounts.

    Raises :class:`planner.errors.PlannerError` for a directory that is not a run directory.
    """
    a, b = _reduce(run_a), _reduce(run_b)
    summary_a, summary_b = a["summary"], b["summary"]
    kpis_a, kpis_b = dict(flatten(summary_a["kpis"])), dict(flatten(summary_b["kpis"]))
    kpis: dict[str, dict[str, Any]] = {key: _row(kpis_a.get(key), kpis_b.get(key)) for key in dict.fromkeys([*kpis_a, *kpis_b])}
    costs_a, costs_b = summary_a["cost_breakdown_cny"], summary_b["cost_breakdown_cny"]
    for component in dict.fromkeys([*costs_a, *costs_b]):
        kpis[f"cost_{component}"] = _row(costs_a.get(component), costs_b.get(component))
    keyed_a = {(s["tier"], s["place_id"]): s for s in map(_site, _records(a["sites"]))}
    keyed_b = {(s["tier"], s["place_id"]): s for s in map(_site, _records(b["sites"]))}
    unmet, unit = _unmet_changes(a, b)
    name_a, name_b = _display_names(a, b)
    return {
        "a": a["label"],
        "b": b["label"],
        "name_a": name_a,
        "name_b": name_b,
        "title_a": summary_a.get("title", ""),
        "title_b": summary_b.get("title", ""),
        "model_a": summary_a.get("model", ""),
        "model_b": summary_b.get("model", ""),
        "kpis": kpis,
        "cost_components": list(dict.fromkeys([*costs_a, *costs_b])),
        "sites": {
            "opened": [keyed_b[k] for k in keyed_b if k not in keyed_a],
            "closed": [keyed_a[k] for k in keyed_a if k not in keyed_b],
            "kept": [keyed_a[k] for k in keyed_a if k in keyed_b],
        },
        "sites_by_tier": _tier_changes(a["sites"], b["sites"]),
        "unmet": unmet,
        "unmet_unit": unit,
        "routes_changed": _route_changes(a, b),
    }
