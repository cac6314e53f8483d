"""Comparing two scenario runs: KPI differences and the sites opened, closed and kept.

:func:`compare_runs` is what ``planner compare RUN_A RUN_B`` prints and what
:func:`planner.compare_runs` returns in Python. A run is either a run directory written by
``planner run`` / :func:`planner.outputs.write_run`, or an in-memory
:class:`~planner.scenario.run.RunResult`; both are reduced to their ``summary.json`` content and
their table of opened sites, so the two kinds can be mixed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from planner.scenario.run import RunResult

__all__ = ["compare_runs"]


def _reduce(run: RunResult | str | os.PathLike[str]) -> tuple[str, dict[str, Any], pd.DataFrame]:
    """``(label, summary, sites)`` of a run directory or of a :class:`RunResult`."""
    from planner.outputs import read_run, summary
    from planner.scenario.run import RunResult

    if isinstance(run, RunResult):
        return run.scenario.name, summary(run), run.sites
    data = read_run(Path(run))
    return str(run), data["summary"], data["sites"]


def _delta(a: Any, b: Any) -> Any:
    """``b - a`` for two numbers (not booleans), else ``None``."""
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    return b - a if numbers else None


def _keyed_sites(sites: pd.DataFrame) -> dict[tuple[str, str], dict[str, str]]:
    if not len(sites):
        return {}
    return {
        (str(r.tier), str(r.place_id)): {"tier": str(r.tier), "place_id": str(r.place_id), "name_zh": str(r.name_zh)}
        for r in sites.itertuples()
    }


def compare_runs(
    run_a: RunResult | str | os.PathLike[str], run_b: RunResult | str | os.PathLike[str]
) -> dict[str, Any]:
    """Compare run B with run A: KPI differences (B - A) and the sites opened, closed and kept.

    Each run is a run directory (``outputs/<scenario>/<run-id>``) or a :class:`RunResult`. Returns
    ``{"a": label, "b": label, "kpis": {name: {"a", "b", "delta"}}, "sites": {"opened", "closed",
    "kept"}}``. The labels are the directories as given, or the scenario names of results. ``kpis``
    holds every KPI of the two summaries (units in their names: ``total_cost_cny`` in CNY, ``unmet_t``
    in tonnes, ``max_path_time_h`` in hours, ``service_level`` 0-1...) followed by
    ``cost_<component>`` (CNY) for each cost component; ``delta`` is ``None`` where a value is missing
    or not a number. Sites are ``{"tier", "place_id", "name_zh"}``, ``opened`` meaning open in B and
    not in A. Raises :class:`planner.errors.PlannerError` for a directory that is not a run directory.
    """
    label_a, summary_a, sites_a = _reduce(run_a)
    label_b, summary_b, sites_b = _reduce(run_b)
    kpis: dict[str, dict[str, Any]] = {}
    for key in dict.fromkeys([*summary_a["kpis"], *summary_b["kpis"]]):
        va, vb = summary_a["kpis"].get(key), summary_b["kpis"].get(key)
        kpis[key] = {"a": va, "b": vb, "delta": _delta(va, vb)}
    costs_a, costs_b = summary_a["cost_breakdown_cny"], summary_b["cost_breakdown_cny"]
    for component in dict.fromkeys([*costs_a, *costs_b]):
        va, vb = costs_a.get(component), costs_b.get(component)
        kpis[f"cost_{component}"] = {"a": va, "b": vb, "delta": _delta(va, vb)}
    keyed_a, keyed_b = _keyed_sites(sites_a), _keyed_sites(sites_b)
    return {
        "a": label_a,
        "b": label_b,
        "kpis": kpis,
        "sites": {
            "opened": [keyed_b[k] for k in keyed_b if k not in keyed_a],
            "closed": [keyed_a[k] for k in keyed_a if k not in keyed_b],
            "kept": [keyed_a[k] for k in keyed_a if k in keyed_b],
        },
    }
