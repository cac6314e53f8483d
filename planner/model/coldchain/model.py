"""The cold-chain MILP of a :class:`ColdChainProblem`: flow variables, their exact pruning, and the solve.

Flow variables exist per product and arc variant that survive three exact prunings:

* *rules*: refrigeration, site zones, per-leg time standards and the first-mile distance
  (:meth:`CompiledProblem.allowed`), and the door-to-door analysis (:meth:`CompiledProblem.analyse`);
* *dominance*: a variant is dropped when another variant of the same product and arc costs no more per
  tonne and is no slower (only time matters under a door-to-door limit);
* *shortcuts*: a variant out of (into) a site is dropped when every pair it forms with the site's variants
  into (out of) it is matched by a direct variant that is no dearer and no slower (:meth:`_shortcut_keep`).

:meth:`ColdChainModel.solve` draws every solve from one :class:`~planner.model.deadline.Deadline`: the MIP
start, the rounds of door-to-door rows (:mod:`~planner.model.coldchain.route_limits`), the repair after a
cut-off and the infeasibility explanation.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import InfeasibleError, ModelError, PlannerError
from planner.model.coldchain import diagnostics, heuristics, route_limits
from planner.model.coldchain.compiled import EPS_H, CompiledProblem
from planner.model.coldchain.formulation import build_model, open_start
from planner.model.coldchain.problem import ColdChainProblem
from planner.model.coldchain.solution import ColdChainSolution
from planner.model.deadline import Deadline
from planner.model.matrix import MatrixModel, SolveResult, SolverOptions, relative_gap

__all__ = ["REPAIRED_INCUMBENT", "ColdChainModel", "solve_cold_chain"]

#: ``message`` of a result whose plan the time-window heuristic built after the time limit cut off the rounds
REPAIRED_INCUMBENT = "repaired incumbent"


class ColdChainModel:
    """The MILP of a :class:`ColdChainProblem` (formulation in :mod:`~planner.model.coldchain.formulation`).

    Building runs the validation, the pre-solve diagnostics (raising :class:`InfeasibleError`) and the
    pruning; :meth:`solve` returns a :class:`ColdChainSolution`.

    Formulation options (every choice gives the same optimum): ``linking`` rows (``"pair"``, ``"flow"``,
    ``"ends"``, ``"site"``), ``shortcut`` pruning, ``level_bounds`` in the linking rows, ``levels`` columns
    (``"cumulative"`` or ``"choice"``).
    """

    def __init__(self, problem: ColdChainProblem, *, check: bool = True, linking: str = "pair",
                 shortcut: bool = True, level_bounds: bool = True, levels: str = "cumulative") -> None:
        t0 = time.perf_counter()
        if linking not in ("site", "ends", "pair", "flow"):
            raise ModelError(f"linking must be 'site', 'ends', 'pair' or 'flow', got {linking!r}")
        if levels not in ("cumulative", "choice"):
            raise ModelError(f"levels must be 'cumulative' or 'choice', got {levels!r}")
        self.linking = linking
        self.levels = levels
        self.shortcut = shortcut
        self.level_bounds = level_bounds
        self.problem = problem
        self.c = CompiledProblem(problem)
        self.analyses = [self.c.analyse(p) for p in range(self.c.P)]
        self.reasons = diagnostics.diagnose(self.c, self.analyses)
        if check and self.reasons:
            raise InfeasibleError(f"cold-chain model {problem.name!r} is infeasible: {self.reasons[0]}", self.reasons)
        self._flows()
        self.active = np.zeros(self.f_a.size, dtype=bool)
        #: per (product, base): the arrival frame of the time windows (route_limits.arrival_frame)
        self.frames: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}
        self.model, self.blocks = self.build(active=self.active)
        self.build_seconds = time.perf_counter() - t0
        self.rounds = 0

    # ------------------------------------------------------------------ flow variables and their costs
    _PER_FLOW = ("f_p", "f_a", "f_crit", "f_from", "f_to", "f_sz_to", "f_sz_from", "cost_transport", "cost_handling",
                 "cost_spoilage", "co2_kg_per_t", "cost_co2")

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
        self.f_sz_to = c.variant_sz(self.f_p, self.f_to)
        self.f_sz_from = c.variant_sz(self.f_p, self.f_from)
        value = np.array([p.value_cny_per_t for p in c.products])
        k_amb = np.array([p.loss_rate_ambient_per_h for p in c.products])
        k_ref = np.array([p.loss_rate_refrigerated_per_h for p in c.products])
        k_arc = np.where(c.a_ref[self.f_a], k_ref[self.f_p], k_amb[self.f_p])
        at_site = self.f_sz_to >= 0
        site_ref = np.where(at_site, c.sz_refrig[np.maximum(self.f_sz_to, 0)], True)
        k_site = np.where(site_ref, k_ref[self.f_p], k_amb[self.f_p])
        self.cost_transport = c.a_cost[self.f_a]
        self.cost_handling = np.where(at_site, c.sz_handling[np.maximum(self.f_sz_to, 0)], 0.0)
        #: loss fraction of a tonne on the arc and in the destination's dwell (spoilage = value x loss)
        self.loss_fraction = -np.expm1(-k_arc * c.a_time[self.f_a]) - np.expm1(-k_site * c.node_dwell[self.f_to])
        self.cost_spoilage = value[self.f_p] * self.loss_fraction
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
        keep_sorted = (prev_min.isna() | (df["tau"] < prev_min - EPS_H)).to_numpy()
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

    @property
    def unit_cost(self) -> np.ndarray:
        """CNY per tonne of each flow variable: transport, handling, spoilage and priced CO2."""
        return self.cost_transport + self.cost_handling + self.cost_spoilage + self.cost_co2

    def _keep_flows(self, keep: np.ndarray) -> None:
        """Keep only the flow variables marked True in every per-flow array."""
        for name in (*self._PER_FLOW, "loss_fraction"):
            setattr(self, name, getattr(self, name)[keep])

    def _shortcut_keep(self, max_pairs: int = 20_000_000) -> np.ndarray:
        """Flow variables that survive the exact *shortcut* pruning (True = keep).

        A pair of variants ``g = i -> r`` and ``e = r -> j`` of the same product through a site ``r`` is
        *shortcut* by a variant ``h = i -> j`` when ``h`` costs no more per tonne than ``g`` and ``e`` together
        (transport, handling, spoilage, CO2) and, for a product with a door-to-door limit, is no slower. A
        variant out of (into) a site is dropped when *every* pair it forms with the site's variants into (out
        of) it is shortcut by a variant that is not itself a drop candidate.

        Exact: in an optimal solution, replace the first shortcut pair of any path of tonnes through a dropped
        variant by ``h``; supply, demand and every other site's inflow are unchanged, the cost does not rise,
        and the route is no longer; each step removes a site visit, so the replacements end. Skipped
        (nothing dropped) when the pairs would exceed ``max_pairs``.
        """
        c = self.c
        n_f = self.f_a.size
        keep = np.ones(n_f, dtype=bool)
        if n_f == 0:
            return keep
        npr, nn = c.P, c.N
        unit = self.unit_cost
        timed = np.isfinite(c.limit).any(axis=0)[self.f_p]
        tau = np.where(timed, c.a_tau[self.f_a], 0.0)
        ins = np.flatnonzero(self.f_sz_to >= 0)
        outs = np.flatnonzero(self.f_sz_from >= 0)
        if ins.size == 0 or outs.size == 0:
            return keep
        kin = self.f_to[ins] * npr + self.f_p[ins]
        kout = self.f_from[outs] * npr + self.f_p[outs]
        ins, kin = ins[np.argsort(kin, kind="stable")], np.sort(kin, kind="stable")
        outs, kout = outs[np.argsort(kout, kind="stable")], np.sort(kout, kind="stable")
        lo = np.searchsorted(kin, kout, side="left")
        n_in = np.searchsorted(kin, kout, side="right") - lo
        total = int(n_in.sum())
        if total == 0 or total > max_pairs:
            return keep
        pe = np.repeat(outs, n_in)
        first = np.repeat(np.cumsum(n_in) - n_in, n_in)
        pg = ins[np.repeat(lo, n_in) + np.arange(total) - first]
        key = (self.f_p * nn + self.f_from) * nn + self.f_to
        order = np.argsort(key, kind="stable")
        ukey, ustart, ucount = np.unique(key[order], return_index=True, return_counts=True)
        slot = np.full((ukey.size, int(ucount.max())), -1, dtype=np.int64)
        slot[np.repeat(np.arange(ukey.size), ucount), np.arange(n_f) - np.repeat(ustart, ucount)] = order
        hkey = (self.f_p[pg] * nn + self.f_from[pg]) * nn + self.f_to[pe]
        pos = np.minimum(np.searchsorted(ukey, hkey), ukey.size - 1)
        alts = np.where((ukey[pos] == hkey)[:, None], slot[pos], -1)
        valid = alts >= 0
        a_safe = np.where(valid, alts, 0)
        better = valid & (unit[a_safe] <= (unit[pg] + unit[pe])[:, None]) & (tau[a_safe] <= (tau[pg] + tau[pe])[:, None])
        is_in = np.zeros(n_f, dtype=bool)
        is_in[ins] = True
        is_out = np.zeros(n_f, dtype=bool)
        is_out[outs] = True

        def droppable(ok_pair: np.ndarray) -> np.ndarray:
            bad_out = np.bincount(pe[~ok_pair], minlength=n_f)
            bad_in = np.bincount(pg[~ok_pair], minlength=n_f)
            return (is_out & (bad_out == 0)) | (is_in & (bad_in == 0))

        cand0 = droppable(better.any(axis=1))
        keep[droppable((better & ~cand0[a_safe]).any(axis=1))] = False
        return keep

    def _set_bounds(self) -> None:
        """Per-flow upper bounds (t), the unmet-demand variables and the objective scale of the solver."""
        c = self.c
        bound = np.minimum(c.demand.sum(axis=0), c.supply.sum(axis=0))[self.f_p]
        orig = c.node_tier[self.f_from] == 0
        bound[orig] = np.minimum(bound[orig], c.supply[self.f_from[orig], self.f_p[orig]])
        dem = c.node_tier[self.f_to] == c.T - 1
        bound[dem] = np.minimum(bound[dem], c.demand[self.f_to[dem] - c.demand_node0, self.f_p[dem]])
        for sz in (self.f_sz_from, self.f_sz_to):
            at = sz >= 0
            bound[at] = np.minimum(bound[at], c.sz_capmax[sz[at]])
        self.f_bound = bound
        has_pen = ~np.isnan(c.penalty)
        dd, pp = np.nonzero((c.demand > 0) & has_pen[None, :])
        self.u_d, self.u_p = dd, pp
        self.u_cost = c.penalty[pp] if pp.size else np.zeros(0)
        # the solver sees costs / 10^k so that the largest coefficient is about 1e4
        biggest = max([1.0, *(float(np.max(v, initial=0.0)) for v in (c.lvl_fixed, c.site_fixed, self.u_cost, self.unit_cost))])
        self.cost_scale = 10.0 ** -max(0, math.ceil(math.log10(biggest)) - 4)

    # ------------------------------------------------------------------ model assembly and plans
    def build(self, *, elastic: str | None = None, active: np.ndarray | None = None, relax: bool = False,
              fix_open: np.ndarray | None = None, ban: np.ndarray | None = None) -> tuple[MatrixModel, dict[str, Any]]:
        """The MILP (see :func:`~planner.model.coldchain.formulation.build_model` for the arguments)."""
        return build_model(self, elastic=elastic, active=active, relax=relax, fix_open=fix_open, ban=ban)

    def open_start(self, levels: np.ndarray) -> np.ndarray:
        """Values of the ``open`` columns for an opening plan given per zone level (1 = at that level)."""
        return open_start(self, levels)

    def level_values(self, res: SolveResult, blocks: dict[str, Any] | None = None) -> np.ndarray:
        """The opening of ``res`` per zone level (1 = zone open at that level), whatever the formulation."""
        v = np.asarray(res.values((blocks or self.blocks)["open"]), dtype=np.float64)
        if self.levels != "cumulative":
            return v
        nxt = self.c.lvl_next
        return v - np.where(nxt >= 0, v[np.maximum(nxt, 0)], 0.0)

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

    def to_main(self, res: SolveResult, blocks: dict[str, Any]) -> SolveResult:
        """``res`` of a model from :meth:`build` mapped onto the main model's columns, in CNY."""
        x = np.zeros(self.model.num_vars)
        for name in ("open", "site", "flow", "unmet"):
            b_main, b_other = self.blocks[name], blocks[name]
            x[b_main.start: b_main.start + b_main.size] = res.values(b_other)
        return self.unscaled(replace(res, x=x))

    def unscaled(self, res: SolveResult) -> SolveResult:
        """``res`` with objective and bound back in CNY (the model's costs are scaled by ``cost_scale``)."""
        k = 1.0 / self.cost_scale
        return replace(res, objective=None if res.objective is None else res.objective * k,
                       best_bound=None if res.best_bound is None else res.best_bound * k)

    def used_tolerance(self) -> float:
        """Flows at or below this many tonnes count as unused (solver tolerance scaled to the instance)."""
        return 1e-6 * max(1.0, float(self.c.demand.sum(axis=0).max(initial=0.0)))

    # ------------------------------------------------------------------ solving
    def solve(self, options: SolverOptions | None = None, *, explain: bool = True, max_rounds: int = 100,
              warm_start: bool = True, heuristic_share: float = 0.5, deadline: Deadline | None = None) -> ColdChainSolution:
        """Solve (HiGHS by default) and return the solution; raise :class:`InfeasibleError` if infeasible.

        Everything runs within ``deadline`` (default: ``options.time_limit_s`` from now): the MIP start, the
        rounds, the repair and the explanation of an infeasible model. Door-to-door rows are added lazily
        (row generation, :mod:`~planner.model.coldchain.route_limits`); each round solves a relaxation of the
        full model, so the result reports the largest bound of any round, and the last round's solution keeps
        every limit. With time-critical variants the rounds stop at ``1 - heuristic_share`` of the time so
        that, if a round is cut off with routes over their limit, the rest goes to the time-window repair; a
        round stopped there whose incumbent keeps every limit is continued from it instead.
        """
        options = options or SolverOptions()
        deadline = deadline or Deadline.after(options.time_limit_s)
        build_s = solve_s = 0.0
        previous: np.ndarray | None = None
        reserve = 0.0
        if deadline.end is not None and self.f_crit.any():
            reserve = min(max(heuristic_share, 0.0), 1.0) * deadline.left()
        res: SolveResult | None = None
        best_bound: float | None = None
        while True:
            if warm_start and self.model.num_vars:
                t0 = time.perf_counter()
                heuristics.warm_start(self, options, deadline, previous)
                build_s += time.perf_counter() - t0
            left = deadline.left()
            if deadline.expired or (res is not None and left - reserve <= 0):
                if res is None:
                    raise PlannerError(f"cold-chain model {self.problem.name!r}: the time limit was reached before any "
                                       f"solution was found; raise solver.time_limit_s")
                res = replace(res, status="time_limit")  # no time for another round
                break
            opts = replace(options, time_limit_s=None if not math.isfinite(left) else max(left - reserve, 0.25 * left))
            res = self.unscaled(self.model.solve(opts))
            self.rounds += 1
            build_s += res.build_seconds
            solve_s += res.solve_seconds
            if res.status == "infeasible":
                reasons = diagnostics.explain_infeasible(self, options, deadline) if explain else []
                if not reasons:
                    reasons = ["the solver reports infeasible; relaxing single constraint groups did not identify "
                               "a cause (a combination of groups is responsible)"]
                raise InfeasibleError(f"cold-chain model {self.problem.name!r} is infeasible: {reasons[0]}", reasons)
            if not res.is_feasible:
                raise PlannerError(f"cold-chain model {self.problem.name!r}: no solution ({res.status}: "
                                   f"{res.message}); raise solver.time_limit_s or solver.mip_gap")
            if res.best_bound is not None:
                best_bound = res.best_bound if best_bound is None else max(best_bound, res.best_bound)
            violating = route_limits.violations(self, res.values(self.blocks["flow"]))
            previous = np.where(self.level_values(res) > 0.5, 1.0, 0.0)
            if reserve > 0 and res.status == "time_limit" and not violating.any():
                res, more = self._continue(res, options, deadline)
                build_s, solve_s = build_s + more[0], solve_s + more[1]
                break
            if not violating.any() or res.status == "time_limit":
                break
            t0 = time.perf_counter()
            self.active = self.f_crit.copy() if self.rounds >= max_rounds else self.active | (violating & self.f_crit)
            self.model, self.blocks = self.build(active=self.active)
            build_s += time.perf_counter() - t0
        if res.status == "time_limit" and previous is not None and \
                route_limits.violations(self, res.values(self.blocks["flow"])).any():
            t0 = time.perf_counter()
            fixed = route_limits.window_repair(self, previous, options, deadline) or \
                route_limits.repair(self, previous, options, deadline)
            if fixed is None:
                raise PlannerError(f"cold-chain model {self.problem.name!r}: time limit reached after {self.rounds} "
                                   f"rounds without a plan that keeps every door-to-door limit; raise solver.time_limit_s")
            res = replace(fixed, status="time_limit", best_bound=res.best_bound,
                          gap=relative_gap(fixed.objective, res.best_bound), message=REPAIRED_INCUMBENT)
            solve_s += time.perf_counter() - t0
        if best_bound is not None and res.objective is not None and (res.best_bound is None or best_bound > res.best_bound):
            bound = min(best_bound, res.objective)  # an earlier round proved more than the last, cut-off one
            res = replace(res, best_bound=bound, gap=relative_gap(res.objective, bound))
        res = replace(res, build_seconds=build_s, solve_seconds=solve_s)
        return ColdChainSolution.from_result(self, res)

    def _continue(self, res: SolveResult, options: SolverOptions, deadline: Deadline) -> tuple[SolveResult, tuple[float, float]]:
        """Re-solve the current round from ``res`` (a cut-off round whose incumbent keeps every limit) until
        the deadline; the better solution within every limit with the larger (valid) bound, and the (input,
        solve) seconds spent."""
        opts = deadline.options(options)
        if opts is None or deadline.left() <= 1.0:
            return res, (0.0, 0.0)
        for blk in self.blocks.values():
            self.model.set_start(blk, res.values(blk))
        more = self.unscaled(self.model.solve(opts))
        bounds = [b for b in (res.best_bound, more.best_bound) if b is not None]
        bound = max(bounds) if bounds else None
        if more.is_feasible and more.objective is not None and more.objective <= res.objective and \
                not route_limits.violations(self, more.values(self.blocks["flow"])).any():
            res = more
        return replace(res, best_bound=bound, gap=relative_gap(res.objective, bound)), (more.build_seconds, more.solve_seconds)

    def explain_infeasible(self, options: SolverOptions | None = None, deadline: Deadline | None = None) -> list[str]:
        """Relax each constraint group in turn; name the groups that restore feasibility."""
        options = options or SolverOptions()
        return diagnostics.explain_infeasible(self, options, deadline or Deadline.after(options.time_limit_s))


def solve_cold_chain(problem: ColdChainProblem, options: SolverOptions | None = None, *, explain: bool = True,
                     deadline: Deadline | None = None) -> ColdChainSolution:
    """Build and solve ``problem``; raises :class:`InfeasibleError` with reasons when it has no solution."""
    return ColdChainModel(problem).solve(options, explain=explain, deadline=deadline)
