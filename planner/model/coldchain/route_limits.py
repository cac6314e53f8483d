"""Door-to-door limits for products that need an unbroken cold chain (optional; apart from the core model).

A product with ``max_time_h`` (or a demand point with one) must reach its demand point within the limit
``L[d,p]`` counted from the production area, dwell at sites included. A site mixes the tonnes of a product
it receives, so any used route into a site may continue on any used route out of it: the model guarantees
that **every** route formed by used arcs (flow > 0) takes at most ``L[d,p]``.

* The per-product analysis (:meth:`CompiledProblem.analyse`) keeps only variants on some route within its
  limit and marks as *critical* those on which the longest kept route may exceed it. Safe variants need
  nothing more; without a binding limit the model has no extra rows at all.
* For each critical variant: ``flow <= B use`` and ``arrive[p,j] >= arrive[p,i] + tau - M (1 - use)`` with
  ``M`` = longest kept arrival at ``i`` + ``tau``; ``arrive[p,d] <= L[d,p]``.
* Row generation: the rows of a critical variant are added lazily; each round solves a relaxation, finds the
  used routes over their limit (:func:`violations`) and activates the critical variants on them, until no
  used route exceeds its limit (the result is then exact within the gap).
* Out of time with routes over their limit: a plan within every limit from *time windows*
  (:func:`window_repair`): per product and node a window end ``a(n)`` (``a = 0`` at production areas,
  ``a(d) = L[d,p]``); only variants with ``a(i) + tau <= a(j)`` are kept, so every route of kept variants,
  however sites mix them, keeps its limit. The windows are read off solutions (:func:`guided_ban`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planner.model.coldchain.compiled import EPS_H
from planner.model.coldchain.rows import Rows, rows
from planner.model.deadline import Deadline
from planner.model.matrix import MatrixModel, SolveResult, SolverOptions

if TYPE_CHECKING:
    from planner.model.coldchain.milp import ColdChainMILP

__all__ = ["guided_ban", "repair", "time_rows", "violations", "window_ban", "window_repair"]

#: exponents ``g`` of the window families ``theta[t] = (t / (T - 1)) ** g`` tried when no guide works
WINDOW_EXPONENTS = (1.0, 2.0, 3.0, 4.0, 6.0)
#: (``theta_used``, ``theta_free``) of :func:`guided_ban` tried in turn to move the windows around a plan
WINDOW_GUIDES = ((0.5, 0.75), (0.5, 1.0), (0.0, 0.5), (1.0, 0.75))


def time_rows(cm: ColdChainMILP, m: MatrixModel, flow_cols: np.ndarray,
              active: np.ndarray | None) -> tuple[list[Rows], dict[str, Any]]:
    """The ``use`` / ``arrive`` columns and rows of the active critical flows (None = all critical)."""
    c = cm.c
    npr = c.P
    is_origin = c.node_tier[cm.f_from] == 0
    crit = np.flatnonzero(cm.f_crit if active is None else (cm.f_crit & active))
    w = m.add_variables("use", crit.size, ub=1.0, integer=True)
    pot_keys = np.unique(np.concatenate([cm.f_to[crit] * npr + cm.f_p[crit],
                                         (cm.f_from[crit] * npr + cm.f_p[crit])[~is_origin[crit]]]))
    pot_node, pot_p = pot_keys // npr, pot_keys % npr
    longest = np.array([cm.analyses[p]["longest"] for p in range(npr)]) if npr else np.zeros((0, c.N))
    a = m.add_variables("arrive", pot_keys.size, ub=longest[pot_p, pot_node] if pot_keys.size else np.zeros(0))
    blocks = {"use": w, "arrive": a}
    if not crit.size:
        return [], blocks
    wc, ac = w.cols(), a.cols()
    k = np.arange(crit.size)
    out = [rows("time_linking", "use_link", np.concatenate([k, k]), np.concatenate([flow_cols[crit], wc]),
                np.concatenate([np.ones(crit.size), -cm.f_bound[crit]]), np.full(crit.size, -np.inf), np.zeros(crit.size))]
    tau = c.a_tau[cm.f_a[crit]]
    big_m = longest[cm.f_p[crit], cm.f_from[crit]] + tau
    j_pot = np.searchsorted(pot_keys, cm.f_to[crit] * npr + cm.f_p[crit])
    rr, cc, vv = [k, k], [ac[j_pot], wc], [np.ones(crit.size), -big_m]
    nonorig = np.flatnonzero(~is_origin[crit])
    i_pot = np.searchsorted(pot_keys, cm.f_from[crit][nonorig] * npr + cm.f_p[crit][nonorig])
    rr.append(nonorig)
    cc.append(ac[i_pot])
    vv.append(-np.ones(nonorig.size))
    out.append(rows("time_chain", "arrival_chain", np.concatenate(rr), np.concatenate(cc), np.concatenate(vv),
                    tau - big_m, np.full(crit.size, np.inf)))
    dem_pot = np.flatnonzero(c.node_tier[pot_node] == c.T - 1)
    out.append(rows("time_limit", "deadline", np.arange(dem_pot.size), ac[dem_pot], 1.0, np.full(dem_pot.size, -np.inf),
                    c.limit[pot_node[dem_pot] - c.demand_node0, pot_p[dem_pot]]))
    return out, blocks


# ------------------------------------------------------------------------------------------- used routes
def longest_used(cm: ColdChainMILP, p: int, fl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Over the flow variables ``fl`` of product ``p``: the longest arrival (h) at every node from an area
    supplying ``p`` (-inf: not reached) and the longest time (h) from every node to every demand point,
    shape (N, D) (-inf: no route)."""
    sel = np.zeros(cm.c.a_from.size, dtype=bool)
    sel[cm.f_a[fl]] = True
    return cm.c.forward(p, sel, longest=True), cm.c.backward(p, sel, longest=True)


