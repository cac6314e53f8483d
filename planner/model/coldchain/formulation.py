"""The cold-chain MILP, one function per group of rows.

Variables (``p`` product, ``e`` arc variant = (i, j, mode, route alternative, refrigerated), ``z`` site zone)

  ``open[z,l]``  binary, site zone ``z`` built at capacity level ``l``; written to the solver (``levels=
                 "cumulative"``, default) as ``open'[z,l] = sum_{k >= l} open[z,k]`` ("at level ``l`` or
                 larger"): the same LP, but branching on ``open'[z,0]`` opens or closes the whole zone and on
                 ``open'[z,l]`` splits its levels in two
  ``site[s]``    binary, site ``s`` open (some zone open); carries the site's own fixed cost, the tier's
                 site counts and the must-open fixings
  ``flow[p,e]``  tonnes/season of ``p`` on arc variant ``e`` (only variants that survive the pruning)
  ``unmet[d,p]`` tonnes of demand not served (only when an unmet-demand penalty applies)

Rows

  supply        sum_e out of (o,p) flow <= supply[o,p]
  demand        sum_e into (d,p) flow + unmet[d,p] = demand[d,p]
  conservation  inflow(s,p) = outflow(s,p) at every site
  capacity      inflow of the products stored in zone z <= sum_l cap[z,l] open[z,l];  sum_l open[z,l] <= 1
  site          sum_l open[z,l] <= site[s] for each zone z of s;  site[s] <= sum_{z of s, l} open[z,l];
                sum_l open[z,l] >= site[s] for the zones an open site must have
  linking       inflow(z,p) <= sum_l min(cap[z,l], demand_p, supply_p) open[z,l], and per site zone and
                neighbouring node (``linking="pair"``, default; ``"flow"`` per flow variable, ``"ends"`` only
                towards production areas and demand points, ``"site"`` none): flows of the arc <= sum_l
                min(cap[z,l], what the other end can give or take) open[z,l] (tightenings; the level cap is
                valid since at most one level is open; ``level_bounds=False`` uses the level-independent bound)
  must_open     site[s] >= 1
  site_count    min_open[t] <= sum_{s in t} site[s] <= max_open[t]
  budget        sum fixed[z,l] open[z,l] + sum fixed[s] site[s] <= budget
  time          door-to-door rows of :mod:`planner.model.coldchain.route_limits` (unbroken-chain products)

Objective: fixed costs + handling (per tonne received at a site zone) + transport + spoilage + CO2 price x
emissions + unmet penalty, scaled by ``cost_scale`` for the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.model.coldchain import route_limits
from planner.model.coldchain.rows import Rows, rows
from planner.model.matrix import MatrixModel

if TYPE_CHECKING:
    from planner.model.coldchain.milp import ColdChainMILP

__all__ = ["Rows", "build_model", "open_start"]


def group_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` and, per entry, its row number."""
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq, inv.reshape(-1)


@dataclass
class Columns:
    """Column indices of the variable blocks of one built model."""

    open: np.ndarray
    site: np.ndarray
    flow: np.ndarray
    unmet: np.ndarray


# ------------------------------------------------------------------------------------------- columns
def open_start(cm: ColdChainMILP, levels: np.ndarray) -> np.ndarray:
    """Values of the ``open`` columns for an opening plan given per level (1 = zone at that level)."""
    y = np.asarray(levels, dtype=np.float64)
    if cm.levels != "cumulative":
        return y.copy()
    sz = cm.c.lvl_sz
    # open'[z,l] = sum of y over level l and the larger levels of zone z (a zone's levels are contiguous)
    tail = np.concatenate([np.cumsum(y[::-1])[::-1], [0.0]])
    last = np.searchsorted(sz, sz, side="right")
    return tail[:-1] - tail[last]


