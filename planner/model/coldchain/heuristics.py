"""MIP starts for the cold-chain model: LP rounding, resizing and a local search over opening plans.

An *opening plan* is a 0/1 vector over the zone levels (1 = that site zone built at that level). Each plan
is fixed and the rest of the model (flows, unmet demand) solved; the cheapest result becomes the start.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.model.deadline import Deadline
from planner.model.matrix import SolveResult, SolverOptions

if TYPE_CHECKING:
    from planner.model.coldchain.milp import ColdChainMILP

__all__ = ["round_open", "solve_plan", "throughput", "warm_start"]

Plan = tuple[SolveResult, dict[str, Any]]


def throughput(cm: ColdChainMILP, xv: np.ndarray) -> np.ndarray:
    """Tonnes received per site zone by the flows ``xv``."""
    thr = np.zeros(cm.c.SZ)
    into = cm.f_sz_to >= 0
    np.add.at(thr, cm.f_sz_to[into], np.maximum(xv[into], 0.0))
    return thr


def round_open(cm: ColdChainMILP, site_score: np.ndarray, zone_score: np.ndarray, thr: np.ndarray,
               threshold: float) -> np.ndarray:
    """An opening plan (0/1 per zone level) that respects fixings and site counts.

    Sites open when ``site_score >= threshold`` (must-open sites always; per tier the highest scores up to
    ``max_open``, padded to ``min_open``). At an open site every zone with ``zone_score > 0`` opens (the best
    scored zone if none), at the smallest level holding ``thr`` tonnes (its largest if none does; ``thr =
    inf`` picks the largest).
    """
    c = cm.c
    score = np.where(c.site_must, np.inf, site_score)
    score[c.site_forbidden] = -np.inf
    opened = np.zeros(c.S, dtype=bool)
    tier_of = np.asarray(c.site_tier_name)
    for tier in cm.problem.tiers:
        idx = np.flatnonzero(tier_of == tier.name)
        order = idx[np.argsort(-score[idx], kind="stable")]
        n_open = int((score[idx] >= threshold).sum())
        if tier.max_open is not None:
            n_open = min(n_open, tier.max_open)
        n_open = max(n_open, tier.min_open, int(c.site_must[idx].sum()))
        opened[order[:n_open]] = True
    opened &= ~c.site_forbidden
    fix = np.zeros(c.lvl_sz.size)
    for s in np.flatnonzero(opened):
        zones = np.flatnonzero(c.sz_site == s)
        chosen = zones[(zone_score[zones] > 0) | c.sz_required[zones]]
        if chosen.size == 0:
            chosen = zones[[int(np.argmax(zone_score[zones]))]]
        for z in chosen:
            lv = np.flatnonzero(c.lvl_sz == z)
            fits = lv[c.lvl_cap[lv] >= thr[z] * (1 - 1e-9)]
            fix[fits[0] if fits.size else lv[-1]] = 1.0
    return fix


def solve_plan(cm: ColdChainMILP, fix: np.ndarray, options: SolverOptions) -> Plan | None:
    """The current model (active time rows) with the opening plan ``fix`` fixed, solved with ``options``:
    the result (objective in solver units) and the model's blocks, or None without a solution."""
    model, blocks = cm.build(active=cm.active, fix_open=fix)
    res = model.solve(options)
    if not res.is_feasible or res.objective is None:
        return None
    return res, blocks


def _site_open(cm: ColdChainMILP, plan: np.ndarray) -> np.ndarray:
    return np.bincount(cm.c.lvl_site, weights=plan, minlength=cm.c.S) > 0.5