def violations(cm: ColdChainMILP, xv: np.ndarray) -> np.ndarray:
    """Flows lying on a used route (flow > tolerance) that exceeds its door-to-door limit."""
    c = cm.c
    used = xv > cm.used_tolerance()
    out = np.zeros(cm.f_a.size, dtype=bool)
    for p in range(c.P):
        if not np.isfinite(c.limit[:, p]).any():
            continue
        fl = np.flatnonzero(used & (cm.f_p == p))
        if fl.size == 0:
            continue
        lpre, lsuf = longest_used(cm, p, fl)
        head = lpre[cm.f_from[fl]] + c.a_tau[cm.f_a[fl]]
        with np.errstate(invalid="ignore"):
            over = (head[:, None] + lsuf[cm.f_to[fl]] - c.limit[None, :, p]) > 1e-6
        out[fl[over.any(axis=1)]] = True
    return out


# ------------------------------------------------------------------------------------------- time windows
def arrival_frame(cm: ColdChainMILP, p: int, base: str = "max") -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For a product ``p`` with a door-to-door limit: its flow variables, the earliest arrival ``E(n)`` (h)
    at every node over them from an area supplying ``p`` and the latest arrival ``S(n)`` (h) at ``n`` from
    which some (``base="max"``) or every reachable (``"min"``) demand point needing ``p`` is still reached
    within its limit (-inf: none); None when no limit applies to ``p``. Cached per product and base."""
    if (p, base) in cm.frames:
        return cm.frames[p, base]
    c = cm.c
    lim = c.limit[:, p]
    need = c.demand[:, p] > 0
    if not np.isfinite(lim[need]).any():
        cm.frames[p, base] = None
        return None
    f = np.flatnonzero(cm.f_p == p)
    sel = np.zeros(c.a_from.size, dtype=bool)
    sel[cm.f_a[f]] = True
    early = c.forward(p, sel)
    qmin = c.backward(p, sel)
    with np.errstate(invalid="ignore"):
        slack = np.where(np.isfinite(qmin) & need[None, :], lim[None, :] - qmin, -np.inf)
    if base == "min":
        late = np.where(np.isfinite(qmin) & need[None, :], slack, np.inf).min(axis=1, initial=np.inf)
        late[~np.isfinite(qmin[:, need]).any(axis=1)] = -np.inf
    else:
        late = slack.max(axis=1, initial=-np.inf)
    cm.frames[p, base] = (f, early, late)
    return f, early, late


def _outside_windows(cm: ColdChainMILP, p: int, f: np.ndarray, a: np.ndarray, early: np.ndarray,
                     late: np.ndarray) -> np.ndarray:
    """Which flow variables ``f`` of product ``p`` lie outside the window ends ``a`` (h per node; True =
    banned): nodes no route reaches in time get no window, production areas ``a = 0``, demand points
    ``a(d) = L[d,p]``, and a variant ``i -> j`` is kept when ``a(i) + tau <= a(j)``."""
    c = cm.c
    a = np.array(a, dtype=np.float64)
    valid = np.isfinite(early) & (late > -np.inf) & (early <= late + EPS_H)
    a[~valid] = np.nan
    a[: c.O] = np.where(valid[: c.O], 0.0, np.nan)
    dem = slice(c.demand_node0, c.demand_node0 + c.D)
    a[dem] = np.where((c.demand[:, p] > 0) & np.isfinite(early[dem]), c.limit[:, p], np.nan)
    with np.errstate(invalid="ignore"):
        return ~(a[cm.f_from[f]] + c.a_tau[cm.f_a[f]] <= a[cm.f_to[f]] + EPS_H)


def window_ban(cm: ColdChainMILP, theta: np.ndarray, base: str = "max") -> np.ndarray:
    """Flow variables outside the windows ``a(n) = E(n) + theta[t] (S(n) - E(n))`` (``theta`` per tier
    position, 0-1; True = banned). Along any route of kept variants the window ends grow by at least each
    arc's time, so the route takes at most ``a(d) - a(o) = L[d,p]``: a restriction that keeps every limit."""
    c = cm.c
    ban = np.zeros(cm.f_a.size, dtype=bool)
    th = np.asarray(theta, dtype=np.float64)[c.node_tier]
    for p in range(c.P):
        frame = arrival_frame(cm, p, base)
        if frame is None:
            continue
        f, early, late = frame
        with np.errstate(invalid="ignore"):
            a = np.where(th > 0, early + th * (late - early), early)
        ban[f] = _outside_windows(cm, p, f, a, early, late)
    return ban