def _add_columns(cm: ColdChainMILP, m: MatrixModel, phase1: bool, relax: bool, fix_open: np.ndarray | None,
                 ban: np.ndarray | None) -> tuple[Columns, dict[str, Any]]:
    c = cm.c
    z = 0.0 if phase1 else cm.cost_scale
    cumulative = cm.levels == "cumulative"
    open_ub = np.where(c.site_forbidden[c.lvl_site], 0.0, 1.0)
    open_lb: Any = 0.0
    site_ub = np.where(c.site_forbidden, 0.0, 1.0)
    site_lb: Any = 0.0
    if fix_open is not None:
        plan = np.asarray(fix_open, dtype=np.float64)
        open_ub = np.minimum(open_ub, open_start(cm, plan))
        open_lb = open_ub
        site_ub = np.minimum(site_ub, np.bincount(c.lvl_site, weights=plan, minlength=c.S) > 0.5)
        site_lb = site_ub
    fixed_cost = c.lvl_fixed.copy()
    if cumulative:
        # open'[z,l] = "zone z at level l or larger": level l costs its increment over level l - 1
        up = c.lvl_next >= 0
        fixed_cost[c.lvl_next[up]] -= c.lvl_fixed[up]
    y = m.add_variables("open", c.lvl_sz.size, lb=open_lb, ub=open_ub, cost=z * fixed_cost, integer=not relax)
    w = m.add_variables("site", c.S, lb=site_lb, ub=site_ub, cost=z * c.site_fixed, integer=not relax)
    bound = cm.f_bound if ban is None else np.where(ban, 0.0, cm.f_bound)
    x = m.add_variables("flow", cm.f_a.size, ub=bound, cost=z * cm.unit_cost)
    u = m.add_variables("unmet", cm.u_d.size, ub=c.demand[cm.u_d, cm.u_p], cost=z * cm.u_cost)
    return Columns(y.cols(), w.cols(), x.cols(), u.cols()), {"open": y, "site": w, "flow": x, "unmet": u}


