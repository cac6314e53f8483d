"""Multi-echelon, multi-product cold-chain network design (MILP on :class:`MatrixModel`).

Network (X:L30-31, A:L207-217, G:L2210-2214): production areas -> origin pre-cooling / consolidation
centres -> backbone cold-chain bases -> regional distribution centres -> demand points (cities, outbound
gateways, border ports). The tiers and the allowed tier-to-tier arcs are data (:class:`ColdChainProblem`),
so tiers can be skipped (e.g. a backbone base serving nearby demand directly) and the same engine sites
ambient distribution centres (non-refrigerated tiers, non-perishable products).

Formulation (all sums vectorised; ``p`` product, ``e`` arc variant = (i, j, mode, refrigerated)):

Variables
  ``open[s,l]``   binary, site ``s`` built at capacity level ``l`` (forbidden sites: ub 0); written to the
                  solver (``levels="cumulative"``, default) as ``z[s,l] = sum_{k >= l} open[s,k]`` ("at level
                  ``l`` or larger", ``z[s,l+1] <= z[s,l]``, level ``l`` costs and holds its increment over
                  level ``l - 1``): the same LP, but branching on ``z[s,1]`` opens or closes the whole site and
                  on ``z[s,l]`` splits the levels in two, where a branch on one ``open[s,l]`` only moves the LP
                  to a neighbouring level. On the realistic benchmark HiGHS went from a 2.8 % gap after 60 s
                  to 0.5 % in 42-53 s (bench/RESULTS.md); ``levels="choice"`` keeps the plain form
  ``flow[p,e]``   tonnes/season of ``p`` on arc variant ``e`` (only variants that survive the pruning below)
  ``unmet[d,p]``  tonnes of demand not served (only when an unmet-demand penalty applies)
  ``use[p,e]``    binary, arc variant used by ``p`` (only for *time-critical* variants, see below)
  ``arrive[p,n]`` latest arrival time (h) of ``p`` at node ``n`` over used time-critical routes

Constraints
  supply        sum_e out of (o,p) flow <= supply[o,p]
  demand        sum_e into (d,p) flow + unmet[d,p] = demand[d,p]
  conservation  inflow(s,p) = outflow(s,p) at every site
  capacity      sum_p inflow(s,p) <= sum_l cap[s,l] open[s,l];  sum_l open[s,l] <= 1
  linking       inflow(s,p) <= sum_l min(cap[s,l], demand_p, supply_p) open[s,l], and per site and neighbouring
                node (``linking="pair"``, default; ``"flow"`` per flow variable, ``"ends"`` only towards
                production areas and demand points, ``"site"`` none): flows of the arc <= sum_l min(cap[s,l],
                what the other end can give or take) open[s,l] (tightenings; the level cap is valid since at
                most one level is open; ``level_bounds=False`` uses the level-independent bound)
  must_open     sum_l open[s,l] >= 1
  site_count    min_open[t] <= sum_{s in t, l} open[s,l] <= max_open[t]
  budget        sum fixed[s,l] open[s,l] <= budget
  time          see below

Exact pruning of flow variables before building (:meth:`ColdChainModel._flows`): variants of an arc dominated by
another variant of the same arc, and *shortcut* variants (``shortcut=True``): a variant out of (into) a site whose
every pair with the site's inbound (outbound) variants is matched by a direct variant that is no dearer and,
under a door-to-door limit, no slower (e.g. backbone -> regional -> city where backbone -> city is cheaper).

Objective: fixed costs + handling (per tonne received at a site) + transport + spoilage
(value x loss fraction, ``1 - exp(-k t)`` per arc on the arc's transit time and per site on its dwell time, k
depending on refrigeration) + CO2 price x emissions (kg/t-km x km x reefer factor) + unmet penalty. The
loss of a route is the sum of its arc losses, the first-order value of ``1 - prod(1 - loss_arc)``; mass is not
removed from the flow (spoilage is a cost, not a quantity loss).

Maximum door-to-door time (limit ``L[d,p]`` = tighter of product and demand-point limit), exact:

* *Sound pruning*: ``E_p(i)`` = earliest arrival at node ``i`` from a production area supplying ``p``;
  ``S_p(j)`` = max over demand points ``d`` needing ``p`` of ``L[d,p] - fastest(j -> d)``. A variant
  ``i -> j`` (transit + dwell at ``j`` = ``tau``) exists for ``p`` only if ``E_p(i) + tau <= S_p(j)``, i.e. it
  lies on at least one route within its limit. No feasible route is removed.
* *Route semantics*: a site mixes the tonnes of a product it receives, so any used route into a site may
  continue on any used route out of it. The model guarantees that **every** route formed by used arcs
  (flow > 0) from a production area to ``d`` takes at most ``L[d,p]``; ``service.max_path_time_h`` reports
  exactly this longest used route.
* After pruning, a variant is *safe* when even the longest surviving route through it is within the limit
  of every demand point it can reach; safe variants need nothing more. For each remaining (*critical*)
  variant, ``flow <= B use`` and ``arrive[p,j] >= arrive[p,i] + tau - M (1 - use)`` with ``M`` = longest
  surviving arrival at ``i`` + ``tau``; ``arrive[p,d] <= L[d,p]``. Any all-critical used route then has
  its length bounded through the chain of ``arrive`` values, and a route with a safe variant is feasible by
  definition. When no limit binds, the model has no ``use`` binaries at all.
* *Row generation*: the ``use`` / ``arrive`` rows of a critical variant are added lazily. Each round
  solves the model with the rows of the active variants (a relaxation of the full model, so its bound is
  valid), finds the used routes over their limit and activates the critical variants on them; it stops when
  no used route exceeds its limit, so the final solution is feasible for the full model and optimal within
  the gap. "Used" means flow above ``1e-6`` x the largest product demand (solver tolerance).
* *Out of time* (a time limit stops a round whose incumbent has routes over their limit; the rounds stop at
  half the time limit by default to leave time for this): a heuristic plan within every limit, exact in its
  feasibility, from *time windows*: per product and node a window end ``a(n)``, ``a = 0`` at production
  areas, ``a(d) = L[d,p]``; only variants with ``a(i) + tau <= a(j)`` are kept, so every route of kept
  variants, however sites mix them, takes at most ``L[d,p]``. The restricted model has no ``use``
  binaries. The windows are read off a solution (:meth:`ColdChainModel._guided_ban`: on its used routes
  between the longest used arrival and the latest arrival its used routes onwards allow, elsewhere between
  the earliest and the latest arrival that still reaches a demand point in time): first off the round's
  opening plan with its flows re-solved without time rows (plan fixed, an LP), then, with free openings,
  off the best solution so far, which stays feasible in its own windows, so each step can only improve
  (:meth:`ColdChainModel._window_repair`). On the realistic benchmark this took the plan from 7.34e9 CNY
  (windows by formula alone, :meth:`ColdChainModel._window_ban`, ``windows="formula"``) to 7.08e9 CNY. The
  gap is measured against the largest bound any round proved (each round is a relaxation, so each
  bound is valid).

Solving: each round gets a MIP start (LP rounding, then closing unused sites and resizing levels, or the
previous round's opening plan, each fixed and the rest solved). Costs are scaled by a power of ten for the
solver; reported objective, bound and tables are in CNY.

Infeasibility is explained: :func:`diagnose_cold_chain` runs cheap checks before the solver (conflicting
fixings, counts, budget, supply, reachability within the time limit, capacity of tiers every route must
cross); if the solver still reports infeasible, each constraint group is relaxed in turn with elastic slack
to name the group that is responsible.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import InfeasibleError, ModelError, PlannerError
from planner.model.coldchain_data import (
    DEMAND,
    PRODUCTION,
    ArcMatrix,
    ColdChainProblem,
    DemandPoint,
    Product,
    Site,
    SiteTier,
    arc_matrix_from_distance,
    load_cold_chain_parameters,
    loss_rate_per_h,
    parameter_value,
    product_from_parameters,
)
from planner.model.matrix import MatrixModel, SolveResult, SolverOptions, relative_gap

__all__ = [
    "REPAIRED_INCUMBENT",
    "ArcMatrix",
    "ColdChainModel",
    "ColdChainProblem",
    "ColdChainSolution",
    "DemandPoint",
    "Product",
    "Site",
    "SiteTier",
    "arc_matrix_from_distance",
    "diagnose_cold_chain",
    "load_cold_chain_parameters",
    "loss_rate_per_h",
    "parameter_value",
    "product_from_parameters",
    "solve_cold_chain",
]

_EPS_H = 1e-9  # hours: tolerance of time comparisons
#: ``message`` of a result whose plan the time-window heuristic built after the time limit cut off the rounds
REPAIRED_INCUMBENT = "repaired incumbent"
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


def fmt_tonnes(t: float) -> str:
    """Human-readable tonnes: ``1.2 Mt``, ``80 kt``, ``500 t``."""
    a = abs(t)
    if a >= 1e6:
        return f"{t / 1e6:.3g} Mt"
    if a >= 1e3:
        return f"{t / 1e3:.3g} kt"
    return f"{t:.4g} t"


def _fmt_cny(v: float) -> str:
    return f"{v / 1e6:.4g} M CNY" if abs(v) >= 1e6 else f"{v:,.0f} CNY"


# ============================================================================================ compiled data
class _Compiled:
    """The problem as flat numpy arrays: nodes, sites, levels and arc variants (forbidden sites removed)."""

    def __init__(self, prob: ColdChainProblem) -> None:
        self.prob = prob
        self.products: list[Product] = list(prob.products)
        self.P = len(self.products)
        self.order = prob.tier_order
        sizes = prob.tier_sizes
        self.tier_offset: dict[str, int] = {}
        off = 0
        node_tier, node_name = [], []
        for pos, t in enumerate(self.order):
            self.tier_offset[t] = off
            n = sizes[t]
            node_tier += [pos] * n
            off += n
        node_name += list(prob.production_areas)
        for tier in prob.tiers:
            node_name += [s.name for s in tier.sites]
        node_name += [d.name for d in prob.demand_points]
        self.N = off
        self.node_tier = np.asarray(node_tier, dtype=np.int64)
        self.node_name = node_name
        self.T = len(self.order)
        self.O, self.D = sizes[PRODUCTION], sizes[DEMAND]
        self.demand_node0 = self.tier_offset[DEMAND]

        # sites
        extra_must, extra_forb = set(prob.must_open), set(prob.forbidden)
        self.sites: list[Site] = []
        self.site_tier_name: list[str] = []
        site_node, must, forb = [], [], []
        for tier in prob.tiers:
            for k, s in enumerate(tier.sites):
                self.sites.append(s)
                self.site_tier_name.append(tier.name)
                site_node.append(self.tier_offset[tier.name] + k)
                must.append(s.must_open or s.name in extra_must)
                forb.append(s.forbidden or s.name in extra_forb)
        self.S = len(self.sites)
        self.site_node = np.asarray(site_node, dtype=np.int64)
        self.site_must = np.asarray(must, dtype=bool)
        self.site_forbidden = np.asarray(forb, dtype=bool)
        self.node_site = np.full(self.N, -1, dtype=np.int64)
        self.node_site[self.site_node] = np.arange(self.S)
        self.node_dwell = np.zeros(self.N)
        self.node_handling = np.zeros(self.N)
        self.node_refrig = np.ones(self.N, dtype=bool)
        tier_refrig = {t.name: t.refrigerated for t in prob.tiers}
        for k, s in enumerate(self.sites):
            n = self.site_node[k]
            self.node_dwell[n] = s.dwell_h
            self.node_handling[n] = s.handling_cny_per_t
            self.node_refrig[n] = tier_refrig[self.site_tier_name[k]]
        lvl_site, lvl_idx, lvl_cap, lvl_fixed = [], [], [], []
        for k, s in enumerate(self.sites):
            for li, (c, f) in enumerate(s.levels):
                lvl_site.append(k)
                lvl_idx.append(li)
                lvl_cap.append(c)
                lvl_fixed.append(f)
        self.lvl_site = np.asarray(lvl_site, dtype=np.int64)
        self.lvl_idx = np.asarray(lvl_idx, dtype=np.int64)
        self.lvl_cap = np.asarray(lvl_cap, dtype=np.float64)
        self.lvl_fixed = np.asarray(lvl_fixed, dtype=np.float64)
        self.site_capmax = np.zeros(self.S)
        np.maximum.at(self.site_capmax, self.lvl_site, self.lvl_cap)
        # next larger level of the same site (-1 for a site's largest level); levels are listed by capacity
        same = self.lvl_site[1:] == self.lvl_site[:-1]
        self.lvl_next = np.full(self.lvl_site.size, -1, dtype=np.int64)
        self.lvl_next[:-1][same] = np.flatnonzero(same) + 1

        # quantities
        self.supply = prob.supply_matrix_t
        self.demand = prob.demand_matrix_t
        lim = np.full((self.D, self.P), np.inf)
        for j, p in enumerate(self.products):
            if p.max_time_h is not None:
                lim[:, j] = np.minimum(lim[:, j], p.max_time_h)
        for i, d in enumerate(prob.demand_points):
            if d.max_time_h is not None:
                lim[i, :] = np.minimum(lim[i, :], d.max_time_h)
        self.limit = lim
        pen = np.full(self.P, np.nan)
        for j, p in enumerate(self.products):
            v = p.unmet_penalty_cny_per_t if p.unmet_penalty_cny_per_t is not None else prob.unmet_penalty_cny_per_t
            if v is not None:
                pen[j] = v
        self.penalty = pen

        # arc variants
        self.modes = sorted({a.mode for a in prob.arcs})
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("fr", "to", "mode", "ref", "time", "dist", "cost")}
        for a in prob.arcs:
            f0, t0 = self.tier_offset[a.from_tier], self.tier_offset[a.to_tier]
            for ref, cost in ((False, a.cost_ambient_cny_per_t), (True, a.cost_refrigerated_cny_per_t)):
                ok = np.isfinite(a.time_h) & np.isfinite(cost)
                ii, jj = np.nonzero(ok)
                parts["fr"].append(ii + f0)
                parts["to"].append(jj + t0)
                parts["mode"].append(np.full(ii.size, self.modes.index(a.mode)))
                parts["ref"].append(np.full(ii.size, ref))
                parts["time"].append(a.time_h[ii, jj])
                parts["dist"].append(a.distance_km[ii, jj])
                parts["cost"].append(cost[ii, jj])
        cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in parts.items()}
        fr = cat["fr"].astype(np.int64)
        to = cat["to"].astype(np.int64)
        blocked = np.zeros(self.N, dtype=bool)
        blocked[self.site_node[self.site_forbidden]] = True
        keep = ~(blocked[fr] | blocked[to])
        self.a_from, self.a_to = fr[keep], to[keep]
        self.a_mode = cat["mode"].astype(np.int64)[keep]
        self.a_ref = cat["ref"].astype(bool)[keep]
        self.a_time = cat["time"].astype(np.float64)[keep]
        self.a_dist = cat["dist"].astype(np.float64)[keep]
        self.a_cost = cat["cost"].astype(np.float64)[keep]
        self.a_tau = self.a_time + self.node_dwell[self.a_to]
        self.a_from_tier = self.node_tier[self.a_from]
        co2 = np.array([float(prob.co2_kg_per_tkm.get(m, 0.0)) for m in self.modes])
        self.a_co2_kg_per_t = (co2[self.a_mode] * self.a_dist * np.where(self.a_ref, prob.co2_reefer_factor, 1.0)
                               if self.a_mode.size else np.zeros(0))

    # ------------------------------------------------------------------ per-product graph analysis
    def allowed(self, p: int) -> np.ndarray:
        """Arc variants product ``p`` may use at all (refrigeration rules, production supply, demand)."""
        ok = np.ones(self.a_from.size, dtype=bool)
        if not self.products[p].may_go_ambient:
            ok &= self.a_ref & self.node_refrig[self.a_from] & self.node_refrig[self.a_to]
        return ok

    def forward(self, p: int, sel: np.ndarray, longest: bool = False) -> np.ndarray:
        """Earliest (or latest) arrival time at every node over variants ``sel`` from areas supplying ``p``."""
        fill = -np.inf if longest else np.inf
        arr = np.full(self.N, fill)
        arr[: self.O][self.supply[:, p] > 0] = 0.0
        ufunc = np.maximum if longest else np.minimum
        for t in range(self.T - 1):
            s = sel & (self.a_from_tier == t)
            if s.any():
                src = arr[self.a_from[s]]
                vals = src + self.a_tau[s]
                vals[~np.isfinite(src)] = fill
                ufunc.at(arr, self.a_to[s], vals)
        return arr

    def backward(self, p: int, sel: np.ndarray, longest: bool = False) -> np.ndarray:
        """Fastest (or slowest) time from every node to every demand point, shape (N, D)."""
        fill = -np.inf if longest else np.inf
        q = np.full((self.N, self.D), fill)
        q[self.demand_node0 + np.arange(self.D), np.arange(self.D)] = 0.0
        ufunc = np.maximum if longest else np.minimum
        for t in range(self.T - 2, -1, -1):
            s = np.flatnonzero(sel & (self.a_from_tier == t))
            if s.size:
                sub = q[self.a_to[s]]
                vals = sub + self.a_tau[s][:, None]
                vals[~np.isfinite(sub)] = fill
                ufunc.at(q, self.a_from[s], vals)
        return q

    def analyse(self, p: int) -> dict[str, np.ndarray]:
        """Pruning and time-criticality of every arc variant for product ``p`` (see module docstring)."""
        allowed = self.allowed(p)
        need = self.demand[:, p] > 0
        lim = self.limit[:, p]
        earliest = self.forward(p, allowed)
        qmin = self.backward(p, allowed)
        with np.errstate(invalid="ignore"):
            slack = np.where(np.isfinite(qmin) & need[None, :], lim[None, :] - qmin, -np.inf)
        latest_ok = slack.max(axis=1) if self.D else np.full(self.N, -np.inf)
        e_from = earliest[self.a_from]
        keep = allowed & np.isfinite(e_from) & (e_from + self.a_tau <= latest_ok[self.a_to] + _EPS_H)
        critical = np.zeros_like(keep)
        lpre = self.forward(p, keep, longest=True)
        if np.isfinite(lim[need]).any() and keep.any():
            lsuf = self.backward(p, keep, longest=True)
            with np.errstate(invalid="ignore"):
                strict = np.where(lsuf > -np.inf, lim[None, :] - lsuf, np.inf).min(axis=1)
            critical = keep & (lpre[self.a_from] + self.a_tau > strict[self.a_to] + _EPS_H)
        return {"allowed": allowed, "keep": keep, "critical": critical, "earliest": earliest,
                "longest": lpre}


# ============================================================================================ diagnostics
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


def _diagnose(c: _Compiled, analyses: list[dict[str, np.ndarray]] | None = None) -> list[str]:
    prob = c.prob
    reasons: list[str] = []
    # fixings and counts
    for k in np.flatnonzero(c.site_must & c.site_forbidden):
        reasons.append(f"must-open site {c.sites[k].name} is also forbidden")
    tier_of = np.asarray(c.site_tier_name)
    min_fixed = 0.0
    for tier in prob.tiers:
        in_t = tier_of == tier.name
        n_must = int((in_t & c.site_must).sum())
        n_avail = int((in_t & ~c.site_forbidden).sum())
        if tier.max_open is not None and tier.max_open < n_must:
            reasons.append(f"max sites in tier {tier.name} ({tier.max_open}) < must-open sites ({n_must})")
        if tier.min_open > n_avail:
            reasons.append(f"min sites in tier {tier.name} ({tier.min_open}) > candidates not forbidden ({n_avail})")
        cheapest = np.array([min(f for _, f in c.sites[k].levels) for k in np.flatnonzero(in_t)])
        must_t = c.site_must[in_t]
        free_t = ~c.site_forbidden[in_t] & ~must_t
        extra = max(tier.min_open - n_must, 0)
        min_fixed += cheapest[must_t].sum() + np.sort(cheapest[free_t])[:extra].sum()
    if prob.budget_cny is not None and min_fixed > prob.budget_cny * (1 + 1e-9) + 1e-6:
        reasons.append(f"budget {_fmt_cny(prob.budget_cny)} < {_fmt_cny(min_fixed)}, the cheapest fixed cost of "
                       f"the must-open sites and minimum site counts")
    # supply vs demand
    must_serve = np.isnan(c.penalty)
    for p, prod in enumerate(c.products):
        sup, dem = c.supply[:, p].sum(), c.demand[:, p].sum()
        if must_serve[p] and sup < dem * (1 - 1e-9) - 1e-9:
            reasons.append(f"product {prod.name}: supply {fmt_tonnes(sup)} < demand {fmt_tonnes(dem)} "
                           f"and no unmet-demand penalty")
    # reachability within the time limit
    analyses = analyses if analyses is not None else [c.analyse(p) for p in range(c.P)]
    for p, prod in enumerate(c.products):
        if not must_serve[p] or c.supply[:, p].sum() <= 0:
            continue
        arrival = analyses[p]["earliest"][c.demand_node0: c.demand_node0 + c.D]
        lim = c.limit[:, p]
        bad = np.flatnonzero((c.demand[:, p] > 0) & (~np.isfinite(arrival) | (arrival > lim + _EPS_H)))
        for d in bad:
            name = prob.demand_points[d].name
            if math.isfinite(arrival[d]):
                reasons.append(f"demand point {name} cannot be reached within {lim[d]:g} h by any open candidate "
                               f"for product {prod.name} (fastest route {arrival[d]:.1f} h)")
            else:
                why = "" if prod.may_go_ambient else " (refrigerated arcs and tiers only)"
                reasons.append(f"demand point {name} cannot be reached by any route for product {prod.name}{why}")
    # capacity of tiers every route crosses
    need_t = float(sum(c.demand[:, p].sum() for p in range(c.P) if must_serve[p]))
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
    return _diagnose(_Compiled(problem))


# ============================================================================================ model building
@dataclass
class _Rows:
    group: str
    name: str
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _group_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq, inv.reshape(-1)


class ColdChainModel:
    """The MILP of a :class:`ColdChainProblem` (see the module docstring for the formulation).

    Building runs the validation, the pre-solve diagnostics (raising :class:`InfeasibleError`) and the
    pruning; :meth:`solve` returns a :class:`ColdChainSolution`.

    Options (formulation and heuristics; every choice gives the same optimum): ``linking`` rows (``"pair"``,
    ``"flow"``, ``"ends"``, ``"site"``), ``shortcut`` pruning, ``level_bounds`` in the linking rows, ``levels``
    columns (``"cumulative"`` or ``"choice"``), ``windows`` of the out-of-time heuristic (``"guided"`` or
    ``"formula"``); see the module docstring.
    """

    def __init__(self, problem: ColdChainProblem, *, check: bool = True, linking: str = "pair",
                 shortcut: bool = True, level_bounds: bool = True, levels: str = "cumulative",
                 windows: str = "guided") -> None:
        t0 = time.perf_counter()
        if linking not in ("site", "ends", "pair", "flow"):
            raise ModelError(f"linking must be 'site', 'ends', 'pair' or 'flow', got {linking!r}")
        if levels not in ("cumulative", "choice"):
            raise ModelError(f"levels must be 'cumulative' or 'choice', got {levels!r}")
        if windows not in ("guided", "formula"):
            raise ModelError(f"windows must be 'guided' or 'formula', got {windows!r}")
        self.linking = linking
        self.levels = levels
        self.windows = windows
        self.shortcut = shortcut
        self.level_bounds = level_bounds
        self.problem = problem
        self.c = _Compiled(problem)
        self.analyses = [self.c.analyse(p) for p in range(self.c.P)]
        self.reasons = _diagnose(self.c, self.analyses)
        if check and self.reasons:
            raise InfeasibleError(f"cold-chain model {problem.name!r} is infeasible: {self.reasons[0]}", self.reasons)
        self._flows()
        self.active = np.zeros(self.f_a.size, dtype=bool)
        # per (product, base): the arrival frame of the time windows (see _arrival_frame)
        self._frames: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}
        self.model, self.blocks = self._build(elastic=None, active=self.active)
        self.build_seconds = time.perf_counter() - t0
        self.rounds = 0

    # ------------------------------------------------------------------ flow variables and their costs
    def _flows(self) -> None:
        c = self.c
        fp, fa, crit = [], [], []
        for p, an in enumerate(self.analyses):
            idx = np.flatnonzero(an["keep"])
            fp.append(np.full(idx.size, p))
            fa.append(idx)
            crit.append(an["critical"][idx])
        self.f_p = np.concatenate(fp).astype(np.int64) if fp else np.zeros(0, np.int64)
        self.f_a = np.concatenate(fa).astype(np.int64) if fa else np.zeros(0, np.int64)
        self.f_crit = np.concatenate(crit).astype(bool) if crit else np.zeros(0, bool)
        self.f_from, self.f_to = c.a_from[self.f_a], c.a_to[self.f_a]
        value = np.array([p.value_cny_per_t for p in c.products])
        k_amb = np.array([p.loss_rate_ambient_per_h for p in c.products])
        k_ref = np.array([p.loss_rate_refrigerated_per_h for p in c.products])
        ref = c.a_ref[self.f_a]
        k_arc = np.where(ref, k_ref[self.f_p], k_amb[self.f_p])
        k_site = np.where(c.node_refrig[self.f_to], k_ref[self.f_p], k_amb[self.f_p])
        self.cost_transport = c.a_cost[self.f_a]
        self.cost_handling = c.node_handling[self.f_to]
        self.cost_spoilage = value[self.f_p] * (-np.expm1(-k_arc * c.a_time[self.f_a])
                                                - np.expm1(-k_site * c.node_dwell[self.f_to]))
        self.co2_kg_per_t = c.a_co2_kg_per_t[self.f_a]
        self.cost_co2 = self.co2_kg_per_t * self.problem.co2_price_cny_per_t / 1000.0
        # dominance: drop a variant when another variant of the same product and arc (i, j) costs no more
        # per tonne and is no slower (moving its flow there keeps every route as fast and no dearer)
        unit = self.cost_transport + self.cost_spoilage + self.cost_co2
        tau = c.a_tau[self.f_a]
        timed = np.isfinite(c.limit).any(axis=0)[self.f_p]
        pair = (self.f_p * c.N + self.f_from) * c.N + self.f_to
        order = np.lexsort((c.a_ref[self.f_a], np.where(timed, tau, 0.0), unit, pair))
        df = pd.DataFrame({"pair": pair[order], "tau": np.where(timed, tau, 0.0)[order]})
        prev_min = df.groupby("pair", sort=False)["tau"].cummin().groupby(df["pair"], sort=False).shift(1)
        keep_sorted = (prev_min.isna() | (df["tau"] < prev_min - _EPS_H)).to_numpy()
        keep = np.zeros(self.f_a.size, dtype=bool)
        keep[order[keep_sorted]] = True
        self.dominated_variants = int((~keep).sum())
        self._keep_flows(keep)
        self.shortcut_variants = 0
        if self.shortcut:
            keep = self._shortcut_keep()
            self.shortcut_variants = int((~keep).sum())
            self._keep_flows(keep)
        self._set_bounds()

    def _keep_flows(self, keep: np.ndarray) -> None:
        """Keep only the flow variables marked True in every per-flow array."""
        for name in ("f_p", "f_a", "f_crit", "f_from", "f_to", "cost_transport", "cost_handling", "cost_spoilage",
                     "co2_kg_per_t", "cost_co2"):
            setattr(self, name, getattr(self, name)[keep])

    def _shortcut_keep(self, max_pairs: int = 20_000_000) -> np.ndarray:
        """Flow variables that survive the exact *shortcut* pruning (True = keep).

        A pair of variants ``g = i -> r`` and ``e = r -> j`` of the same product through a site ``r`` is
        *shortcut* by a variant ``h = i -> j`` of the model when ``h`` costs no more per tonne than ``g`` and
        ``e`` together (transport, handling at the destination, spoilage, CO2: CNY/t) and, for a product with a
        door-to-door limit, is no slower (transit + dwell, h). A variant out of (into) a site is dropped when
        *every* pair it forms with the site's variants into (out of) it for the product is shortcut by a
        variant that is not itself a drop candidate.

        Exact: in an optimal solution, take any path of tonnes through a dropped variant and replace the first
        such pair ``g, e`` by ``h``. Supply, demand and every site's inflow other than ``r``'s (which falls)
        are unchanged, the cost does not rise, and a route over ``h`` is no longer than a route over ``g, e``
        that was already used, so every used route keeps its limit; each step removes a site visit from a
        path, so the replacements end and leave a solution of the pruned model that is at least as good.
        Skipped (nothing dropped) when the pairs would exceed ``max_pairs``.
        """
        c = self.c
        n_f = self.f_a.size
        keep = np.ones(n_f, dtype=bool)
        if n_f == 0:
            return keep
        npr, nn = c.P, c.N
        unit = self.cost_transport + self.cost_handling + self.cost_spoilage + self.cost_co2
        timed = np.isfinite(c.limit).any(axis=0)[self.f_p]
        tau = np.where(timed, c.a_tau[self.f_a], 0.0)
        # variants into / out of each (site, product)
        ins = np.flatnonzero(c.node_site[self.f_to] >= 0)
        outs = np.flatnonzero(c.node_site[self.f_from] >= 0)
        if ins.size == 0 or outs.size == 0:
            return keep
        kin = self.f_to[ins] * npr + self.f_p[ins]
        kout = self.f_from[outs] * npr + self.f_p[outs]
        ins, kin = ins[np.argsort(kin, kind="stable")], np.sort(kin, kind="stable")
        outs, kout = outs[np.argsort(kout, kind="stable")], np.sort(kout, kind="stable")
        # every (g, e) pair: e repeated once per variant into its site
        lo = np.searchsorted(kin, kout, side="left")
        n_in = np.searchsorted(kin, kout, side="right") - lo
        total = int(n_in.sum())
        if total == 0 or total > max_pairs:
            return keep
        pe = np.repeat(outs, n_in)
        first = np.repeat(np.cumsum(n_in) - n_in, n_in)
        pg = ins[np.repeat(lo, n_in) + np.arange(total) - first]
        # the direct variants h = i -> j of the product, padded to the largest number per (p, i, j)
        key = (self.f_p * nn + self.f_from) * nn + self.f_to
        order = np.argsort(key, kind="stable")
        skey = key[order]
        ukey, ustart, ucount = np.unique(skey, return_index=True, return_counts=True)
        width = int(ucount.max())
        slot = np.full((ukey.size, width), -1, dtype=np.int64)
        rank = np.arange(n_f) - np.repeat(ustart, ucount)
        slot[np.repeat(np.arange(ukey.size), ucount), rank] = order
        hkey = (self.f_p[pg] * nn + self.f_from[pg]) * nn + self.f_to[pe]
        pos = np.minimum(np.searchsorted(ukey, hkey), ukey.size - 1)
        found = ukey[pos] == hkey
        alts = np.where(found[:, None], slot[pos], -1)
        valid = alts >= 0
        a_safe = np.where(valid, alts, 0)
        better = valid & (unit[a_safe] <= (unit[pg] + unit[pe])[:, None]) & (tau[a_safe] <= (tau[pg] + tau[pe])[:, None])

        is_in = np.zeros(n_f, dtype=bool)
        is_in[ins] = True
        is_out = np.zeros(n_f, dtype=bool)
        is_out[outs] = True

        def droppable(ok_pair: np.ndarray) -> np.ndarray:
            # out of a site: all pairs with the site's inbound variants shortcut (none: it never carries flow);
            # into a site: likewise with the outbound ones
            bad_out = np.bincount(pe[~ok_pair], minlength=n_f)
            bad_in = np.bincount(pg[~ok_pair], minlength=n_f)
            return (is_out & (bad_out == 0)) | (is_in & (bad_in == 0))

        cand0 = droppable(better.any(axis=1))
        # a variant may only be replaced by one that is surely kept
        final = droppable((better & ~cand0[a_safe]).any(axis=1))
        keep[final] = False
        return keep

    def _set_bounds(self) -> None:
        """Per-flow upper bounds (t), the unmet-demand variables and the objective scale of the solver."""
        c = self.c
        # upper bound on each flow: product total, origin supply, demand of the destination, site capacities
        bound = np.minimum(c.demand.sum(axis=0), c.supply.sum(axis=0))[self.f_p]
        orig = c.node_tier[self.f_from] == 0
        bound[orig] = np.minimum(bound[orig], c.supply[self.f_from[orig], self.f_p[orig]])
        dem = c.node_tier[self.f_to] == c.T - 1
        bound[dem] = np.minimum(bound[dem], c.demand[self.f_to[dem] - c.demand_node0, self.f_p[dem]])
        for ends in (self.f_from, self.f_to):
            st = c.node_site[ends] >= 0
            bound[st] = np.minimum(bound[st], c.site_capmax[c.node_site[ends[st]]])
        self.f_bound = bound
        # unmet demand variables
        has_pen = ~np.isnan(c.penalty)
        dd, pp = np.nonzero((c.demand > 0) & has_pen[None, :])
        self.u_d, self.u_p = dd, pp
        self.u_cost = c.penalty[pp] if pp.size else np.zeros(0)
        # objective scaling: the solver sees costs / 10^k so that the largest coefficient is about 1e4
        biggest = max([1.0, *(float(np.max(v, initial=0.0)) for v in (
            c.lvl_fixed, self.u_cost, self.cost_transport + self.cost_handling + self.cost_spoilage + self.cost_co2))])
        self.cost_scale = 10.0 ** -max(0, math.ceil(math.log10(biggest)) - 4)

    # ------------------------------------------------------------------ assembling rows
    def _build(
        self,
        elastic: str | None,
        active: np.ndarray | None = None,
        *,
        relax: bool = False,
        fix_open: np.ndarray | None = None,
        ban: np.ndarray | None = None,
    ) -> tuple[MatrixModel, dict[str, Any]]:
        """Assemble the MILP; ``active`` marks the time-critical flows that get ``use`` binaries (None = all);
        ``elastic`` names a constraint group to relax with penalised slack (phase-1 objective); ``relax``
        drops integrality of ``open``; ``fix_open`` fixes the ``open`` values (0/1 per site level)."""
        c, prob = self.c, self.problem
        phase1 = elastic is not None
        m = MatrixModel(prob.name + ("_elastic_" + elastic if phase1 else ""), "min")
        z = 0.0 if phase1 else self.cost_scale
        n_f = self.f_a.size
        cumulative = self.levels == "cumulative"
        site_open_ub = np.where(c.site_forbidden[c.lvl_site], 0.0, 1.0)
        site_open_lb = 0.0
        if fix_open is not None:
            fix = self.open_start(fix_open) if cumulative else np.asarray(fix_open, dtype=np.float64)
            site_open_ub = np.minimum(site_open_ub, fix)
            site_open_lb = site_open_ub
        fixed_cost = c.lvl_fixed.copy()
        if cumulative:
            # open[s,l] = "site s at level l or larger": level l costs its increment over level l - 1
            # (the mapping of _cumulative_rows applied to the objective)
            up = c.lvl_next >= 0
            fixed_cost[c.lvl_next[up]] -= c.lvl_fixed[up]
        y = m.add_variables("open", c.lvl_site.size, lb=site_open_lb, ub=site_open_ub, cost=z * fixed_cost,
                            integer=not relax)
        x = m.add_variables("flow", n_f, ub=self.f_bound if ban is None else np.where(ban, 0.0, self.f_bound), cost=z * (self.cost_transport + self.cost_handling
                                                   + self.cost_spoilage + self.cost_co2))
        u = m.add_variables("unmet", self.u_d.size, ub=c.demand[self.u_d, self.u_p], cost=z * self.u_cost)
        xc, yc, uc = x.cols(), y.cols(), u.cols()
        rows: list[_Rows] = []

        def add(group: str, name: str, r: Any, col: Any, val: Any, lo: Any, hi: Any) -> None:
            rows.append(_Rows(group, name, np.asarray(r, np.int64), np.asarray(col, np.int64),
                              np.broadcast_to(np.asarray(val, np.float64), np.shape(r)).copy(),
                              np.asarray(lo, np.float64), np.asarray(hi, np.float64)))

        npr = c.P
        is_origin = c.node_tier[self.f_from] == 0
        is_dem = c.node_tier[self.f_to] == c.T - 1
        # supply
        sel = np.flatnonzero(is_origin)
        keys, r = _group_rows(self.f_from[sel] * npr + self.f_p[sel])
        add("supply", "supply", r, xc[sel], 1.0, np.full(keys.size, -np.inf), c.supply[keys // npr, keys % npr])
        # demand (one row per (d, p) with demand > 0, even without inbound arcs)
        dem_d, dem_p = np.nonzero(c.demand > 0)
        dem_row = np.full((c.D, npr), -1, dtype=np.int64)
        dem_row[dem_d, dem_p] = np.arange(dem_d.size)
        sel = np.flatnonzero(is_dem)
        r_in = dem_row[self.f_to[sel] - c.demand_node0, self.f_p[sel]]
        rhs = c.demand[dem_d, dem_p]
        add("demand", "demand", np.concatenate([r_in, dem_row[self.u_d, self.u_p]]),
            np.concatenate([xc[sel], uc]), 1.0, rhs, rhs)
        # conservation at sites
        into = np.flatnonzero(c.node_site[self.f_to] >= 0)
        outof = np.flatnonzero(c.node_site[self.f_from] >= 0)
        keys, r = _group_rows(np.concatenate([self.f_to[into] * npr + self.f_p[into],
                                              self.f_from[outof] * npr + self.f_p[outof]]))
        add("conservation", "conservation", r, np.concatenate([xc[into], xc[outof]]),
            np.concatenate([np.ones(into.size), -np.ones(outof.size)]), np.zeros(keys.size), np.zeros(keys.size))
        # capacity per site (inflow <= chosen level), at most one level
        s_in = c.node_site[self.f_to[into]]
        add("capacity", "capacity", np.concatenate([s_in, c.lvl_site]), np.concatenate([xc[into], yc]),
            np.concatenate([np.ones(into.size), -c.lvl_cap]), np.full(c.S, -np.inf), np.zeros(c.S))
        add("levels", "one_level", c.lvl_site, yc, 1.0, np.full(c.S, -np.inf), np.ones(c.S))
        if cumulative:
            up = np.flatnonzero(c.lvl_next >= 0)
            k = np.arange(up.size)
            add("levels", "level_order", np.concatenate([k, k]), np.concatenate([yc[c.lvl_next[up]], yc[up]]),
                np.concatenate([np.ones(up.size), -np.ones(up.size)]), np.full(up.size, -np.inf), np.zeros(up.size))
        must = np.flatnonzero(c.site_must)
        if must.size:
            mrow = np.full(c.S, -1)
            mrow[must] = np.arange(must.size)
            sel_l = np.flatnonzero(c.site_must[c.lvl_site])
            add("must_open", "must_open", mrow[c.lvl_site[sel_l]], yc[sel_l], 1.0,
                np.ones(must.size), np.full(must.size, np.inf))
        # linking per (site, product) and per flow (the strong "x <= bound * open" form)
        nlev = np.bincount(c.lvl_site, minlength=c.S)
        lvl_start = np.concatenate([[0], np.cumsum(nlev)[:-1]])

        def levels_of(site_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            cnt = nlev[site_ids]
            rep = np.repeat(np.arange(site_ids.size), cnt)
            offs = np.arange(rep.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            return rep, lvl_start[site_ids][rep] + offs

        if into.size:
            keys, r = _group_rows(s_in * npr + self.f_p[into])
            ks, kp = keys // npr, keys % npr
            big = np.minimum(c.site_capmax[ks], np.minimum(c.demand.sum(axis=0)[kp], c.supply.sum(axis=0)[kp]))
            rep, lv_ix = levels_of(ks)
            add("linking", "linking", np.concatenate([r, rep]), np.concatenate([xc[into], yc[lv_ix]]),
                np.concatenate([np.ones(into.size), -self._level_bound(big[rep], lv_ix, elastic)]),
                np.full(keys.size, -np.inf), np.zeros(keys.size))
        if self.linking in ("ends", "pair", "flow"):
            # per site and neighbouring node (all products and variants of the arc together) or per flow:
            # flow(i -> j) <= bound * open(site), bound = min(site capacity, what the other end can take/give)
            npn = c.N
            for label, ends, other in (("linking_in", self.f_to, self.f_from), ("linking_out", self.f_from, self.f_to)):
                fl = np.flatnonzero(c.node_site[ends] >= 0)
                if self.linking == "ends":
                    fl = fl[c.node_site[other[fl]] < 0]
                if fl.size == 0:
                    continue
                if self.linking == "flow":
                    r, ends_site, bnd = np.arange(fl.size), c.node_site[ends[fl]], self.f_bound[fl]
                    nrow = fl.size
                else:
                    keys, r = _group_rows(ends[fl] * npn + other[fl])
                    nrow = keys.size
                    e_node, o_node = keys // npn, keys % npn
                    ends_site = c.node_site[e_node]
                    o_tier = c.node_tier[o_node]
                    bnd = c.site_capmax[ends_site].copy()
                    is_o = o_tier == 0
                    bnd[is_o] = np.minimum(bnd[is_o], c.supply[o_node[is_o]].sum(axis=1))
                    is_d = o_tier == c.T - 1
                    bnd[is_d] = np.minimum(bnd[is_d], c.demand[o_node[is_d] - c.demand_node0].sum(axis=1))
                    is_s = c.node_site[o_node] >= 0
                    bnd[is_s] = np.minimum(bnd[is_s], c.site_capmax[c.node_site[o_node[is_s]]])
                rep, lv_ix = levels_of(ends_site)
                add("linking", label, np.concatenate([r, rep]), np.concatenate([xc[fl], yc[lv_ix]]),
                    np.concatenate([np.ones(fl.size), -self._level_bound(bnd[rep], lv_ix, elastic)]),
                    np.full(nrow, -np.inf), np.zeros(nrow))
        # site counts per tier
        tier_names = [t.name for t in prob.tiers]
        tier_of_lvl = np.array([tier_names.index(c.site_tier_name[s]) for s in c.lvl_site], dtype=np.int64)
        lo_t = np.array([t.min_open for t in prob.tiers], dtype=float)
        hi_t = np.array([np.inf if t.max_open is None else t.max_open for t in prob.tiers], dtype=float)
        bounded = (lo_t > 0) | np.isfinite(hi_t)
        if bounded.any():
            trow = np.full(len(tier_names), -1)
            trow[bounded] = np.arange(int(bounded.sum()))
            sel_l = np.flatnonzero(bounded[tier_of_lvl])
            add("site_count", "site_count", trow[tier_of_lvl[sel_l]], yc[sel_l], 1.0, lo_t[bounded], hi_t[bounded])
        # budget
        if prob.budget_cny is not None:
            add("budget", "budget", np.zeros(c.lvl_site.size), yc, c.lvl_fixed, [-np.inf], [prob.budget_cny])
        # time limits on critical variants
        crit = np.flatnonzero(self.f_crit if active is None else (self.f_crit & active))
        w = m.add_variables("use", crit.size, ub=1.0, integer=True)
        pot_keys = np.unique(np.concatenate([self.f_to[crit] * npr + self.f_p[crit],
                                             (self.f_from[crit] * npr + self.f_p[crit])[~is_origin[crit]]]))
        pot_node, pot_p = pot_keys // npr, pot_keys % npr
        longest = np.array([self.analyses[p]["longest"] for p in range(npr)])  # (npr, N)
        pot_ub = longest[pot_p, pot_node] if pot_keys.size else np.zeros(0)
        a = m.add_variables("arrive", pot_keys.size, ub=pot_ub)
        wc, ac = w.cols(), a.cols()
        if crit.size:
            k = np.arange(crit.size)
            add("time_linking", "use_link", np.concatenate([k, k]), np.concatenate([xc[crit], wc]),
                np.concatenate([np.ones(crit.size), -self.f_bound[crit]]),
                np.full(crit.size, -np.inf), np.zeros(crit.size))
            tau = c.a_tau[self.f_a[crit]]
            big_m = longest[self.f_p[crit], self.f_from[crit]] + tau
            j_pot = np.searchsorted(pot_keys, self.f_to[crit] * npr + self.f_p[crit])
            rr, cc, vv = [k, k], [ac[j_pot], wc], [np.ones(crit.size), -big_m]
            nonorig = np.flatnonzero(~is_origin[crit])
            i_pot = np.searchsorted(pot_keys, self.f_from[crit][nonorig] * npr + self.f_p[crit][nonorig])
            rr.append(nonorig)
            cc.append(ac[i_pot])
            vv.append(-np.ones(nonorig.size))
            add("time_chain", "arrival_chain", np.concatenate(rr), np.concatenate(cc), np.concatenate(vv),
                tau - big_m, np.full(crit.size, np.inf))
            dem_pot = np.flatnonzero(c.node_tier[pot_node] == c.T - 1)
            add("time_limit", "deadline", np.arange(dem_pot.size), ac[dem_pot], 1.0, np.full(dem_pot.size, -np.inf),
                c.limit[pot_node[dem_pot] - c.demand_node0, pot_p[dem_pot]])
        for blk in rows:
            k_rows = blk.lower.size
            if k_rows == 0:
                continue
            if cumulative and blk.name != "level_order":
                blk = self._cumulative_rows(blk, y.start)
            if elastic is not None and blk.group == elastic:
                lo_fin = np.flatnonzero(np.isfinite(blk.lower))
                hi_fin = np.flatnonzero(np.isfinite(blk.upper))
                s_lo = m.add_variables(f"slack_lo_{blk.name}", lo_fin.size, cost=1.0)
                s_hi = m.add_variables(f"slack_hi_{blk.name}", hi_fin.size, cost=1.0)
                r_all = np.concatenate([blk.rows, lo_fin, hi_fin])
                c_all = np.concatenate([blk.cols, s_lo.cols(), s_hi.cols()])
                v_all = np.concatenate([blk.vals, np.ones(lo_fin.size), -np.ones(hi_fin.size)])
                m.add_constraints(blk.name, r_all, c_all, v_all, blk.lower, blk.upper)
            else:
                m.add_constraints(blk.name, blk.rows, blk.cols, blk.vals, blk.lower, blk.upper)
        return m, {"open": y, "flow": x, "unmet": u, "use": w, "arrive": a}

    def _cumulative_rows(self, blk: _Rows, open0: int) -> _Rows:
        """``blk`` written over the cumulative ``open`` columns (first column ``open0``).

        A term ``a open[s,l]`` of the one-level-per-site formulation (``sum_l open[s,l] <= 1``) is
        ``a (z[s,l] - z[s,l+1])`` with ``z[s,l] = sum_{k >= l} open[s,k]``, so every term on a level column is
        repeated with ``-a`` on the next level's column (the model sums duplicate entries).
        """
        nxt = self.c.lvl_next
        rel = blk.cols - open0
        on = np.flatnonzero((rel >= 0) & (rel < nxt.size))
        on = on[nxt[rel[on]] >= 0]
        if on.size == 0:
            return blk
        return replace(blk, rows=np.concatenate([blk.rows, blk.rows[on]]),
                       cols=np.concatenate([blk.cols, open0 + nxt[rel[on]]]),
                       vals=np.concatenate([blk.vals, -blk.vals[on]]))

    def open_start(self, levels: np.ndarray) -> np.ndarray:
        """Values of the ``open`` columns for an opening plan given per site level (1 = site at that level)."""
        y = np.asarray(levels, dtype=np.float64)
        if self.levels != "cumulative":
            return y.copy()
        site = self.c.lvl_site
        # z[s,l] = sum of y over level l and the larger levels of site s (a site's levels are contiguous)
        tail = np.concatenate([np.cumsum(y[::-1])[::-1], [0.0]])
        last = np.searchsorted(site, site, side="right")
        return tail[:-1] - tail[last]

    def level_values(self, res: SolveResult, blocks: dict[str, Any] | None = None) -> np.ndarray:
        """The opening of ``res`` per site level (1 = site open at that level), whatever the formulation."""
        v = np.asarray(res.values((blocks or self.blocks)["open"]), dtype=np.float64)
        if self.levels != "cumulative":
            return v
        nxt = self.c.lvl_next
        return v - np.where(nxt >= 0, v[np.maximum(nxt, 0)], 0.0)

    def _level_bound(self, bound: np.ndarray, lvl: np.ndarray, elastic: str | None = None) -> np.ndarray:
        """Coefficient (t) of ``open[s,l]`` in a linking row ``flows <= sum_l coef_l open[s,l]``.

        With ``level_bounds`` it is ``min(bound, cap[s,l])``: the flows of a row all enter (or, by
        conservation, leave) site ``s``, so at level ``l`` they carry at most its capacity as well as
        ``bound``; valid because at most one level is open. Without it, ``bound`` for every level; also when
        the capacity group is relaxed (``elastic == "capacity"``), since the row then restates capacity.
        """
        if self.level_bounds and elastic != "capacity":
            return np.minimum(bound, self.c.lvl_cap[lvl])
        return bound

    # ------------------------------------------------------------------ size
    def size(self) -> dict[str, int]:
        """Model size: variables, binaries, rows, nonzeros, flow variables, time-critical variants."""
        arr = self.model.arrays()
        return {
            "variables": int(self.model.num_vars),
            "binaries": int(arr["integer"].sum()),
            "rows": int(self.model.num_rows),
            "nonzeros": int(arr["A"].nnz),
            "flow_variables": int(self.f_a.size),
            "time_critical_variants": int(self.f_crit.sum()),
            "time_binaries_active": int((self.f_crit & self.active).sum()),
            "rounds": int(self.rounds),
            "arc_variants_before_pruning": int(self.c.a_from.size * self.c.P),
            "dominated_variants_removed": int(self.dominated_variants),
        }

    # ------------------------------------------------------------------ solving
    def solve(
        self,
        options: SolverOptions | None = None,
        *,
        explain: bool = True,
        max_rounds: int = 100,
        warm_start: bool = True,
        heuristic_share: float = 0.5,
    ) -> ColdChainSolution:
        """Solve (HiGHS by default) and return the solution; raise :class:`InfeasibleError` if infeasible.

        Time-critical ``use`` binaries are added lazily (row generation): solve with the binaries of the
        active set (initially none), find the used routes that exceed their limit, activate the critical
        variants on them and re-solve, until no used route exceeds its limit. Each round solves a relaxation
        of the full model, so its bound is valid (the result reports the largest bound of any round, since a
        round cut off by the time limit may prove less than the one before it), and the last round's solution
        is feasible for the full model: the result is exact within the requested gap.
        ``options.time_limit_s`` covers all rounds;
        after ``max_rounds`` every critical variant is activated at once. If the time limit stops a round
        whose incumbent has over-limit routes, a plan within every limit is built from the incumbent's opening
        plan (below): the result keeps every limit, has status ``time_limit`` and its gap is measured against
        that bound.

        With a time limit and time-critical variants, the rounds stop at ``1 - heuristic_share`` of the time
        limit (fraction, 0-1) so that, if a round is cut off with routes over their limit, the rest of the
        time goes to the time-window heuristic (:meth:`_window_repair`: restrictions of the model that keep
        every limit by construction, windows read off solutions, see :meth:`_guided_ban`; the ban repair only
        if it finds nothing).
        A round stopped there whose incumbent keeps every limit is continued from it for the rest of the time
        (:meth:`_continue`). Models whose rounds finish before that point are solved as before;
        ``heuristic_share=0`` gives the rounds all the time.
        """
        options = options or SolverOptions()
        t_start = time.perf_counter()
        build_s = solve_s = 0.0
        previous: np.ndarray | None = None
        reserve = 0.0
        if options.time_limit_s is not None and self.f_crit.any():
            reserve = min(max(heuristic_share, 0.0), 1.0) * options.time_limit_s
        res: SolveResult | None = None
        # every round solves a relaxation of the full model, so the largest bound of any round is valid
        best_bound: float | None = None
        while True:
            if warm_start and self.model.num_vars:
                t0 = time.perf_counter()
                self._warm_start(options, previous)
                build_s += time.perf_counter() - t0
            opts = options
            if options.time_limit_s is not None:
                left = options.time_limit_s - (time.perf_counter() - t_start)
                if left <= 0 or (res is not None and left - reserve <= 0):
                    if res is None:
                        raise PlannerError(
                            f"cold-chain model {self.problem.name!r}: time limit reached after {self.rounds} "
                            f"rounds without a solution that keeps every route within its time limit; raise the "
                            f"time limit")
                    # no time for another round: finish like a round cut off by the time limit
                    res = replace(res, status="time_limit")
                    break
                opts = replace(options, time_limit_s=max(left - reserve, 0.25 * left))
            res = self._unscaled(self.model.solve(opts))
            self.rounds += 1
            build_s += res.build_seconds
            solve_s += res.solve_seconds
            if res.status == "infeasible":
                reasons = self.explain_infeasible(options) if explain else []
                if not reasons:
                    reasons = ["the solver reports infeasible; relaxing single constraint groups did not identify "
                               "a cause (a combination of groups is responsible)"]
                raise InfeasibleError(f"cold-chain model {self.problem.name!r} is infeasible: {reasons[0]}",
                                      reasons)
            if not res.is_feasible:
                raise PlannerError(f"cold-chain model {self.problem.name!r}: no solution ({res.status}: "
                                   f"{res.message}); raise the time limit or the gap")
            if res.best_bound is not None:
                best_bound = res.best_bound if best_bound is None else max(best_bound, res.best_bound)
            violating = self._route_violations(res.values(self.blocks["flow"]))
            previous = np.where(self.level_values(res) > 0.5, 1.0, 0.0)
            if reserve > 0 and res.status == "time_limit" and not violating.any():
                # the round stopped early for nothing: continue from its incumbent with the time left
                res, more_s = self._continue(res, options, t_start)
                build_s += more_s[0]
                solve_s += more_s[1]
                break
            if not violating.any() or res.status == "time_limit":
                break
            t0 = time.perf_counter()
            if self.rounds >= max_rounds:
                self.active[:] = self.f_crit
            else:
                self.active |= violating & self.f_crit
            self.model, self.blocks = self._build(elastic=None, active=self.active)
            build_s += time.perf_counter() - t0
        if res.status == "time_limit" and previous is not None and \
                self._route_violations(res.values(self.blocks["flow"])).any():
            # out of time with routes over their limit: the best plan within every limit, keep the bound
            t0 = time.perf_counter()
            deadline = None if options.time_limit_s is None else t_start + options.time_limit_s
            repaired = self._window_repair(previous, options, deadline)
            if repaired is None:
                repaired = self._repair(previous, options)
            if repaired is None:
                raise PlannerError(
                    f"cold-chain model {self.problem.name!r}: time limit reached after {self.rounds} rounds "
                    f"without a solution that keeps every route within its time limit; raise the time limit")
            bound = res.best_bound
            res = replace(repaired, status="time_limit", best_bound=bound,
                          gap=relative_gap(repaired.objective, bound), message=REPAIRED_INCUMBENT)
            solve_s += time.perf_counter() - t0
        if best_bound is not None and res.objective is not None and \
                (res.best_bound is None or best_bound > res.best_bound):
            # an earlier round proved more than the last one (cut off by the time limit); never above the plan
            bound = min(best_bound, res.objective)
            res = replace(res, best_bound=bound, gap=relative_gap(res.objective, bound))
        res = replace(res, build_seconds=build_s, solve_seconds=solve_s)
        return ColdChainSolution._from_result(self, res)

    def _continue(self, res: SolveResult, options: SolverOptions,
                  t_start: float) -> tuple[SolveResult, tuple[float, float]]:
        """Re-solve the current round from ``res`` (a cut-off round whose incumbent keeps every limit) until
        the time limit; returns the better solution within every limit with the larger of the two (valid)
        bounds, and the (input, solve) seconds spent."""
        left = 0.0 if options.time_limit_s is None else options.time_limit_s - (time.perf_counter() - t_start)
        if left <= 1.0:
            return res, (0.0, 0.0)
        for blk in self.blocks.values():
            self.model.set_start(blk, res.values(blk))
        more = self._unscaled(self.model.solve(replace(options, time_limit_s=left)))
        spent = (more.build_seconds, more.solve_seconds)
        bounds = [b for b in (res.best_bound, more.best_bound) if b is not None]
        bound = max(bounds) if bounds else None
        if more.is_feasible and more.objective is not None and more.objective <= res.objective and \
                not self._route_violations(more.values(self.blocks["flow"])).any():
            res = more
        return replace(res, best_bound=bound, gap=relative_gap(res.objective, bound)), spent

    def _round_open(self, site_score: np.ndarray, thr: np.ndarray, threshold: float) -> np.ndarray:
        """An opening plan (0/1 per site level) that respects fixings and site counts.

        Sites open when ``site_score >= threshold`` (must-open sites always; per tier the highest scores up to
        ``max_open``, padded to ``min_open``); each gets the smallest level holding ``thr`` tonnes (the
        largest level if none does; ``thr = inf`` picks the largest).
        """
        c = self.c
        score = np.where(c.site_must, np.inf, site_score)
        score[c.site_forbidden] = -np.inf
        opened = np.zeros(c.S, dtype=bool)
        tier_of = np.asarray(c.site_tier_name)
        for tier in self.problem.tiers:
            idx = np.flatnonzero(tier_of == tier.name)
            order = idx[np.argsort(-score[idx], kind="stable")]
            n_open = int((score[idx] >= threshold).sum())
            if tier.max_open is not None:
                n_open = min(n_open, tier.max_open)
            n_open = max(n_open, tier.min_open, int(c.site_must[idx].sum()))
            opened[order[:n_open]] = True
        opened &= ~c.site_forbidden
        fix = np.zeros(c.lvl_site.size)
        for s in np.flatnonzero(opened):
            lv = np.flatnonzero(c.lvl_site == s)
            fits = lv[c.lvl_cap[lv] >= thr[s] * (1 - 1e-9)]
            fix[fits[0] if fits.size else lv[-1]] = 1.0
        return fix

    def _throughput(self, xv: np.ndarray) -> np.ndarray:
        c = self.c
        thr = np.zeros(c.S)
        into = c.node_site[self.f_to] >= 0
        np.add.at(thr, c.node_site[self.f_to[into]], np.maximum(xv[into], 0.0))
        return thr

    def _warm_start(self, options: SolverOptions, previous: np.ndarray | None,
                    search_share: float = 0.05) -> None:
        """Give the current model a MIP start; silently skipped if no plan works.

        Opening plans tried: the previous round's plan; otherwise an LP rounding (sites with LP opening
        >= 0.01 at their largest level), then the same plan with unused sites closed and every site resized
        to the smallest level holding its throughput. Each plan is fixed and the rest of the model solved;
        the cheapest result is the start. The best of them is then improved by :meth:`_local_search` for at
        most ``search_share`` of the time limit (100 s without one).
        """
        c = self.c
        quick = replace(options, time_limit_s=min(options.time_limit_s or 30.0, 30.0), mip_gap=1e-3,
                        log_path=None, verbose=False)
        best: tuple[float, SolveResult, dict[str, Any]] | None = None

        def try_plan(fix: np.ndarray) -> tuple[SolveResult, dict[str, Any]] | None:
            nonlocal best
            out = self._solve_plan(fix, quick)
            if out is not None and (best is None or out[0].objective < best[0]):
                best = (out[0].objective, *out)
            return out

        if previous is not None:
            try_plan(previous)
        else:
            lp, blocks = self._build(None, self.active, relax=True)
            res = lp.solve(quick)
            if not res.is_feasible:
                return
            site_y = np.bincount(c.lvl_site, weights=self.level_values(res, blocks), minlength=c.S)
            first = try_plan(self._round_open(site_y, np.full(c.S, np.inf), 0.01))
            if first is not None:
                thr = self._throughput(first[0].values(first[1]["flow"]))
                try_plan(self._round_open(np.where(thr > 0, 1.0, 0.0), thr, 0.5))
                if best is not None and search_share > 0:
                    self._local_search(best[1], best[2], site_y, try_plan,
                                       time.perf_counter() + search_share * (options.time_limit_s or 100.0))
        if best is not None:
            for name, blk in best[2].items():
                self.model.set_start(self.blocks[name], best[1].values(blk))

    def _solve_plan(self, fix: np.ndarray, options: SolverOptions) -> tuple[SolveResult, dict[str, Any]] | None:
        """The current model (active time rows) with the opening plan ``fix`` (0/1 per site level) fixed,
        solved with ``options``: the result (objective in solver units) and the model's blocks, or None
        when it has no solution."""
        model, blocks = self._build(None, self.active, fix_open=fix)
        res = model.solve(options)
        if not res.is_feasible or res.objective is None:
            return None
        return res, blocks

    def _local_search(self, start: SolveResult, blocks: dict[str, Any], lp_open: np.ndarray, try_plan: Any,
                      deadline: float, reach: float = 1.25) -> None:
        """Local search of :meth:`_warm_start` from the fixed-plan solution ``start`` (of a model with
        ``blocks``) over single-site moves: one level down when the site's throughput exceeds the level below
        by at most ``reach`` times; close a site at its smallest level or carrying nothing; one level up when
        the site is full; open at its smallest level a closed site with LP opening ``lp_open`` (per site)
        above 0.01. ``try_plan`` solves each move with the plan fixed (and keeps the cheapest as the start);
        moves are tried largest fixed-cost saving first, the first improving one is taken, until no move
        improves or ``deadline`` (``time.perf_counter()`` seconds) passes.

        LP rounding puts a site whose LP throughput lies just above a capacity step on the larger level; the
        step down, with a little flow rerouted, is often cheaper (an incumbent the branch and bound would
        otherwise find late).
        """
        c = self.c
        plan = np.where(self.level_values(start, blocks) > 0.5, 1.0, 0.0)
        cost = start.objective
        tried: set[tuple[int, int]] = set()
        while time.perf_counter() < deadline:
            thr = self._throughput(start.values(blocks["flow"]))
            moves = []
            for lv in np.flatnonzero(plan > 0.5):
                s, lv = int(c.lvl_site[lv]), int(lv)
                targets = []
                if c.lvl_idx[lv] > 0 and thr[s] <= reach * c.lvl_cap[lv - 1]:
                    targets.append(lv - 1)  # one level down
                if (c.lvl_idx[lv] == 0 or thr[s] <= 0.0) and not c.site_must[s]:
                    targets.append(-1)  # close
                if c.lvl_next[lv] >= 0 and thr[s] >= 0.99 * c.lvl_cap[lv]:
                    targets.append(int(c.lvl_next[lv]))  # one level up: the site is full
                moves += [(c.lvl_fixed[lv] - (c.lvl_fixed[t] if t >= 0 else 0.0), lv, t) for t in targets]
            # open, at its smallest level, a closed site the LP relaxation used
            is_open = np.bincount(c.lvl_site, weights=plan, minlength=c.S) > 0.5
            for s in np.flatnonzero(~is_open & (lp_open > 0.01) & ~c.site_forbidden):
                lv = int(np.searchsorted(c.lvl_site, s))  # the site's smallest level
                moves.append((-c.lvl_fixed[lv], -1, lv))
            improved = False
            for _, lv, target in sorted(m for m in moves if (m[1], m[2]) not in tried)[::-1]:
                if time.perf_counter() >= deadline:
                    return
                tried.add((lv, target))
                trial = plan.copy()
                if lv >= 0:
                    trial[lv] = 0.0
                if target >= 0:
                    trial[target] = 1.0
                out = try_plan(trial)
                if out is None:
                    continue
                # then every site resized to the smallest level holding its new throughput
                flows = self._throughput(out[0].values(out[1]["flow"]))
                resized = self._round_open(np.where(flows > 0, 1.0, 0.0), flows, 0.5)
                again = try_plan(resized) if not np.array_equal(resized, trial) else None
                if again is not None and again[0].objective < out[0].objective:
                    trial, out = resized, again
                if out[0].objective < cost * (1 - 1e-9):
                    plan, (start, blocks), cost, improved = trial, out, out[0].objective, True
                    break
            if not improved:
                return

    #: exponents ``g`` of the window families tried by :meth:`_window_repair`: ``theta[t] = (t / (T - 1)) ** g``
    WINDOW_EXPONENTS = (1.0, 2.0, 3.0, 4.0, 6.0)

    def _to_main(self, res: SolveResult, blocks: dict[str, Any]) -> SolveResult:
        """``res`` of a model built by :meth:`_build` mapped onto the main model's columns, in CNY."""
        x = np.zeros(self.model.num_vars)
        for name in ("open", "flow", "unmet"):
            b_main, b_other = self.blocks[name], blocks[name]
            x[b_main.start: b_main.start + b_main.size] = res.values(b_other)
        return self._unscaled(replace(res, x=x))

    #: (``theta_used``, ``theta_free``) of :meth:`_guided_ban` tried in turn by :meth:`_window_repair` to move
    #: the windows around its current plan
    WINDOW_GUIDES = ((0.5, 0.75), (0.5, 1.0), (0.0, 0.5), (1.0, 0.75))

    def _window_repair(self, plan: np.ndarray, options: SolverOptions,
                       deadline: float | None = None) -> SolveResult | None:
        """A solution within every route limit from time windows (a heuristic; see :meth:`_guided_ban`).

        1. *The plan*: with the opening ``plan`` (0/1 per site level) fixed, the LP without time rows gives
           flows (routes may exceed their limits); the windows read off them (:meth:`_guided_ban`, ``theta_used``
           0 and 1) restrict the LP to routes within every limit; the cheapest result guides the windows
           once more. Only if none of these is feasible (or with ``windows="formula"``, the form before
           guided windows), the formula windows of :meth:`_window_ban` (families ``theta[t] = (t / (T - 1))
           ** g``, ``g`` in :attr:`WINDOW_EXPONENTS`, both bases) are tried; with ``windows="formula"`` step 2
           is one solve within the best formula windows.
        2. *Free openings*: the windows read off the best solution so far (:attr:`WINDOW_GUIDES` in turn)
           restrict the model with free openings, solved from that solution as MIP start; a cheaper result
           becomes the new guide, until every guide in a row fails to improve or ``deadline`` passes
           (``time.perf_counter()`` seconds; None: at most 30 s per solve).

        The windows of a solution keep all its used variants, so each step can only improve; they change
        where the solution has no flow, which lets the restricted MIP open other sites. Every result is
        checked with :meth:`_route_violations`; returns the cheapest (objective in CNY) or None.
        """
        c = self.c
        none_active = np.zeros(self.f_a.size, dtype=bool)

        def quick(cap: float, floor: float = 0.0, gap: float = 1e-4) -> SolverOptions | None:
            # time for one solve (s): ``cap``, cut at the deadline but not below ``floor``
            left = cap if deadline is None else max(min(cap, deadline - time.perf_counter()), floor)
            if left <= 0.05:
                return None
            return replace(options, time_limit_s=left, mip_gap=gap, log_path=None, verbose=False)

        best: tuple[float, SolveResult, dict[str, Any], np.ndarray] | None = None

        def restricted(ban: np.ndarray, opts: SolverOptions, fixed: bool,
                       start: tuple[float, SolveResult, dict[str, Any], np.ndarray] | None = None) -> bool:
            # solve the model restricted to the variants outside ``ban``; keep the result if it is the best
            nonlocal best
            model, blocks = self._build(None, none_active, fix_open=plan if fixed else None, ban=ban, relax=fixed)
            if start is not None:
                for name, blk in start[2].items():
                    model.set_start(blocks[name], start[1].values(blk))
            res = model.solve(opts)
            if not res.is_feasible or res.objective is None or \
                    self._route_violations(res.values(blocks["flow"])).any():
                return False
            if best is None or res.objective < best[0] * (1 - 1e-6):
                best = (res.objective, res, blocks, ban)
                return True
            return False

        # 1. the plan: windows read off its flows without time rows, then off the best restricted flows
        opts = quick(30.0, floor=5.0)
        if opts is not None and self.windows == "guided":
            model, blocks = self._build(None, none_active, fix_open=plan, relax=True)
            free = model.solve(opts)
            guides = [free.values(blocks["flow"])] if free.is_feasible else []
            for _ in range(2):
                for guide in guides:
                    for theta_used in (0.0, 1.0):
                        opts = quick(30.0, floor=0.0 if best is not None else 5.0)
                        if opts is None:
                            break
                        restricted(self._guided_ban(guide, theta_used, 0.5), opts, fixed=True)
                guides = [] if best is None else [best[1].values(best[2]["flow"])]
        if best is None:
            pos = np.arange(c.T, dtype=np.float64) / max(c.T - 1, 1)
            for base, g in [(b, g) for b in ("max", "min") for g in self.WINDOW_EXPONENTS]:
                opts = quick(30.0, floor=0.0 if best is not None else 5.0)
                if opts is None:
                    break
                restricted(self._window_ban(pos ** g, base=base), opts, fixed=True)
        if best is None:
            return None
        if self.windows == "formula":
            # the free openings within the best formula windows, once
            opts = quick(math.inf if deadline is not None else 30.0, gap=options.mip_gap)
            if opts is not None:
                restricted(best[3], opts, fixed=False, start=best)
            return self._to_main(best[1], best[2])
        # 2. free openings within the windows of the best solution so far
        fails = 0
        k = 0
        while fails < len(self.WINDOW_GUIDES):
            opts = quick(math.inf if deadline is not None else 30.0, gap=options.mip_gap)
            if opts is None:
                break
            theta_used, theta_free = self.WINDOW_GUIDES[k % len(self.WINDOW_GUIDES)]
            k += 1
            guide = best[1].values(best[2]["flow"])
            improved = restricted(self._guided_ban(guide, theta_used, theta_free), opts, fixed=False, start=best)
            fails = 0 if improved else fails + 1
        return self._to_main(best[1], best[2])

    def _repair(self, plan: np.ndarray, options: SolverOptions, max_iter: int = 50) -> SolveResult | None:
        """A solution within every route limit for the opening ``plan``: solve with the plan fixed and no
        ``use`` rows, ban the used critical variants on over-limit routes, repeat (a heuristic: the result is
        feasible, not necessarily optimal)."""
        ban = np.zeros(self.f_a.size, dtype=bool)
        quick = replace(options, time_limit_s=30.0, mip_gap=1e-4, log_path=None, verbose=False)
        for _ in range(max_iter):
            model, blocks = self._build(None, np.zeros_like(ban), fix_open=plan, ban=ban)
            res = model.solve(quick)
            if not res.is_feasible:
                return None
            xv = res.values(blocks["flow"])
            bad = self._route_violations(xv)
            if not bad.any():
                return self._to_main(res, blocks)
            cand = bad & self.f_crit
            if not cand.any():
                return None
            # ban the most upstream offending variants of each product first (stop sourcing the slow origins)
            tier = self.c.node_tier[self.f_from]
            for p in np.unique(self.f_p[cand]):
                sel = cand & (self.f_p == p)
                ban |= sel & (tier == tier[sel].min())
        return None

    def _window_ban(self, theta: np.ndarray, base: str = "max") -> np.ndarray:
        """Flow variables outside the *time windows* of ``theta`` (True = banned); a restriction that keeps
        every route within its limit by construction.

        Per product ``p`` with a limit, over the variants of the model: ``E(n)`` earliest arrival (h) at node
        ``n`` from an area supplying ``p``, ``S(n)`` latest arrival (h) at ``n`` from which some (``base="max"``) or every reachable (``"min"``)
        demand point needing ``p`` is still reached within its limit. Node ``n`` of tier position ``t`` gets
        the window end ``a(n) = E(n) + theta[t] (S(n) - E(n))`` (h; ``theta`` per tier, 0-1), production areas
        ``a = 0``, demand points ``a(d) = L[d,p]``. A variant ``i -> j`` (transit + dwell ``tau``, h) is kept
        only when ``a(i) + tau <= a(j)``.

        Feasibility (exact): along any route of kept variants ``o -> ... -> d`` the window ends grow by at
        least the time of each arc, so the route takes at most ``a(d) - a(o) = L[d,p]``; every route formed by
        used kept variants (sites mix their inflows) is such a route. The restriction may cut optimal
        solutions, so its result is an upper bound (a heuristic plan), never a bound.
        """
        c = self.c
        ban = np.zeros(self.f_a.size, dtype=bool)
        th = np.asarray(theta, dtype=np.float64)[c.node_tier]
        for p in range(c.P):
            frame = self._arrival_frame(p, base)
            if frame is None:
                continue
            f, early, late = frame
            with np.errstate(invalid="ignore"):
                a = np.where(th > 0, early + th * (late - early), early)
            ban[f] = self._outside_windows(p, f, a, early, late)
        return ban

    def _arrival_frame(self, p: int, base: str = "max") -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """For a product ``p`` with a door-to-door limit: its flow variables, the earliest arrival ``E(n)``
        (h) at every node over them from an area supplying ``p`` and the latest arrival ``S(n)`` (h) at ``n``
        from which some (``base="max"``) or every reachable (``"min"``) demand point needing ``p`` is still
        reached within its limit (-inf: none); None when no limit applies to ``p``. It depends only on the
        model's flow variables, so it is computed once per product and base."""
        if (p, base) in self._frames:
            return self._frames[p, base]
        c = self.c
        lim = c.limit[:, p]
        need = c.demand[:, p] > 0
        if not np.isfinite(lim[need]).any():
            self._frames[p, base] = None
            return None
        f = np.flatnonzero(self.f_p == p)
        sel = np.zeros(c.a_from.size, dtype=bool)
        sel[self.f_a[f]] = True
        early = c.forward(p, sel)
        qmin = c.backward(p, sel)
        with np.errstate(invalid="ignore"):
            slack = np.where(np.isfinite(qmin) & need[None, :], lim[None, :] - qmin, -np.inf)
        if base == "min":
            late = np.where(np.isfinite(qmin) & need[None, :], slack, np.inf).min(axis=1, initial=np.inf)
            late[~np.isfinite(qmin[:, need]).any(axis=1)] = -np.inf
        else:
            late = slack.max(axis=1, initial=-np.inf)
        self._frames[p, base] = (f, early, late)
        return f, early, late

    def _outside_windows(self, p: int, f: np.ndarray, a: np.ndarray, early: np.ndarray,
                         late: np.ndarray) -> np.ndarray:
        """Which flow variables ``f`` of product ``p`` lie outside the window ends ``a`` (h per node; True =
        banned): nodes that no route reaches in time get no window, production areas ``a = 0``, demand
        points ``a(d) = L[d,p]``, and a variant ``i -> j`` is kept when ``a(i) + tau <= a(j)``."""
        c = self.c
        a = np.array(a, dtype=np.float64)
        valid = np.isfinite(early) & (late > -np.inf) & (early <= late + _EPS_H)
        a[~valid] = np.nan
        a[: c.O] = np.where(valid[: c.O], 0.0, np.nan)
        dem = slice(c.demand_node0, c.demand_node0 + c.D)
        a[dem] = np.where((c.demand[:, p] > 0) & np.isfinite(early[dem]), c.limit[:, p], np.nan)
        with np.errstate(invalid="ignore"):
            return ~(a[self.f_from[f]] + c.a_tau[self.f_a[f]] <= a[self.f_to[f]] + _EPS_H)

    def _guided_ban(self, xv: np.ndarray, theta_used: float, theta_free: float) -> np.ndarray:
        """Flow variables outside the time windows read off the flows ``xv`` (True = banned); like
        :meth:`_window_ban` a restriction that keeps every route within its limit by construction.

        Per product ``p`` with a limit, over the variants ``xv`` uses (flow above :meth:`_used_tolerance`):
        ``F(n)`` the longest used arrival (h) at node ``n``, ``U(n)`` the latest arrival from which every used
        route onwards still meets its demand point's limit (``min_d L[d,p] - longest used time n -> d``). A
        node on a used route gets the window end ``a(n) = F(n) + theta_used (U(n) - F(n))`` (``F(n)`` where no
        used route onwards has a limit), other nodes ``a(n) = E(n) + theta_free (S(n) - E(n))`` (earliest
        arrival, latest arrival still reaching some demand point in time, as in :meth:`_window_ban`); each
        ``a(n)`` is kept within ``[E(n), S(n)]``; production areas ``a = 0``, demand points ``a(d) = L[d,p]``.
        A variant ``i -> j`` (transit + dwell ``tau``) is kept when ``a(i) + tau <= a(j)``.

        Every used variant ``i -> j`` between two such nodes is kept: ``F(j) >= F(i) + tau`` and
        ``U(i) <= U(j) - tau``, so any blend of the two grows by at least ``tau``. Only used routes over their
        limit lose variants: next to a production area (``theta_used = 1`` bans the slow first miles) or a
        demand point (``theta_used = 0`` bans the slow last miles), and where the clamp to ``[E, S]`` bites.
        When ``xv`` keeps every limit (``F <= U``), it stays feasible for the restricted model.
        """
        c = self.c
        ban = np.zeros(self.f_a.size, dtype=bool)
        used = xv > self._used_tolerance()
        for p in range(c.P):
            frame = self._arrival_frame(p)
            if frame is None:
                continue
            f, early, late = frame
            longest_in, longest_out = self._longest_used(p, f[used[f]])
            with np.errstate(invalid="ignore"):
                latest_used = np.where(longest_out > -np.inf, c.limit[None, :, p] - longest_out, np.inf).min(axis=1)
                a_used = np.where(np.isfinite(latest_used),
                                  longest_in + theta_used * (latest_used - longest_in), longest_in)
                a_free = np.where(theta_free > 0, early + theta_free * (late - early), early)
                a = np.where(np.isfinite(longest_in), a_used, a_free)
                a = np.minimum(np.maximum(a, early), late)
            ban[f] = self._outside_windows(p, f, a, early, late)
        return ban

    def _unscaled(self, res: SolveResult) -> SolveResult:
        """``res`` with objective and bound back in CNY (the model's costs are scaled by ``cost_scale``)."""
        k = 1.0 / self.cost_scale
        return replace(res, objective=None if res.objective is None else res.objective * k,
                       best_bound=None if res.best_bound is None else res.best_bound * k)

    def _used_tolerance(self) -> float:
        """Flows at or below this many tonnes count as unused (solver tolerance scaled to the instance)."""
        return 1e-6 * max(1.0, float(self.c.demand.sum(axis=0).max(initial=0.0)))

    def _longest_used(self, p: int, fl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Over the flow variables ``fl`` of product ``p``: the longest arrival (h) at every node from an area
        supplying ``p`` (-inf: not reached) and the longest time (h) from every node to every demand point,
        shape (N, D) (-inf: no route)."""
        sel = np.zeros(self.c.a_from.size, dtype=bool)
        sel[self.f_a[fl]] = True
        return self.c.forward(p, sel, longest=True), self.c.backward(p, sel, longest=True)

    def _route_violations(self, xv: np.ndarray) -> np.ndarray:
        """Flows lying on a used route (flow > tolerance) that exceeds its door-to-door limit."""
        c = self.c
        used = xv > self._used_tolerance()
        out = np.zeros(self.f_a.size, dtype=bool)
        for p in range(c.P):
            if not np.isfinite(c.limit[:, p]).any():
                continue
            fl = np.flatnonzero(used & (self.f_p == p))
            if fl.size == 0:
                continue
            lpre, lsuf = self._longest_used(p, fl)
            head = lpre[self.f_from[fl]] + c.a_tau[self.f_a[fl]]
            with np.errstate(invalid="ignore"):
                over = (head[:, None] + lsuf[self.f_to[fl]] - c.limit[None, :, p]) > 1e-6
            out[fl[over.any(axis=1)]] = True
        return out

    def explain_infeasible(self, options: SolverOptions | None = None) -> list[str]:
        """Relax each constraint group in turn with elastic slack; name the groups that restore feasibility."""
        base = options or SolverOptions()
        opts = SolverOptions(solver=base.solver, time_limit_s=min(base.time_limit_s or 30.0, 30.0), mip_gap=1e-4,
                             threads=base.threads)
        reasons = list(self.reasons)
        for group, unit in ELASTIC_GROUPS.items():
            model, _ = self._build(elastic=group, active=None)
            if not any(name.startswith("slack_") for name in model.blocks):
                continue
            res = model.solve(opts)
            if res.is_feasible and res.objective is not None:
                amount = f"{fmt_tonnes(res.objective)}" if unit == "t" else f"{res.objective:,.4g} {unit}"
                reasons.append(f"constraint group '{group}' is responsible: relaxing it alone by {amount} makes "
                               f"the model feasible")
        return reasons


# ============================================================================================ solution
@dataclass
class ColdChainSolution:
    """A solved cold-chain network.

    ``report``: status, objective (CNY), best bound, gap, build / solve seconds, solver, model size.
    ``sites``: tier, site, open, level, capacity_t, fixed_cost_cny, throughput_t, utilisation, handling_cny.
    ``flows``: product, from, from_tier, to, to_tier, tier_pair, mode, refrigerated, tonnes, distance_km,
    time_h (transit), dwell_h (at the destination site), transport_cny, handling_cny, spoilage_cny, co2_kg,
    co2_cny, cost_cny (sum of the cost columns).
    ``cost_breakdown``: component, cost_cny (fixed, handling, transport, spoilage, co2, unmet_penalty, total).
    ``service``: demand point, kind, product, demand_t, delivered_t, unmet_t, min / max path time (h) over
    the used routes, time_limit_h, within_limit.
    """

    report: dict[str, Any]
    sites: pd.DataFrame
    flows: pd.DataFrame
    cost_breakdown: pd.DataFrame
    service: pd.DataFrame
    result: SolveResult = field(repr=False)

    @property
    def objective(self) -> float:
        """Objective value (CNY per season)."""
        return float(self.report["objective"])

    @property
    def status(self) -> str:
        """Solver status."""
        return str(self.report["status"])

    def open_sites(self, tier: str | None = None) -> list[str]:
        """Names of the open sites (of ``tier`` if given)."""
        s = self.sites[self.sites["open"]]
        if tier is not None:
            s = s[s["tier"] == tier]
        return list(s["site"])

    def kpis(self) -> dict[str, Any]:
        """Headline indicators (costs in CNY, quantities in t, times in h)."""
        cb = dict(zip(self.cost_breakdown["component"], self.cost_breakdown["cost_cny"], strict=True))
        dem = float(self.service["demand_t"].sum())
        deliv = float(self.service["delivered_t"].sum())
        f = self.flows
        tkm = float((f["tonnes"] * f["distance_km"]).sum())
        ref_tkm = float((f["tonnes"] * f["distance_km"])[f["refrigerated"]].sum())
        open_s = self.sites[self.sites["open"]]
        out: dict[str, Any] = {
            "status": self.status,
            "total_cost_cny": self.objective,
            "gap": self.report.get("gap"),
            "demand_t": dem,
            "delivered_t": deliv,
            "unmet_t": float(self.service["unmet_t"].sum()),
            "service_level": deliv / dem if dem > 0 else 1.0,
            "cost_per_t_delivered_cny": cb["total"] / deliv if deliv > 0 else None,
            "spoilage_share": cb["spoilage"] / cb["total"] if cb["total"] > 0 else 0.0,
            "tonne_km": tkm,
            "refrigerated_tkm_share": ref_tkm / tkm if tkm > 0 else 0.0,
            "co2_t": float(f["co2_kg"].sum()) / 1000.0,
            "max_path_time_h": float(self.service["max_path_time_h"].max()) if len(self.service) else 0.0,
            "mean_utilisation": float(open_s["utilisation"].mean()) if len(open_s) else 0.0,
        }
        for tier, n in open_s.groupby("tier", sort=False).size().items():
            out[f"open_sites_{tier}"] = int(n)
        return out

    @classmethod
    def _from_result(cls, cm: ColdChainModel, res: SolveResult) -> ColdChainSolution:
        c, prob, b = cm.c, cm.problem, cm.blocks
        yv = cm.level_values(res)
        xv = np.maximum(res.values(b["flow"]), 0.0)
        uv = np.maximum(res.values(b["unmet"]), 0.0)
        tol = cm._used_tolerance()
        xv = np.where(xv > tol, xv, 0.0)
        # sites
        chosen = yv > 0.5
        lvl_open = np.full(c.S, -1)
        lvl_open[c.lvl_site[chosen]] = c.lvl_idx[chosen]
        cap = np.zeros(c.S)
        cap[c.lvl_site[chosen]] = c.lvl_cap[chosen]
        fixed = np.zeros(c.S)
        fixed[c.lvl_site[chosen]] = c.lvl_fixed[chosen]
        thr = np.zeros(c.S)
        into = c.node_site[cm.f_to] >= 0
        np.add.at(thr, c.node_site[cm.f_to[into]], xv[into])
        handling = np.zeros(c.S)
        np.add.at(handling, c.node_site[cm.f_to[into]], (xv * cm.cost_handling)[into])
        sites = pd.DataFrame({
            "tier": c.site_tier_name,
            "site": [s.name for s in c.sites],
            "open": lvl_open >= 0,
            "level": lvl_open,
            "capacity_t": cap,
            "fixed_cost_cny": fixed,
            "throughput_t": thr,
            "utilisation": np.divide(thr, cap, out=np.zeros(c.S), where=cap > 0),
            "handling_cny": handling,
            "must_open": c.site_must,
            "forbidden": c.site_forbidden,
        })
        # flows
        used = np.flatnonzero(xv > 0)
        a = cm.f_a[used]
        names = np.asarray(c.node_name, dtype=object)
        tiers = np.asarray(c.order, dtype=object)
        ft, tt = tiers[c.node_tier[c.a_from[a]]], tiers[c.node_tier[c.a_to[a]]]
        t_ = xv[used]
        flows = pd.DataFrame({
            "product": np.asarray([p.name for p in c.products], dtype=object)[cm.f_p[used]],
            "from": names[c.a_from[a]],
            "from_tier": ft,
            "to": names[c.a_to[a]],
            "to_tier": tt,
            "tier_pair": [f"{x_}->{y_}" for x_, y_ in zip(ft, tt, strict=True)],
            "mode": np.asarray(c.modes, dtype=object)[c.a_mode[a]] if a.size else np.zeros(0, dtype=object),
            "refrigerated": c.a_ref[a],
            "tonnes": t_,
            "distance_km": c.a_dist[a],
            "time_h": c.a_time[a],
            "dwell_h": c.node_dwell[c.a_to[a]],
            "transport_cny": t_ * cm.cost_transport[used],
            "handling_cny": t_ * cm.cost_handling[used],
            "spoilage_cny": t_ * cm.cost_spoilage[used],
            "co2_kg": t_ * cm.co2_kg_per_t[used],
            "co2_cny": t_ * cm.cost_co2[used],
        })
        flows["cost_cny"] = flows[["transport_cny", "handling_cny", "spoilage_cny", "co2_cny"]].sum(axis=1)
        # cost breakdown (the objective's terms, recomputed from the solution)
        comp = {
            "fixed": float(fixed.sum()),
            "handling": float(flows["handling_cny"].sum()),
            "transport": float(flows["transport_cny"].sum()),
            "spoilage": float(flows["spoilage_cny"].sum()),
            "co2": float(flows["co2_cny"].sum()),
            "unmet_penalty": float((uv * cm.u_cost).sum()),
        }
        comp["total"] = float(sum(comp.values()))
        cost_breakdown = pd.DataFrame({"component": list(comp), "cost_cny": list(comp.values())})
        # service: delivered tonnes and min / max time over used routes
        unmet = np.zeros((c.D, c.P))
        unmet[cm.u_d, cm.u_p] = uv
        delivered = np.zeros((c.D, c.P))
        dem_in = c.node_tier[cm.f_to] == c.T - 1
        np.add.at(delivered, (cm.f_to[dem_in] - c.demand_node0, cm.f_p[dem_in]), xv[dem_in])
        tmax = np.full((c.D, c.P), np.nan)
        tmin = np.full((c.D, c.P), np.nan)
        for p in range(c.P):
            sel = np.zeros(c.a_from.size, dtype=bool)
            sel[cm.f_a[(cm.f_p == p) & (xv > 0)]] = True
            if not sel.any():
                continue
            hi = c.forward(p, sel, longest=True)[c.demand_node0:]
            lo = c.forward(p, sel, longest=False)[c.demand_node0:]
            ok = delivered[:, p] > 0
            tmax[ok, p] = hi[ok]
            tmin[ok, p] = lo[ok]
        dd, pp = np.nonzero(c.demand > 0)
        lim = c.limit[dd, pp]
        service = pd.DataFrame({
            "demand_point": [prob.demand_points[d].name for d in dd],
            "kind": [prob.demand_points[d].kind for d in dd],
            "product": [c.products[p].name for p in pp],
            "demand_t": c.demand[dd, pp],
            "delivered_t": delivered[dd, pp],
            "unmet_t": unmet[dd, pp],
            "min_path_time_h": tmin[dd, pp],
            "max_path_time_h": tmax[dd, pp],
            "time_limit_h": lim,
        })
        service["within_limit"] = ~(service["max_path_time_h"] > service["time_limit_h"] + 1e-6)
        report = res.to_dict()
        report["build_seconds"] = round(cm.build_seconds + res.build_seconds, 6)
        report["model_build_seconds"] = round(cm.build_seconds, 6)
        report["model_size"] = cm.size()
        report["objective_recomputed"] = comp["total"]
        return cls(report, sites, flows, cost_breakdown, service, res)


def solve_cold_chain(
    problem: ColdChainProblem, options: SolverOptions | None = None, *, explain: bool = True
) -> ColdChainSolution:
    """Build and solve ``problem``; raises :class:`InfeasibleError` with reasons when it has no solution."""
    return ColdChainModel(problem).solve(options, explain=explain)