def guided_ban(cm: ColdChainMILP, xv: np.ndarray, theta_used: float, theta_free: float) -> np.ndarray:
    """Flow variables outside the time windows read off the flows ``xv`` (True = banned).

    Per product with a limit: ``F(n)`` the longest used arrival at ``n``, ``U(n)`` the latest arrival from
    which every used route onwards still meets its limit. A node on a used route gets ``a(n) = F(n) +
    theta_used (U(n) - F(n))``, other nodes ``a(n) = E(n) + theta_free (S(n) - E(n))``, clamped to
    ``[E(n), S(n)]``. Every used variant between two such nodes is kept (``F`` grows and ``U`` shrinks by at
    least its time), so only used routes over their limit lose variants; a solution keeping every limit
    stays feasible for the restricted model.
    """
    c = cm.c
    ban = np.zeros(cm.f_a.size, dtype=bool)
    used = xv > cm.used_tolerance()
    for p in range(c.P):
        frame = arrival_frame(cm, p)
        if frame is None:
            continue
        f, early, late = frame
        longest_in, longest_out = longest_used(cm, p, f[used[f]])
        with np.errstate(invalid="ignore"):
            latest_used = np.where(longest_out > -np.inf, c.limit[None, :, p] - longest_out, np.inf).min(axis=1)
            a_used = np.where(np.isfinite(latest_used), longest_in + theta_used * (latest_used - longest_in), longest_in)
            a_free = np.where(theta_free > 0, early + theta_free * (late - early), early)
            a = np.where(np.isfinite(longest_in), a_used, a_free)
            a = np.minimum(np.maximum(a, early), late)
        ban[f] = _outside_windows(cm, p, f, a, early, late)
    return ban


