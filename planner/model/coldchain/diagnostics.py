"""Why a cold-chain problem has no solution: cheap checks before the solver, elastic relaxation after it.

:func:`diagnose` looks for conflicts that need no solver: fixings and site counts, the budget, supply
against demand, first miles that no candidate meets within the product's standard, demand points no route
reaches in time, and the capacity of tiers every route must cross. If the solver still reports infeasible,
:func:`explain_infeasible` relaxes each constraint group in turn with penalised slack to name the group that
is responsible.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from planner.model.coldchain.compiled import EPS_H, CompiledProblem
from planner.model.coldchain.problem import DEMAND, LEG_CLASSES, PRODUCTION, ColdChainProblem
from planner.model.deadline import Deadline
from planner.model.matrix import SolverOptions

if TYPE_CHECKING:
    from planner.model.coldchain.milp import ColdChainMILP

__all__ = ["ELASTIC_GROUPS", "diagnose", "diagnose_cold_chain", "explain_infeasible", "fmt_cny", "fmt_tonnes"]

#: constraint groups that the elastic infeasibility analysis relaxes one at a time (unit of their slack)
ELASTIC_GROUPS: dict[str, str] = {
    "supply": "t",
    "demand": "t",
    "capacity": "t",
    "must_open": "sites",
    "site_count": "sites",
    "budget": "CNY",
    "time_limit": "h",
}
_FIRST_MILE = LEG_CLASSES.index("first_mile")


def fmt_tonnes(t: float) -> str:
    """Human-readable tonnes: ``1.2 Mt``, ``80 kt``, ``500 t``."""
    a = abs(t)
    if a >= 1e6:
        return f"{t / 1e6:.3g} Mt"
    if a >= 1e3:
        return f"{t / 1e3:.3g} kt"
    return f"{t:.4g} t"


def fmt_cny(v: float) -> str:
    """Human-readable yuan: ``12.3 M CNY`` or ``45,000 CNY``."""
    return f"{v / 1e6:.4g} M CNY" if abs(v) >= 1e6 else f"{v:,.0f} CNY"


def _mandatory_tiers(prob: ColdChainProblem) -> list[str]:
    """Site tiers that every production -> demand tier path crosses."""
    edges = list(prob.tier_arcs or ())
    out = []
    for tier in prob.tiers:
        reach = {PRODUCTION}
        changed = True
        while changed:
            changed = False
            for a, b in edges:
                if a in reach and b not in reach and b != tier.name:
                    reach.add(b)
                    changed = True
        if DEMAND not in reach:
            out.append(tier.name)
    return out


def _fixings(c: CompiledProblem) -> tuple[list[str], float]:
    """Conflicting fixings and site counts, and the least fixed cost the counts and fixings force."""
    reasons: list[str] = []
    for k in np.flatnonzero(c.site_must & c.site_forbidden):
        reasons.append(f"must-open site {c.sites[k].name} is also forbidden")
    tier_of = np.asarray(c.site_tier_name)
    cheapest_zone = np.full(c.S, np.inf)
    np.minimum.at(cheapest_zone, c.lvl_site, c.lvl_fixed)
    cheapest = cheapest_zone + c.site_fixed
    min_fixed = 0.0
    for tier in c.prob.tiers:
        in_t = tier_of == tier.name
        n_must = int((in_t & c.site_must).sum())
        n_avail = int((in_t & ~c.site_forbidden).sum())
        if tier.max_open is not None and tier.max_open < n_must:
            reasons.append(f"max sites in tier {tier.name} ({tier.max_open}) < must-open sites ({n_must})")
        if tier.min_open > n_avail:
            reasons.append(f"min sites in tier {tier.name} ({tier.min_open}) > candidates not forbidden ({n_avail})")
        must_t = c.site_must[in_t]
        free_t = ~c.site_forbidden[in_t] & ~must_t
        extra = max(tier.min_open - n_must, 0)
        min_fixed += cheapest[in_t][must_t].sum() + np.sort(cheapest[in_t][free_t])[:extra].sum()
    return reasons, float(min_fixed)


def _first_miles(c: CompiledProblem) -> list[str]:
    """Production areas whose supply of a product no first-mile arc takes within the product's standard."""
    reasons = []
    first = (c.a_class == _FIRST_MILE) & (c.node_tier[c.a_from] == 0)
    if not first.any():
        return reasons
    for p, prod in enumerate(c.products):
        ok = c.allowed(p) & first
        for o in np.flatnonzero(c.supply[:, p] > 0):
            out_o = first & (c.a_from == o)
            if not out_o.any() or (ok & out_o).any():
                continue
            near = np.flatnonzero(out_o)
            near = near[np.lexsort((c.a_dist[near], c.a_time[near]))][0]
            name = c.node_name[c.a_to[near]]
            std = [f"{prod.first_mile_max_h:g} h" if prod.first_mile_max_h is not None else "",
                   f"{prod.first_mile_max_km:g} km" if prod.first_mile_max_km is not None else ""]
            reasons.append(f"production area {c.node_name[o]}: no pre-cooling candidate within the first-mile standard "
                           f"of {prod.name} ({', '.join(s for s in std if s)}); the nearest is {name} at "
                           f"{c.a_time[near]:.1f} h, {c.a_dist[near]:.0f} km: add a candidate near it or relax the standard")
    return reasons


