"""Scenario calls for Python and notebooks: load by name, modify, solve, tabulate, compare.

Everything here is also importable from the package root (``planner.load_scenario``...), together with
the layout, region, network and map functions (see :mod:`planner`). These are the functions the
``planner`` command runs, with conveniences for interactive use:

* :func:`shipped_scenarios` / :func:`scenario_path` — the shipped scenario files, found by name;
* :func:`load_scenario` — :func:`planner.scenario.load.load_scenario`, also accepting the name of a
  shipped scenario (``"xinjiang_fruit_cold_chain"``) besides a path;
* :func:`modify_scenario` — a validated copy of a scenario with fields changed by dotted path
  (``"tiers[1].max_open"``), the override syntax of sweep files;
* :func:`solve_scenario` — :func:`planner.scenario.run.solve_scenario` (what ``planner run`` calls),
  with ``base_dir`` for scenario objects that read their own supply or demand tables;
* :func:`kpi_table` — the scalar KPIs and cost components of several results as one DataFrame;
* :func:`compare_runs` — :func:`planner.compare.compare_runs`, what ``planner compare`` prints, for
  run directories and in-memory :class:`~planner.scenario.run.RunResult` objects alike.

Maps of results and routes are :func:`planner.maps.result_map_of` and :func:`planner.maps.route_map`.
Heavy libraries (pandas, geopandas, pydantic, folium, the solver) are imported when a function runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.compare import compare_runs
from planner.errors import PlannerError

if TYPE_CHECKING:
    import pandas as pd

    from planner.scenario.run import RunResult
    from planner.scenario.schema import Scenario

__all__ = [
    "compare_runs",
    "kpi_table",
    "load_scenario",
    "modify_scenario",
    "scenario_path",
    "shipped_scenarios",
    "solve_scenario",
]


# ------------------------------------------------------------------------------------------ scenarios


def shipped_scenarios() -> list[str]:
    """Names of the shipped scenario files (``scenarios/<name>.yaml``), sorted."""
    from planner.paths import scenarios_dir

    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


def scenario_path(scenario: str | os.PathLike[str]) -> Path:
    """The file of ``scenario``: an existing path as given, else the shipped scenario of that name.

    ``"xinjiang_fruit_cold_chain"`` and ``"xinjiang_fruit_cold_chain.yaml"`` both name
    ``scenarios/xinjiang_fruit_cold_chain.yaml``. Raises :class:`PlannerError` (naming the shipped
    scenarios) when neither exists.
    """
    from planner.paths import scenarios_dir

    path = Path(scenario)
    if path.is_file():
        return path
    if len(path.parts) == 1:
        shipped = scenarios_dir() / (path.name if path.suffix in (".yaml", ".yml") else f"{path.name}.yaml")
        if shipped.is_file():
            return shipped
    raise PlannerError(
        f"{scenario}: no such scenario file or shipped scenario; shipped: {', '.join(shipped_scenarios())}"
    )


def load_scenario(scenario: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file (``extends:`` resolved) into a :class:`Scenario`.

    ``scenario`` is a path or the name of a shipped scenario (see :func:`scenario_path`). Raises
    :class:`planner.scenario.load.ScenarioError` naming file, line and field of the first problem.
    The result is a pydantic model: edit attributes (``s.policy.unmet_penalty_cny_per_t = 5000``),
    ``s.model_copy(update={...}, deep=True)``, or use :func:`modify_scenario` to have changes validated.
    """
    from planner.scenario.load import load_scenario as load

    return load(scenario_path(scenario))


def modify_scenario(scenario: Scenario, changes: Mapping[str, Any] | None = None, /, **fields: Any) -> Scenario:
    """A validated copy of ``scenario`` with fields changed; ``scenario`` itself is not modified.

    ``changes`` maps dotted paths to new values, as in sweep files: ``{"tiers[1].max_open": 2,
    "policy.unmet_penalty_cny_per_t": 5000, "solver.time_limit_s": 60}`` (a list item by index, a whole
    list or mapping as one value); keyword arguments set top-level fields (``name="variant"``). Values
    use the units in the field names (CNY, CNY per tonne, tonnes, hours, seconds). The copy is checked
    like a scenario file — paths, schema, then place, role and product names — and a problem raises
    :class:`planner.scenario.load.ScenarioError` whose one-line message names the first field at fault
    (``.problems`` lists them all). Raises :class:`PlannerError` when ``scenario`` is not a
    :class:`Scenario`.
    """
    from pydantic import ValidationError

    from planner.scenario.load import Problem, field_path
    from planner.scenario.names import check_names
    from planner.scenario.overrides import check_path, set_path
    from planner.scenario.schema import Scenario

    if not isinstance(scenario, Scenario):
        raise PlannerError(
            f"modify_scenario: give a Scenario (from load_scenario), not {type(scenario).__name__}"
        )
    where = f"scenario {scenario.name}"
    data = scenario.model_dump(mode="json")
    updates = {**dict(changes or {}), **fields}
    for path, value in updates.items():
        problem = check_path(path, data)
        if problem is None:
            try:
                set_path(data, path, value)
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            raise _scenario_error([Problem(where, None, path, problem)])
    try:
        modified = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(where, None, field_path(_user_loc(e["loc"])), e["msg"].removeprefix("Value error, "))
            for e in exc.errors()
        ]
        raise _scenario_error(problems) from None
    names = check_names(data)
    if names:
        raise _scenario_error([Problem(where, None, field_path(loc), message) for loc, message in names])
    return modified