# ------------------------------------------------------------------------------------------- out of time
def window_repair(cm: ColdChainMILP, plan: np.ndarray, options: SolverOptions, deadline: Deadline) -> SolveResult | None:
    """A solution within every route limit from time windows (a heuristic).

    1. With the opening ``plan`` fixed, the LP without time rows gives flows; the windows read off them
       (``theta_used`` 0 and 1) restrict the LP to routes within every limit; the cheapest result guides the
       windows once more. If none is feasible, the formula windows of :func:`window_ban` are tried.
    2. With free openings, the windows read off the best solution so far (:data:`WINDOW_GUIDES` in turn)
       restrict the model, solved from that solution; a cheaper result becomes the new guide, until every
       guide in a row fails to improve or the deadline passes.

    Returns the cheapest result mapped on the main model's columns (objective in CNY), or None.
    """
    c = cm.c
    none_active = np.zeros(cm.f_a.size, dtype=bool)
    best: tuple[float, SolveResult, dict[str, Any], np.ndarray] | None = None

    def restricted(ban: np.ndarray, opts: SolverOptions, fixed: bool,
                   start: tuple[float, SolveResult, dict[str, Any], np.ndarray] | None = None) -> bool:
        nonlocal best
        model, blocks = cm.build(active=none_active, fix_open=plan if fixed else None, ban=ban, relax=fixed)
        if start is not None:
            for name, blk in start[2].items():
                model.set_start(blocks[name], start[1].values(blk))
        res = model.solve(opts)
        if not res.is_feasible or res.objective is None or violations(cm, res.values(blocks["flow"])).any():
            return False
        if best is None or res.objective < best[0] * (1 - 1e-6):
            best = (res.objective, res, blocks, ban)
            return True
        return False

    quick = {"mip_gap": 1e-4, "log_path": None, "verbose": False}
    opts = deadline.options(options, cap=30.0, **quick)
    if opts is not None:
        model, blocks = cm.build(active=none_active, fix_open=plan, relax=True)
        free = model.solve(opts)
        guides = [free.values(blocks["flow"])] if free.is_feasible else []
        for _ in range(2):
            for guide in guides:
                for theta_used in (0.0, 1.0):
                    opts = deadline.options(options, cap=30.0, **quick)
                    if opts is None:
                        break
                    restricted(guided_ban(cm, guide, theta_used, 0.5), opts, fixed=True)
            guides = [] if best is None else [best[1].values(best[2]["flow"])]
    if best is None:
        pos = np.arange(c.T, dtype=np.float64) / max(c.T - 1, 1)
        for base, g in [(b, g) for b in ("max", "min") for g in WINDOW_EXPONENTS]:
            opts = deadline.options(options, cap=30.0, **quick)
            if opts is None:
                break
            restricted(window_ban(cm, pos ** g, base=base), opts, fixed=True)
    if best is None:
        return None
    fails = k = 0
    while fails < len(WINDOW_GUIDES):
        opts = deadline.options(options, cap=None if deadline.end is not None else 30.0, log_path=None, verbose=False)
        if opts is None:
            break
        theta_used, theta_free = WINDOW_GUIDES[k % len(WINDOW_GUIDES)]
        k += 1
        guide = best[1].values(best[2]["flow"])
        improved = restricted(guided_ban(cm, guide, theta_used, theta_free), opts, fixed=False, start=best)
        fails = 0 if improved else fails + 1
    return cm.to_main(best[1], best[2])


def repair(cm: ColdChainMILP, plan: np.ndarray, options: SolverOptions, deadline: Deadline) -> SolveResult | None:
    """A solution within every route limit for the opening ``plan``: solve with the plan fixed and no
    door-to-door rows, ban the used critical variants on over-limit routes (the most upstream first), repeat
    until the deadline (a heuristic: the result is feasible, not necessarily optimal)."""
    ban = np.zeros(cm.f_a.size, dtype=bool)
    tier = cm.c.node_tier[cm.f_from]
    while True:
        opts = deadline.options(options, cap=30.0, mip_gap=1e-4, log_path=None, verbose=False)
        if opts is None:
            return None
        model, blocks = cm.build(active=np.zeros_like(ban), fix_open=plan, ban=ban)
        res = model.solve(opts)
        if not res.is_feasible:
            return None
        bad = violations(cm, res.values(blocks["flow"]))
        if not bad.any():
            return cm.to_main(res, blocks)
        cand = bad & cm.f_crit
        if not cand.any():
            return None
        for p in np.unique(cm.f_p[cand]):
            sel = cand & (cm.f_p == p)
            ban |= sel & (tier == tier[sel].min())