def diagnose(c: CompiledProblem, analyses: list[dict[str, np.ndarray]] | None = None) -> list[str]:
    """Cheap infeasibility checks on the compiled problem; readable reasons (empty = nothing found)."""
    prob = c.prob
    reasons, min_fixed = _fixings(c)
    if prob.budget_cny is not None and min_fixed > prob.budget_cny * (1 + 1e-9) + 1e-6:
        reasons.append(f"budget {fmt_cny(prob.budget_cny)} < {fmt_cny(min_fixed)}, the cheapest fixed cost of "
                       f"the must-open sites and minimum site counts")
    reasons += _first_miles(c)
    must_serve = np.isnan(c.penalty)
    for p, prod in enumerate(c.products):
        sup, dem = c.supply[:, p].sum(), c.demand[:, p].sum()
        if must_serve[p] and sup < dem * (1 - 1e-9) - 1e-9:
            reasons.append(f"product {prod.name}: supply {fmt_tonnes(sup)} < demand {fmt_tonnes(dem)} "
                           f"and no unmet-demand penalty")
    analyses = analyses if analyses is not None else [c.analyse(p) for p in range(c.P)]
    for p, prod in enumerate(c.products):
        if not must_serve[p] or c.supply[:, p].sum() <= 0:
            continue
        arrival = analyses[p]["earliest"][c.demand_node0: c.demand_node0 + c.D]
        lim = c.limit[:, p]
        bad = np.flatnonzero((c.demand[:, p] > 0) & (~np.isfinite(arrival) | (arrival > lim + EPS_H)))
        for d in bad:
            name = prob.demand_points[d].name
            if math.isfinite(arrival[d]):
                reasons.append(f"demand point {name} cannot be reached within {lim[d]:g} h by any open candidate "
                               f"for product {prod.name} (fastest route {arrival[d]:.1f} h)")
            else:
                why = "" if prod.may_go_ambient else " (refrigerated arcs and tiers only)"
                reasons.append(f"demand point {name} cannot be reached by any route for product {prod.name}{why}")
    need_t = float(sum(c.demand[:, p].sum() for p in range(c.P) if must_serve[p]))
    tier_of = np.asarray(c.site_tier_name)
    for name in _mandatory_tiers(prob):
        tier = next(t for t in prob.tiers if t.name == name)
        in_t = (tier_of == name) & ~c.site_forbidden
        caps = np.sort(c.site_capmax[in_t])[::-1]
        if tier.max_open is not None:
            caps = caps[: tier.max_open]
        cap = float(caps.sum())
        if cap < need_t * (1 - 1e-9) - 1e-9:
            lim_txt = f" (at most {tier.max_open} open sites)" if tier.max_open is not None else ""
            reasons.append(f"tier {name}: capacity {fmt_tonnes(cap)} < demand {fmt_tonnes(need_t)}{lim_txt}")
    return reasons


def diagnose_cold_chain(problem: ColdChainProblem) -> list[str]:
    """Cheap infeasibility checks; returns readable reasons (empty list = nothing found)."""
    return diagnose(CompiledProblem(problem))


def explain_infeasible(cm: ColdChainMILP, options: SolverOptions, deadline: Deadline) -> list[str]:
    """Relax each constraint group in turn with elastic slack; name the groups that restore feasibility.
    Each solve takes at most 30 s and all of them share ``deadline``; groups left when it passes are
    skipped (and said so)."""
    reasons = list(cm.reasons)
    skipped = []
    for group, unit in ELASTIC_GROUPS.items():
        opts = deadline.options(options, cap=30.0, mip_gap=1e-4, log_path=None, verbose=False)
        if opts is None:
            skipped.append(group)
            continue
        model, _ = cm.build(elastic=group, active=None)
        if not any(name.startswith("slack_") for name in model.blocks):
            continue
        res = model.solve(opts)
        if res.is_feasible and res.objective is not None:
            amount = f"{fmt_tonnes(res.objective)}" if unit == "t" else f"{res.objective:,.4g} {unit}"
            reasons.append(f"constraint group '{group}' is responsible: relaxing it alone by {amount} makes "
                           f"the model feasible")
    if skipped:
        reasons.append(f"not checked within the time limit: constraint groups {', '.join(skipped)}")
    return reasons
