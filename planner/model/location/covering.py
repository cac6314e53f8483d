"""Location set covering (LSCP) and the covering MILP shared with the p-center.

Distances in any unit, service distance in the same unit, demand in demand units, times in seconds.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from planner.errors import ModelError
from planner.model.location.common import (
    LocationSolution,
    SiteSets,
    as_matrix,
    as_vector,
    default_options,
    nearest_open,
    no_solution,
    reachable,
    result_fields,
    site_sets,
)
from planner.model.matrix import MatrixModel, SolverOptions


def cover_model(name: str, cover: np.ndarray, site_cost: np.ndarray, sites: SiteSets,
                max_sites: int | None = None, budget: float | None = None) -> tuple[MatrixModel, Any]:
    n, m = cover.shape
    model = MatrixModel(name, "min")
    y = model.add_variables("y", m, lb=sites.forced.astype(float), ub=sites.allowed.astype(float),
                            cost=site_cost, integer=True)
    ci, sj = np.nonzero(cover & sites.allowed[None, :])
    model.add_constraints("cover", ci, y.cols(sj), 1.0, np.ones(n), np.full(n, np.inf))
    if max_sites is not None:
        model.add_constraints("max_sites", np.zeros(m), y.cols(), 1.0, [-np.inf], [float(max_sites)])
    if budget is not None:
        model.add_constraints("budget", np.zeros(m), y.cols(), site_cost, [-np.inf], [float(budget)])
    return model, y


def location_set_covering(
    distance: Any,
    service_distance: float,
    *,
    site_cost: Any = None,
    must_open: Any = None,
    forbidden: Any = None,
    existing: Any = None,
    options: SolverOptions | None = None,
    budget: float | None = None,
) -> LocationSolution:
    """Location set covering (LSCP): the cheapest set of sites putting every customer within reach.

    ``distance[i, j]`` in any unit; customer ``i`` is covered by site ``j`` when
    ``distance[i, j] <= service_distance`` (same unit). ``site_cost[j]`` (currency, default 1 = minimise
    the number of sites; existing sites cost nothing). Formulation: ``min sum c_j y_j`` s.t.
    ``sum_{j covers i} y_j >= 1``, ``y`` binary. A customer no allowed site covers raises InfeasibleError.
    """
    dist = as_matrix(distance, "distance")
    n, m = dist.shape
    r = service_distance_value(service_distance)
    cst = as_vector(site_cost, m, "site_cost", "sites", default=1.0)
    sites = site_sets(m, must_open, forbidden, existing)
    cover = dist <= r
    reachable(np.where(cover, 0.0, np.inf), sites, f"covered within {r:g}")
    cst_eff = np.where(sites.existing, 0.0, cst)
    t0 = time.perf_counter()
    model, y = cover_model("lscp", cover, cst_eff, sites, budget=budget)
    build = time.perf_counter() - t0
    res = model.solve(default_options(options))
    res.build_seconds += build
    ones = np.ones(n)
    if not res.is_feasible:
        return no_solution("lscp", res, dist, ones, fixed_cost=cst, existing=sites.existing)
    open_sites = np.flatnonzero(res.values(y) > 0.5)
    return LocationSolution(
        **result_fields("lscp", res),
        open_sites=open_sites,
        assignment=nearest_open(np.where(cover, dist, np.inf), open_sites),
        cost_breakdown={"site_cost": float(cst_eff[open_sites].sum()), "sites": float(open_sites.size)},
        cost=dist,
        demand=ones,
        fixed_cost=cst,
        existing=sites.existing,
    )


def service_distance_value(value: Any) -> float:
    try:
        r = float(value)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"service_distance must be a number, got {value!r}") from exc
    if not math.isfinite(r) or r < 0:
        raise ModelError(f"service_distance must be finite and >= 0, got {value!r}")
    return r