def local_search(cm: ColdChainMILP, start: Plan, lp_zone: np.ndarray, try_plan: Callable[[np.ndarray], Plan | None],
                 deadline: Deadline, reach: float = 1.25) -> None:
    """Improve the fixed-plan solution ``start`` by single-zone moves: one level down when the zone's
    throughput exceeds the level below by at most ``reach`` times; close a zone at its smallest level or
    carrying nothing (its site too when it was the last, unless must-open); one level up when the zone is
    full; open at its smallest level a closed zone with LP opening ``lp_zone`` above 0.01. Moves are tried
    largest fixed-cost saving first; the first improving one is taken, until none improves or the deadline.

    LP rounding puts a zone whose LP throughput lies just above a capacity step on the larger level; the step
    down, with a little flow rerouted, is often cheaper (an incumbent branch and bound would find late).
    """
    c = cm.c
    res, blocks = start
    plan = np.where(cm.level_values(res, blocks) > 0.5, 1.0, 0.0)
    cost = res.objective
    tried: set[tuple[int, int]] = set()
    while not deadline.expired:
        thr = throughput(cm, res.values(blocks["flow"]))
        site_open = _site_open(cm, plan)
        zones_open = np.bincount(c.lvl_site, weights=plan, minlength=c.S)
        moves = []
        for lv in np.flatnonzero(plan > 0.5):
            z, lv = int(c.lvl_sz[lv]), int(lv)
            s = int(c.sz_site[z])
            targets = []
            if c.lvl_idx[lv] > 0 and thr[z] <= reach * c.lvl_cap[lv - 1]:
                targets.append(lv - 1)
            if (c.lvl_idx[lv] == 0 or thr[z] <= 0.0) and not (c.site_must[s] and zones_open[s] <= 1) \
                    and not (c.sz_required[z] and zones_open[s] > 1):
                targets.append(-1)
            if c.lvl_next[lv] >= 0 and thr[z] >= 0.99 * c.lvl_cap[lv]:
                targets.append(int(c.lvl_next[lv]))
            saving_site = c.site_fixed[s] if zones_open[s] <= 1 else 0.0
            moves += [(c.lvl_fixed[lv] - (c.lvl_fixed[t] if t >= 0 else -saving_site), lv, t) for t in targets]
        zone_open = np.bincount(c.lvl_sz, weights=plan, minlength=c.SZ) > 0.5
        for z in np.flatnonzero(~zone_open & (lp_zone > 0.01) & ~c.site_forbidden[c.sz_site]):
            lv = int(c.sz_first[z])
            extra = 0.0 if site_open[c.sz_site[z]] else c.site_fixed[c.sz_site[z]]
            moves.append((-c.lvl_fixed[lv] - extra, -1, lv))
        improved = False
        for _, lv, target in sorted(m for m in moves if (m[1], m[2]) not in tried)[::-1]:
            if deadline.expired:
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
            # then every zone resized to the smallest level holding its new throughput
            flows = throughput(cm, out[0].values(out[1]["flow"]))
            resized = round_open(cm, _site_open(cm, trial).astype(float), np.where(flows > 0, 1.0, 0.0), flows, 0.5)
            again = try_plan(resized) if not np.array_equal(resized, trial) else None
            if again is not None and again[0].objective < out[0].objective:
                trial, out = resized, again
            if out[0].objective < cost * (1 - 1e-9):
                plan, (res, blocks), cost, improved = trial, out, out[0].objective, True
                break
        if not improved:
            return


def warm_start(cm: ColdChainMILP, options: SolverOptions, deadline: Deadline, previous: np.ndarray | None,
               search_share: float = 0.15) -> None:
    """Give the current model a MIP start; silently skipped if no plan works.

    Opening plans tried: the previous round's plan; otherwise an LP rounding (zones with LP opening >= 0.01
    at their largest level), then the same plan with unused zones closed and every zone resized to the
    smallest level holding its throughput. The best is then improved by :func:`local_search` for at most
    ``search_share`` of the time left (5 s without a deadline).
    """
    c = cm.c
    best: tuple[float, SolveResult, dict[str, Any]] | None = None

    def try_plan(fix: np.ndarray) -> Plan | None:
        nonlocal best
        opts = deadline.options(options, cap=30.0, mip_gap=1e-3, log_path=None, verbose=False)
        if opts is None:
            return None
        out = solve_plan(cm, fix, opts)
        if out is not None and (best is None or out[0].objective < best[0]):
            best = (out[0].objective, *out)
        return out

    if previous is not None:
        try_plan(previous)
    else:
        opts = deadline.options(options, cap=30.0, mip_gap=1e-3, log_path=None, verbose=False)
        if opts is None:
            return
        lp, blocks = cm.build(active=cm.active, relax=True)
        res = lp.solve(opts)
        if not res.is_feasible:
            return
        lp_levels = cm.level_values(res, blocks)
        lp_zone = np.bincount(c.lvl_sz, weights=lp_levels, minlength=c.SZ)
        lp_site = np.bincount(c.sz_site, weights=lp_zone, minlength=c.S)
        first = try_plan(round_open(cm, lp_site, np.where(lp_zone >= 0.01, lp_zone, 0.0), np.full(c.SZ, np.inf), 0.01))
        if first is not None:
            thr = throughput(cm, first[0].values(first[1]["flow"]))
            site_thr = np.bincount(c.sz_site, weights=thr, minlength=c.S)
            try_plan(round_open(cm, np.where(site_thr > 0, 1.0, 0.0), np.where(thr > 0, 1.0, 0.0), thr, 0.5))
            if best is not None and search_share > 0:
                left = deadline.left()
                budget = search_share * left if math.isfinite(left) else 5.0
                local_search(cm, (best[1], best[2]), lp_zone, try_plan, Deadline.after(min(budget, deadline.left())))
    if best is not None:
        for name, blk in best[2].items():
            cm.model.set_start(cm.blocks[name], best[1].values(blk))