# ------------------------------------------------------------------------------------------- row groups
def supply_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """Out of each production area, at most its supply of each product."""
    c = cm.c
    sel = np.flatnonzero(c.node_tier[cm.f_from] == 0)
    keys, r = group_rows(cm.f_from[sel] * c.P + cm.f_p[sel])
    return [rows("supply", "supply", r, col.flow[sel], 1.0, np.full(keys.size, -np.inf), c.supply[keys // c.P, keys % c.P])]


def demand_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """Into each demand point, its demand of each product (served or unmet); a row even without arcs."""
    c = cm.c
    dem_d, dem_p = np.nonzero(c.demand > 0)
    dem_row = np.full((c.D, c.P), -1, dtype=np.int64)
    dem_row[dem_d, dem_p] = np.arange(dem_d.size)
    sel = np.flatnonzero(c.node_tier[cm.f_to] == c.T - 1)
    r_in = dem_row[cm.f_to[sel] - c.demand_node0, cm.f_p[sel]]
    rhs = c.demand[dem_d, dem_p]
    return [rows("demand", "demand", np.concatenate([r_in, dem_row[cm.u_d, cm.u_p]]),
                 np.concatenate([col.flow[sel], col.unmet]), 1.0, rhs, rhs)]


def conservation_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """At every site, what comes in of a product goes out."""
    c = cm.c
    into = np.flatnonzero(cm.f_sz_to >= 0)
    outof = np.flatnonzero(cm.f_sz_from >= 0)
    keys, r = group_rows(np.concatenate([cm.f_to[into] * c.P + cm.f_p[into], cm.f_from[outof] * c.P + cm.f_p[outof]]))
    return [rows("conservation", "conservation", r, np.concatenate([col.flow[into], col.flow[outof]]),
                 np.concatenate([np.ones(into.size), -np.ones(outof.size)]), np.zeros(keys.size), np.zeros(keys.size))]


def capacity_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """Inflow into each site zone within its chosen level, and at most one level per zone."""
    c = cm.c
    into = np.flatnonzero(cm.f_sz_to >= 0)
    out = [rows("capacity", "capacity", np.concatenate([cm.f_sz_to[into], c.lvl_sz]),
                np.concatenate([col.flow[into], col.open]), np.concatenate([np.ones(into.size), -c.lvl_cap]),
                np.full(c.SZ, -np.inf), np.zeros(c.SZ)),
           rows("levels", "one_level", c.lvl_sz, col.open, 1.0, np.full(c.SZ, -np.inf), np.ones(c.SZ))]
    if cm.levels == "cumulative":
        up = np.flatnonzero(c.lvl_next >= 0)
        k = np.arange(up.size)
        out.append(rows("levels", "level_order", np.concatenate([k, k]), np.concatenate([col.open[c.lvl_next[up]], col.open[up]]),
                        np.concatenate([np.ones(up.size), -np.ones(up.size)]), np.full(up.size, -np.inf), np.zeros(up.size)))
    return out


def site_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """A zone opens only at an open site, and a site is open only with some zone."""
    c = cm.c
    zone_in_site = rows("site", "zone_at_site", np.concatenate([c.lvl_sz, np.arange(c.SZ)]),
                        np.concatenate([col.open, col.site[c.sz_site]]),
                        np.concatenate([np.ones(c.lvl_sz.size), -np.ones(c.SZ)]), np.full(c.SZ, -np.inf), np.zeros(c.SZ))
    site_has_zone = rows("site", "site_has_zone", np.concatenate([np.arange(c.S), c.lvl_site]),
                         np.concatenate([col.site, col.open]), np.concatenate([np.ones(c.S), -np.ones(c.lvl_site.size)]),
                         np.full(c.S, -np.inf), np.zeros(c.S))
    out = [zone_in_site, site_has_zone]
    required = np.flatnonzero(c.sz_required)
    if required.size:
        # an open site has its required zones: sum_l open[z,l] - site[s] >= 0
        lv = np.flatnonzero(c.sz_required[c.lvl_sz])
        row = np.full(c.SZ, -1)
        row[required] = np.arange(required.size)
        out.append(rows("site", "required_zone", np.concatenate([row[c.lvl_sz[lv]], np.arange(required.size)]),
                        np.concatenate([col.open[lv], col.site[c.sz_site[required]]]),
                        np.concatenate([np.ones(lv.size), -np.ones(required.size)]),
                        np.zeros(required.size), np.full(required.size, np.inf)))
    must = np.flatnonzero(c.site_must)
    if must.size:
        out.append(rows("must_open", "must_open", np.arange(must.size), col.site[must], 1.0,
                        np.ones(must.size), np.full(must.size, np.inf)))
    return out


def _levels_of(cm: ColdChainMILP, sz_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of ``sz_ids``, its levels: (entry position, level index) pairs."""
    c = cm.c
    nlev = np.bincount(c.lvl_sz, minlength=c.SZ)
    cnt = nlev[sz_ids]
    rep = np.repeat(np.arange(sz_ids.size), cnt)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return rep, c.sz_first[sz_ids][rep] + offs


def level_bound(cm: ColdChainMILP, bound: np.ndarray, lvl: np.ndarray, elastic: str | None = None) -> np.ndarray:
    """Coefficient (t) of ``open[z,l]`` in a linking row ``flows <= sum_l coef_l open[z,l]``.

    With ``level_bounds`` it is ``min(bound, cap[z,l])``: the flows of a row all enter (or, by conservation,
    leave) zone ``z``, so at level ``l`` they carry at most its capacity as well as ``bound``; valid because
    at most one level is open. Without it, ``bound`` for every level; also when the capacity group is
    relaxed (``elastic == "capacity"``), since the row then restates capacity.
    """
    if cm.level_bounds and elastic != "capacity":
        return np.minimum(bound, cm.c.lvl_cap[lvl])
    return bound


def linking_rows(cm: ColdChainMILP, col: Columns, elastic: str | None) -> list[Rows]:
    """Flows through a site zone only when it is open (the strong ``x <= bound * open`` forms)."""
    c = cm.c
    out = []
    into = np.flatnonzero(cm.f_sz_to >= 0)
    if into.size:
        keys, r = group_rows(cm.f_sz_to[into] * c.P + cm.f_p[into])
        kz, kp = keys // c.P, keys % c.P
        big = np.minimum(c.sz_capmax[kz], np.minimum(c.demand.sum(axis=0)[kp], c.supply.sum(axis=0)[kp]))
        rep, lv = _levels_of(cm, kz)
        out.append(rows("linking", "linking", np.concatenate([r, rep]), np.concatenate([col.flow[into], col.open[lv]]),
                        np.concatenate([np.ones(into.size), -level_bound(cm, big[rep], lv, elastic)]),
                        np.full(keys.size, -np.inf), np.zeros(keys.size)))
    if cm.linking == "site":
        return out
    for label, end_sz, other in (("linking_in", cm.f_sz_to, cm.f_from), ("linking_out", cm.f_sz_from, cm.f_to)):
        fl = np.flatnonzero(end_sz >= 0)
        if cm.linking == "ends":
            fl = fl[c.node_site[other[fl]] < 0]
        if fl.size == 0:
            continue
        if cm.linking == "flow":
            r, zs, bnd = np.arange(fl.size), end_sz[fl], cm.f_bound[fl]
            nrow = fl.size
        else:
            keys, r = group_rows(end_sz[fl] * c.N + other[fl])
            nrow = keys.size
            zs, o_node = keys // c.N, keys % c.N
            o_tier = c.node_tier[o_node]
            bnd = c.sz_capmax[zs].copy()
            is_o = o_tier == 0
            bnd[is_o] = np.minimum(bnd[is_o], c.supply[o_node[is_o]].sum(axis=1))
            is_d = o_tier == c.T - 1
            bnd[is_d] = np.minimum(bnd[is_d], c.demand[o_node[is_d] - c.demand_node0].sum(axis=1))
            is_s = c.node_site[o_node] >= 0
            bnd[is_s] = np.minimum(bnd[is_s], c.site_capmax[c.node_site[o_node[is_s]]])
        rep, lv = _levels_of(cm, zs)
        out.append(rows("linking", label, np.concatenate([r, rep]), np.concatenate([col.flow[fl], col.open[lv]]),
                        np.concatenate([np.ones(fl.size), -level_bound(cm, bnd[rep], lv, elastic)]),
                        np.full(nrow, -np.inf), np.zeros(nrow)))
    return out


def count_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """Open sites per tier between ``min_open`` and ``max_open``."""
    prob = cm.problem
    names = [t.name for t in prob.tiers]
    tier_of_site = np.array([names.index(t) for t in cm.c.site_tier_name], dtype=np.int64)
    lo = np.array([t.min_open for t in prob.tiers], dtype=float)
    hi = np.array([np.inf if t.max_open is None else t.max_open for t in prob.tiers], dtype=float)
    bounded = (lo > 0) | np.isfinite(hi)
    if not bounded.any():
        return []
    trow = np.full(len(names), -1)
    trow[bounded] = np.arange(int(bounded.sum()))
    sel = np.flatnonzero(bounded[tier_of_site])
    return [rows("site_count", "site_count", trow[tier_of_site[sel]], col.site[sel], 1.0, lo[bounded], hi[bounded])]


def budget_rows(cm: ColdChainMILP, col: Columns) -> list[Rows]:
    """Fixed costs within the budget."""
    c, budget = cm.c, cm.problem.budget_cny
    if budget is None:
        return []
    return [rows("budget", "budget", np.zeros(c.lvl_sz.size + c.S), np.concatenate([col.open, col.site]),
                 np.concatenate([c.lvl_fixed, c.site_fixed]), [-np.inf], [budget])]


# ------------------------------------------------------------------------------------------- assembly
def _cumulative(cm: ColdChainMILP, blk: Rows, open0: int) -> Rows:
    """``blk`` written over the cumulative ``open`` columns (first column ``open0``).

    A term ``a open[z,l]`` of the one-level-per-zone form is ``a (open'[z,l] - open'[z,l+1])``, so every term
    on a level column is repeated with ``-a`` on the next level's column (the model sums duplicate entries).
    """
    nxt = cm.c.lvl_next
    rel = blk.cols - open0
    on = np.flatnonzero((rel >= 0) & (rel < nxt.size))
    on = on[nxt[rel[on]] >= 0]
    if on.size == 0:
        return blk
    return replace(blk, rows=np.concatenate([blk.rows, blk.rows[on]]), cols=np.concatenate([blk.cols, open0 + nxt[rel[on]]]),
                   vals=np.concatenate([blk.vals, -blk.vals[on]]))


def build_model(cm: ColdChainMILP, *, elastic: str | None = None, active: np.ndarray | None = None, relax: bool = False,
                fix_open: np.ndarray | None = None, ban: np.ndarray | None = None) -> tuple[MatrixModel, dict[str, Any]]:
    """Assemble the MILP of ``cm``.

    ``active`` marks the time-critical flows that get door-to-door rows (None = all); ``elastic`` names a
    constraint group to relax with penalised slack (phase-1 objective); ``relax`` drops integrality;
    ``fix_open`` fixes the opening plan (0/1 per zone level); ``ban`` sets flows to zero.
    """
    m = MatrixModel(cm.problem.name + (f"_elastic_{elastic}" if elastic else ""), "min")
    col, blocks = _add_columns(cm, m, elastic is not None, relax, fix_open, ban)
    groups = [*supply_rows(cm, col), *demand_rows(cm, col), *conservation_rows(cm, col), *capacity_rows(cm, col),
              *site_rows(cm, col), *linking_rows(cm, col, elastic), *count_rows(cm, col), *budget_rows(cm, col)]
    time_groups, time_blocks = route_limits.time_rows(cm, m, col.flow, active)
    blocks.update(time_blocks)
    open0 = blocks["open"].start
    for blk in [*groups, *time_groups]:
        if blk.lower.size == 0:
            continue
        if cm.levels == "cumulative" and blk.name != "level_order":
            blk = _cumulative(cm, blk, open0)
        if elastic is not None and blk.group == elastic:
            lo_fin = np.flatnonzero(np.isfinite(blk.lower))
            hi_fin = np.flatnonzero(np.isfinite(blk.upper))
            s_lo = m.add_variables(f"slack_lo_{blk.name}", lo_fin.size, cost=1.0)
            s_hi = m.add_variables(f"slack_hi_{blk.name}", hi_fin.size, cost=1.0)
            m.add_constraints(blk.name, np.concatenate([blk.rows, lo_fin, hi_fin]),
                              np.concatenate([blk.cols, s_lo.cols(), s_hi.cols()]),
                              np.concatenate([blk.vals, np.ones(lo_fin.size), -np.ones(hi_fin.size)]), blk.lower, blk.upper)
        else:
            m.add_constraints(blk.name, blk.rows, blk.cols, blk.vals, blk.lower, blk.upper)
    return m, blocks
