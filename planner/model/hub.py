"""The uncapacitated single-allocation p-hub median problem, solved exactly as a MILP.

Flows ``W[i, j]`` between ``n`` nodes travel in three legs: from the origin to the hub it is allocated to
(collection), between hubs (transfer) and from the destination's hub to the destination (distribution). Each
node is allocated to exactly one hub; a hub is allocated to itself; exactly ``p`` hubs open. The cost of
``i -> j`` through hubs ``k`` (of ``i``) and ``l`` (of ``j``) is ``W_ij (chi c_ik + alpha c_kl + delta c_lj)``:
``alpha < 1`` is the discount of bundled inter-hub transport (a block train against single wagons or
trucks), ``chi`` and ``delta`` weigh collection and distribution (O'Kelly 1987).

Formulation: the flow formulation of Ernst & Krishnamoorthy (1996). ``z[i, k] = 1`` iff node ``i`` is
allocated to hub ``k`` (``z[k, k]``: ``k`` is a hub); ``y[i, k, l] >= 0`` is the flow that originates at
``i`` and moves from hub ``k`` to hub ``l``. Rows: ``sum_k z[k, k] = p``; ``sum_k z[i, k] = 1``;
``z[i, k] <= z[k, k]``; flow balance per origin ``i`` and node ``k``:
``sum_l y[i, k, l] - sum_l y[i, l, k] = O_i z[i, k] - sum_j W_ij z[j, k]`` (``O_i``: all flow leaving ``i``);
and ``y[i, k, l] <= O_i z[l, l]``: inter-hub flow enters hubs only, so it never passes a node that is not a
hub (without this row the classic formulation relies on the triangle inequality). The objective is
``sum_ik c_ik (chi O_i + delta D_i) z[i, k] + alpha sum_ikl c_kl y[i, k, l]`` (``D_i``: all flow into
``i``). With costs that obey the triangle inequality (shortest paths on a network do) each hub pair is
joined directly; otherwise a transfer may pass further hubs when that is cheaper.

Units: costs per unit of flow in the caller's currency (CNY per tonne...), flows in one unit (tonnes per
year...); the objective is their product.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.errors import InfeasibleError, ModelError
from planner.model.matrix import MatrixModel, SolveResult, SolverOptions

__all__ = ["HubSolution", "p_hub_median"]

_TOL = 1e-6


@dataclass
class HubSolution:
    """The solution of a p-hub median problem.

    ``result``: the solver's :class:`~planner.model.matrix.SolveResult` (status, objective, bound, gap,
    times). ``hubs``: indices of the open hubs; ``allocation``: each node's hub (a hub's own index for a
    hub; ``-1`` without a solution). ``cost_breakdown``: ``collection``, ``transfer`` and ``distribution``
    costs (the factors applied), summing to the objective. ``transfer_flow``: ``p x p`` flow between the
    open hubs (rows: from, in the order of ``hubs``).
    """

    result: SolveResult
    hubs: np.ndarray
    allocation: np.ndarray
    cost_breakdown: dict[str, float]
    transfer_flow: np.ndarray = field(repr=False)

    @property
    def status(self) -> str:
        """The solver status (optimal, time_limit, gap_limit, infeasible...)."""
        return self.result.status

    @property
    def objective(self) -> float | None:
        """Total cost: collection + transfer + distribution."""
        return self.result.objective

    @property
    def is_feasible(self) -> bool:
        """True when a feasible solution is available."""
        return self.result.is_feasible


def _square(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ModelError(f"{name} must be a non-empty square matrix, got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ModelError(f"{name} holds NaN")
    if (arr < 0).any():
        raise ModelError(f"{name} has negative entries")
    return arr


def _mask(values: Any, n: int, name: str) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    if values is None:
        return mask
    index = np.asarray(values)
    if index.dtype == bool:
        if index.size != n:
            raise ModelError(f"{name}: a mask of {index.size} for {n} nodes")
        return index.copy()
    index = index.astype(np.int64).reshape(-1)
    if index.size and (index.min() < 0 or index.max() >= n):
        raise ModelError(f"{name}: node index outside 0..{n - 1}")
    mask[index] = True
    return mask


def p_hub_median(
    cost: Any,
    flow: Any,
    p: int,
    *,
    collection: float = 1.0,
    transfer: float = 0.75,
    distribution: float = 1.0,
    must_open: Any = None,
    forbidden: Any = None,
    options: SolverOptions | None = None,
) -> HubSolution:
    """Open ``p`` hubs and allocate every node to one, minimising the cost of routing ``flow`` through them.

    ``cost[i, j]``: cost per unit of flow from node ``i`` to node ``j`` (``+inf``: no link); ``flow[i, j]``:
    flow from ``i`` to ``j``. ``collection``, ``transfer`` (the inter-hub discount ``alpha``) and
    ``distribution`` multiply the three legs. ``must_open`` / ``forbidden``: nodes that must be / may not
    be hubs (indices or boolean masks). Raises :class:`ModelError` on bad input and
    :class:`InfeasibleError` when no ``p`` allowed hubs exist or a node reaches no allowed hub.
    """
    c = _square(cost, "cost")
    w = _square(flow, "flow")
    n = c.shape[0]
    if w.shape != c.shape:
        raise ModelError(f"flow has shape {w.shape}, cost {c.shape}")
    if not np.isfinite(w).all():
        raise ModelError("flow must be finite")
    for label, factor in (("collection", collection), ("transfer", transfer), ("distribution", distribution)):
        if not (math.isfinite(factor) and factor >= 0):
            raise ModelError(f"{label} factor must be finite and >= 0, got {factor}")
    forced = _mask(must_open, n, "must_open")
    banned = _mask(forbidden, n, "forbidden")
    if (forced & banned).any():
        raise ModelError(f"node {int(np.flatnonzero(forced & banned)[0])} is both must_open and forbidden")
    if isinstance(p, bool) or int(p) != p or not 1 <= p <= n:
        raise ModelError(f"p must be an integer in 1..{n}, got {p}")
    allowed = ~banned
    if allowed.sum() < p:
        raise InfeasibleError(f"p = {p} hubs but only {int(allowed.sum())} nodes may be hubs",
                              [f"only {int(allowed.sum())} nodes may be hubs"])
    if forced.sum() > p:
        raise InfeasibleError(f"{int(forced.sum())} hubs must open but p = {p}", [f"must_open exceeds p = {p}"])
    reach = np.isfinite(c) & allowed[None, :]
    np.fill_diagonal(reach, allowed)
    cut_off = np.flatnonzero(~reach.any(axis=1))
    if cut_off.size:
        raise InfeasibleError(f"node {int(cut_off[0])} reaches no node that may be a hub",
                              [f"node {int(i)} reaches no allowed hub" for i in cut_off])

    out_flow, in_flow = w.sum(axis=1), w.sum(axis=0)
    finite = np.where(np.isfinite(c), c, 0.0)
    model = MatrixModel("p_hub_median", "min")
    z_cost = finite * (collection * out_flow + distribution * in_flow)[:, None]
    z_lb = np.zeros((n, n))
    z_lb[np.flatnonzero(forced), np.flatnonzero(forced)] = 1.0
    z = model.add_variables("z", (n, n), lb=z_lb, ub=reach.astype(float), cost=z_cost, integer=True)
    link = np.isfinite(c) & allowed[:, None] & allowed[None, :]
    np.fill_diagonal(link, False)
    y_ub = np.where(link[None, :, :], np.inf, 0.0) * np.ones((n, 1, 1))
    y = model.add_variables("y", (n, n, n), ub=y_ub, cost=np.broadcast_to(transfer * finite, (n, n, n)))

    nodes = np.arange(n)
    model.add_constraints("hubs", np.zeros(n), z.cols(nodes, nodes), 1.0, [float(p)], [float(p)])
    ii, kk = np.meshgrid(nodes, nodes, indexing="ij")
    ii, kk = ii.reshape(-1), kk.reshape(-1)
    model.add_constraints("allocate", ii, z.cols(ii, kk), 1.0, np.ones(n), np.ones(n))
    off = ii != kk
    rows = np.repeat(np.arange(int(off.sum())), 2)
    cols = np.column_stack([z.cols(ii[off], kk[off]), z.cols(kk[off], kk[off])]).reshape(-1)
    model.add_constraints("to_hubs_only", rows, cols, np.tile([1.0, -1.0], int(off.sum())), -np.inf, np.zeros(int(off.sum())))
    model.add_constraints(*_balance(z, y, w, out_flow))
    i3, k3, l3 = (a.reshape(-1) for a in np.meshgrid(nodes, nodes, nodes, indexing="ij"))
    keep = link[k3, l3] & (out_flow[i3] > 0)
    i3, k3, l3 = i3[keep], k3[keep], l3[keep]
    count = int(keep.sum())
    rows = np.repeat(np.arange(count), 2)
    cols = np.column_stack([y.cols(i3, k3, l3), z.cols(l3, l3)]).reshape(-1)
    vals = np.column_stack([np.ones(count), -out_flow[i3]]).reshape(-1)
    model.add_constraints("enter_hubs_only", rows, cols, vals, -np.inf, np.zeros(count))

    result = model.solve(options or SolverOptions())
    if not result.is_feasible:
        return HubSolution(result, np.zeros(0, dtype=np.int64), np.full(n, -1, dtype=np.int64), {}, np.zeros((0, 0)))
    allocation = np.asarray(result.values(z) > 0.5).argmax(axis=1).astype(np.int64)
    hubs = np.flatnonzero(np.diag(result.values(z)) > 0.5)
    y_val = result.values(y)
    breakdown = {
        "collection": float(collection * np.sum(out_flow * finite[nodes, allocation])),
        "transfer": float(transfer * np.sum(y_val * finite[None, :, :])),
        "distribution": float(distribution * np.sum(in_flow * finite[nodes, allocation])),
    }
    between = y_val.sum(axis=0)[np.ix_(hubs, hubs)]
    between[between < _TOL] = 0.0
    return HubSolution(result, hubs, allocation, breakdown, between)


def _balance(z: Any, y: Any, w: np.ndarray, out_flow: np.ndarray) -> tuple[Any, ...]:
    """Flow balance of each origin ``i`` at each node ``k``: transfers out - transfers in - O_i z[i, k] +
    sum_j W_ij z[j, k] = 0 (row ``i * n + k``)."""
    n = w.shape[0]
    nodes = np.arange(n)
    i3, k3, l3 = (a.reshape(-1) for a in np.meshgrid(nodes, nodes, nodes, indexing="ij"))
    row_out = i3 * n + k3  # y[i, k, l] leaves k
    row_in = i3 * n + l3  # ... and enters l
    ii, kk = (a.reshape(-1) for a in np.meshgrid(nodes, nodes, indexing="ij"))
    i_j, j_j, k_j = (a.reshape(-1) for a in np.meshgrid(nodes, nodes, nodes, indexing="ij"))
    rows = np.concatenate([row_out, row_in, ii * n + kk, i_j * n + k_j])
    cols = np.concatenate([y.cols(i3, k3, l3), y.cols(i3, k3, l3), z.cols(ii, kk), z.cols(j_j, k_j)])
    vals = np.concatenate([np.ones(n**3), -np.ones(n**3), -out_flow[ii], w[i_j, j_j]])
    return "balance", rows, cols, vals, np.zeros(n * n), np.zeros(n * n)