def _scenario_error(problems: list[Any]) -> Exception:
    """A :class:`ScenarioError` for an in-memory scenario: the first problem, and where the others are."""
    from planner.scenario.load import ScenarioError

    error = ScenarioError(problems)
    more = f" (and {len(problems) - 1} more in .problems)" if len(problems) > 1 else ""
    error.args = (f"{problems[0]}{more}",)
    return error


def _user_loc(loc: Sequence[Any]) -> tuple[Any, ...]:
    """A pydantic error location without the union or tuple member pydantic appends (the user's path)."""
    return tuple(k for k in loc if not (isinstance(k, str) and k.startswith(("function-", "tuple["))))


def solve_scenario(
    scenario: Scenario | str | os.PathLike[str],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    log_path: str | os.PathLike[str] | None = None,
    step: Callable[[str], None] | None = None,
) -> RunResult:
    """Build the network and model of a scenario and solve it, as ``planner run`` does (nothing is written).

    ``scenario`` is a :class:`Scenario`, a path or a shipped scenario's name. ``base_dir`` is where the
    relative paths inside a :class:`Scenario` object (a user supply or demand table) are resolved; by
    default the current directory (a file's own directory for a path). ``log_path`` receives the
    solver log; ``step`` is told each stage as it starts. Returns a :class:`RunResult`: ``sites``,
    ``flows``, ``assignments``, ``service``, ``cost_breakdown`` (CNY), ``candidates`` (DataFrames),
    ``kpis`` (dict; costs in CNY, tonnes, hours, tonne-km) and ``report`` (solver status, gap, seconds).
    Raises :class:`planner.errors.InfeasibleError` when no feasible plan exists, and other
    :class:`PlannerError` subclasses (one-line messages) for bad data or a model that cannot be built.
    """
    from planner.scenario import run
    from planner.scenario.schema import Scenario

    log = Path(log_path) if log_path is not None else None
    if not isinstance(scenario, Scenario):
        return run.solve_scenario(scenario_path(scenario), step=step, log_path=log)
    return run.solve_scenario(scenario, step=step, log_path=log, base_dir=Path(base_dir) if base_dir is not None else None)


# ------------------------------------------------------------------------------------------ results


def kpi_table(results: Mapping[str, RunResult] | Sequence[RunResult]) -> pd.DataFrame:
    """The headline numbers of several results side by side, one row per result.

    ``results`` maps labels to results, or is a list (rows are then labelled by scenario name). Columns:
    ``status``, ``objective`` (CNY for the cost models), ``gap`` (relative MIP gap, 0-1), every scalar
    KPI of the model — for the cold-chain model ``total_cost_cny`` (CNY), ``service_level`` (delivered
    share of demand, 0-1), ``demand_t``/``delivered_t``/``unmet_t`` (tonnes), ``max_path_time_h``
    (hours), ``co2_t`` (tonnes), ``open_sites_<tier>``; for the location models ``max_time_h``,
    ``open_sites``... — and ``cost_<component>`` (CNY) for each cost component (``fixed``, ``transport``,
    ``unmet_penalty``... as in ``result.cost_breakdown``). Raises :class:`PlannerError` for no results.
    """
    import pandas as pd

    items = list(results.items()) if isinstance(results, Mapping) else [(r.scenario.name, r) for r in results]
    if not items:
        raise PlannerError("kpi_table: give at least one result")
    rows: dict[str, dict[str, Any]] = {}
    for label, result in items:
        row: dict[str, Any] = {"status": result.status, "objective": result.objective, "gap": result.report.get("gap")}
        row.update({k: v for k, v in result.kpis.items() if k not in row and _is_scalar(v)})
        breakdown = result.cost_breakdown
        row.update({f"cost_{c}": float(v) for c, v in zip(breakdown["component"], breakdown["cost_cny"], strict=True)})
        rows[str(label)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _is_scalar(value: Any) -> bool:
    """A number, string, boolean or None (numpy scalars included), not a mapping or a list."""
    return value is None or isinstance(value, (int, float, str, bool)) or (hasattr(value, "item") and getattr(value, "ndim", 1) == 0)
