"""Why a site is in the plan: the plan re-solved with the site moved to an alternative candidate.

For an open site and a closed candidate of the same tier, the opening plan is changed only there (the
alternative gets the same zones at the same levels) and the flows are solved again with every other site
fixed. The difference in each cost component (fixed costs, handling, transport by leg class, spoilage, CO2,
unmet demand) says what makes the site pay against that alternative: a positive total means the plan is
dearer with the alternative.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planner.model.coldchain.problem import LEG_CLASSES
from planner.model.coldchain.solution import ColdChainSolution
from planner.model.deadline import Deadline
from planner.model.matrix import SolveResult, SolverOptions

if TYPE_CHECKING:
    from planner.model.coldchain.milp import ColdChainMILP

__all__ = ["components", "site_swaps"]


def components(sol: ColdChainSolution) -> dict[str, float]:
    """The plan's cost components (CNY): fixed, handling, transport per leg class, spoilage, CO2, unmet."""
    cb = dict(zip(sol.cost_breakdown["component"], sol.cost_breakdown["cost_cny"], strict=True))
    by_leg = sol.flows.groupby("leg_class")["transport_cny"].sum()
    out = {"fixed": cb["fixed"], "handling": cb["handling"]}
    out.update({f"transport_{leg}": float(by_leg.get(leg, 0.0)) for leg in LEG_CLASSES if leg in by_leg.index})
    out.update({"spoilage": cb["spoilage"], "co2": cb["co2"], "unmet_penalty": cb["unmet_penalty"], "total": cb["total"]})
    return out


def _swapped(cm: ColdChainMILP, plan: np.ndarray, site: int, alt: int | None) -> np.ndarray | None:
    """``plan`` with every open zone level of ``site`` moved to the same zone and level of ``alt`` (None if
    ``alt`` lacks one of those zones or levels); ``alt`` None closes the site."""
    c = cm.c
    out = plan.copy()
    if alt is None:
        out[c.lvl_site == site] = 0.0
        return out
    for lv in np.flatnonzero((plan > 0.5) & (c.lvl_site == site)):
        zone, idx = c.sz_zone[c.lvl_sz[lv]], c.lvl_idx[lv]
        target = np.flatnonzero((c.lvl_site == alt) & (c.sz_zone[c.lvl_sz] == zone) & (c.lvl_idx == idx))
        if target.size == 0:
            return None
        out[lv] = 0.0
        out[target[0]] = 1.0
    return out


def site_swaps(cm: ColdChainMILP, result: SolveResult, swaps: list[tuple[int, int | None]], options: SolverOptions,
               deadline: Deadline) -> list[dict[str, Any]]:
    """For each ``(site, alternative)`` (site indices of the model, the first open, the second closed; None
    closes the site and leaves its flows to the other open sites), the cost components of the plan with the
    site moved there, minus the plan's own; swaps the deadline leaves no time for are skipped. Each entry:
    ``site``, ``alternative`` (None: closed), ``feasible`` and, when feasible, ``extra_cost_cny`` (total) and
    ``components`` (CNY per component)."""
    c = cm.c
    base = components(ColdChainSolution.from_result(cm, result))
    plan = np.where(cm.level_values(result) > 0.5, 1.0, 0.0)
    out: list[dict[str, Any]] = []
    for site, alt in swaps:
        opts = deadline.options(options, cap=60.0, mip_gap=1e-6, log_path=None, verbose=False)
        if opts is None:
            break
        trial = _swapped(cm, plan, site, alt)
        if trial is None or (alt is not None and c.site_forbidden[alt]):
            continue
        model, blocks = cm.build(active=cm.active, fix_open=trial, relax=True)
        res = model.solve(opts)
        entry: dict[str, Any] = {"site": c.sites[site].name, "alternative": None if alt is None else c.sites[alt].name}
        if not res.is_feasible or res.objective is None:
            entry["feasible"] = False
        else:
            alt_parts = components(ColdChainSolution.from_result(cm, cm.to_main(res, blocks)))
            entry["feasible"] = True
            entry["extra_cost_cny"] = alt_parts["total"] - base["total"]
            entry["components"] = {k: alt_parts.get(k, 0.0) - base.get(k, 0.0) for k in {**base, **alt_parts} if k != "total"}
        out.append(entry)
    return out
